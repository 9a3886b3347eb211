// IOCFSerialize / IOCFUnserialize against the kernel's own OSSerialize and OSUnserializeXML.
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOCFSerialize.h>
#include <IOKit/IOCFUnserialize.h>

#include <gtest/gtest.h>

#include <string>

#include "cf_test_support.h"
#include "kernel_xml_helper.h"

using cftest::canonical;
using cftest::Owned;
using cftest::str;

namespace {

std::string text(CFDataRef data)
{
    return std::string(reinterpret_cast<const char*>(CFDataGetBytePtr(data)), static_cast<size_t>(CFDataGetLength(data)));
}

// Parses xml and expects failure; returns the error sentence.
std::string parseError(const std::string& xml)
{
    CFStringRef error = nullptr;
    CFTypeRef object = IOCFUnserialize(xml.c_str(), kCFAllocatorDefault, 0, &error);
    EXPECT_EQ(object, nullptr) << xml;
    if (object) {
        CFRelease(object);
    }
    Owned<CFStringRef> owned(error);
    return str(error);
}

// A CF graph covering every type the kernel knows, with shared values.
CFMutableDictionaryRef sampleCF()
{
    CFMutableDictionaryRef root =
        CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
    Owned<CFStringRef> shared(CFStringCreateWithCString(nullptr, "x < y & z > \"w\" ü", kCFStringEncodingUTF8));
    Owned<CFNumberRef> n8(cftest::number(kCFNumberSInt8Type, -2));
    Owned<CFNumberRef> n16(cftest::number(kCFNumberSInt16Type, 300));
    Owned<CFNumberRef> n32(cftest::number(kCFNumberSInt32Type, -123456));
    Owned<CFNumberRef> n64(cftest::number(kCFNumberSInt64Type, 0x123456789abcdefLL));
    const UInt8 bytes[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x7f, 0x80};
    Owned<CFDataRef> data(CFDataCreate(nullptr, bytes, sizeof bytes));
    Owned<CFMutableArrayRef> array(CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks));
    CFArrayAppendValue(array.get(), shared.get());
    CFArrayAppendValue(array.get(), kCFBooleanFalse);
    CFArrayAppendValue(array.get(), n64.get());
    Owned<CFMutableSetRef> set(CFSetCreateMutable(nullptr, 0, &kCFTypeSetCallBacks));
    CFSetAddValue(set.get(), n8.get());
    CFSetAddValue(set.get(), CFSTR("member"));
    Owned<CFMutableDictionaryRef> nested(
        CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    CFDictionarySetValue(nested.get(), CFSTR("IOProviderClass"), CFSTR("IOResources"));
    CFDictionarySetValue(nested.get(), CFSTR("shared"), shared.get());
    CFDictionarySetValue(root, CFSTR("string"), shared.get());
    CFDictionarySetValue(root, CFSTR("n8"), n8.get());
    CFDictionarySetValue(root, CFSTR("n16"), n16.get());
    CFDictionarySetValue(root, CFSTR("n32"), n32.get());
    CFDictionarySetValue(root, CFSTR("n64"), n64.get());
    CFDictionarySetValue(root, CFSTR("data"), data.get());
    CFDictionarySetValue(root, CFSTR("yes"), kCFBooleanTrue);
    CFDictionarySetValue(root, CFSTR("array"), array.get());
    CFDictionarySetValue(root, CFSTR("array again"), array.get());
    CFDictionarySetValue(root, CFSTR("set"), set.get());
    CFDictionarySetValue(root, CFSTR("nested <&>"), nested.get());
    return root;
}

TEST(IOCFUnserialize, ReadsWhatTheKernelWrites)
{
    const std::string xml = kernel_xml::sampleXML();
    ASSERT_FALSE(xml.empty());
    ASSERT_NE(xml.find("IDREF"), std::string::npos) << "the sample must exercise references: " << xml;

    CFStringRef error = nullptr;
    Owned<CFTypeRef> object(IOCFUnserialize(xml.c_str(), kCFAllocatorDefault, 0, &error));
    ASSERT_TRUE(object) << str(error);
    EXPECT_EQ(error, nullptr);
    EXPECT_EQ(canonical(object.get()), kernel_xml::sampleCanonical());

    // References resolve to the very same object, and containers come back mutable.
    auto dictionary = static_cast<CFMutableDictionaryRef>(const_cast<void*>(object.get()));
    EXPECT_EQ(CFDictionaryGetValue(dictionary, CFSTR("list")), CFDictionaryGetValue(dictionary, CFSTR("again<&>")));
    const CFIndex before = CFDictionaryGetCount(dictionary);
    CFDictionarySetValue(dictionary, CFSTR("added"), kCFBooleanTrue);
    EXPECT_EQ(CFDictionaryGetCount(dictionary), before + 1);
    EXPECT_EQ(CFGetTypeID(CFDictionaryGetValue(dictionary, CFSTR("set"))), CFSetGetTypeID());
}

TEST(IOCFUnserialize, IntegersKeepTheirWidth)
{
    struct Case {
        const char* xml;
        CFNumberType type;
        long long value;
    } cases[] = {
        {"<integer size=\"8\">0xff</integer>", kCFNumberSInt8Type, -1},
        {"<integer size=\"16\">0x8000</integer>", kCFNumberSInt16Type, -32768},
        {"<integer size=\"32\">4294967295</integer>", kCFNumberSInt32Type, -1},
        {"<integer size=\"32\">-5</integer>", kCFNumberSInt32Type, -5},
        {"<integer size=\"64\">0x7fffffffffffffff</integer>", kCFNumberSInt64Type, 0x7fffffffffffffffLL},
        {"<integer>12</integer>", kCFNumberSInt64Type, 12},
        {"<integer ID=\"3\" size=\"32\"> 0x10 </integer>", kCFNumberSInt32Type, 16},
    };
    for (const Case& c : cases) {
        CFStringRef error = nullptr;
        Owned<CFTypeRef> object(IOCFUnserialize(c.xml, nullptr, 0, &error));
        ASSERT_TRUE(object) << c.xml << ": " << str(error);
        ASSERT_EQ(CFGetTypeID(object.get()), CFNumberGetTypeID());
        EXPECT_EQ(CFNumberGetType(static_cast<CFNumberRef>(object.get())), c.type) << c.xml;
        long long value = 0;
        EXPECT_TRUE(CFNumberGetValue(static_cast<CFNumberRef>(object.get()), kCFNumberLongLongType, &value));
        EXPECT_EQ(value, c.value) << c.xml;
    }
}

TEST(IOCFUnserialize, AcceptsPlistWrapperEntitiesAndEmptyElements)
{
    const char* xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE plist>\n<plist version=\"1.0\">\n<dict>\n"
                      "  <!-- a comment -->\n  <key>a&amp;b</key><string>&#x263A;&lt;&#65;</string>\n"
                      "  <key>e</key><string/>\n  <key>d</key><data/>\n  <key>l</key><array/>\n"
                      "  <key>s</key><set></set>\n  <key>t</key><true/>\n</dict>\n</plist>\n";
    CFStringRef error = nullptr;
    Owned<CFTypeRef> object(IOCFUnserialize(xml, nullptr, 0, &error));
    ASSERT_TRUE(object) << str(error);
    EXPECT_EQ(canonical(object.get()), "{a&b=\"\u263a<A\";d=data:;e=\"\";l=[];s=<>;t=true;}");
}

TEST(IOCFUnserialize, BadInputGivesNullAndASentenceWithTheLine)
{
    EXPECT_EQ(parseError("<dict>\n<key>a</key>\n<string>x</strin>\n</dict>"),
              "IOCFUnserialize: expected </string> near line 3");
    EXPECT_NE(parseError("<array><string IDREF=\"7\"/></array>").find("IDREF \"7\" names no earlier object"),
              std::string::npos);
    EXPECT_NE(parseError("<dict>\n\n<bogus/></dict>").find("expected <key> in <dict>, found <bogus> near line 3"),
              std::string::npos);
    EXPECT_NE(parseError("<unknown/>").find("unknown tag <unknown>"), std::string::npos);
    EXPECT_NE(parseError("<integer size=\"128\">1</integer>").find("invalid integer size"), std::string::npos);
    EXPECT_NE(parseError("<integer>12z</integer>").find("invalid integer"), std::string::npos);
    EXPECT_NE(parseError("<data>AB$=</data>").find("not valid base64"), std::string::npos);
    EXPECT_NE(parseError("<string>\xff\xfe</string>").find("not valid UTF-8"), std::string::npos);
    EXPECT_NE(parseError("<array>").find("near line 1"), std::string::npos);
    EXPECT_NE(parseError("<true/><true/>").find("unexpected text after the top-level object"), std::string::npos);
    EXPECT_NE(parseError("").find("expected a tag"), std::string::npos);
    // A reference to an enclosing container would be a cycle: refused.
    EXPECT_NE(parseError("<array ID=\"0\"><array IDREF=\"0\"/></array>").find("names no earlier object"),
              std::string::npos);
    std::string deep;
    for (int i = 0; i < 200; i++) {
        deep += "<array>";
    }
    EXPECT_NE(parseError(deep).find("nesting deeper than"), std::string::npos);
    // NULL error pointer and NULL buffer are fine.
    EXPECT_EQ(IOCFUnserialize("<nope", nullptr, 0, nullptr), nullptr);
    CFStringRef error = nullptr;
    EXPECT_EQ(IOCFUnserialize(nullptr, nullptr, 0, &error), nullptr);
    ASSERT_NE(error, nullptr);
    CFRelease(error);
}

TEST(IOCFUnserialize, WithSizeNeedsNoTerminator)
{
    const char buffer[] = "<string>abc</string>GARBAGE";
    Owned<CFTypeRef> object(IOCFUnserializeWithSize(buffer, 20, nullptr, 0, nullptr));
    ASSERT_TRUE(object);
    EXPECT_EQ(canonical(object.get()), "\"abc\"");
}

TEST(IOCFSerialize, WritesTheKernelDialect)
{
    Owned<CFMutableDictionaryRef> dictionary(
        CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    Owned<CFNumberRef> n32(cftest::number(kCFNumberSInt32Type, -1));
    Owned<CFNumberRef> n8(cftest::number(kCFNumberSInt8Type, 10));
    CFDictionarySetValue(dictionary.get(), CFSTR("IOProviderClass"), CFSTR("IOService"));
    CFDictionarySetValue(dictionary.get(), CFSTR("n"), n32.get());
    CFDictionarySetValue(dictionary.get(), CFSTR("b"), n8.get());
    CFDictionarySetValue(dictionary.get(), CFSTR("t"), kCFBooleanTrue);
    Owned<CFDataRef> data(IOCFSerialize(dictionary.get(), 0));
    ASSERT_TRUE(data);
    const std::string xml = text(data.get());
    ASSERT_FALSE(xml.empty());
    EXPECT_EQ(xml.back(), '\0'); // the NUL is counted, as IOKitUser sends it
    EXPECT_EQ(xml.substr(0, xml.size() - 1),
              "<dict><key>IOProviderClass</key><string>IOService</string>"
              "<key>n</key><integer size=\"32\">0xffffffff</integer>"
              "<key>b</key><integer size=\"8\">0xa</integer><key>t</key><true/></dict>");

    // Shared objects: ID on the first occurrence only when there is a second.
    Owned<CFMutableArrayRef> array(CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks));
    Owned<CFStringRef> once(CFStringCreateWithCString(nullptr, "once", kCFStringEncodingUTF8));
    Owned<CFStringRef> twice(CFStringCreateWithCString(nullptr, "a&b", kCFStringEncodingUTF8));
    CFArrayAppendValue(array.get(), once.get());
    CFArrayAppendValue(array.get(), twice.get());
    CFArrayAppendValue(array.get(), twice.get());
    CFArrayAppendValue(array.get(), kCFBooleanFalse);
    CFArrayAppendValue(array.get(), kCFBooleanFalse);
    Owned<CFDataRef> shared(IOCFSerialize(array.get(), 0));
    ASSERT_TRUE(shared);
    EXPECT_STREQ(reinterpret_cast<const char*>(CFDataGetBytePtr(shared.get())),
                 "<array><string>once</string><string ID=\"0\">a&amp;b</string><string IDREF=\"0\"/>"
                 "<false/><false/></array>");
}

TEST(IOCFSerialize, KernelReadsTheSameContent)
{
    Owned<CFMutableDictionaryRef> sample(sampleCF());
    Owned<CFDataRef> data(IOCFSerialize(sample.get(), 0));
    ASSERT_TRUE(data);
    const std::string xml = text(data.get());
    EXPECT_NE(xml.find("IDREF"), std::string::npos);
    std::string error;
    auto parsed = kernel_xml::parse(xml.substr(0, xml.size() - 1), &error);
    ASSERT_TRUE(parsed) << error << "\n" << xml;
    EXPECT_EQ(*parsed, canonical(sample.get()));

    // And back through IOCFUnserialize: equal content, same widths.
    Owned<CFTypeRef> back(IOCFUnserialize(xml.c_str(), nullptr, 0, nullptr));
    ASSERT_TRUE(back);
    EXPECT_EQ(canonical(back.get()), canonical(sample.get()));
    EXPECT_TRUE(CFEqual(back.get(), sample.get()));
}

TEST(IOCFSerialize, RefusesWhatTheKernelCannotRepresent)
{
    EXPECT_EQ(IOCFSerialize(nullptr, 0), nullptr);
    EXPECT_EQ(IOCFSerialize(CFSTR("x"), kIOCFSerializeToBinary), nullptr);

    Owned<CFDateRef> date(CFDateCreate(nullptr, 0));
    EXPECT_EQ(IOCFSerialize(date.get(), 0), nullptr);

    double fraction = 1.5;
    Owned<CFNumberRef> real(CFNumberCreate(nullptr, kCFNumberDoubleType, &fraction));
    EXPECT_EQ(IOCFSerialize(real.get(), 0), nullptr);

    Owned<CFMutableDictionaryRef> numberKey(
        CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    Owned<CFNumberRef> one(cftest::number(kCFNumberSInt32Type, 1));
    CFDictionarySetValue(numberKey.get(), one.get(), one.get());
    EXPECT_EQ(IOCFSerialize(numberKey.get(), 0), nullptr);

    // A container inside itself cannot be written as a tree.
    Owned<CFMutableArrayRef> cycle(CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks));
    CFArrayAppendValue(cycle.get(), cycle.get());
    EXPECT_EQ(IOCFSerialize(cycle.get(), 0), nullptr);
    CFArrayRemoveAllValues(cycle.get()); // break the cycle so the array can be freed
}

} // namespace
