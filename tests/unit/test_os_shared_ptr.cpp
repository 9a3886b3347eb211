// OSSharedPtr: retain/release accounting of every constructor, assignment and cast.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

#include <utility>

using namespace ostest;

TEST(OSSharedPtr, RetainAndNoRetainConstructors)
{
    OSString* raw = OSString::withCString("raw");
    {
        OSSharedPtr<OSString> adopted(raw, OSNoRetain);
        EXPECT_EQ(raw->getRetainCount(), 1);
        {
            OSSharedPtr<OSString> retained(raw, OSRetain);
            EXPECT_EQ(raw->getRetainCount(), 2);
            EXPECT_EQ(retained.get(), raw);
        }
        EXPECT_EQ(raw->getRetainCount(), 1);
        raw->retain();  // keep it past `adopted`
    }
    EXPECT_EQ(raw->getRetainCount(), 1);
    raw->release();
}

TEST(OSSharedPtr, CopyMoveAndConversion)
{
    OSSharedPtr<OSString> a = str("a");
    OSSharedPtr<OSString> copy = a;
    EXPECT_EQ(a->getRetainCount(), 2);
    OSSharedPtr<OSString> moved = std::move(copy);
    EXPECT_FALSE(copy);
    EXPECT_EQ(a->getRetainCount(), 2);
    OSSharedPtr<OSObject> base = a;  // derived to base
    EXPECT_EQ(a->getRetainCount(), 3);
    OSSharedPtr<const OSMetaClassBase> root = std::move(base);
    EXPECT_FALSE(base);
    EXPECT_EQ(a->getRetainCount(), 3);
    EXPECT_EQ(root.get(), a.get());
    root = nullptr;
    EXPECT_EQ(a->getRetainCount(), 2);
}

TEST(OSSharedPtr, AssignmentsReleaseTheOldObject)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b");
    OSSharedPtr<OSString> p = a;
    EXPECT_EQ(a->getRetainCount(), 2);
    p = b;
    EXPECT_EQ(a->getRetainCount(), 1);
    EXPECT_EQ(b->getRetainCount(), 2);
    p = p;  // self-assignment keeps the reference
    EXPECT_EQ(b->getRetainCount(), 2);
    p = std::move(p);
    EXPECT_EQ(p.get(), b.get());
    EXPECT_EQ(b->getRetainCount(), 2);
    OSSharedPtr<OSObject> base;
    base = a;
    EXPECT_EQ(a->getRetainCount(), 2);
    base = OSSharedPtr<OSString>(b);
    EXPECT_EQ(a->getRetainCount(), 1);
    EXPECT_EQ(b->getRetainCount(), 3);
}

TEST(OSSharedPtr, ResetAndDetach)
{
    OSSharedPtr<OSString> a = str("a");
    OSSharedPtr<OSString> p(a.get(), OSRetain);
    EXPECT_EQ(a->getRetainCount(), 2);
    p.reset(a.get(), OSRetain);  // same object: retain before release
    EXPECT_EQ(a->getRetainCount(), 2);
    OSString* detached = p.detach();
    EXPECT_FALSE(p);
    EXPECT_EQ(detached, a.get());
    EXPECT_EQ(a->getRetainCount(), 2);
    p.reset(detached, OSNoRetain);
    EXPECT_EQ(a->getRetainCount(), 2);
    p.reset();
    EXPECT_EQ(a->getRetainCount(), 1);
    EXPECT_EQ(p.get(), nullptr);
}

TEST(OSSharedPtr, AccessAndComparisons)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b");
    OSSharedPtr<OSString> a2 = a;
    OSSharedPtr<OSString> none;
    EXPECT_EQ((*a).getLength(), 1u);
    EXPECT_STREQ(a->getCStringNoCopy(), "a");
    EXPECT_TRUE(a);
    EXPECT_FALSE(none);
    EXPECT_TRUE(a == a2);
    EXPECT_FALSE(a != a2);
    EXPECT_TRUE(a != b);
    EXPECT_TRUE(a == a.get());
    EXPECT_TRUE(a.get() == a);
    EXPECT_TRUE(a != b.get());
    EXPECT_TRUE(none == nullptr);
    EXPECT_TRUE(nullptr == none);
    EXPECT_TRUE(a != nullptr);
    OSSharedPtr<OSObject> base = a;
    EXPECT_TRUE(base == a);  // across types
    swap(a, b);
    EXPECT_STREQ(a->getCStringNoCopy(), "b");
    EXPECT_STREQ(b->getCStringNoCopy(), "a");
}

TEST(OSSharedPtr, Casts)
{
    OSSharedPtr<OSObject> object = str("x");
    EXPECT_EQ(object->getRetainCount(), 1);
    OSSharedPtr<OSString> asString = OSDynamicPtrCast<OSString>(object);
    ASSERT_TRUE(asString);
    EXPECT_EQ(object->getRetainCount(), 2);
    OSSharedPtr<OSNumber> asNumber = OSDynamicPtrCast<OSNumber>(object);
    EXPECT_FALSE(asNumber);
    EXPECT_EQ(object->getRetainCount(), 2);

    OSSharedPtr<OSObject> moveFrom = asString;
    OSSharedPtr<OSNumber> failed = OSDynamicPtrCast<OSNumber>(std::move(moveFrom));
    EXPECT_FALSE(failed);
    EXPECT_TRUE(moveFrom);  // untouched on failure
    OSSharedPtr<OSString> moved = OSDynamicPtrCast<OSString>(std::move(moveFrom));
    EXPECT_TRUE(moved);
    EXPECT_FALSE(moveFrom);
    EXPECT_EQ(object->getRetainCount(), 3);

    OSSharedPtr<OSString> statically = OSStaticPtrCast<OSString>(object);
    EXPECT_EQ(object->getRetainCount(), 4);
    OSSharedPtr<const OSString> constant = OSStaticPtrCast<const OSString>(std::move(statically));
    EXPECT_EQ(object->getRetainCount(), 4);
    OSSharedPtr<OSString> mutableAgain = OSConstPtrCast<OSString>(constant);
    EXPECT_EQ(object->getRetainCount(), 5);
    OSSharedPtr<OSString> mutableMoved = OSConstPtrCast<OSString>(std::move(constant));
    EXPECT_EQ(object->getRetainCount(), 5);
    EXPECT_FALSE(constant);
}

TEST(OSSharedPtr, MakeSharedAllocatesAnUninitialisedInstance)
{
    OSSharedPtr<OSArray> array = OSMakeShared<OSArray>();
    ASSERT_TRUE(array);
    EXPECT_EQ(array->getRetainCount(), 1);
    EXPECT_TRUE(array->initWithCapacity(2));
    EXPECT_TRUE(array->setObject(kOSBooleanTrue));
    OSSharedPtr<OSSymbol> none = OSMakeShared<OSSymbol>();  // abstract for OSTypeAlloc
    EXPECT_FALSE(none);
}

TEST(OSSharedPtr, FreesExactlyOnceWhenTheLastOwnerGoes)
{
    const unsigned int before = OSString::metaClass->getInstanceCount();
    {
        OSSharedPtr<OSString> a = str("temporary");
        OSSharedPtr<OSString> b = a;
        OSSharedPtr<OSObject> c = b;
        EXPECT_EQ(OSString::metaClass->getInstanceCount(), before + 1);
    }
    EXPECT_EQ(OSString::metaClass->getInstanceCount(), before);
}
