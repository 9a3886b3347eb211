// The global matching, notification and interest symbols (IOService.h, IOKitKeys.h values).
//
// xnu makes them in IOService::initialize and IOCatalogue::initialize. Here they are made on
// first use instead (ensureMatchingSymbols), not by static initialisers: OSSymbol's metaclass
// lives in another translation unit of this library and may not be constructed yet while our
// static initialisers run. Every public entry point of the matching and notification code
// calls ensureMatchingSymbols(), and IOService::initialize() does (through initializeResources)
// before anything can be registered. The symbols are never released.
#include <IOKit/IOService.h>

#include "IOServiceMatchingInternal.h"

#include <mutex>

const OSSymbol* gIOGeneralInterest = nullptr;
const OSSymbol* gIOBusyInterest = nullptr;
const OSSymbol* gIOAppPowerStateInterest = nullptr;
const OSSymbol* gIOPriorityPowerStateInterest = nullptr;
const OSSymbol* gIOPublishNotification = nullptr;
const OSSymbol* gIOFirstPublishNotification = nullptr;
const OSSymbol* gIOMatchedNotification = nullptr;
const OSSymbol* gIOFirstMatchNotification = nullptr;
const OSSymbol* gIOTerminatedNotification = nullptr;
const OSSymbol* gIOWillTerminateNotification = nullptr;

const OSSymbol* gIOServiceKey = nullptr;
const OSSymbol* gIOProviderClassKey = nullptr;
const OSSymbol* gIONameMatchKey = nullptr;
const OSSymbol* gIONameMatchedKey = nullptr;
const OSSymbol* gIOPropertyMatchKey = nullptr;
const OSSymbol* gIOPropertyExistsMatchKey = nullptr;
const OSSymbol* gIOLocationMatchKey = nullptr;
const OSSymbol* gIOParentMatchKey = nullptr;
const OSSymbol* gIOPathMatchKey = nullptr;
const OSSymbol* gIOMatchCategoryKey = nullptr;
const OSSymbol* gIODefaultMatchCategoryKey = nullptr;
const OSSymbol* gIOMatchedServiceCountKey = nullptr;
const OSSymbol* gIOResourcesKey = nullptr;
const OSSymbol* gIOResourceMatchKey = nullptr;
const OSSymbol* gIOUserClientClassKey = nullptr;
const OSSymbol* gIOKitDebugKey = nullptr;
const OSSymbol* gIOProbeScoreKey = nullptr;
const OSSymbol* gIOClassKey = nullptr;
const OSSymbol* gIOModuleIdentifierKey = nullptr;

const OSSymbol* gIOResourceMatchedKey = nullptr;
const OSSymbol* gIOResourceIOKitKey = nullptr;
const OSSymbol* gIOModuleIdentifierKernelKey = nullptr;
const OSSymbol* gIOPathKey = nullptr;
const OSSymbol* gIOUserServicePropertiesKey = nullptr;
const OSSymbol* gIOBSDNameKey = nullptr;
const OSSymbol* gIOBSDMajorKey = nullptr;
const OSSymbol* gIOBSDMinorKey = nullptr;
const OSSymbol* gIOBSDUnitKey = nullptr;

namespace openiokit {

void ensureMatchingSymbols()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Matching reads gIORegistryEntryIDKey and gIOServicePlane, which the registry makes.
        IORegistryEntry::initialize();

        const struct {
            const OSSymbol** symbol;
            const char* text;
        } table[] = {
            {&gIOGeneralInterest, kIOGeneralInterest},
            {&gIOBusyInterest, kIOBusyInterest},
            {&gIOAppPowerStateInterest, kIOAppPowerStateInterest},
            {&gIOPriorityPowerStateInterest, kIOPriorityPowerStateInterest},
            {&gIOPublishNotification, kIOPublishNotification},
            {&gIOFirstPublishNotification, kIOFirstPublishNotification},
            {&gIOMatchedNotification, kIOMatchedNotification},
            {&gIOFirstMatchNotification, kIOFirstMatchNotification},
            {&gIOTerminatedNotification, kIOTerminatedNotification},
            {&gIOWillTerminateNotification, kIOWillTerminateNotification},
            {&gIOServiceKey, kIOServiceClass},
            {&gIOProviderClassKey, kIOProviderClassKey},
            {&gIONameMatchKey, kIONameMatchKey},
            {&gIONameMatchedKey, kIONameMatchedKey},
            {&gIOPropertyMatchKey, kIOPropertyMatchKey},
            {&gIOPropertyExistsMatchKey, kIOPropertyExistsMatchKey},
            {&gIOLocationMatchKey, kIOLocationMatchKey},
            {&gIOParentMatchKey, kIOParentMatchKey},
            {&gIOPathMatchKey, kIOPathMatchKey},
            {&gIOMatchCategoryKey, kIOMatchCategoryKey},
            {&gIODefaultMatchCategoryKey, kIODefaultMatchCategoryKey},
            {&gIOMatchedServiceCountKey, kIOMatchedServiceCountKey},
            {&gIOResourcesKey, kIOResourcesClass},
            {&gIOResourceMatchKey, kIOResourceMatchKey},
            {&gIOUserClientClassKey, kIOUserClientClassKey},
            {&gIOKitDebugKey, kIOKitDebugKey},
            {&gIOProbeScoreKey, kIOProbeScoreKey},
            {&gIOClassKey, kIOClassKey},
            {&gIOModuleIdentifierKey, "CFBundleIdentifier"},
            {&gIOResourceMatchedKey, kIOResourceMatchedKey},
            {&gIOResourceIOKitKey, "IOKit"},
            {&gIOModuleIdentifierKernelKey, "CFBundleIdentifierKernel"},
            {&gIOPathKey, kIOPathKey},
            {&gIOUserServicePropertiesKey, kIOUserServicePropertiesKey},
            {&gIOBSDNameKey, "BSD Name"},
            {&gIOBSDMajorKey, "BSD Major"},
            {&gIOBSDMinorKey, "BSD Minor"},
            {&gIOBSDUnitKey, "BSD Unit"},
        };
        for (const auto& entry : table) {
            *entry.symbol = OSSymbol::withCStringNoCopy(entry.text);
        }
    });
}

}  // namespace openiokit
