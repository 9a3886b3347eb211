// CFDictionary / CFMutableDictionary over cf::HashTable.
#include <CoreFoundation/CFDictionary.h>

#include "CFHashTable.h"
#include "CFRuntime.h"

const CFDictionaryKeyCallBacks kCFTypeDictionaryKeyCallBacks = {0,      cf::typeRetain, cf::typeRelease,
                                                                CFCopyDescription, CFEqual, CFHash};
const CFDictionaryKeyCallBacks kCFCopyStringDictionaryKeyCallBacks = {0,      cf::stringCopy, cf::typeRelease,
                                                                      CFCopyDescription, CFEqual, CFHash};
const CFDictionaryValueCallBacks kCFTypeDictionaryValueCallBacks = {0, cf::typeRetain, cf::typeRelease,
                                                                    CFCopyDescription, CFEqual};

struct __CFDictionary final : cf::Object {
    __CFDictionary(const cf::CollectionCallBacks& keys, const cf::CollectionCallBacks& values, bool isMutable)
        : cf::Object(cf::kTypeDictionary), table(keys, values), isMutable(isMutable)
    {
    }
    __CFDictionary(const __CFDictionary& source, bool isMutable)
        : cf::Object(cf::kTypeDictionary), table(source.table), isMutable(isMutable)
    {
    }
    bool equal(const cf::Object& other) const override
    {
        return table.equal(static_cast<const __CFDictionary&>(other).table);
    }
    CFHashCode hash() const override { return table.size(); }
    std::string describe() const override
    {
        std::string text = header() + "{type = " + (isMutable ? "mutable" : "immutable") +
                           ", count = " + std::to_string(table.size()) + ", entries =>\n";
        size_t i = 0;
        for (const auto& entry : table.entries()) {
            text += "\t" + std::to_string(i++) + " : " + table.keyCallBacks().describe(entry.key) + " = " +
                    table.valueCallBacks().describe(entry.value) + "\n";
        }
        return text + "}";
    }

    cf::HashTable table;
    const bool isMutable;
};

namespace {

cf::CollectionCallBacks fromKeyCallBacks(const CFDictionaryKeyCallBacks* callBacks)
{
    cf::CollectionCallBacks result;
    if (callBacks) {
        result = {callBacks->retain, callBacks->release, callBacks->copyDescription, callBacks->equal, callBacks->hash};
    }
    return result;
}

cf::CollectionCallBacks fromValueCallBacks(const CFDictionaryValueCallBacks* callBacks)
{
    cf::CollectionCallBacks result;
    if (callBacks) {
        result = {callBacks->retain, callBacks->release, callBacks->copyDescription, callBacks->equal, nullptr};
    }
    return result;
}

__CFDictionary* dictionary(CFDictionaryRef theDict, const char* function)
{
    return cf::checked<__CFDictionary>(theDict, cf::kTypeDictionary, function);
}

__CFDictionary* mutableDictionary(CFMutableDictionaryRef theDict, const char* function)
{
    auto* d = dictionary(theDict, function);
    if (d && !d->isMutable) {
        cf::reportMisuse(function, "the dictionary is immutable");
        return nullptr;
    }
    return d;
}

} // namespace

CFTypeID CFDictionaryGetTypeID(void) { return cf::kTypeDictionary; }

CFDictionaryRef CFDictionaryCreate(CFAllocatorRef, const void** keys, const void** values, CFIndex numValues,
                                   const CFDictionaryKeyCallBacks* keyCallBacks,
                                   const CFDictionaryValueCallBacks* valueCallBacks)
{
    if (numValues < 0 || ((!keys || !values) && numValues > 0)) {
        cf::reportMisuse("CFDictionaryCreate", "keys or values is NULL, or numValues is negative");
        return nullptr;
    }
    auto* d = new __CFDictionary(fromKeyCallBacks(keyCallBacks), fromValueCallBacks(valueCallBacks), false);
    for (CFIndex i = 0; i < numValues; i++) {
        d->table.put(keys[i], values[i], cf::HashTable::Mode::Set);
    }
    return d;
}

CFDictionaryRef CFDictionaryCreateCopy(CFAllocatorRef, CFDictionaryRef theDict)
{
    auto* d = dictionary(theDict, "CFDictionaryCreateCopy");
    return d ? new __CFDictionary(*d, false) : nullptr;
}

CFMutableDictionaryRef CFDictionaryCreateMutable(CFAllocatorRef, CFIndex, const CFDictionaryKeyCallBacks* keyCallBacks,
                                                 const CFDictionaryValueCallBacks* valueCallBacks)
{
    return new __CFDictionary(fromKeyCallBacks(keyCallBacks), fromValueCallBacks(valueCallBacks), true);
}

CFMutableDictionaryRef CFDictionaryCreateMutableCopy(CFAllocatorRef, CFIndex, CFDictionaryRef theDict)
{
    auto* d = dictionary(theDict, "CFDictionaryCreateMutableCopy");
    return d ? new __CFDictionary(*d, true) : nullptr;
}

CFIndex CFDictionaryGetCount(CFDictionaryRef theDict)
{
    auto* d = dictionary(theDict, "CFDictionaryGetCount");
    return d ? static_cast<CFIndex>(d->table.size()) : 0;
}

CFIndex CFDictionaryGetCountOfKey(CFDictionaryRef theDict, const void* key)
{
    return CFDictionaryContainsKey(theDict, key) ? 1 : 0;
}

CFIndex CFDictionaryGetCountOfValue(CFDictionaryRef theDict, const void* value)
{
    auto* d = dictionary(theDict, "CFDictionaryGetCountOfValue");
    CFIndex count = 0;
    if (d) {
        for (const auto& entry : d->table.entries()) {
            count += d->table.valueCallBacks().doEqual(entry.value, value) ? 1 : 0;
        }
    }
    return count;
}

Boolean CFDictionaryContainsKey(CFDictionaryRef theDict, const void* key)
{
    auto* d = dictionary(theDict, "CFDictionaryContainsKey");
    return d && d->table.find(key);
}

Boolean CFDictionaryContainsValue(CFDictionaryRef theDict, const void* value)
{
    return CFDictionaryGetCountOfValue(theDict, value) > 0;
}

const void* CFDictionaryGetValue(CFDictionaryRef theDict, const void* key)
{
    auto* d = dictionary(theDict, "CFDictionaryGetValue");
    const auto* entry = d ? d->table.find(key) : nullptr;
    return entry ? entry->value : nullptr;
}

Boolean CFDictionaryGetValueIfPresent(CFDictionaryRef theDict, const void* key, const void** value)
{
    auto* d = dictionary(theDict, "CFDictionaryGetValueIfPresent");
    const auto* entry = d ? d->table.find(key) : nullptr;
    if (entry && value) {
        *value = entry->value;
    }
    return entry != nullptr;
}

void CFDictionaryGetKeysAndValues(CFDictionaryRef theDict, const void** keys, const void** values)
{
    auto* d = dictionary(theDict, "CFDictionaryGetKeysAndValues");
    if (!d) {
        return;
    }
    size_t i = 0;
    for (const auto& entry : d->table.entries()) {
        if (keys) keys[i] = entry.key;
        if (values) values[i] = entry.value;
        i++;
    }
}

void CFDictionaryApplyFunction(CFDictionaryRef theDict, CFDictionaryApplierFunction applier, void* context)
{
    auto* d = dictionary(theDict, "CFDictionaryApplyFunction");
    if (!d || !applier) {
        return;
    }
    // A snapshot: the applier must not mutate the dictionary (as on macOS), but a snapshot keeps
    // a misbehaving one from walking freed storage.
    const std::vector<cf::HashTable::Entry> entries = d->table.entries();
    for (const auto& entry : entries) {
        applier(entry.key, entry.value, context);
    }
}

void CFDictionaryAddValue(CFMutableDictionaryRef theDict, const void* key, const void* value)
{
    if (auto* d = mutableDictionary(theDict, "CFDictionaryAddValue")) {
        d->table.put(key, value, cf::HashTable::Mode::Add);
    }
}

void CFDictionarySetValue(CFMutableDictionaryRef theDict, const void* key, const void* value)
{
    if (auto* d = mutableDictionary(theDict, "CFDictionarySetValue")) {
        d->table.put(key, value, cf::HashTable::Mode::Set);
    }
}

void CFDictionaryReplaceValue(CFMutableDictionaryRef theDict, const void* key, const void* value)
{
    if (auto* d = mutableDictionary(theDict, "CFDictionaryReplaceValue")) {
        d->table.put(key, value, cf::HashTable::Mode::Replace);
    }
}

void CFDictionaryRemoveValue(CFMutableDictionaryRef theDict, const void* key)
{
    if (auto* d = mutableDictionary(theDict, "CFDictionaryRemoveValue")) {
        d->table.remove(key);
    }
}

void CFDictionaryRemoveAllValues(CFMutableDictionaryRef theDict)
{
    if (auto* d = mutableDictionary(theDict, "CFDictionaryRemoveAllValues")) {
        d->table.clear();
    }
}
