/*
 * <IOKit/simbus/SimBusUserClient.h>: the interface between the com.openiokit.SimBus kext
 * (IOSimBus / IOSimBusUserClient) and its user-space clients such as simbusctl. Plain C, no
 * kernel types: both sides include it. docs/simbus.md describes the bus.
 *
 * Open the bus with IOServiceOpen(IOServiceGetMatchingService(kIOMainPortDefault,
 * IOServiceMatching(kIOSimBusClassName)), mach_task_self(), kIOSimBusConnectType, &connect),
 * then call the selectors below with IOConnectCallMethod. Plug, unplug and trigger need a root
 * caller (kIOReturnNotPrivileged otherwise, decided when the connection is opened); list does not.
 */
#pragma once

#include <stdint.h>

#define kIOSimBusBundleIdentifier "com.openiokit.SimBus"
#define kIOSimBusClassName "IOSimBus"
#define kIOSimDeviceClassName "IOSimDevice"
#define kIOSimBusUserClientClassName "IOSimBusUserClient"

/* The connect type IOServiceOpen must pass; any other is refused with kIOReturnBadArgument. */
#define kIOSimBusConnectType 0

/*
 * Limits. A device name is a non-empty string of at most kIOSimBusMaxNameLength bytes (it
 * becomes the nub's registry name, an io_name_t); the bus holds at most kIOSimBusMaxDevices
 * devices; each device has kIOSimDeviceInterruptCount software interrupt sources (0 ... n-1);
 * the plug description is at most kIOSimBusMaxPlugDescriptionSize bytes of XML.
 */
#define kIOSimBusMaxNameLength 127
#define kIOSimBusMaxDevices 256
#define kIOSimDeviceInterruptCount 4
#define kIOSimBusMaxPlugDescriptionSize 4096

/*
 * Keys of the plug description: an XML plist dictionary (as OSUnserializeXML / CFPropertyList
 * write it) with the device's name and, optionally, the properties drivers match on.
 */
#define kIOSimDeviceNameKey "IOSimDeviceName"             /* string, required */
#define kIOSimDevicePropertiesKey "IOSimDeviceProperties" /* dictionary, optional */

/* Keys of each entry of the list (an XML plist array of dictionaries). */
#define kIOSimDeviceLocationKey "IOSimDeviceLocation"     /* string: the port, hex */
#define kIOSimDeviceRegistryIDKey "IORegistryEntryID"     /* number: the nub's registry ID */

enum IOSimBusSelector {
    /*
     * Plug a device: a new IOSimDevice nub, attached to the bus and registered for matching.
     *   scalar in [1]:  options (kIOSimBusPlugOptionSynchronous: return after matching ran)
     *   struct in:      the plug description (XML, at most kIOSimBusMaxPlugDescriptionSize)
     *   scalar out [1]: the nub's registry entry ID
     * Errors: kIOReturnBadArgument (not a dictionary, no or bad name, properties not a
     * dictionary), kIOReturnExclusiveAccess (a device with that name is plugged),
     * kIOReturnNoResources (kIOSimBusMaxDevices reached), kIOReturnNotAttached (the bus is
     * terminating), kIOReturnNotPrivileged.
     */
    kIOSimBusMethodPlug = 0,
    /*
     * Unplug a device: terminate its nub as a bus family does on hot-unplug.
     *   scalar in [1]:  options (kIOSimBusUnplugOptionAsynchronous: plain terminate(), return
     *                   at once; default: terminate(kIOServiceSynchronous), return once the
     *                   nub and every driver on it have stopped)
     *   struct in:      the name (NUL-terminated, at most kIOSimBusMaxNameLength + 1 bytes)
     * Errors: kIOReturnNotFound (no such device), kIOReturnBadArgument, kIOReturnNotPrivileged.
     */
    kIOSimBusMethodUnplug = 1,
    /*
     * List the devices, in plug order, starting at an index.
     *   scalar in [1]:  first index
     *   struct out:     XML array of device dictionaries (name, location, registry ID): as many
     *                   whole entries as fit in the buffer (variable size)
     *   scalar out [2]: total number of devices, number of entries returned
     * Call again with first index + returned until the total is reached.
     * Errors: kIOReturnNoSpace (not even one entry fits).
     */
    kIOSimBusMethodList = 2,
    /*
     * Raise a software interrupt on a device: drivers that registered for that source through
     * IOInterruptEventSource get their action called on their work loop.
     *   scalar in [1]:  the interrupt source (0 ... kIOSimDeviceInterruptCount - 1)
     *   struct in:      the name (as for unplug)
     * Errors: kIOReturnNotFound, kIOReturnNoInterrupt (source out of range),
     * kIOReturnBadArgument, kIOReturnNotPrivileged.
     */
    kIOSimBusMethodTrigger = 3,

    kIOSimBusMethodCount
};

enum {
    kIOSimBusPlugOptionSynchronous = 0x1,
    kIOSimBusUnplugOptionAsynchronous = 0x1,
};
