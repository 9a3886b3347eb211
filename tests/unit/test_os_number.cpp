// OSNumber: widths, masking, arithmetic, parsing, equality and XML.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

using namespace ostest;

TEST(OSNumber, ValueAndWidth)
{
    OSSharedPtr<OSNumber> n = num(0x1234, 16);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->numberOfBits(), 16u);
    EXPECT_EQ(n->numberOfBytes(), 2u);
    EXPECT_EQ(n->unsigned8BitValue(), 0x34);
    EXPECT_EQ(n->unsigned16BitValue(), 0x1234);
    EXPECT_EQ(n->unsigned32BitValue(), 0x1234u);
    EXPECT_EQ(n->unsigned64BitValue(), 0x1234ull);
    EXPECT_EQ(num(1, 1)->numberOfBytes(), 1u);
    EXPECT_EQ(num(1, 9)->numberOfBytes(), 2u);
    EXPECT_EQ(num(1, 64)->numberOfBytes(), 8u);
}

TEST(OSNumber, ValuesAreMaskedToTheirWidth)
{
    EXPECT_EQ(num(0x1ff, 8)->unsigned64BitValue(), 0xffull);
    EXPECT_EQ(num(0xffffffffffffffffull, 32)->unsigned64BitValue(), 0xffffffffull);
    EXPECT_EQ(num(0xffffffffffffffffull, 64)->unsigned64BitValue(), 0xffffffffffffffffull);
    EXPECT_EQ(num(3, 1)->unsigned64BitValue(), 1ull);
    OSSharedPtr<OSNumber> n = num(0, 8);
    n->setValue(0x1234);
    EXPECT_EQ(n->unsigned64BitValue(), 0x34ull);
}

TEST(OSNumber, AddValueWrapsAroundTheWidth)
{
    OSSharedPtr<OSNumber> n = num(250, 8);
    n->addValue(10);
    EXPECT_EQ(n->unsigned32BitValue(), 4u);
    n->addValue(-5);
    EXPECT_EQ(n->unsigned32BitValue(), 255u);
    OSSharedPtr<OSNumber> wide = num(0, 64);
    wide->addValue(-1);
    EXPECT_EQ(wide->unsigned64BitValue(), 0xffffffffffffffffull);
}

TEST(OSNumber, WidthMustBeOneToSixtyFour)
{
    EXPECT_EQ(OSNumber::withNumber(1ull, 0), nullptr);
    EXPECT_EQ(OSNumber::withNumber(1ull, 65), nullptr);
    EXPECT_EQ(OSNumber::withNumber("1", 0), nullptr);
    EXPECT_EQ(OSNumber::withNumber("1", 128), nullptr);
    EXPECT_TRUE(num(1, 1));
    EXPECT_TRUE(num(1, 64));
}

TEST(OSNumber, ParsesStringsLikeStrtoul)
{
    OSSharedPtr<OSNumber> decimal = adopt(OSNumber::withNumber("1234", 32));
    OSSharedPtr<OSNumber> hex = adopt(OSNumber::withNumber("0x1F", 32));
    OSSharedPtr<OSNumber> octal = adopt(OSNumber::withNumber("017", 32));
    OSSharedPtr<OSNumber> trailing = adopt(OSNumber::withNumber("42abc", 32));
    OSSharedPtr<OSNumber> garbage = adopt(OSNumber::withNumber("zzz", 32));
    OSSharedPtr<OSNumber> masked = adopt(OSNumber::withNumber("0x1ff", 8));
    ASSERT_TRUE(decimal && hex && octal && trailing && garbage && masked);
    EXPECT_EQ(decimal->unsigned32BitValue(), 1234u);
    EXPECT_EQ(hex->unsigned32BitValue(), 0x1fu);
    EXPECT_EQ(octal->unsigned32BitValue(), 15u);
    EXPECT_EQ(trailing->unsigned32BitValue(), 42u);
    EXPECT_EQ(garbage->unsigned32BitValue(), 0u);
    EXPECT_EQ(masked->unsigned32BitValue(), 0xffu);
    OSSharedPtr<OSNumber> big = adopt(OSNumber::withNumber("0xfedcba9876543210", 64));
    EXPECT_EQ(big->unsigned64BitValue(), 0xfedcba9876543210ull);
    EXPECT_EQ(OSNumber::withNumber(static_cast<const char*>(nullptr), 32), nullptr);
}

TEST(OSNumber, EqualityComparesValuesOnly)
{
    OSSharedPtr<OSNumber> seven8 = num(7, 8);
    OSSharedPtr<OSNumber> seven32 = num(7, 32);
    OSSharedPtr<OSNumber> eight8 = num(8, 8);
    EXPECT_TRUE(seven8->isEqualTo(seven32.get()));
    EXPECT_FALSE(seven8->isEqualTo(eight8.get()));
    EXPECT_FALSE(num(7)->isEqualTo(static_cast<const OSNumber*>(nullptr)));
    OSSharedPtr<OSNumber> a = num(7);
    OSSharedPtr<OSNumber> b = num(7);
    const OSMetaClassBase* generic = b.get();
    EXPECT_TRUE(a->isEqualTo(generic));
    OSSharedPtr<OSString> s = str("7");
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSMetaClassBase*>(s.get())));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSMetaClassBase*>(nullptr)));
}

TEST(OSNumber, SerializesMaskedHexWithItsSize)
{
    EXPECT_EQ(xml(num(1, 32)), "<integer size=\"32\" ID=\"0\">0x1</integer>");
    EXPECT_EQ(xml(num(0, 8)), "<integer size=\"8\" ID=\"0\">0x0</integer>");
    EXPECT_EQ(xml(num(0x1ff, 8)), "<integer size=\"8\" ID=\"0\">0xff</integer>");
    EXPECT_EQ(xml(num(0xfedcba9876543210ull, 64)),
              "<integer size=\"64\" ID=\"0\">0xfedcba9876543210</integer>");
    EXPECT_EQ(xml(num(0x100000000ull, 64)), "<integer size=\"64\" ID=\"0\">0x100000000</integer>");
}

TEST(OSNumber, ReinitialisingChangesWidthAndValue)
{
    OSSharedPtr<OSNumber> n = num(5, 8);
    EXPECT_TRUE(n->init(0x12345, 16));
    EXPECT_EQ(n->numberOfBits(), 16u);
    EXPECT_EQ(n->unsigned64BitValue(), 0x2345ull);
    EXPECT_FALSE(n->init(1, 0));
}
