#include "KextBundle.h"
#include "KextVersion.h"

#include <libkern/c++/OSArray.h>
#include <libkern/c++/OSBoolean.h>
#include <libkern/c++/OSData.h>
#include <libkern/c++/OSNumber.h>
#include <libkern/c++/OSString.h>
#include <libkern/c++/OSSymbol.h>

#include <plist/plist.h>

#include <cstdlib>
#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <sys/stat.h>

namespace openiokit::kexts {
namespace {

struct PlistDeleter {
    void operator()(plist_t node) const { plist_free(node); }
};
using PlistPtr = std::unique_ptr<void, PlistDeleter>;

Error error(OSReturn code, std::string message)
{
    return Error{code, std::move(message)};
}

std::string takeString(char* raw)
{
    std::string value = raw ? raw : "";
    std::free(raw);
    return value;
}

// libplist node -> libkern object (retained), or nullptr for what libkern cannot hold (dates,
// reals, UIDs), which xnu's own parser also drops from a kext's Info.plist.
OSObject* convert(plist_t node)
{
    switch (plist_get_node_type(node)) {
    case PLIST_DICT: {
        OSDictionary* dict = OSDictionary::withCapacity(plist_dict_get_size(node));
        plist_dict_iter iter = nullptr;
        plist_dict_new_iter(node, &iter);
        for (;;) {
            char* key = nullptr;
            plist_t value = nullptr;
            plist_dict_next_item(node, iter, &key, &value);
            if (!key) {
                break;
            }
            std::string name = takeString(key);
            if (OSObject* object = value ? convert(value) : nullptr) {
                dict->setObject(name.c_str(), object);
                object->release();
            }
        }
        std::free(iter);
        return dict;
    }
    case PLIST_ARRAY: {
        const uint32_t count = plist_array_get_size(node);
        OSArray* array = OSArray::withCapacity(count ? count : 1);
        for (uint32_t index = 0; index < count; index++) {
            if (OSObject* object = convert(plist_array_get_item(node, index))) {
                array->setObject(object);
                object->release();
            }
        }
        return array;
    }
    case PLIST_STRING: {
        char* value = nullptr;
        plist_get_string_val(node, &value);
        return OSString::withCString(takeString(value).c_str());
    }
    case PLIST_BOOLEAN: {
        uint8_t value = 0;
        plist_get_bool_val(node, &value);
        OSBoolean* boolean = value ? kOSBooleanTrue : kOSBooleanFalse;
        boolean->retain();
        return boolean;
    }
    case PLIST_UINT: {
        uint64_t value = 0;
        plist_get_uint_val(node, &value);
        return OSNumber::withNumber(static_cast<unsigned long long>(value), 64);
    }
    case PLIST_DATA: {
        char* bytes = nullptr;
        uint64_t length = 0;
        plist_get_data_val(node, &bytes, &length);
        OSData* data = OSData::withBytes(bytes, static_cast<unsigned int>(length));
        std::free(bytes);
        return data;
    }
    default:
        return nullptr;
    }
}

const char* stringValue(OSDictionary* dict, const char* key)
{
    auto* string = OSDynamicCast(OSString, dict->getObject(key));
    return string ? string->getCStringNoCopy() : nullptr;
}

}  // namespace

std::expected<OSSharedPtr<OSDictionary>, Error> readInfoPlist(const std::filesystem::path& bundle)
{
    const std::filesystem::path plistPath = bundle / "Contents" / "Info.plist";
    std::error_code ec;
    if (!std::filesystem::is_directory(bundle, ec)) {
        return std::unexpected(error(kOSKextReturnNotFound, bundle.string() + " is not a directory."));
    }
    std::ifstream file(plistPath, std::ios::binary);
    if (!file) {
        return std::unexpected(
            error(kOSKextReturnNotFound, plistPath.string() + " does not exist; the bundle is not a kext."));
    }
    const std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    plist_t root = nullptr;
    if (!bytes.empty()) {
        plist_from_memory(bytes.data(), static_cast<uint32_t>(bytes.size()), &root);
    }
    PlistPtr owner(root);
    if (!root) {
        return std::unexpected(
            error(kOSKextReturnBadData, plistPath.string() + " is not a valid property list (XML or binary)."));
    }
    if (plist_get_node_type(root) != PLIST_DICT) {
        return std::unexpected(error(kOSKextReturnBadData, plistPath.string() + " does not hold a dictionary."));
    }
    return OSSharedPtr<OSDictionary>(static_cast<OSDictionary*>(convert(root)), OSNoRetain);
}

std::expected<KextBundle, Error> KextBundle::read(const std::filesystem::path& path)
{
    std::error_code ec;
    std::filesystem::path bundlePath = std::filesystem::absolute(path, ec).lexically_normal();
    if (bundlePath.has_filename() == false) {
        bundlePath = bundlePath.parent_path();  // a trailing slash
    }
    auto info = readInfoPlist(bundlePath);
    if (!info) {
        return std::unexpected(info.error());
    }
    KextBundle bundle;
    bundle.path = bundlePath;
    bundle.infoDict = std::move(*info);
    OSDictionary* dict = bundle.infoDict.get();
    const std::string plistName = (bundlePath / "Contents" / "Info.plist").string();
    auto invalid = [&](std::string problem) {
        return std::unexpected(error(kOSKextReturnValidation, plistName + ": " + std::move(problem)));
    };

    const char* identifier = stringValue(dict, kCFBundleIdentifierKey);
    if (!identifier || !*identifier) {
        return invalid("CFBundleIdentifier is missing or not a string.");
    }
    if (std::string_view(identifier).size() >= 64) {
        return invalid(std::string("CFBundleIdentifier ") + identifier + " is longer than 63 characters.");
    }
    bundle.identifier = identifier;

    const char* version = stringValue(dict, kCFBundleVersionKey);
    if (!version) {
        return invalid("CFBundleVersion is missing or not a string.");
    }
    std::optional<OSKextVersion> parsed = parseKextVersion(version);
    if (!parsed) {
        return invalid(std::string("CFBundleVersion \"") + version + "\" is not a valid kext version.");
    }
    bundle.versionString = version;
    bundle.version = *parsed;

    if (OSObject* compatible = dict->getObject(kOSBundleCompatibleVersionKey)) {
        auto* string = OSDynamicCast(OSString, compatible);
        std::optional<OSKextVersion> value = string ? parseKextVersion(string->getCStringNoCopy()) : std::nullopt;
        if (!value || *value > bundle.version) {
            return invalid("OSBundleCompatibleVersion is not a valid version no later than CFBundleVersion.");
        }
        bundle.compatibleVersion = value;
    }

    if (auto* isInterface = OSDynamicCast(OSBoolean, dict->getObject(kOSBundleIsInterfaceKey))) {
        bundle.isInterface = isInterface->isTrue();
    }

    if (OSObject* executable = dict->getObject(kCFBundleExecutableKey)) {
        auto* name = OSDynamicCast(OSString, executable);
        if (!name || name->getLength() == 0 || std::string_view(name->getCStringNoCopy()).find('/') != std::string_view::npos) {
            return invalid("CFBundleExecutable is not a file name.");
        }
        std::filesystem::path file = bundlePath / "Contents" / "MacOS" / name->getCStringNoCopy();
        struct stat status {};
        if (::stat(file.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
            return std::unexpected(error(kOSKextReturnValidation,
                                         plistName + ": the executable " + file.string() + " does not exist."));
        }
        bundle.executable = file;
    }

    if (OSObject* libraries = dict->getObject(kOSBundleLibrariesKey)) {
        auto* libraryDict = OSDynamicCast(OSDictionary, libraries);
        if (!libraryDict) {
            return invalid("OSBundleLibraries is not a dictionary.");
        }
        // Dependencies load in the plist's order (OSDictionary keeps insertion order).
        std::vector<KextLibrary> list;
        bool bad = false;
        std::string badKey;
        libraryDict->iterateObjects([&](const OSSymbol* key, OSObject* value) {
            auto* required = OSDynamicCast(OSString, value);
            std::optional<OSKextVersion> parsedRequired =
                required ? parseKextVersion(required->getCStringNoCopy()) : std::nullopt;
            if (!parsedRequired) {
                bad = true;
                badKey = key->getCStringNoCopy();
                return true;
            }
            list.push_back({key->getCStringNoCopy(), required->getCStringNoCopy(), *parsedRequired});
            return false;
        });
        if (bad) {
            return invalid("OSBundleLibraries entry " + badKey + " does not give a valid version.");
        }
        for (const KextLibrary& library : list) {
            if (library.identifier == bundle.identifier) {
                return invalid("OSBundleLibraries names the kext itself.");
            }
        }
        bundle.libraries = std::move(list);
    } else if (bundle.executable) {
        // xnu refuses an executable kext that declares no libraries: it could link nothing.
        return invalid("OSBundleLibraries is missing; a kext with an executable must declare its libraries.");
    }

    if (OSObject* personalities = dict->getObject(kIOKitPersonalitiesKey)) {
        auto* personalityDict = OSDynamicCast(OSDictionary, personalities);
        if (!personalityDict) {
            return invalid("IOKitPersonalities is not a dictionary.");
        }
        std::string badName;
        personalityDict->iterateObjects([&](const OSSymbol* key, OSObject* value) {
            if (!OSDynamicCast(OSDictionary, value)) {
                badName = key->getCStringNoCopy();
                return true;
            }
            return false;
        });
        if (!badName.empty()) {
            return invalid("IOKitPersonalities entry " + badName + " is not a dictionary.");
        }
    }
    return bundle;
}

}  // namespace openiokit::kexts
