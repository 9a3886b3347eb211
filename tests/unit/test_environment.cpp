// Every unit-test process ends with the kernel's worker threads idle. Config (matching) and
// terminate threads may still be finishing work a test started when main returns; static
// destruction would then take down metaclasses they are using (UBSan: "invalid vptr" at exit).
// A kernel never exits, so this is the tests' concern, not the kernel's.
#include "../../src/kernel/IOServiceMatchingInternal.h"
#include "../../src/kernel/Termination.h"

#include <gtest/gtest.h>

namespace {

class KernelThreadsIdleAtExit : public testing::Environment {
public:
    void TearDown() override
    {
        constexpr uint64_t kThirtySeconds = 30ull * 1000 * 1000 * 1000;
        // Termination can start matching (a provider rematched) and matching can terminate
        // (a losing driver), so settle both a few times.
        for (int round = 0; round < 3; ++round) {
            openiokit::waitForTerminationIdle();
            openiokit::waitMatchIdle(kThirtySeconds);
        }
    }
};

[[maybe_unused]] testing::Environment* const gKernelThreadsIdleAtExit =
    testing::AddGlobalTestEnvironment(new KernelThreadsIdleAtExit);

}  // namespace
