/* Compiled as C99: the CoreFoundation headers must serve plain C clients. */
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOCFSerialize.h>
#include <IOKit/IOCFUnserialize.h>

/* Called from the C++ tests: builds a dictionary through the C API and returns its count. */
CFIndex cf_header_check_from_c(void)
{
    CFMutableDictionaryRef dict =
        CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
    SInt32 value = 42;
    CFNumberRef number = CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt32Type, &value);
    CFDictionarySetValue(dict, CFSTR("answer"), number);
    CFDictionarySetValue(dict, CFSTR("flag"), kCFBooleanTrue);
    CFRelease(number);
    CFIndex count = CFDictionaryGetCount(dict);
    CFRange range = CFRangeMake(0, count);
    CFRelease(dict);
    return range.length;
}
