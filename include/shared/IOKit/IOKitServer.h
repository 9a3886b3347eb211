// <IOKit/IOKitServer.h>: the flag values of the IOCatalogue requests user space sends
// (IOCatalogueSendData, IOCatalogueTerminate, IOCatalogueGetData), as Apple's
// (iokit-semantics.md §1.2, §5.4). Shared by the client library, the daemon and the kernel.
#pragma once

// IOCatalogueSendData
enum {
    kIOCatalogAddDrivers = 1,
    kIOCatalogAddDriversNoMatch,
    kIOCatalogRemoveDrivers,
    kIOCatalogRemoveDriversNoMatch,
    kIOCatalogStartMatching__Removed,
    kIOCatalogRemoveKernelLinker__Removed,
    kIOCatalogKextdActive,
    kIOCatalogKextdFinishedLaunching,
    kIOCatalogResetDrivers,
    kIOCatalogResetDriversNoMatch
};

// IOCatalogueTerminate: unload a module (after terminating its services), only terminate its
// services and remove its personalities, or terminate every instance of a class.
enum {
    kIOCatalogModuleUnload = 1,
    kIOCatalogModuleTerminate,
    kIOCatalogServiceTerminate
};

// IOCatalogueGetData
enum {
    kIOCatalogGetContents = 1,
    kIOCatalogGetModuleDemandList = 2,
    kIOCatalogGetCacheMissList = 3,
    kIOCatalogGetROMMkextList = 4
};
