// The on-demand test driver: attaches to a KextTestOnDemandNub and registers itself, so a test
// can wait for it with IOService::waitForMatchingService.
#include <IOKit/IOService.h>

class KextTestOnDemandDriver : public IOService {
    OSDeclareDefaultStructors(KextTestOnDemandDriver);

public:
    bool start(IOService* provider) override
    {
        if (!IOService::start(provider)) {
            return false;
        }
        registerService();
        return true;
    }
};
OSDefineMetaClassAndStructors(KextTestOnDemandDriver, IOService);
