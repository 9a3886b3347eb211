// ServiceExtrasSlot: lazily made, destroyed with its service (IOService's member destructor runs
// after free()), so every part's destructor must not call back into the service.
#include "ServiceExtras.h"

namespace openiokit {

ServiceExtras::~ServiceExtras()
{
    pm::destroyNode(pm);
}

ServiceExtrasSlot::~ServiceExtrasSlot()
{
    delete extras_.load(std::memory_order_acquire);
}

ServiceExtras& ServiceExtrasSlot::get()
{
    if (ServiceExtras* existing = extras_.load(std::memory_order_acquire)) {
        return *existing;
    }
    auto made = std::make_unique<ServiceExtras>();
    ServiceExtras* expected = nullptr;
    if (extras_.compare_exchange_strong(expected, made.get(), std::memory_order_acq_rel)) {
        return *made.release();
    }
    return *expected;  // another thread won; ours is discarded
}

}  // namespace openiokit
