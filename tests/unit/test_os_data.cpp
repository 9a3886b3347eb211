// OSData: construction, growth, NoCopy immutability, ranges, equality and base64 XML.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstring>

using namespace ostest;

TEST(OSData, WithBytesCopies)
{
    unsigned char bytes[] = {1, 2, 3, 4};
    OSSharedPtr<OSData> d = adopt(OSData::withBytes(bytes, sizeof bytes));
    ASSERT_TRUE(d);
    bytes[0] = 9;
    EXPECT_EQ(d->getLength(), 4u);
    EXPECT_NE(d->getBytesNoCopy(), bytes);
    EXPECT_EQ(static_cast<const unsigned char*>(d->getBytesNoCopy())[0], 1);
    EXPECT_EQ(d->getCapacity(), 4u);
    EXPECT_EQ(d->getCapacityIncrement(), 16u);
}

TEST(OSData, WithCapacityStartsEmpty)
{
    OSSharedPtr<OSData> d = adopt(OSData::withCapacity(100));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->getLength(), 0u);
    EXPECT_EQ(d->getCapacity(), 100u);
    EXPECT_EQ(d->getCapacityIncrement(), 100u);
    EXPECT_EQ(d->getBytesNoCopy(), nullptr);  // empty data has no bytes, as in xnu
    OSSharedPtr<OSData> zero = adopt(OSData::withCapacity(0));
    ASSERT_TRUE(zero);
    EXPECT_EQ(zero->getCapacity(), 0u);
    EXPECT_EQ(zero->getCapacityIncrement(), 16u);
}

TEST(OSData, AppendGrowsByTheIncrement)
{
    OSSharedPtr<OSData> d = adopt(OSData::withCapacity(0));
    EXPECT_TRUE(d->appendBytes("abc", 3));
    EXPECT_EQ(d->getLength(), 3u);
    EXPECT_EQ(d->getCapacity(), 16u);
    EXPECT_TRUE(d->appendByte('z', 20));
    EXPECT_EQ(d->getLength(), 23u);
    EXPECT_EQ(d->getCapacity(), 32u);
    EXPECT_TRUE(d->appendBytes(nullptr, 2));  // zeros
    const auto* bytes = static_cast<const unsigned char*>(d->getBytesNoCopy());
    EXPECT_EQ(std::memcmp(bytes, "abc", 3), 0);
    EXPECT_EQ(bytes[3], 'z');
    EXPECT_EQ(bytes[22], 'z');
    EXPECT_EQ(bytes[23], 0);
    EXPECT_EQ(bytes[24], 0);
    EXPECT_TRUE(d->appendBytes("x", 0));  // nothing to do
    EXPECT_TRUE(d->appendByte('x', 0));
    EXPECT_EQ(d->getLength(), 25u);
}

TEST(OSData, CapacityIncrementAndEnsureCapacity)
{
    OSSharedPtr<OSData> d = adopt(OSData::withCapacity(4));
    EXPECT_EQ(d->setCapacityIncrement(10), 10u);
    EXPECT_EQ(d->ensureCapacity(5), 10u);   // rounded up to a multiple of 10
    EXPECT_EQ(d->ensureCapacity(3), 10u);   // never shrinks
    EXPECT_EQ(d->ensureCapacity(21), 30u);
    EXPECT_EQ(d->setCapacityIncrement(0), 16u);  // 0 means the default rather than a division by zero
    EXPECT_EQ(d->ensureCapacity(31), 32u);
}

TEST(OSData, AppendData)
{
    OSSharedPtr<OSData> a = adopt(OSData::withBytes("ab", 2));
    OSSharedPtr<OSData> b = adopt(OSData::withBytes("cd", 2));
    EXPECT_TRUE(a->appendBytes(b.get()));
    EXPECT_TRUE(a->isEqualTo("abcd", 4));
    EXPECT_TRUE(a->appendBytes(a.get()));  // itself
    EXPECT_EQ(a->getLength(), 8u);
    EXPECT_TRUE(a->isEqualTo("abcdabcd", 8));
    EXPECT_FALSE(a->appendBytes(static_cast<const OSData*>(nullptr)));
}

TEST(OSData, NoCopyWrapsTheCallersMemoryAndCannotGrow)
{
    char buffer[] = "external";
    OSSharedPtr<OSData> d = adopt(OSData::withBytesNoCopy(buffer, 8));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->getBytesNoCopy(), buffer);
    EXPECT_EQ(d->getLength(), 8u);
    EXPECT_EQ(d->getCapacity(), UINT_MAX);
    EXPECT_FALSE(d->appendBytes("x", 1));
    EXPECT_FALSE(d->appendByte('x', 1));
    EXPECT_EQ(d->getLength(), 8u);
    EXPECT_EQ(d->ensureCapacity(100), UINT_MAX);
    buffer[0] = 'E';
    EXPECT_TRUE(d->isEqualTo("External", 8));
    EXPECT_EQ(OSData::withBytesNoCopy(nullptr, 4), nullptr);
    // As xnu: an empty NoCopy buffer may have no memory, and still cannot grow.
    OSSharedPtr<OSData> empty = adopt(OSData::withBytesNoCopy(nullptr, 0));
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->getLength(), 0u);
    EXPECT_EQ(empty->getBytesNoCopy(), nullptr);
    EXPECT_FALSE(empty->appendBytes("x", 1));
    OSSharedPtr<OSData> owned = adopt(OSData::withCapacity(0));
    EXPECT_TRUE(empty->isEqualTo(owned.get()));
}

TEST(OSData, WithDataAndRanges)
{
    OSSharedPtr<OSData> source = adopt(OSData::withBytes("0123456789", 10));
    OSSharedPtr<OSData> copy = adopt(OSData::withData(source.get()));
    ASSERT_TRUE(copy);
    EXPECT_TRUE(copy->isEqualTo(source.get()));
    EXPECT_NE(copy->getBytesNoCopy(), source->getBytesNoCopy());
    OSSharedPtr<OSData> middle = adopt(OSData::withData(source.get(), 3, 4));
    ASSERT_TRUE(middle);
    EXPECT_TRUE(middle->isEqualTo("3456", 4));
    EXPECT_EQ(middle->getLength(), 4u);
    EXPECT_EQ(OSData::withData(source.get(), 8, 3), nullptr);
    EXPECT_EQ(OSData::withData(source.get(), 10, 0), nullptr);
    EXPECT_EQ(OSData::withData(nullptr), nullptr);
    EXPECT_EQ(OSData::withData(nullptr, 0, 1), nullptr);
}

TEST(OSData, GetBytesNoCopyRange)
{
    OSSharedPtr<OSData> d = adopt(OSData::withBytes("abcdef", 6));
    const char* base = static_cast<const char*>(d->getBytesNoCopy());
    EXPECT_EQ(d->getBytesNoCopy(0, 6), base);
    EXPECT_EQ(d->getBytesNoCopy(2, 4), base + 2);
    EXPECT_EQ(d->getBytesNoCopy(5, 1), base + 5);
    EXPECT_EQ(d->getBytesNoCopy(5, 0), base + 5);
    EXPECT_EQ(d->getBytesNoCopy(5, 2), nullptr);
    EXPECT_EQ(d->getBytesNoCopy(6, 0), nullptr);
    EXPECT_EQ(d->getBytesNoCopy(1, UINT_MAX), nullptr);  // overflow
    OSSharedPtr<OSData> empty = adopt(OSData::withCapacity(8));
    EXPECT_EQ(empty->getBytesNoCopy(0, 0), nullptr);
}

TEST(OSData, Equality)
{
    OSSharedPtr<OSData> a = adopt(OSData::withBytes("abc", 3));
    OSSharedPtr<OSData> b = adopt(OSData::withBytes("abc", 3));
    OSSharedPtr<OSData> longer = adopt(OSData::withBytes("abcd", 4));
    EXPECT_TRUE(a->isEqualTo(b.get()));
    EXPECT_FALSE(a->isEqualTo(longer.get()));
    EXPECT_FALSE(longer->isEqualTo(a.get()));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSData*>(nullptr)));
    EXPECT_TRUE(longer->isEqualTo("abc", 3));  // as xnu: compares the first numBytes bytes
    EXPECT_FALSE(a->isEqualTo("abcd", 4));
    EXPECT_FALSE(a->isEqualTo("abd", 3));
    const OSMetaClassBase* generic = b.get();
    EXPECT_TRUE(a->isEqualTo(generic));
    OSSharedPtr<OSString> s = str("abc");
    EXPECT_TRUE(a->isEqualTo(s.get()));
    EXPECT_TRUE(a->isEqualTo(static_cast<const OSMetaClassBase*>(s.get())));
    EXPECT_FALSE(longer->isEqualTo(s.get()));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSString*>(nullptr)));
    OSSharedPtr<OSNumber> n = num(1);
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSMetaClassBase*>(n.get())));
}

TEST(OSData, SerializesAsPaddedBase64)
{
    EXPECT_EQ(xml(adopt(OSData::withBytes("", 0))), "<data ID=\"0\"></data>");
    EXPECT_EQ(xml(adopt(OSData::withBytes("f", 1))), "<data ID=\"0\">Zg==</data>");
    EXPECT_EQ(xml(adopt(OSData::withBytes("fo", 2))), "<data ID=\"0\">Zm8=</data>");
    EXPECT_EQ(xml(adopt(OSData::withBytes("foo", 3))), "<data ID=\"0\">Zm9v</data>");
    EXPECT_EQ(xml(adopt(OSData::withBytes("foobar", 6))), "<data ID=\"0\">Zm9vYmFy</data>");
    const unsigned char binary[] = {0x00, 0xff, 0xfe, 0x80};
    EXPECT_EQ(xml(adopt(OSData::withBytes(binary, 4))), "<data ID=\"0\">AP/+gA==</data>");
    OSSharedPtr<OSData> secret = adopt(OSData::withBytes("secret", 6));
    secret->setSerializable(false);
    EXPECT_EQ(xml(secret.get()), "<data ID=\"0\"></data>");
}

TEST(OSData, BadInput)
{
    EXPECT_EQ(OSData::withBytes(nullptr, 4), nullptr);
    OSSharedPtr<OSData> empty = adopt(OSData::withBytes(nullptr, 0));
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->getLength(), 0u);
}
