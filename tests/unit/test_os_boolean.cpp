// OSBoolean: the two immortal instances.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

using namespace ostest;

TEST(OSBoolean, TwoSharedInstances)
{
    ASSERT_NE(kOSBooleanTrue, nullptr);
    ASSERT_NE(kOSBooleanFalse, nullptr);
    EXPECT_NE(kOSBooleanTrue, kOSBooleanFalse);
    EXPECT_EQ(OSBoolean::withBoolean(true), kOSBooleanTrue);
    EXPECT_EQ(OSBoolean::withBoolean(false), kOSBooleanFalse);
    EXPECT_EQ(kOSBooleanTrue->getMetaClass(), OSBoolean::metaClass);
    EXPECT_EQ(OSBoolean::metaClass->getInstanceCount(), 0u);  // immortal, uncounted (see OSBoolean.cpp)
}

TEST(OSBoolean, Values)
{
    EXPECT_TRUE(kOSBooleanTrue->isTrue());
    EXPECT_FALSE(kOSBooleanTrue->isFalse());
    EXPECT_TRUE(kOSBooleanTrue->getValue());
    EXPECT_FALSE(kOSBooleanFalse->isTrue());
    EXPECT_TRUE(kOSBooleanFalse->isFalse());
    EXPECT_FALSE(kOSBooleanFalse->getValue());
    EXPECT_TRUE(static_cast<bool>(*kOSBooleanTrue));
    EXPECT_FALSE(static_cast<bool>(*kOSBooleanFalse));
}

TEST(OSBoolean, RetainAndReleaseNeverFree)
{
    const int before = kOSBooleanTrue->getRetainCount();
    for (int i = 0; i < 10; i++) {
        kOSBooleanTrue->release();  // over-release: harmless
    }
    kOSBooleanTrue->retain();
    OSBoolean::withBoolean(true)->release();
    EXPECT_EQ(kOSBooleanTrue->getRetainCount(), before);
    EXPECT_TRUE(kOSBooleanTrue->isTrue());
    {
        OSSharedPtr<OSBoolean> shared(kOSBooleanFalse, OSRetain);
        EXPECT_TRUE(shared->isFalse());
    }
    EXPECT_TRUE(kOSBooleanFalse->isFalse());
    EXPECT_EQ(OSBoolean::metaClass->getInstanceCount(), 0u);  // immortal, uncounted (see OSBoolean.cpp)
}

TEST(OSBoolean, Equality)
{
    EXPECT_TRUE(kOSBooleanTrue->isEqualTo(kOSBooleanTrue));
    EXPECT_FALSE(kOSBooleanTrue->isEqualTo(kOSBooleanFalse));
    EXPECT_FALSE(kOSBooleanTrue->isEqualTo(static_cast<const OSBoolean*>(nullptr)));
    const OSMetaClassBase* generic = kOSBooleanFalse;
    EXPECT_TRUE(kOSBooleanFalse->isEqualTo(generic));
    OSSharedPtr<OSNumber> one = num(1);
    EXPECT_FALSE(kOSBooleanTrue->isEqualTo(static_cast<const OSMetaClassBase*>(one.get())));
}

TEST(OSBoolean, SerializesWithoutAnId)
{
    EXPECT_EQ(xml(kOSBooleanTrue), "<true/>");
    EXPECT_EQ(xml(kOSBooleanFalse), "<false/>");
    OSSharedPtr<OSArray> both = adopt(OSArray::withCapacity(3));
    both->setObject(kOSBooleanTrue);
    both->setObject(kOSBooleanFalse);
    both->setObject(kOSBooleanTrue);
    EXPECT_EQ(xml(both.get()), "<array ID=\"0\"><true/><false/><true/></array>");
}
