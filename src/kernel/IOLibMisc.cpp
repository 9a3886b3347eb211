// The small IOLib utilities: named-value tables and alignment conversions.
#include <IOKit/IOLib.h>

#include <bit>
#include <cstdio>
#include <cstring>

extern "C" {

const char *IOFindNameForValue(int value, const IONamedValue *namedValueArray)
{
    for (const IONamedValue *entry = namedValueArray; entry != nullptr && entry->name != nullptr; ++entry) {
        if (entry->value == value) {
            return entry->name;
        }
    }
    // xnu formats into one static buffer; one per thread keeps the result valid for the caller.
    thread_local char noValue[32];
    std::snprintf(noValue, sizeof noValue, "0x%x (UNDEFINED)", value);
    return noValue;
}

IOReturn IOFindValueForName(const char *string, const IONamedValue *regValueArray, int *value)
{
    for (const IONamedValue *entry = regValueArray; entry != nullptr && entry->name != nullptr; ++entry) {
        if (std::strcmp(entry->name, string) == 0) {
            *value = entry->value;
            return kIOReturnSuccess;
        }
    }
    return kIOReturnBadArgument;
}

// The alignment of a size is the position of its highest set bit (size 0 -> 0).
IOAlignment IOSizeToAlignment(unsigned int size)
{
    return size == 0 ? 0 : static_cast<IOAlignment>(std::bit_width(size) - 1);
}

unsigned int IOAlignmentToSize(IOAlignment align)
{
    return align >= 32 ? 0 : 1u << align;
}

} // extern "C"
