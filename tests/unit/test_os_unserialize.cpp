// OSSerialize -> OSUnserializeXML round trips, plist input, and hostile input.
#include <libkern/c++/OSContainers.h>
#include <libkern/c++/OSSerialize.h>
#include <libkern/c++/OSUnserialize.h>

#include <gtest/gtest.h>

#include <string>

namespace {

// Owns the result and the error string of one OSUnserializeXML call.
struct Parsed {
    OSObject* object = nullptr;
    OSString* error = nullptr;

    explicit Parsed(const std::string& xml) { object = OSUnserializeXML(xml.c_str(), &error); }
    ~Parsed()
    {
        OSSafeReleaseNULL(object);
        OSSafeReleaseNULL(error);
    }
    std::string errorText() const { return error ? error->getCStringNoCopy() : ""; }
};

std::string serialize(const OSObject* object)
{
    OSSerialize* serializer = OSSerialize::withCapacity(256);
    EXPECT_TRUE(object->serialize(serializer));
    std::string text = serializer->text();
    EXPECT_EQ(serializer->getLength(), text.size() + 1);  // counts the NUL, as xnu's
    serializer->release();
    return text;
}

OSDictionary* sampleGraph()
{
    OSDictionary* root = OSDictionary::withCapacity(8);
    OSString* name = OSString::withCString("a <b> & \"c\"");
    OSNumber* small = OSNumber::withNumber(42, 8);
    OSNumber* big = OSNumber::withNumber(0xFFFFFFFFFFFFFFFFull, 64);
    const unsigned char bytes[] = {0, 1, 2, 0xfe, 0xff};
    OSData* data = OSData::withBytes(bytes, sizeof bytes);
    OSArray* array = OSArray::withCapacity(2);
    array->setObject(name);
    array->setObject(kOSBooleanTrue);
    OSSet* set = OSSet::withCapacity(2);
    set->setObject(small);
    root->setObject("name", name);
    root->setObject("small", small);
    root->setObject("big", big);
    root->setObject("data", data);
    root->setObject("list", array);
    root->setObject("set", set);
    root->setObject("no", kOSBooleanFalse);
    root->setObject("key<&>", array);  // the same array twice: second is a reference
    for (OSObject* object : std::initializer_list<OSObject*>{name, small, big, data, array, set}) {
        object->release();
    }
    return root;
}

}  // namespace

TEST(OSSerialize, WritesXnuStyleXml)
{
    OSDictionary* dictionary = OSDictionary::withCapacity(1);
    OSNumber* one = OSNumber::withNumber(1, 32);
    dictionary->setObject("a", one);
    EXPECT_EQ(serialize(dictionary), "<dict ID=\"0\"><key>a</key><integer size=\"32\" ID=\"1\">0x1</integer></dict>");
    one->release();
    dictionary->release();

    OSString* text = OSString::withCString("x<y&z>");
    EXPECT_EQ(serialize(text), "<string ID=\"0\">x&lt;y&amp;z&gt;</string>");
    text->release();
}

TEST(OSSerialize, SharedObjectsBecomeReferences)
{
    OSArray* inner = OSArray::withCapacity(1);
    OSArray* outer = OSArray::withCapacity(2);
    outer->setObject(inner);
    outer->setObject(inner);
    EXPECT_EQ(serialize(outer), "<array ID=\"0\"><array ID=\"1\"></array><reference IDREF=\"1\"/></array>");
    inner->release();
    outer->release();
}

TEST(OSSerialize, ObjectsWithoutSerializeDescribeThemselves)
{
    OSSerialize* serializer = OSSerialize::withCapacity(64);
    OSArray* array = OSArray::withCapacity(1);
    array->setObject(serializer);
    EXPECT_EQ(serialize(array), "<array ID=\"0\"><string ID=\"1\">OSSerialize is not serializable</string></array>");
    array->release();
    serializer->release();
}

TEST(OSUnserializeXML, RoundTripPreservesTypesValuesAndSharing)
{
    OSDictionary* original = sampleGraph();
    const std::string xml = serialize(original);
    Parsed parsed(xml);
    ASSERT_NE(parsed.object, nullptr) << parsed.errorText() << "\n" << xml;
    auto* copy = OSDynamicCast(OSDictionary, parsed.object);
    ASSERT_NE(copy, nullptr);
    EXPECT_TRUE(copy->isEqualTo(original));
    EXPECT_TRUE(original->isEqualTo(copy));

    auto* big = OSDynamicCast(OSNumber, copy->getObject("big"));
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(big->unsigned64BitValue(), 0xFFFFFFFFFFFFFFFFull);
    EXPECT_EQ(big->numberOfBits(), 64u);
    auto* small = OSDynamicCast(OSNumber, copy->getObject("small"));
    ASSERT_NE(small, nullptr);
    EXPECT_EQ(small->numberOfBits(), 8u);
    EXPECT_EQ(small->unsigned8BitValue(), 42);
    EXPECT_EQ(copy->getObject("no"), kOSBooleanFalse);
    EXPECT_NE(OSDynamicCast(OSSet, copy->getObject("set")), nullptr);
    // The reference resolves to the very same array object.
    EXPECT_EQ(copy->getObject("list"), copy->getObject("key<&>"));
    auto* name = OSDynamicCast(OSString, copy->getObject("name"));
    ASSERT_NE(name, nullptr);
    EXPECT_STREQ(name->getCStringNoCopy(), "a <b> & \"c\"");

    // Serializing the copy gives the same text again.
    EXPECT_EQ(serialize(copy), xml);
    original->release();
}

TEST(OSUnserializeXML, ReadsPlistDocuments)
{
    const std::string plist = R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<!-- a comment -->
	<key>CFBundleIdentifier</key>
	<string>com.osxkernel.driver</string>
	<key>IOKitPersonalities</key>
	<dict>
		<key>Driver</key>
		<dict>
			<key>IOProbeScore</key>
			<integer>-1000</integer>
			<key>IOProviderClass</key>
			<string>IOResources</string>
			<key>Empty</key>
			<array/>
			<key>Flag</key>
			<true/>
			<key>Blob</key>
			<data>
			AAEC
			/w==
			</data>
		</dict>
	</dict>
</dict>
</plist>
)";
    Parsed parsed(plist);
    ASSERT_NE(parsed.object, nullptr) << parsed.errorText();
    auto* root = OSDynamicCast(OSDictionary, parsed.object);
    ASSERT_NE(root, nullptr);
    auto* id = OSDynamicCast(OSString, root->getObject("CFBundleIdentifier"));
    ASSERT_NE(id, nullptr);
    EXPECT_STREQ(id->getCStringNoCopy(), "com.osxkernel.driver");
    auto* personalities = OSDynamicCast(OSDictionary, root->getObject("IOKitPersonalities"));
    ASSERT_NE(personalities, nullptr);
    auto* driver = OSDynamicCast(OSDictionary, personalities->getObject("Driver"));
    ASSERT_NE(driver, nullptr);
    auto* score = OSDynamicCast(OSNumber, driver->getObject("IOProbeScore"));
    ASSERT_NE(score, nullptr);
    EXPECT_EQ(static_cast<int64_t>(score->unsigned64BitValue()), -1000);
    auto* empty = OSDynamicCast(OSArray, driver->getObject("Empty"));
    ASSERT_NE(empty, nullptr);
    EXPECT_EQ(empty->getCount(), 0u);
    EXPECT_EQ(driver->getObject("Flag"), kOSBooleanTrue);
    auto* blob = OSDynamicCast(OSData, driver->getObject("Blob"));
    ASSERT_NE(blob, nullptr);
    const unsigned char expected[] = {0, 1, 2, 0xff};
    ASSERT_EQ(blob->getLength(), sizeof expected);
    EXPECT_EQ(0, memcmp(blob->getBytesNoCopy(), expected, sizeof expected));
}

TEST(OSUnserializeXML, EntitiesAndEmptyElements)
{
    Parsed parsed("<array><string>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;</string><string/><dict/><set/></array>");
    ASSERT_NE(parsed.object, nullptr) << parsed.errorText();
    auto* array = OSDynamicCast(OSArray, parsed.object);
    ASSERT_EQ(array->getCount(), 4u);
    EXPECT_STREQ(OSDynamicCast(OSString, array->getObject(0))->getCStringNoCopy(), "<>&\"'AB");
    EXPECT_STREQ(OSDynamicCast(OSString, array->getObject(1))->getCStringNoCopy(), "");
    EXPECT_NE(OSDynamicCast(OSDictionary, array->getObject(2)), nullptr);
    EXPECT_NE(OSDynamicCast(OSSet, array->getObject(3)), nullptr);
}

// Each malformed or hostile document yields NULL plus a sentence saying what is wrong.
struct BadInput {
    const char* name;
    std::string xml;
    const char* expectedWords;
    friend void PrintTo(const BadInput& input, std::ostream* out) { *out << input.name; }
};

class OSUnserializeXMLBadInput : public testing::TestWithParam<BadInput> {};

TEST_P(OSUnserializeXMLBadInput, FailsCleanlyWithAnExplanation)
{
    Parsed parsed(GetParam().xml);
    EXPECT_EQ(parsed.object, nullptr);
    ASSERT_NE(parsed.error, nullptr);
    EXPECT_NE(parsed.errorText().find(GetParam().expectedWords), std::string::npos) << parsed.errorText();
    EXPECT_NE(parsed.errorText().find("OSUnserializeXML: "), std::string::npos);
    EXPECT_NE(parsed.errorText().find("near line"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Hostile, OSUnserializeXMLBadInput,
    testing::Values(
        BadInput{"Empty", "", "expected a tag"},
        BadInput{"Text", "hello", "expected a tag"},
        BadInput{"UnknownTag", "<bogus>1</bogus>", "unknown tag <bogus>"},
        BadInput{"Unterminated", "<dict><key>a</key><string>x", "unterminated <string>"},
        BadInput{"MismatchedClose", "<array></dict>", "expected </array>"},
        BadInput{"KeyWithoutValue", "<dict><key>a</key></dict>", "has no value"},
        BadInput{"ValueWithoutKey", "<dict><string>a</string></dict>", "expected <key>"},
        BadInput{"KeyOutsideDict", "<key>a</key>", "<key> outside"},
        BadInput{"BadInteger", "<integer>12z</integer>", "invalid integer"},
        BadInput{"EmptyInteger", "<integer></integer>", "invalid integer"},
        BadInput{"IntegerOverflow", "<integer>0x1FFFFFFFFFFFFFFFF</integer>", "invalid integer"},
        BadInput{"BadSize", "<integer size=\"65\">1</integer>", "invalid integer size"},
        BadInput{"ZeroSize", "<integer size=\"0\">1</integer>", "invalid integer size"},
        BadInput{"BadBase64", "<data>!!!!</data>", "invalid base64"},
        BadInput{"UnknownEntity", "<string>&nbsp;</string>", "unknown entity"},
        BadInput{"NulReference", "<string>&#0;</string>", "unsupported character reference"},
        BadInput{"DanglingIdref", "<array><reference IDREF=\"7\"/></array>", "names no earlier object"},
        BadInput{"SelfReference", "<array ID=\"0\"><reference IDREF=\"0\"/></array>", "names no earlier object"},
        BadInput{"UnquotedAttribute", "<integer size=32>1</integer>", "not quoted"},
        BadInput{"TrailingGarbage", "<true/><false/>", "after the top-level object"},
        BadInput{"BareAngles", std::string(100000, '<'), "malformed tag"},
        BadInput{"DeepArrays",
                 [] {
                     std::string xml;
                     for (int i = 0; i < 10000; ++i) xml += "<array>";
                     return xml;
                 }(),
                 "nesting deeper than 128"},
        BadInput{"DeepDicts",
                 [] {
                     std::string xml;
                     for (int i = 0; i < 200; ++i) xml += "<dict><key>k</key>";
                     return xml;
                 }(),
                 "nesting deeper than 128"},
        BadInput{"UnterminatedComment", "<!-- never closed", "expected a tag"},
        BadInput{"PlistWithoutClose", "<plist><true/>", "expected </plist>"}),
    [](const testing::TestParamInfo<BadInput>& info) { return std::string(info.param.name); });

TEST(OSUnserializeXML, ErrorLineNumberPointsAtTheProblem)
{
    Parsed parsed("<dict>\n<key>a</key>\n<integer>x</integer>\n</dict>");
    ASSERT_EQ(parsed.object, nullptr);
    EXPECT_NE(parsed.errorText().find("near line 3"), std::string::npos) << parsed.errorText();
}

TEST(OSUnserializeXML, NullAndEmbeddedNulAndHugeSizes)
{
    OSString* error = nullptr;
    EXPECT_EQ(OSUnserializeXML(nullptr, &error), nullptr);
    ASSERT_NE(error, nullptr);
    error->release();

    const char withNul[] = "<string>a\0b</string>";
    error = nullptr;
    EXPECT_EQ(OSUnserializeXML(withNul, sizeof withNul, &error), nullptr);
    ASSERT_NE(error, nullptr);
    EXPECT_NE(std::string(error->getCStringNoCopy()).find("NUL"), std::string::npos);
    error->release();

    // A large but legal document still parses: 100k elements.
    std::string many = "<array>";
    for (int i = 0; i < 100000; ++i) many += "<integer size=\"32\">1</integer>";
    many += "</array>";
    Parsed parsed(many);
    ASSERT_NE(parsed.object, nullptr) << parsed.errorText();
    EXPECT_EQ(OSDynamicCast(OSArray, parsed.object)->getCount(), 100000u);

    // Without an error pointer, failure is just NULL.
    EXPECT_EQ(OSUnserializeXML("<nope/>"), nullptr);
}

TEST(OSUnserialize, OldFormatIsRefusedWithAReason)
{
    OSString* error = nullptr;
    EXPECT_EQ(OSUnserialize("{}", &error), nullptr);
    ASSERT_NE(error, nullptr);
    error->release();
}
