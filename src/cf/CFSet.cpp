// CFSet / CFMutableSet over cf::HashTable (each value is its own key).
#include <CoreFoundation/CFSet.h>

#include "CFHashTable.h"
#include "CFRuntime.h"

const CFSetCallBacks kCFTypeSetCallBacks = {0, cf::typeRetain, cf::typeRelease, CFCopyDescription, CFEqual, CFHash};
const CFSetCallBacks kCFCopyStringSetCallBacks = {0,      cf::stringCopy, cf::typeRelease,
                                                  CFCopyDescription, CFEqual, CFHash};

struct __CFSet final : cf::Object {
    __CFSet(const cf::CollectionCallBacks& callbacks, bool isMutable)
        : cf::Object(cf::kTypeSet), table(callbacks, cf::CollectionCallBacks{}), isMutable(isMutable)
    {
    }
    __CFSet(const __CFSet& source, bool isMutable) : cf::Object(cf::kTypeSet), table(source.table), isMutable(isMutable) {}
    bool equal(const cf::Object& other) const override { return table.equal(static_cast<const __CFSet&>(other).table); }
    CFHashCode hash() const override { return table.size(); }
    std::string describe() const override
    {
        std::string text = header() + "{type = " + (isMutable ? "mutable" : "immutable") +
                           ", count = " + std::to_string(table.size()) + ", values = (\n";
        size_t i = 0;
        for (const auto& entry : table.entries()) {
            text += "\t" + std::to_string(i++) + " : " + table.keyCallBacks().describe(entry.key) + "\n";
        }
        return text + ")}";
    }

    cf::HashTable table;
    const bool isMutable;
};

namespace {

cf::CollectionCallBacks fromSetCallBacks(const CFSetCallBacks* callBacks)
{
    cf::CollectionCallBacks result;
    if (callBacks) {
        result = {callBacks->retain, callBacks->release, callBacks->copyDescription, callBacks->equal, callBacks->hash};
    }
    return result;
}

__CFSet* set(CFSetRef theSet, const char* function) { return cf::checked<__CFSet>(theSet, cf::kTypeSet, function); }

__CFSet* mutableSet(CFMutableSetRef theSet, const char* function)
{
    auto* s = set(theSet, function);
    if (s && !s->isMutable) {
        cf::reportMisuse(function, "the set is immutable");
        return nullptr;
    }
    return s;
}

} // namespace

CFTypeID CFSetGetTypeID(void) { return cf::kTypeSet; }

CFSetRef CFSetCreate(CFAllocatorRef, const void** values, CFIndex numValues, const CFSetCallBacks* callBacks)
{
    if (numValues < 0 || (!values && numValues > 0)) {
        cf::reportMisuse("CFSetCreate", "values is NULL or numValues is negative");
        return nullptr;
    }
    auto* s = new __CFSet(fromSetCallBacks(callBacks), false);
    for (CFIndex i = 0; i < numValues; i++) {
        s->table.put(values[i], nullptr, cf::HashTable::Mode::Add);
    }
    return s;
}

CFSetRef CFSetCreateCopy(CFAllocatorRef, CFSetRef theSet)
{
    auto* s = set(theSet, "CFSetCreateCopy");
    return s ? new __CFSet(*s, false) : nullptr;
}

CFMutableSetRef CFSetCreateMutable(CFAllocatorRef, CFIndex, const CFSetCallBacks* callBacks)
{
    return new __CFSet(fromSetCallBacks(callBacks), true);
}

CFMutableSetRef CFSetCreateMutableCopy(CFAllocatorRef, CFIndex, CFSetRef theSet)
{
    auto* s = set(theSet, "CFSetCreateMutableCopy");
    return s ? new __CFSet(*s, true) : nullptr;
}

CFIndex CFSetGetCount(CFSetRef theSet)
{
    auto* s = set(theSet, "CFSetGetCount");
    return s ? static_cast<CFIndex>(s->table.size()) : 0;
}

CFIndex CFSetGetCountOfValue(CFSetRef theSet, const void* value) { return CFSetContainsValue(theSet, value) ? 1 : 0; }

Boolean CFSetContainsValue(CFSetRef theSet, const void* value)
{
    auto* s = set(theSet, "CFSetContainsValue");
    return s && s->table.find(value);
}

const void* CFSetGetValue(CFSetRef theSet, const void* value)
{
    auto* s = set(theSet, "CFSetGetValue");
    const auto* entry = s ? s->table.find(value) : nullptr;
    return entry ? entry->key : nullptr;
}

Boolean CFSetGetValueIfPresent(CFSetRef theSet, const void* candidate, const void** value)
{
    auto* s = set(theSet, "CFSetGetValueIfPresent");
    const auto* entry = s ? s->table.find(candidate) : nullptr;
    if (entry && value) {
        *value = entry->key;
    }
    return entry != nullptr;
}

void CFSetGetValues(CFSetRef theSet, const void** values)
{
    auto* s = set(theSet, "CFSetGetValues");
    if (s && values) {
        size_t i = 0;
        for (const auto& entry : s->table.entries()) {
            values[i++] = entry.key;
        }
    }
}

void CFSetApplyFunction(CFSetRef theSet, CFSetApplierFunction applier, void* context)
{
    auto* s = set(theSet, "CFSetApplyFunction");
    if (s && applier) {
        const auto entries = s->table.entries();
        for (const auto& entry : entries) {
            applier(entry.key, context);
        }
    }
}

void CFSetAddValue(CFMutableSetRef theSet, const void* value)
{
    if (auto* s = mutableSet(theSet, "CFSetAddValue")) {
        s->table.put(value, nullptr, cf::HashTable::Mode::Add);
    }
}

void CFSetReplaceValue(CFMutableSetRef theSet, const void* value)
{
    if (auto* s = mutableSet(theSet, "CFSetReplaceValue"); s && s->table.find(value)) {
        s->table.remove(value);
        s->table.put(value, nullptr, cf::HashTable::Mode::Add);
    }
}

void CFSetSetValue(CFMutableSetRef theSet, const void* value)
{
    if (auto* s = mutableSet(theSet, "CFSetSetValue")) {
        s->table.remove(value);
        s->table.put(value, nullptr, cf::HashTable::Mode::Add);
    }
}

void CFSetRemoveValue(CFMutableSetRef theSet, const void* value)
{
    if (auto* s = mutableSet(theSet, "CFSetRemoveValue")) {
        s->table.remove(value);
    }
}

void CFSetRemoveAllValues(CFMutableSetRef theSet)
{
    if (auto* s = mutableSet(theSet, "CFSetRemoveAllValues")) {
        s->table.clear();
    }
}
