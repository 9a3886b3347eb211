// CFPropertyList (XML writer byte-identical to macOS, libplist reading and binary) and CFError.
#include <CoreFoundation/CoreFoundation.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "cf_test_support.h"

using cftest::canonical;
using cftest::Owned;
using cftest::str;

namespace {

std::string bytesOf(CFDataRef data)
{
    return std::string(reinterpret_cast<const char*>(CFDataGetBytePtr(data)), static_cast<size_t>(CFDataGetLength(data)));
}

CFDataRef dataOf(const std::string& text)
{
    return CFDataCreate(nullptr, reinterpret_cast<const UInt8*>(text.data()), static_cast<CFIndex>(text.size()));
}

// A plist with every type; what macOS's CFPropertyListCreateData writes for it is below.
CFMutableDictionaryRef samplePlist()
{
    CFMutableDictionaryRef root =
        CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
    Owned<CFNumberRef> integer(cftest::number(kCFNumberSInt32Type, -42));
    double realValue = 0.1;
    Owned<CFNumberRef> real(CFNumberCreate(nullptr, kCFNumberDoubleType, &realValue));
    double whole = 3.0;
    Owned<CFNumberRef> wholeReal(CFNumberCreate(nullptr, kCFNumberDoubleType, &whole));
    std::string longBytes;
    for (int i = 0; i < 100; i++) {
        longBytes += static_cast<char>(i);
    }
    Owned<CFDataRef> data(dataOf(longBytes));
    Owned<CFDataRef> shortData(dataOf("ab"));
    Owned<CFDateRef> date(CFDateCreate(nullptr, 3661.0));
    Owned<CFMutableArrayRef> array(CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks));
    CFArrayAppendValue(array.get(), CFSTR("a<b>&c"));
    CFArrayAppendValue(array.get(), kCFBooleanTrue);
    Owned<CFMutableArrayRef> emptyArray(CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks));
    Owned<CFMutableDictionaryRef> emptyDict(
        CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    Owned<CFMutableDictionaryRef> nested(
        CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    CFDictionarySetValue(nested.get(), CFSTR("blob"), shortData.get());
    CFDictionarySetValue(nested.get(), CFSTR("list"), array.get());
    // Inserted out of order: the writer sorts keys (uppercase before lowercase, as CFStringCompare).
    CFDictionarySetValue(root, CFSTR("zeta"), integer.get());
    CFDictionarySetValue(root, CFSTR("Alpha"), real.get());
    CFDictionarySetValue(root, CFSTR("whole"), wholeReal.get());
    CFDictionarySetValue(root, CFSTR("data"), data.get());
    CFDictionarySetValue(root, CFSTR("date"), date.get());
    CFDictionarySetValue(root, CFSTR("empty array"), emptyArray.get());
    CFDictionarySetValue(root, CFSTR("empty dict"), emptyDict.get());
    CFDictionarySetValue(root, CFSTR("nested"), nested.get());
    CFDictionarySetValue(root, CFSTR("no"), kCFBooleanFalse);
    return root;
}

const char* const kSampleXML =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
    "<plist version=\"1.0\">\n"
    "<dict>\n"
    "\t<key>Alpha</key>\n"
    "\t<real>0.10000000000000001</real>\n"
    "\t<key>data</key>\n"
    "\t<data>\n"
    // 76 - 8 * indentation = 68 characters a line at one tab, as CF breaks them.
    "\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy\n"
    "\tMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiYw==\n"
    "\t</data>\n"
    "\t<key>date</key>\n"
    "\t<date>2001-01-01T01:01:01Z</date>\n"
    "\t<key>empty array</key>\n"
    "\t<array/>\n"
    "\t<key>empty dict</key>\n"
    "\t<dict/>\n"
    "\t<key>nested</key>\n"
    "\t<dict>\n"
    "\t\t<key>blob</key>\n"
    "\t\t<data>\n"
    "\t\tYWI=\n"
    "\t\t</data>\n"
    "\t\t<key>list</key>\n"
    "\t\t<array>\n"
    "\t\t\t<string>a&lt;b&gt;&amp;c</string>\n"
    "\t\t\t<true/>\n"
    "\t\t</array>\n"
    "\t</dict>\n"
    "\t<key>no</key>\n"
    "\t<false/>\n"
    "\t<key>whole</key>\n"
    "\t<real>3</real>\n"
    "\t<key>zeta</key>\n"
    "\t<integer>-42</integer>\n"
    "</dict>\n"
    "</plist>\n";

TEST(CFPropertyList, XMLIsByteIdenticalToMacOS)
{
    Owned<CFMutableDictionaryRef> plist(samplePlist());
    CFErrorRef error = nullptr;
    Owned<CFDataRef> xml(CFPropertyListCreateData(nullptr, plist.get(), kCFPropertyListXMLFormat_v1_0, 0, &error));
    ASSERT_TRUE(xml);
    EXPECT_EQ(error, nullptr);
    EXPECT_EQ(bytesOf(xml.get()), kSampleXML);

    Owned<CFDataRef> old(CFPropertyListCreateXMLData(nullptr, plist.get()));
    ASSERT_TRUE(old);
    EXPECT_EQ(bytesOf(old.get()), kSampleXML);
}

TEST(CFPropertyList, XMLDatesDropFractionsTowardsThePast)
{
    for (auto [at, text] : {std::pair{0.75, "2001-01-01T00:00:00Z"}, std::pair{-0.5, "2000-12-31T23:59:59Z"},
                            std::pair{-978307200.0, "1970-01-01T00:00:00Z"}}) {
        Owned<CFDateRef> date(CFDateCreate(nullptr, at));
        Owned<CFDataRef> xml(CFPropertyListCreateData(nullptr, date.get(), kCFPropertyListXMLFormat_v1_0, 0, nullptr));
        ASSERT_TRUE(xml);
        EXPECT_NE(bytesOf(xml.get()).find(std::string("\n<date>") + text + "</date>\n"), std::string::npos) << at;
    }
}

TEST(CFPropertyList, XMLReadsBackEqual)
{
    Owned<CFMutableDictionaryRef> plist(samplePlist());
    Owned<CFDataRef> xml(CFPropertyListCreateData(nullptr, plist.get(), kCFPropertyListXMLFormat_v1_0, 0, nullptr));
    CFPropertyListFormat format = 0;
    CFErrorRef error = nullptr;
    Owned<CFTypeRef> back(CFPropertyListCreateWithData(nullptr, xml.get(), kCFPropertyListImmutable, &format, &error));
    ASSERT_TRUE(back) << str(error ? CFErrorCopyDescription(error) : nullptr);
    EXPECT_EQ(format, kCFPropertyListXMLFormat_v1_0);
    // Integers come back as 64-bit, as CF's parser makes them; values are equal.
    EXPECT_TRUE(CFEqual(back.get(), plist.get())) << canonical(back.get()) << "\n" << canonical(plist.get());
    Owned<CFDataRef> again(CFPropertyListCreateData(nullptr, back.get(), kCFPropertyListXMLFormat_v1_0, 0, nullptr));
    EXPECT_EQ(bytesOf(again.get()), kSampleXML);
}

TEST(CFPropertyList, BinaryRoundTrip)
{
    Owned<CFMutableDictionaryRef> plist(samplePlist());
    Owned<CFNumberRef> big(cftest::number(kCFNumberSInt64Type, -0x123456789LL));
    CFDictionarySetValue(plist.get(), CFSTR("big negative"), big.get());
    CFErrorRef error = nullptr;
    Owned<CFDataRef> binary(CFPropertyListCreateData(nullptr, plist.get(), kCFPropertyListBinaryFormat_v1_0, 0, &error));
    ASSERT_TRUE(binary);
    EXPECT_EQ(bytesOf(binary.get()).substr(0, 8), "bplist00");
    CFPropertyListFormat format = 0;
    Owned<CFTypeRef> back(CFPropertyListCreateWithData(nullptr, binary.get(), 0, &format, &error));
    ASSERT_TRUE(back);
    EXPECT_EQ(format, kCFPropertyListBinaryFormat_v1_0);
    EXPECT_TRUE(CFEqual(back.get(), plist.get())) << canonical(back.get()) << "\n" << canonical(plist.get());
}

TEST(CFPropertyList, MutabilityOptions)
{
    const std::string xml = "<plist version=\"1.0\"><dict><key>a</key><array><string>s</string></array></dict></plist>";
    Owned<CFDataRef> data(dataOf(xml));
    // Immutable: mutating reports misuse and changes nothing.
    Owned<CFTypeRef> immutable(CFPropertyListCreateWithData(nullptr, data.get(), kCFPropertyListImmutable, nullptr, nullptr));
    ASSERT_TRUE(immutable);
    auto dictionary = static_cast<CFMutableDictionaryRef>(const_cast<void*>(immutable.get()));
    CFDictionarySetValue(dictionary, CFSTR("b"), kCFBooleanTrue);
    EXPECT_EQ(CFDictionaryGetCount(dictionary), 1);

    Owned<CFTypeRef> containers(
        CFPropertyListCreateWithData(nullptr, data.get(), kCFPropertyListMutableContainers, nullptr, nullptr));
    auto mutableDictionary = static_cast<CFMutableDictionaryRef>(const_cast<void*>(containers.get()));
    auto array = static_cast<CFMutableArrayRef>(const_cast<void*>(CFDictionaryGetValue(mutableDictionary, CFSTR("a"))));
    CFArrayAppendValue(array, kCFBooleanTrue);
    EXPECT_EQ(CFArrayGetCount(array), 2);
    auto leaf = static_cast<CFMutableStringRef>(const_cast<void*>(CFArrayGetValueAtIndex(array, 0)));
    CFStringAppend(leaf, CFSTR("x")); // immutable leaf: refused
    EXPECT_EQ(str(leaf), "s");

    Owned<CFTypeRef> leaves(
        CFPropertyListCreateWithData(nullptr, data.get(), kCFPropertyListMutableContainersAndLeaves, nullptr, nullptr));
    auto leafArray = static_cast<CFArrayRef>(CFDictionaryGetValue(static_cast<CFDictionaryRef>(leaves.get()), CFSTR("a")));
    auto mutableLeaf = static_cast<CFMutableStringRef>(const_cast<void*>(CFArrayGetValueAtIndex(leafArray, 0)));
    CFStringAppend(mutableLeaf, CFSTR("x"));
    EXPECT_EQ(str(mutableLeaf), "sx");
}

TEST(CFPropertyList, DeepCopyAndValidity)
{
    Owned<CFMutableDictionaryRef> plist(samplePlist());
    EXPECT_TRUE(CFPropertyListIsValid(plist.get(), kCFPropertyListXMLFormat_v1_0));
    EXPECT_TRUE(CFPropertyListIsValid(plist.get(), kCFPropertyListBinaryFormat_v1_0));
    Owned<CFTypeRef> copy(CFPropertyListCreateDeepCopy(nullptr, plist.get(), kCFPropertyListImmutable));
    ASSERT_TRUE(copy);
    EXPECT_NE(copy.get(), plist.get());
    EXPECT_TRUE(CFEqual(copy.get(), plist.get()));
    // Deep: the nested dictionary is a new object too.
    EXPECT_NE(CFDictionaryGetValue(static_cast<CFDictionaryRef>(copy.get()), CFSTR("nested")),
              CFDictionaryGetValue(plist.get(), CFSTR("nested")));

    Owned<CFMutableSetRef> set(CFSetCreateMutable(nullptr, 0, &kCFTypeSetCallBacks));
    CFDictionarySetValue(plist.get(), CFSTR("set"), set.get());
    EXPECT_FALSE(CFPropertyListIsValid(plist.get(), kCFPropertyListXMLFormat_v1_0));
    EXPECT_EQ(CFPropertyListCreateDeepCopy(nullptr, plist.get(), 0), nullptr);
    CFErrorRef error = nullptr;
    EXPECT_EQ(CFPropertyListCreateData(nullptr, plist.get(), kCFPropertyListXMLFormat_v1_0, 0, &error), nullptr);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(CFErrorGetCode(error), kCFPropertyListWriteStreamError);
    Owned<CFStringRef> description(CFErrorCopyDescription(error));
    EXPECT_NE(str(description.get()).find("a CFSet is not a property-list type"), std::string::npos);
    CFRelease(error);

    Owned<CFMutableDictionaryRef> numberKey(
        CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    CFDictionarySetValue(numberKey.get(), kCFBooleanTrue, kCFBooleanTrue);
    EXPECT_FALSE(CFPropertyListIsValid(numberKey.get(), kCFPropertyListBinaryFormat_v1_0));
}

TEST(CFPropertyList, CorruptInputGivesACocoaError)
{
    for (const std::string& bad : {std::string("<plist><dict><key>a</key></plist>"), std::string("bplist00garbage"),
                                   std::string(), std::string("not a plist at all")}) {
        Owned<CFDataRef> data(dataOf(bad));
        CFErrorRef error = nullptr;
        EXPECT_EQ(CFPropertyListCreateWithData(nullptr, data.get(), 0, nullptr, &error), nullptr) << bad;
        ASSERT_NE(error, nullptr) << bad;
        EXPECT_EQ(CFErrorGetCode(error), kCFPropertyListReadCorruptError);
        EXPECT_TRUE(CFEqual(CFErrorGetDomain(error), kCFErrorDomainCocoa));
        CFRelease(error);
    }
    Owned<CFDataRef> data(dataOf("<plist><array><integer>x</plist>"));
    CFStringRef errorString = nullptr;
    EXPECT_EQ(CFPropertyListCreateFromXMLData(nullptr, data.get(), 0, &errorString), nullptr);
    ASSERT_NE(errorString, nullptr);
    EXPECT_NE(str(errorString).find("not a valid XML property list"), std::string::npos);
    CFRelease(errorString);
}

TEST(CFError, DomainCodeAndDescription)
{
    Owned<CFErrorRef> posix(CFErrorCreate(nullptr, kCFErrorDomainPOSIX, ENOENT, nullptr));
    ASSERT_TRUE(posix);
    EXPECT_EQ(CFGetTypeID(posix.get()), CFErrorGetTypeID());
    EXPECT_EQ(CFErrorGetCode(posix.get()), ENOENT);
    EXPECT_EQ(str(CFErrorGetDomain(posix.get())), "NSPOSIXErrorDomain");
    Owned<CFStringRef> description(CFErrorCopyDescription(posix.get()));
    EXPECT_EQ(str(description.get()), "The operation couldn\u2019t be completed. No such file or directory");

    Owned<CFErrorRef> status(CFErrorCreate(nullptr, kCFErrorDomainOSStatus, -50, nullptr));
    Owned<CFStringRef> statusText(CFErrorCopyDescription(status.get()));
    EXPECT_EQ(str(statusText.get()), "The operation couldn\u2019t be completed. (NSOSStatusErrorDomain error -50.)");
    EXPECT_EQ(CFErrorCopyFailureReason(status.get()), nullptr);

    const void* keys[] = {kCFErrorLocalizedDescriptionKey};
    const void* values[] = {CFSTR("The kext could not be loaded.")};
    Owned<CFDictionaryRef> info(
        CFDictionaryCreate(nullptr, keys, values, 1, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    Owned<CFErrorRef> cocoa(CFErrorCreate(nullptr, kCFErrorDomainCocoa, 3840, info.get()));
    Owned<CFStringRef> cocoaText(CFErrorCopyDescription(cocoa.get()));
    EXPECT_EQ(str(cocoaText.get()), "The kext could not be loaded.");
    Owned<CFDictionaryRef> copied(CFErrorCopyUserInfo(cocoa.get()));
    EXPECT_TRUE(CFEqual(copied.get(), info.get()));

    EXPECT_EQ(CFErrorCreate(nullptr, nullptr, 1, nullptr), nullptr);
    EXPECT_EQ(CFErrorGetCode(nullptr), 0);
}

} // namespace
