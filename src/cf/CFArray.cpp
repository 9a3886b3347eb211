// CFArray / CFMutableArray: a vector of values plus the callbacks that own them.
#include <CoreFoundation/CFArray.h>

#include <algorithm>
#include <vector>

#include "CFCollectionCallBacks.h"
#include "CFRuntime.h"

const CFArrayCallBacks kCFTypeArrayCallBacks = {0, cf::typeRetain, cf::typeRelease, CFCopyDescription, CFEqual};

struct __CFArray final : cf::Object {
    __CFArray(const cf::CollectionCallBacks& callbacks, bool isMutable)
        : cf::Object(cf::kTypeArray), callbacks(callbacks), isMutable(isMutable)
    {
    }
    ~__CFArray() override
    {
        for (const void* value : values) {
            callbacks.doRelease(value);
        }
    }
    bool equal(const cf::Object& other) const override
    {
        auto& o = static_cast<const __CFArray&>(other);
        if (values.size() != o.values.size()) {
            return false;
        }
        for (size_t i = 0; i < values.size(); i++) {
            if (!callbacks.doEqual(values[i], o.values[i])) {
                return false;
            }
        }
        return true;
    }
    CFHashCode hash() const override { return values.size(); }
    std::string describe() const override
    {
        std::string text = header() + "{type = " + (isMutable ? "mutable-small" : "immutable") +
                           ", count = " + std::to_string(values.size()) + ", values = (\n";
        for (size_t i = 0; i < values.size(); i++) {
            text += "\t" + std::to_string(i) + " : " + callbacks.describe(values[i]) + "\n";
        }
        return text + ")}";
    }

    const cf::CollectionCallBacks callbacks;
    std::vector<const void*> values;
    const bool isMutable;
};

namespace {

cf::CollectionCallBacks fromArrayCallBacks(const CFArrayCallBacks* callBacks)
{
    cf::CollectionCallBacks result;
    if (callBacks) {
        result.retain = callBacks->retain;
        result.release = callBacks->release;
        result.copyDescription = callBacks->copyDescription;
        result.equal = callBacks->equal;
    }
    return result;
}

__CFArray* array(CFArrayRef theArray, const char* function)
{
    return cf::checked<__CFArray>(theArray, cf::kTypeArray, function);
}

__CFArray* mutableArray(CFMutableArrayRef theArray, const char* function)
{
    auto* a = array(theArray, function);
    if (a && !a->isMutable) {
        cf::reportMisuse(function, "the array is immutable");
        return nullptr;
    }
    return a;
}

bool validRange(const __CFArray* a, CFRange range, const char* function)
{
    if (range.location < 0 || range.length < 0 || static_cast<size_t>(range.location + range.length) > a->values.size()) {
        cf::reportMisuse(function, "range lies outside the array");
        return false;
    }
    return true;
}

bool validIndex(const __CFArray* a, CFIndex idx, size_t limit, const char* function)
{
    if (idx < 0 || static_cast<size_t>(idx) >= limit) {
        cf::reportMisuse(function, "index lies outside the array");
        return false;
    }
    return true;
}

__CFArray* copyOf(const __CFArray* source, bool isMutable)
{
    auto* result = new __CFArray(source->callbacks, isMutable);
    result->values.reserve(source->values.size());
    for (const void* value : source->values) {
        result->values.push_back(result->callbacks.doRetain(value));
    }
    return result;
}

} // namespace

CFTypeID CFArrayGetTypeID(void) { return cf::kTypeArray; }

CFArrayRef CFArrayCreate(CFAllocatorRef, const void** values, CFIndex numValues, const CFArrayCallBacks* callBacks)
{
    if (numValues < 0 || (!values && numValues > 0)) {
        cf::reportMisuse("CFArrayCreate", "values is NULL or numValues is negative");
        return nullptr;
    }
    auto* result = new __CFArray(fromArrayCallBacks(callBacks), false);
    for (CFIndex i = 0; i < numValues; i++) {
        result->values.push_back(result->callbacks.doRetain(values[i]));
    }
    return result;
}

CFArrayRef CFArrayCreateCopy(CFAllocatorRef, CFArrayRef theArray)
{
    auto* a = array(theArray, "CFArrayCreateCopy");
    return a ? copyOf(a, false) : nullptr;
}

CFMutableArrayRef CFArrayCreateMutable(CFAllocatorRef, CFIndex, const CFArrayCallBacks* callBacks)
{
    return new __CFArray(fromArrayCallBacks(callBacks), true);
}

CFMutableArrayRef CFArrayCreateMutableCopy(CFAllocatorRef, CFIndex, CFArrayRef theArray)
{
    auto* a = array(theArray, "CFArrayCreateMutableCopy");
    return a ? copyOf(a, true) : nullptr;
}

CFIndex CFArrayGetCount(CFArrayRef theArray)
{
    auto* a = array(theArray, "CFArrayGetCount");
    return a ? static_cast<CFIndex>(a->values.size()) : 0;
}

CFIndex CFArrayGetCountOfValue(CFArrayRef theArray, CFRange range, const void* value)
{
    auto* a = array(theArray, "CFArrayGetCountOfValue");
    if (!a || !validRange(a, range, "CFArrayGetCountOfValue")) {
        return 0;
    }
    return std::count_if(a->values.begin() + range.location, a->values.begin() + range.location + range.length,
                         [&](const void* v) { return a->callbacks.doEqual(v, value); });
}

Boolean CFArrayContainsValue(CFArrayRef theArray, CFRange range, const void* value)
{
    return CFArrayGetFirstIndexOfValue(theArray, range, value) != kCFNotFound;
}

const void* CFArrayGetValueAtIndex(CFArrayRef theArray, CFIndex idx)
{
    auto* a = array(theArray, "CFArrayGetValueAtIndex");
    if (!a || !validIndex(a, idx, a->values.size(), "CFArrayGetValueAtIndex")) {
        return nullptr;
    }
    return a->values[static_cast<size_t>(idx)];
}

void CFArrayGetValues(CFArrayRef theArray, CFRange range, const void** values)
{
    auto* a = array(theArray, "CFArrayGetValues");
    if (a && values && validRange(a, range, "CFArrayGetValues")) {
        std::copy_n(a->values.begin() + range.location, range.length, values);
    }
}

void CFArrayApplyFunction(CFArrayRef theArray, CFRange range, CFArrayApplierFunction applier, void* context)
{
    auto* a = array(theArray, "CFArrayApplyFunction");
    if (!a || !applier || !validRange(a, range, "CFArrayApplyFunction")) {
        return;
    }
    for (CFIndex i = range.location; i < range.location + range.length; i++) {
        applier(a->values[static_cast<size_t>(i)], context);
    }
}

CFIndex CFArrayGetFirstIndexOfValue(CFArrayRef theArray, CFRange range, const void* value)
{
    auto* a = array(theArray, "CFArrayGetFirstIndexOfValue");
    if (!a || !validRange(a, range, "CFArrayGetFirstIndexOfValue")) {
        return kCFNotFound;
    }
    for (CFIndex i = range.location; i < range.location + range.length; i++) {
        if (a->callbacks.doEqual(a->values[static_cast<size_t>(i)], value)) {
            return i;
        }
    }
    return kCFNotFound;
}

CFIndex CFArrayGetLastIndexOfValue(CFArrayRef theArray, CFRange range, const void* value)
{
    auto* a = array(theArray, "CFArrayGetLastIndexOfValue");
    if (!a || !validRange(a, range, "CFArrayGetLastIndexOfValue")) {
        return kCFNotFound;
    }
    for (CFIndex i = range.location + range.length - 1; i >= range.location; i--) {
        if (a->callbacks.doEqual(a->values[static_cast<size_t>(i)], value)) {
            return i;
        }
    }
    return kCFNotFound;
}

void CFArrayAppendValue(CFMutableArrayRef theArray, const void* value)
{
    if (auto* a = mutableArray(theArray, "CFArrayAppendValue")) {
        a->values.push_back(a->callbacks.doRetain(value));
    }
}

void CFArrayInsertValueAtIndex(CFMutableArrayRef theArray, CFIndex idx, const void* value)
{
    auto* a = mutableArray(theArray, "CFArrayInsertValueAtIndex");
    if (a && validIndex(a, idx, a->values.size() + 1, "CFArrayInsertValueAtIndex")) {
        a->values.insert(a->values.begin() + idx, a->callbacks.doRetain(value));
    }
}

void CFArraySetValueAtIndex(CFMutableArrayRef theArray, CFIndex idx, const void* value)
{
    auto* a = mutableArray(theArray, "CFArraySetValueAtIndex");
    if (!a || !validIndex(a, idx, a->values.size() + 1, "CFArraySetValueAtIndex")) {
        return;
    }
    if (static_cast<size_t>(idx) == a->values.size()) {
        a->values.push_back(a->callbacks.doRetain(value));
        return;
    }
    const void* old = a->values[static_cast<size_t>(idx)];
    a->values[static_cast<size_t>(idx)] = a->callbacks.doRetain(value);
    a->callbacks.doRelease(old);
}

void CFArrayRemoveValueAtIndex(CFMutableArrayRef theArray, CFIndex idx)
{
    auto* a = mutableArray(theArray, "CFArrayRemoveValueAtIndex");
    if (a && validIndex(a, idx, a->values.size(), "CFArrayRemoveValueAtIndex")) {
        const void* old = a->values[static_cast<size_t>(idx)];
        a->values.erase(a->values.begin() + idx);
        a->callbacks.doRelease(old);
    }
}

void CFArrayRemoveAllValues(CFMutableArrayRef theArray)
{
    if (auto* a = mutableArray(theArray, "CFArrayRemoveAllValues")) {
        std::vector<const void*> old;
        old.swap(a->values);
        for (const void* value : old) {
            a->callbacks.doRelease(value);
        }
    }
}

void CFArrayReplaceValues(CFMutableArrayRef theArray, CFRange range, const void** newValues, CFIndex newCount)
{
    auto* a = mutableArray(theArray, "CFArrayReplaceValues");
    if (!a || newCount < 0 || (!newValues && newCount > 0) || !validRange(a, range, "CFArrayReplaceValues")) {
        return;
    }
    std::vector<const void*> replacement;
    for (CFIndex i = 0; i < newCount; i++) {
        replacement.push_back(a->callbacks.doRetain(newValues[i]));
    }
    const std::vector<const void*> old(a->values.begin() + range.location,
                                       a->values.begin() + range.location + range.length);
    auto at = a->values.erase(a->values.begin() + range.location, a->values.begin() + range.location + range.length);
    a->values.insert(at, replacement.begin(), replacement.end());
    for (const void* value : old) {
        a->callbacks.doRelease(value);
    }
}

void CFArrayExchangeValuesAtIndices(CFMutableArrayRef theArray, CFIndex idx1, CFIndex idx2)
{
    auto* a = mutableArray(theArray, "CFArrayExchangeValuesAtIndices");
    if (a && validIndex(a, idx1, a->values.size(), "CFArrayExchangeValuesAtIndices") &&
        validIndex(a, idx2, a->values.size(), "CFArrayExchangeValuesAtIndices")) {
        std::swap(a->values[static_cast<size_t>(idx1)], a->values[static_cast<size_t>(idx2)]);
    }
}

void CFArraySortValues(CFMutableArrayRef theArray, CFRange range, CFComparatorFunction comparator, void* context)
{
    auto* a = mutableArray(theArray, "CFArraySortValues");
    if (a && comparator && validRange(a, range, "CFArraySortValues")) {
        std::stable_sort(a->values.begin() + range.location, a->values.begin() + range.location + range.length,
                         [&](const void* x, const void* y) { return comparator(x, y, context) == kCFCompareLessThan; });
    }
}

void CFArrayAppendArray(CFMutableArrayRef theArray, CFArrayRef otherArray, CFRange otherRange)
{
    auto* a = mutableArray(theArray, "CFArrayAppendArray");
    auto* other = array(otherArray, "CFArrayAppendArray");
    if (!a || !other || !validRange(other, otherRange, "CFArrayAppendArray")) {
        return;
    }
    const std::vector<const void*> values(other->values.begin() + otherRange.location,
                                          other->values.begin() + otherRange.location + otherRange.length);
    for (const void* value : values) {
        a->values.push_back(a->callbacks.doRetain(value));
    }
}
