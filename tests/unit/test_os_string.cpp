// OSString: construction, access, mutation rules, equality and XML.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

#include <string>

using namespace ostest;

TEST(OSString, WithCStringCopiesTheText)
{
    char text[] = "hello";
    OSSharedPtr<OSString> s = adopt(OSString::withCString(text));
    ASSERT_TRUE(s);
    text[0] = 'j';
    EXPECT_STREQ(s->getCStringNoCopy(), "hello");
    EXPECT_NE(s->getCStringNoCopy(), text);
    EXPECT_EQ(s->getLength(), 5u);
    EXPECT_EQ(s->getRetainCount(), 1);
    EXPECT_EQ(s->getMetaClass(), OSString::metaClass);
}

TEST(OSString, EmptyStringAndBadInput)
{
    OSSharedPtr<OSString> empty = str("");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->getLength(), 0u);
    EXPECT_STREQ(empty->getCStringNoCopy(), "");
    EXPECT_EQ(OSString::withCString(nullptr), nullptr);
    EXPECT_EQ(OSString::withCStringNoCopy(nullptr), nullptr);
    EXPECT_EQ(OSString::withString(nullptr), nullptr);
    EXPECT_EQ(OSString::withStringOfLength(nullptr, 3), nullptr);
}

TEST(OSString, LongestAcceptedLengthIsXnus)
{
    std::string longest(262141, 'x');
    OSSharedPtr<OSString> ok = adopt(OSString::withCString(longest.c_str()));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->getLength(), 262141u);
    std::string tooLong(262142, 'x');
    EXPECT_EQ(OSString::withCString(tooLong.c_str()), nullptr);
    EXPECT_EQ(OSString::withCStringNoCopy(tooLong.c_str()), nullptr);
}

TEST(OSString, WithStringCopiesAnotherString)
{
    OSSharedPtr<OSString> a = str("abc");
    OSSharedPtr<OSString> b = adopt(OSString::withString(a.get()));
    ASSERT_TRUE(b);
    EXPECT_NE(a.get(), b.get());
    EXPECT_TRUE(b->isEqualTo(a.get()));
    EXPECT_EQ(a->getRetainCount(), 1);
}

TEST(OSString, WithStringOfLengthTakesAPrefixWithoutNul)
{
    OSSharedPtr<OSString> s = adopt(OSString::withStringOfLength("abcdef", 3));
    ASSERT_TRUE(s);
    EXPECT_STREQ(s->getCStringNoCopy(), "abc");
    EXPECT_EQ(s->getLength(), 3u);
    // A NUL inside the requested length is refused, as in xnu.
    EXPECT_EQ(OSString::withStringOfLength("ab", 3), nullptr);
    OSSharedPtr<OSString> none = adopt(OSString::withStringOfLength("abc", 0));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->getLength(), 0u);
}

TEST(OSString, NoCopyPointsAtTheCallersTextAndIsImmutable)
{
    static char text[] = "fixed";
    OSSharedPtr<OSString> s = adopt(OSString::withCStringNoCopy(text));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->getCStringNoCopy(), text);
    EXPECT_FALSE(s->setChar('F', 0));
    EXPECT_STREQ(text, "fixed");
}

TEST(OSString, GetCharAndSetChar)
{
    OSSharedPtr<OSString> s = str("abc");
    EXPECT_EQ(s->getChar(0), 'a');
    EXPECT_EQ(s->getChar(2), 'c');
    EXPECT_EQ(s->getChar(3), '\0');   // the terminator
    EXPECT_EQ(s->getChar(100), '\0');  // out of range
    EXPECT_TRUE(s->setChar('X', 1));
    EXPECT_STREQ(s->getCStringNoCopy(), "aXc");
    EXPECT_FALSE(s->setChar('Y', 3));  // cannot overwrite the terminator
    EXPECT_FALSE(s->setChar('Y', 1000));
    EXPECT_STREQ(s->getCStringNoCopy(), "aXc");
}

TEST(OSString, ReinitialisingReplacesTheText)
{
    OSSharedPtr<OSString> s = str("first");
    EXPECT_TRUE(s->initWithCString("second, longer"));
    EXPECT_STREQ(s->getCStringNoCopy(), "second, longer");
    static const char fixed[] = "nocopy";
    EXPECT_TRUE(s->initWithCStringNoCopy(fixed));
    EXPECT_EQ(s->getCStringNoCopy(), fixed);
    EXPECT_TRUE(s->initWithCString("copied again"));
    EXPECT_TRUE(s->setChar('C', 0));
    EXPECT_FALSE(s->initWithCString(nullptr));
}

TEST(OSString, Equality)
{
    OSSharedPtr<OSString> a = str("abc");
    OSSharedPtr<OSString> b = str("abc");
    OSSharedPtr<OSString> c = str("abd");
    OSSharedPtr<OSString> prefix = str("ab");
    EXPECT_TRUE(a->isEqualTo(b.get()));
    EXPECT_FALSE(a->isEqualTo(c.get()));
    EXPECT_FALSE(a->isEqualTo(prefix.get()));
    EXPECT_FALSE(prefix->isEqualTo(a.get()));
    EXPECT_TRUE(a->isEqualTo("abc"));
    EXPECT_FALSE(a->isEqualTo("ab"));
    EXPECT_FALSE(a->isEqualTo("abcd"));
    EXPECT_FALSE(a->isEqualTo(static_cast<const char*>(nullptr)));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSString*>(nullptr)));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSData*>(nullptr)));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSMetaClassBase*>(nullptr)));
    // Through the generic overload.
    const OSMetaClassBase* generic = b.get();
    EXPECT_TRUE(a->isEqualTo(generic));
    OSSharedPtr<OSNumber> n = num(1);
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSMetaClassBase*>(n.get())));
}

TEST(OSString, EqualityWithData)
{
    OSSharedPtr<OSString> s = str("abc");
    OSSharedPtr<OSData> exact = adopt(OSData::withBytes("abc", 3));
    OSSharedPtr<OSData> withNul = adopt(OSData::withBytes("abc", 4));
    OSSharedPtr<OSData> withOther = adopt(OSData::withBytes("abcd", 4));
    OSSharedPtr<OSData> shorter = adopt(OSData::withBytes("ab", 2));
    EXPECT_TRUE(s->isEqualTo(exact.get()));
    EXPECT_TRUE(s->isEqualTo(withNul.get()));
    EXPECT_FALSE(s->isEqualTo(withOther.get()));
    EXPECT_FALSE(s->isEqualTo(shorter.get()));
    EXPECT_TRUE(s->isEqualTo(static_cast<const OSMetaClassBase*>(withNul.get())));
    // Both directions agree.
    EXPECT_TRUE(exact->isEqualTo(s.get()));
    EXPECT_TRUE(withNul->isEqualTo(s.get()));
    EXPECT_FALSE(withOther->isEqualTo(s.get()));
    OSSharedPtr<OSString> empty = str("");
    OSSharedPtr<OSData> emptyData = adopt(OSData::withCapacity(0));
    EXPECT_TRUE(empty->isEqualTo(emptyData.get()));
}

TEST(OSString, SerializesWithEscapes)
{
    OSSharedPtr<OSString> plain = str("hello world");
    EXPECT_EQ(xml(plain.get()), "<string ID=\"0\">hello world</string>");
    OSSharedPtr<OSString> special = str("a<b>&c\"d'");
    EXPECT_EQ(xml(special.get()), "<string ID=\"0\">a&lt;b&gt;&amp;c\"d'</string>");
    OSSharedPtr<OSString> empty = str("");
    EXPECT_EQ(xml(empty.get()), "<string ID=\"0\"></string>");
    EXPECT_FALSE(plain->serialize(nullptr));
}

TEST(OSString, InstanceCountTracksLiveStrings)
{
    const unsigned int before = OSString::metaClass->getInstanceCount();
    {
        OSSharedPtr<OSString> a = str("one");
        OSSharedPtr<OSString> b = str("two");
        EXPECT_EQ(OSString::metaClass->getInstanceCount(), before + 2);
    }
    EXPECT_EQ(OSString::metaClass->getInstanceCount(), before);
}
