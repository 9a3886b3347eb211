// IOResources: the pseudo-nub whose properties are the published resources
// (iokit-semantics.md §4.3). Private, as in xnu (iokit/Kernel/IOServicePrivate.h): drivers reach
// it through IOService::getResourceService() and publishResource().
#pragma once

#include <IOKit/IOService.h>

class IOResources : public IOService {
    OSDeclareDefaultStructors(IOResources);

public:
    // A new, initialised instance (retained), or NULL.
    static IOService* resources(void);

    bool init(OSDictionary* dictionary = NULL) APPLE_KEXT_OVERRIDE;
    // Nobody opens a connection to IOResources: kIOReturnUnsupported.
    using IOService::newUserClient;
    IOReturn newUserClient(task_t owningTask, void* securityID, UInt32 type, OSDictionary* properties,
                           IOUserClient** handler) APPLE_KEXT_OVERRIDE;
    // Every name in the table's IOResourceMatch (a string or a collection of them) must be a
    // property here; or the table's IOResourceMatched must be among the resources present when
    // IOResources last finished matching.
    using IOService::matchPropertyTable;
    bool matchPropertyTable(OSDictionary* table) APPLE_KEXT_OVERRIDE;
};
