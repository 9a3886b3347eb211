// CoreFoundation subset: base, strings, numbers, data, collections.
#include <CoreFoundation/CoreFoundation.h>

#include <gtest/gtest.h>

#include <string>

extern "C" CFIndex cf_header_check_from_c(void);

namespace {

std::string str(CFStringRef s)
{
    char buffer[512];
    EXPECT_TRUE(CFStringGetCString(s, buffer, sizeof buffer, kCFStringEncodingUTF8));
    return buffer;
}

TEST(CFBase, CHeaderCompilesAndWorks) { EXPECT_EQ(cf_header_check_from_c(), 2); }

TEST(CFBase, CreateRuleAndRetainCounts)
{
    CFStringRef s = CFStringCreateWithCString(nullptr, "hello", kCFStringEncodingUTF8);
    EXPECT_EQ(CFGetRetainCount(s), 1);
    EXPECT_EQ(CFRetain(s), s);
    EXPECT_EQ(CFGetRetainCount(s), 2);
    CFRelease(s);
    EXPECT_EQ(CFGetRetainCount(s), 1);

    CFMutableArrayRef array = CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks);
    CFArrayAppendValue(array, s);
    EXPECT_EQ(CFGetRetainCount(s), 2); // the array retains
    // Get rule: borrowed, no count change.
    EXPECT_EQ(CFArrayGetValueAtIndex(array, 0), s);
    EXPECT_EQ(CFGetRetainCount(s), 2);
    CFRelease(array);
    EXPECT_EQ(CFGetRetainCount(s), 1);
    CFRelease(s);
}

TEST(CFBase, EqualAndHashContract)
{
    CFStringRef a = CFStringCreateWithCString(nullptr, "key", kCFStringEncodingUTF8);
    CFMutableStringRef b = CFStringCreateMutable(nullptr, 0);
    CFStringAppendCString(b, "key", kCFStringEncodingUTF8);
    EXPECT_NE(static_cast<CFTypeRef>(a), static_cast<CFTypeRef>(b));
    EXPECT_TRUE(CFEqual(a, b));
    EXPECT_EQ(CFHash(a), CFHash(b));
    EXPECT_TRUE(CFEqual(a, CFSTR("key")));

    int one = 1;
    double oneReal = 1.0;
    CFNumberRef i = CFNumberCreate(nullptr, kCFNumberIntType, &one);
    CFNumberRef d = CFNumberCreate(nullptr, kCFNumberDoubleType, &oneReal);
    EXPECT_TRUE(CFEqual(i, d));
    EXPECT_EQ(CFHash(i), CFHash(d));
    EXPECT_FALSE(CFEqual(i, a)); // different types
    CFRelease(a), CFRelease(b), CFRelease(i), CFRelease(d);
}

TEST(CFBase, TypeIDsAndDescriptions)
{
    EXPECT_EQ(CFGetTypeID(CFSTR("x")), CFStringGetTypeID());
    EXPECT_EQ(CFGetTypeID(kCFBooleanTrue), CFBooleanGetTypeID());
    EXPECT_EQ(CFGetTypeID(kCFNull), CFNullGetTypeID());
    CFStringRef name = CFCopyTypeIDDescription(CFDictionaryGetTypeID());
    EXPECT_EQ(str(name), "Dictionary");
    CFRelease(name);
    CFStringRef description = CFCopyDescription(CFSTR("text"));
    EXPECT_EQ(str(description), "text");
    CFRelease(description);
}

TEST(CFBase, ConstantStringsAreInternedAndImmortal)
{
    CFStringRef a = CFSTR("interned");
    EXPECT_EQ(a, CFSTR("interned"));
    CFRelease(a);
    CFRelease(a);
    EXPECT_EQ(CFStringGetLength(a), 8);
}

TEST(CFString, CreationAndAccess)
{
    CFStringRef s = CFStringCreateWithCString(nullptr, "h\xC3\xA9llo \xF0\x9F\x98\x80", kCFStringEncodingUTF8);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(CFStringGetLength(s), 8); // UTF-16 units: the emoji counts 2
    EXPECT_EQ(CFStringGetCharacterAtIndex(s, 1), 0xE9);
    EXPECT_STREQ(CFStringGetCStringPtr(s, kCFStringEncodingUTF8), "h\xC3\xA9llo \xF0\x9F\x98\x80");
    EXPECT_EQ(CFStringGetCStringPtr(s, kCFStringEncodingASCII), nullptr);
    char small[4];
    EXPECT_FALSE(CFStringGetCString(s, small, sizeof small, kCFStringEncodingUTF8));
    char latin[16];
    EXPECT_FALSE(CFStringGetCString(s, latin, sizeof latin, kCFStringEncodingISOLatin1)); // emoji has no Latin-1
    EXPECT_EQ(CFStringCreateWithCString(nullptr, "\xFF", kCFStringEncodingUTF8), nullptr);
    CFStringRef fromLatin = CFStringCreateWithCString(nullptr, "\xE9", kCFStringEncodingMacRoman);
    EXPECT_EQ(str(fromLatin), "\xC3\xA9");
    CFStringRef bytes = CFStringCreateWithBytes(nullptr, reinterpret_cast<const UInt8*>("abcdef"), 3,
                                                kCFStringEncodingASCII, false);
    EXPECT_EQ(str(bytes), "abc");
    CFStringRef copy = CFStringCreateCopy(nullptr, bytes);
    EXPECT_EQ(copy, bytes); // immutable: the copy is the same object
    EXPECT_EQ(CFStringGetMaximumSizeForEncoding(4, kCFStringEncodingUTF8), 12);
    CFRelease(s), CFRelease(fromLatin), CFRelease(bytes), CFRelease(copy);
}

TEST(CFString, Format)
{
    CFStringRef s = CFStringCreateWithFormat(nullptr, nullptr,
                                             CFSTR("%d %i %u %x %X %ld %lld %lu %llu %s %c %.2f %g %% %@ %@"), -1, 2, 3u,
                                             255, 255, -4L, -5LL, 6UL, 7ULL, "str", 'c', 1.5, 0.25, CFSTR("obj"),
                                             kCFBooleanTrue);
    const std::string text = str(s);
    EXPECT_EQ(text.substr(0, text.find(" <")), "-1 2 3 ff FF -4 -5 6 7 str c 1.50 0.25 % obj");
    EXPECT_NE(text.find("CFBoolean"), std::string::npos);
    CFRelease(s);
    int n = 7;
    CFNumberRef number = CFNumberCreate(nullptr, kCFNumberIntType, &n);
    CFStringRef p = CFStringCreateWithFormat(nullptr, nullptr, CFSTR("%2$s-%1$d-%3$@"), 5, "x", number);
    EXPECT_EQ(str(p), "x-5-7");
    CFRelease(p), CFRelease(number);
    void* ptr = reinterpret_cast<void*>(0x1234);
    CFStringRef q = CFStringCreateWithFormat(nullptr, nullptr, CFSTR("%p|%5d|%-3s|"), ptr, 42, "a");
    EXPECT_EQ(str(q), "0x1234|   42|a  |");
    CFRelease(q);
}

TEST(CFString, CompareFindAndMutate)
{
    EXPECT_EQ(CFStringCompare(CFSTR("abc"), CFSTR("abd"), 0), kCFCompareLessThan);
    EXPECT_EQ(CFStringCompare(CFSTR("ABC"), CFSTR("abc"), kCFCompareCaseInsensitive), kCFCompareEqualTo);
    EXPECT_EQ(CFStringCompare(CFSTR("file10"), CFSTR("file9"), kCFCompareNumerically), kCFCompareGreaterThan);
    EXPECT_TRUE(CFStringHasPrefix(CFSTR("IOService"), CFSTR("IO")));
    EXPECT_TRUE(CFStringHasSuffix(CFSTR("IOService"), CFSTR("Service")));
    EXPECT_FALSE(CFStringHasPrefix(CFSTR("IO"), CFSTR("IOService")));
    CFRange r = CFStringFind(CFSTR("a.b.c"), CFSTR("."), kCFCompareBackwards);
    EXPECT_EQ(r.location, 3);
    EXPECT_EQ(CFStringFind(CFSTR("abc"), CFSTR("x"), 0).location, kCFNotFound);
    EXPECT_EQ(CFStringGetIntValue(CFSTR("  -42abc")), -42);
    EXPECT_EQ(CFStringGetIntValue(CFSTR("x")), 0);

    CFMutableStringRef m = CFStringCreateMutable(nullptr, 0);
    CFStringAppend(m, CFSTR("IO"));
    CFStringAppendCString(m, "Service", kCFStringEncodingUTF8);
    CFStringAppendFormat(m, nullptr, CFSTR(" %d"), 3);
    EXPECT_EQ(str(m), "IOService 3");
    CFStringInsert(m, 0, CFSTR(">"));
    CFStringDelete(m, CFRangeMake(1, 2));
    EXPECT_EQ(str(m), ">Service 3");
    CFStringAppend(m, m);
    EXPECT_EQ(str(m), ">Service 3>Service 3");
    // Mutating an immutable string is refused and changes nothing.
    CFStringRef fixed = CFStringCreateWithCString(nullptr, "fixed", kCFStringEncodingUTF8);
    CFStringAppend(reinterpret_cast<CFMutableStringRef>(const_cast<__CFString*>(fixed)), CFSTR("!"));
    EXPECT_EQ(str(fixed), "fixed");
    CFArrayRef parts = CFStringCreateArrayBySeparatingStrings(nullptr, CFSTR("a,b,,c"), CFSTR(","));
    EXPECT_EQ(CFArrayGetCount(parts), 4);
    CFStringRef joined = CFStringCreateByCombiningStrings(nullptr, parts, CFSTR("+"));
    EXPECT_EQ(str(joined), "a+b++c");
    CFRelease(m), CFRelease(fixed), CFRelease(parts), CFRelease(joined);
}

TEST(CFNumber, TypesAndLossyConversion)
{
    int32_t i32 = 300;
    CFNumberRef n = CFNumberCreate(nullptr, kCFNumberIntType, &i32);
    EXPECT_EQ(CFNumberGetType(n), kCFNumberSInt32Type);
    EXPECT_FALSE(CFNumberIsFloatType(n));
    EXPECT_EQ(CFNumberGetByteSize(n), 4);
    int8_t i8 = 0;
    EXPECT_FALSE(CFNumberGetValue(n, kCFNumberSInt8Type, &i8)); // out of range: lossy
    int64_t i64 = 0;
    EXPECT_TRUE(CFNumberGetValue(n, kCFNumberSInt64Type, &i64));
    EXPECT_EQ(i64, 300);
    double real = 0;
    EXPECT_TRUE(CFNumberGetValue(n, kCFNumberDoubleType, &real));
    EXPECT_EQ(real, 300.0);

    double fraction = 2.5;
    CFNumberRef f = CFNumberCreate(nullptr, kCFNumberDoubleType, &fraction);
    EXPECT_EQ(CFNumberGetType(f), kCFNumberFloat64Type);
    EXPECT_TRUE(CFNumberIsFloatType(f));
    int32_t truncated = 0;
    EXPECT_FALSE(CFNumberGetValue(f, kCFNumberSInt32Type, &truncated));
    EXPECT_EQ(truncated, 2);
    EXPECT_EQ(CFNumberCompare(n, f, nullptr), kCFCompareGreaterThan);
    EXPECT_EQ(CFNumberCompare(f, n, nullptr), kCFCompareLessThan);

    long l = 5;
    CFNumberRef ln = CFNumberCreate(nullptr, kCFNumberLongType, &l);
    EXPECT_EQ(CFNumberGetType(ln), kCFNumberSInt64Type);
    EXPECT_TRUE(CFBooleanGetValue(kCFBooleanTrue));
    EXPECT_FALSE(CFBooleanGetValue(kCFBooleanFalse));
    CFRelease(n), CFRelease(f), CFRelease(ln);
}

TEST(CFData, ImmutableMutableAndNoCopy)
{
    const UInt8 bytes[] = {1, 2, 3, 4};
    CFDataRef d = CFDataCreate(nullptr, bytes, 4);
    EXPECT_EQ(CFDataGetLength(d), 4);
    EXPECT_EQ(CFDataGetBytePtr(d)[2], 3);
    CFMutableDataRef m = CFDataCreateMutableCopy(nullptr, 0, d);
    CFDataAppendBytes(m, bytes, 2);
    EXPECT_EQ(CFDataGetLength(m), 6);
    CFDataSetLength(m, 8);
    EXPECT_EQ(CFDataGetBytePtr(m)[7], 0);
    CFDataDeleteBytes(m, CFRangeMake(0, 4));
    EXPECT_EQ(CFDataGetBytePtr(m)[0], 1);
    EXPECT_FALSE(CFEqual(d, m));
    CFDataRef borrowed = CFDataCreateWithBytesNoCopy(nullptr, bytes, 4, kCFAllocatorNull);
    EXPECT_EQ(CFDataGetBytePtr(borrowed), bytes);
    EXPECT_TRUE(CFEqual(d, borrowed));
    EXPECT_EQ(CFHash(d), CFHash(borrowed));
    CFRelease(d), CFRelease(m), CFRelease(borrowed);
}

TEST(CFArray, Operations)
{
    CFMutableArrayRef a = CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks);
    CFArrayAppendValue(a, CFSTR("b"));
    CFArrayInsertValueAtIndex(a, 0, CFSTR("a"));
    CFArrayAppendValue(a, CFSTR("c"));
    EXPECT_EQ(CFArrayGetCount(a), 3);
    EXPECT_TRUE(CFArrayContainsValue(a, CFRangeMake(0, 3), CFSTR("c")));
    EXPECT_EQ(CFArrayGetFirstIndexOfValue(a, CFRangeMake(0, 3), CFSTR("b")), 1);
    CFArrayRemoveValueAtIndex(a, 1);
    EXPECT_EQ(CFArrayGetFirstIndexOfValue(a, CFRangeMake(0, 2), CFSTR("b")), kCFNotFound);
    int visits = 0;
    CFArrayApplyFunction(a, CFRangeMake(0, 2), [](const void*, void* context) { ++*static_cast<int*>(context); },
                         &visits);
    EXPECT_EQ(visits, 2);
    CFArrayRef copy = CFArrayCreateCopy(nullptr, a);
    CFMutableArrayRef mutableCopy = CFArrayCreateMutableCopy(nullptr, 0, copy);
    EXPECT_TRUE(CFEqual(copy, a));
    CFArrayRemoveAllValues(mutableCopy);
    EXPECT_EQ(CFArrayGetCount(mutableCopy), 0);
    // Immutable: append is refused.
    CFArrayAppendValue(const_cast<CFMutableArrayRef>(copy), CFSTR("x"));
    EXPECT_EQ(CFArrayGetCount(copy), 2);
    // Out of range is refused, not a crash.
    EXPECT_EQ(CFArrayGetValueAtIndex(a, 5), nullptr);
    // NULL callbacks: raw pointers.
    int x = 0, y = 0;
    const void* raw[] = {&x, &y};
    CFArrayRef pointers = CFArrayCreate(nullptr, raw, 2, nullptr);
    EXPECT_EQ(CFArrayGetValueAtIndex(pointers, 1), &y);
    CFRelease(a), CFRelease(copy), CFRelease(mutableCopy), CFRelease(pointers);
}

TEST(CFDictionary, Operations)
{
    CFMutableDictionaryRef d =
        CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
    CFStringRef key = CFStringCreateWithCString(nullptr, "IOProviderClass", kCFStringEncodingUTF8);
    CFDictionarySetValue(d, key, CFSTR("IOService"));
    EXPECT_EQ(CFGetRetainCount(key), 2);
    EXPECT_TRUE(CFDictionaryContainsKey(d, CFSTR("IOProviderClass"))); // equal, not identical, key
    CFDictionaryAddValue(d, key, CFSTR("ignored"));                    // add does not replace
    EXPECT_TRUE(CFEqual(CFDictionaryGetValue(d, key), CFSTR("IOService")));
    CFDictionaryReplaceValue(d, CFSTR("absent"), CFSTR("x"));         // replace does not add
    EXPECT_EQ(CFDictionaryGetCount(d), 1);
    CFDictionaryReplaceValue(d, key, CFSTR("IOResources"));
    const void* value = nullptr;
    EXPECT_TRUE(CFDictionaryGetValueIfPresent(d, key, &value));
    EXPECT_TRUE(CFEqual(value, CFSTR("IOResources")));
    CFDictionarySetValue(d, CFSTR("b"), kCFBooleanTrue);
    const void* keys[2];
    const void* values[2];
    CFDictionaryGetKeysAndValues(d, keys, values);
    EXPECT_TRUE(CFEqual(keys[1], CFSTR("b")));
    CFDictionaryRef copy = CFDictionaryCreateCopy(nullptr, d);
    EXPECT_TRUE(CFEqual(copy, d));
    EXPECT_EQ(CFHash(copy), CFHash(d));
    CFMutableDictionaryRef mutableCopy = CFDictionaryCreateMutableCopy(nullptr, 0, copy);
    CFDictionaryRemoveValue(mutableCopy, CFSTR("b"));
    EXPECT_FALSE(CFEqual(copy, mutableCopy));
    CFDictionaryRemoveAllValues(d);
    EXPECT_EQ(CFGetRetainCount(key), 3); // still held by both copies
    CFRelease(copy), CFRelease(mutableCopy);
    EXPECT_EQ(CFGetRetainCount(key), 1);

    // kCFCopyStringDictionaryKeyCallBacks copies a mutable key.
    CFMutableDictionaryRef byCopy =
        CFDictionaryCreateMutable(nullptr, 0, &kCFCopyStringDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
    CFMutableStringRef mutableKey = CFStringCreateMutableCopy(nullptr, 0, CFSTR("k"));
    CFDictionarySetValue(byCopy, mutableKey, kCFNull);
    CFStringAppend(mutableKey, CFSTR("2"));
    EXPECT_TRUE(CFDictionaryContainsKey(byCopy, CFSTR("k")));
    EXPECT_EQ(CFGetRetainCount(mutableKey), 1);
    CFRelease(d), CFRelease(key), CFRelease(byCopy), CFRelease(mutableKey);
}

TEST(CFSet, Operations)
{
    CFMutableSetRef s = CFSetCreateMutable(nullptr, 0, &kCFTypeSetCallBacks);
    CFSetAddValue(s, CFSTR("a"));
    CFSetAddValue(s, CFSTR("a"));
    CFSetAddValue(s, CFSTR("b"));
    EXPECT_EQ(CFSetGetCount(s), 2);
    EXPECT_TRUE(CFSetContainsValue(s, CFSTR("b")));
    CFSetRemoveValue(s, CFSTR("b"));
    EXPECT_FALSE(CFSetContainsValue(s, CFSTR("b")));
    CFRelease(s);
}

TEST(CFDate, AbsoluteTime)
{
    const CFAbsoluteTime now = CFAbsoluteTimeGetCurrent();
    EXPECT_GT(now, 7.0e8); // after 2023
    CFDateRef a = CFDateCreate(nullptr, 10.0), b = CFDateCreate(nullptr, 12.5);
    EXPECT_EQ(CFDateGetTimeIntervalSinceDate(b, a), 2.5);
    EXPECT_EQ(CFDateCompare(a, b, nullptr), kCFCompareLessThan);
    CFRelease(a), CFRelease(b);
}

} // namespace
