// <IOKit/IOKitKeys.h>: the registry, matching and notification key strings that kexts (in
// Info.plist personalities and code) and IOKit clients share. Values exactly as Apple's.
#pragma once

// Registry root / plane names.
#define kIOKitBuildVersionKey "IOKitBuildVersion"
#define kIOKitDiagnosticsKey "IOKitDiagnostics"
#define kIORegistryPlanesKey "IORegistryPlanes"
#define kIOCatalogueKey "IOCatalogue"

#define kIOServicePlane "IOService"
#define kIOPowerPlane "IOPower"
#define kIODeviceTreePlane "IODeviceTree"
#define kIOAudioPlane "IOAudio"
#define kIOFireWirePlane "IOFireWire"
#define kIOUSBPlane "IOUSB"

#define kIORegistryEntryIDKey "IORegistryEntryID"
#define kIORegistryEntryPropertyKeysKey "IORegistryEntryPropertyKeys"

#define kIOServiceClass "IOService"
#define kIOResourcesClass "IOResources"

// Personality / instance keys.
#define kIOClassKey "IOClass"
#define kIOProbeScoreKey "IOProbeScore"
#define kIOKitDebugKey "IOKitDebug"
#define kIOSupportedPropertiesKey "IOSupportedProperties"
#define kIOUserServicePropertiesKey "IOUserServiceProperties"

// Matching keys.
#define kIOProviderClassKey "IOProviderClass"
#define kIONameMatchKey "IONameMatch"
#define kIOPropertyMatchKey "IOPropertyMatch"
#define kIOPropertyExistsMatchKey "IOPropertyExistsMatch"
#define kIOPathMatchKey "IOPathMatch"
#define kIOLocationMatchKey "IOLocationMatch"
#define kIOParentMatchKey "IOParentMatch"
#define kIOResourceMatchKey "IOResourceMatch"
#define kIOResourceMatchedKey "IOResourceMatched"
#define kIOMatchedServiceCountKey "IOMatchedServiceCountMatch"
#define kIONameMatchedKey "IONameMatched"
#define kIOMatchCategoryKey "IOMatchCategory"
#define kIODefaultMatchCategoryKey "IODefaultMatchCategory"
#define kIOMatchedPersonalityKey "IOMatchedPersonality"
#define kIORematchPersonalityKey "IORematchPersonality"
#define kIORematchCountKey "IORematchCount"
#define kIODEXTMatchCountKey "IODEXTMatchCount"
#define kIOMatchDeferKey "IOMatchDefer"
#define kIOAllCPUInitializedKey "IOAllCPUInitialized"

// User client keys.
#define kIOUserClientClassKey "IOUserClientClass"
#define kIOMapperIDKey "IOMapperID"
#define kIOUserClientCrossEndianKey "IOUserClientCrossEndian"
#define kIOUserClientCrossEndianCompatibleKey "IOUserClientCrossEndianCompatible"
#define kIOUserClientSharedInstanceKey "IOUserClientSharedInstance"
#define kIOUserClientDefaultLockingKey "IOUserClientDefaultLocking"
#define kIOUserClientDefaultLockingSetPropertiesKey "IOUserClientDefaultLockingSetProperties"
#define kIOUserClientDefaultLockingSingleThreadExternalMethodKey "IOUserClientDefaultLockingSingleThreadExternalMethod"
#define kIOUserClientEntitlementsKey "IOUserClientEntitlements"
#define kIOUserClientCreatorKey "IOUserClientCreator"
#define kIOUserServerCDHashKey "IOUserServerCDHash"
#define kIOUserUserClientKey "IOUserUserClient"

// Matching notification types (IOServiceAddMatchingNotification, addMatchingNotification).
#define kIOPublishNotification "IOServicePublish"
#define kIOFirstPublishNotification "IOServiceFirstPublish"
#define kIOMatchedNotification "IOServiceMatched"
#define kIOFirstMatchNotification "IOServiceFirstMatch"
#define kIOTerminatedNotification "IOServiceTerminate"
#define kIOWillTerminateNotification "IOServiceWillTerminate"

// Interest types (IOServiceAddInterestNotification, registerInterest).
#define kIOGeneralInterest "IOGeneralInterest"
#define kIOBusyInterest "IOBusyInterest"
#define kIOAppPowerStateInterest "IOAppPowerStateInterest"
#define kIOPriorityPowerStateInterest "IOPriorityPowerStateInterest"

#define kIOPlatformDeviceMessageKey "IOPlatformDeviceMessage"

// CFPlugIn support.
#define kIOCFPlugInTypesKey "IOCFPlugInTypes"

#define kIOCompatibilityMatchKey "IOCompatibilityMatch"
#define kIOCompatibilityPropertiesKey "IOCompatibilityProperties"
#define kIOPathKey "IOPath"

// Storage / transfer-limit properties (OSNumber values).
#define kIOCommandPoolSizeKey "IOCommandPoolSize"
#define kIOMaximumPriorityCountKey "IOMaximumPriorityCount"
#define kIOMaximumBlockCountReadKey "IOMaximumBlockCountRead"
#define kIOMaximumBlockCountWriteKey "IOMaximumBlockCountWrite"
#define kIOMaximumByteCountReadKey "IOMaximumByteCountRead"
#define kIOMaximumByteCountWriteKey "IOMaximumByteCountWrite"
#define kIOMaximumSegmentCountReadKey "IOMaximumSegmentCountRead"
#define kIOMaximumSegmentCountWriteKey "IOMaximumSegmentCountWrite"
#define kIOMaximumSegmentByteCountReadKey "IOMaximumSegmentByteCountRead"
#define kIOMaximumSegmentByteCountWriteKey "IOMaximumSegmentByteCountWrite"
#define kIOMinimumSegmentAlignmentByteCountKey "IOMinimumSegmentAlignmentByteCount"
#define kIOMaximumSegmentAddressableBitCountKey "IOMaximumSegmentAddressableBitCount"
#define kIOMinimumSaturationByteCountKey "IOMinimumSaturationByteCount"
#define kIOMaximumSwapWriteKey "IOMaximumSwapWrite"

// Icons and badges.
#define kIOIconKey "IOIcon"
#define kIOBundleResourceFileKey "IOBundleResourceFile"
#define kIOBusBadgeKey "IOBusBadge"
#define kIODeviceIconKey "IODeviceIcon"

// Platform identity.
#define kIOPlatformSerialNumberKey "IOPlatformSerialNumber"
#define kIOPlatformUUIDKey "IOPlatformUUID"

// NVRAM.
#define kIONVRAMBootArgsKey "boot-args"
#define kIONVRAMDeletePropertyKey "IONVRAM-DELETE-PROPERTY"
#define kIONVRAMSyncNowPropertyKey "IONVRAM-SYNCNOW-PROPERTY"
#define kIONVRAMActivateCSRConfigPropertyKey "IONVRAM-ARMCSR-PROPERTY"
#define kIODTNVRAMPanicInfoKey "aapl,panic-info"

// Boot device.
#define kIOBootDeviceKey "IOBootDevice"
#define kIOBootDevicePathKey "IOBootDevicePath"
#define kIOBootDeviceSizeKey "IOBootDeviceSize"

#define kOSBuildVersionKey "OS Build Version"

// Registry iteration options (IORegistryEntry::getProperty/iterateOver, IORegistryIterator,
// IORegistryEntrySearchCFProperty). Apple declares them in IORegistryEntry.h and IOKitLib.h;
// they are defined once here so both SDKs agree. Those headers must include this one.
enum {
    kIORegistryIterateRecursively = 0x00000001,
    kIORegistryIterateParents = 0x00000002,
};

// Console users (the registry root's IOConsoleUsers array, one dictionary per login session),
// which clientHasPrivilege("console" / "consolesession" / "secureprocess") reads. Private in xnu
// (IOKitKeysPrivate.h); shared here so that the daemon that publishes them and the kernel agree.
#define kIOConsoleLockedKey "IOConsoleLocked"
#define kIOConsoleUsersKey "IOConsoleUsers"
#define kIOConsoleSessionAuditIDKey "kCGSSessionAuditIDKey"
#define kIOConsoleSessionUserNameKey "kCGSSessionUserNameKey"
#define kIOConsoleSessionUIDKey "kCGSSessionUserIDKey"
#define kIOConsoleSessionConsoleSetKey "kCGSSessionConsoleSetKey"
#define kIOConsoleSessionOnConsoleKey "kCGSSessionOnConsoleKey"
#define kIOConsoleSessionLoginDoneKey "kCGSessionLoginDoneKey"
#define kIOConsoleSessionSecureInputPIDKey "kCGSSessionSecureInputPID"
#define kIOConsoleSessionScreenLockedTimeKey "CGSSessionScreenLockedTime"

// A nub's interrupt description (docs/kernel-extras.md: OpenIOKit reads only the specifiers).
#define kIOInterruptControllersKey "IOInterruptControllers"
#define kIOInterruptSpecifiersKey "IOInterruptSpecifiers"
