#include "Archive.h"

#include "Entry.h"
#include "Registry.h"

namespace openiokit::tools::ioreg {

namespace {

void setValue(CFMutableDictionaryRef d, const char* key, CFTypeRef value)
{
    CFRef<CFStringRef> k = makeString(key);
    CFDictionarySetValue(d, k.get(), value);
}

void setString(CFMutableDictionaryRef d, const char* key, const std::string& value)
{
    CFRef<CFStringRef> v = makeString(value);
    setValue(d, key, v.get());
}

void setNumber(CFMutableDictionaryRef d, const char* key, long long value)
{
    CFRef<CFNumberRef> v(CFNumberCreate(kCFAllocatorDefault, kCFNumberLongLongType, &value));
    setValue(d, key, v.get());
}

class Archiver {
public:
    explicit Archiver(const Options& options) : options_(options) {}

    CFRef<CFMutableDictionaryRef> entry(io_registry_entry_t object, uint32_t depth)
    {
        const bool withProperties =
            options_.allProperties || (options_.hasFilter() && matchesFilter(object, options_));
        Entry e = Entry::read(object, options_, withProperties);
        CFRef<CFMutableDictionaryRef> d;
        if (e.properties) {
            d = std::move(e.properties);
        } else {
            d.reset(CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                              &kCFTypeDictionaryValueCallBacks));
        }
        setString(d.get(), "IOObjectClass", e.className);
        setNumber(d.get(), "IOObjectRetainCount", e.retainCount);
        setNumber(d.get(), "IORegistryEntryID", static_cast<long long>(e.id));
        setString(d.get(), "IORegistryEntryName", e.name);
        if (!e.location.empty()) {
            setString(d.get(), "IORegistryEntryLocation", e.location);
        }
        if (e.service) {
            setNumber(d.get(), "IOServiceState", static_cast<long long>(e.service->state));
            setNumber(d.get(), "IOServiceBusyState", e.service->busy);
            setNumber(d.get(), "IOServiceBusyTime", static_cast<long long>(e.service->busyTimeNs));
        }
        if (options_.inheritance && !e.superclasses.empty()) {
            CFRef<CFMutableArrayRef> chain(CFArrayCreateMutable(kCFAllocatorDefault, 0, &kCFTypeArrayCallBacks));
            for (auto it = e.superclasses.rbegin(); it != e.superclasses.rend(); ++it) {
                CFRef<CFStringRef> s = makeString(*it);
                CFArrayAppendValue(chain.get(), s.get());
            }
            setValue(d.get(), "IOObjectInheritance", chain.get());
        }
        if (options_.depth == 0 || options_.depth > depth + 1) {
            std::vector<IOObjectRef> children = childrenOf(object, options_.plane);
            if (!children.empty()) {
                CFRef<CFMutableArrayRef> array(CFArrayCreateMutable(kCFAllocatorDefault, 0, &kCFTypeArrayCallBacks));
                for (IOObjectRef& child : children) {
                    CFRef<CFMutableDictionaryRef> c = entry(child.get(), depth + 1);
                    CFArrayAppendValue(array.get(), c.get());
                }
                setValue(d.get(), "IORegistryEntryChildren", array.get());
            }
        }
        return d;
    }

private:
    const Options& options_;
};

}  // namespace

std::string archive(const Options& options)
{
    Archiver archiver(options);
    CFRef<CFTypeRef> top;
    if (!options.subtrees || !options.hasFilter()) {
        IOObjectRef root(IORegistryGetRootEntry(kIOMainPortDefault));
        top.reset(archiver.entry(root.get(), 0).release());
    } else {
        CFRef<CFMutableArrayRef> matches(CFArrayCreateMutable(kCFAllocatorDefault, 0, &kCFTypeArrayCallBacks));
        for (IOObjectRef& e : allEntries(options.plane)) {
            if (matchesFilter(e.get(), options)) {
                CFRef<CFMutableDictionaryRef> d = archiver.entry(e.get(), 0);
                CFArrayAppendValue(matches.get(), d.get());
            }
        }
        top.reset(matches.release());
    }
    CFRef<CFDataRef> data(
        CFPropertyListCreateData(kCFAllocatorDefault, top.get(), kCFPropertyListXMLFormat_v1_0, 0, nullptr));
    if (!data) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(CFDataGetBytePtr(data.get())),
                       static_cast<size_t>(CFDataGetLength(data.get())));
}

}  // namespace openiokit::tools::ioreg
