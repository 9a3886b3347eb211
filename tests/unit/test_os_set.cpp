// OSSet: pointer-identity membership, retain accounting, merge, equality, copies and XML.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

using namespace ostest;

TEST(OSSet, MembershipIsByPointer)
{
    OSSharedPtr<OSString> a = str("same"), twin = str("same");
    OSSharedPtr<OSSet> set = adopt(OSSet::withCapacity(2));
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->setObject(a.get()));
    EXPECT_FALSE(set->setObject(a.get()));  // already present
    EXPECT_TRUE(set->setObject(twin.get()));  // equal but distinct: a separate member
    EXPECT_EQ(set->getCount(), 2u);
    EXPECT_TRUE(set->containsObject(a.get()));
    EXPECT_TRUE(set->member(twin.get()));
    EXPECT_FALSE(set->containsObject(nullptr));
    OSSharedPtr<OSString> other = str("other");
    EXPECT_FALSE(set->containsObject(other.get()));
    EXPECT_EQ(a->getRetainCount(), 2);
}

TEST(OSSet, RemoveAndFreeRelease)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b");
    OSSet* set = OSSet::withCapacity(0);
    set->setObject(a.get());
    set->setObject(b.get());
    set->removeObject(a.get());
    EXPECT_EQ(a->getRetainCount(), 1);
    EXPECT_FALSE(set->containsObject(a.get()));
    set->removeObject(a.get());  // not a member: nothing happens
    set->removeObject(static_cast<const OSMetaClassBase*>(nullptr));
    EXPECT_EQ(set->getCount(), 1u);
    EXPECT_EQ(set->getAnyObject(), b.get());
    set->release();
    EXPECT_EQ(b->getRetainCount(), 1);
}

TEST(OSSet, FactoriesDropDuplicates)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b");
    const OSObject* objects[] = {a.get(), b.get(), a.get()};
    OSSharedPtr<OSSet> set = adopt(OSSet::withObjects(objects, 3));
    ASSERT_TRUE(set);
    EXPECT_EQ(set->getCount(), 2u);
    EXPECT_EQ(a->getRetainCount(), 2);
    EXPECT_EQ(OSSet::withObjects(objects, 3, 2), nullptr);
    EXPECT_EQ(OSSet::withObjects(nullptr, 1), nullptr);
    const OSObject* withNull[] = {a.get(), nullptr};
    EXPECT_EQ(OSSet::withObjects(withNull, 2), nullptr);

    OSSharedPtr<OSArray> array = adopt(OSArray::withObjects(objects, 3));
    OSSharedPtr<OSSet> fromArray = adopt(OSSet::withArray(array.get()));
    ASSERT_TRUE(fromArray);
    EXPECT_EQ(fromArray->getCount(), 2u);
    OSSharedPtr<OSSet> fromSet = adopt(OSSet::withSet(set.get(), 10));
    ASSERT_TRUE(fromSet);
    EXPECT_EQ(fromSet->getCapacity(), 10u);
    EXPECT_TRUE(fromSet->isEqualTo(set.get()));
    EXPECT_EQ(OSSet::withArray(nullptr), nullptr);
    EXPECT_EQ(OSSet::withSet(nullptr), nullptr);
}

TEST(OSSet, Merge)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b"), c = str("c");
    OSSharedPtr<OSSet> set = adopt(OSSet::withCapacity(4));
    set->setObject(a.get());
    const OSObject* objects[] = {a.get(), b.get(), b.get()};
    OSSharedPtr<OSArray> array = adopt(OSArray::withObjects(objects, 3));
    EXPECT_TRUE(set->merge(array.get()));
    EXPECT_EQ(set->getCount(), 2u);
    OSSharedPtr<OSSet> other = adopt(OSSet::withCapacity(1));
    other->setObject(c.get());
    other->setObject(a.get());
    EXPECT_TRUE(set->merge(other.get()));
    EXPECT_EQ(set->getCount(), 3u);
    EXPECT_TRUE(set->merge(set.get()));
    EXPECT_EQ(set->getCount(), 3u);
    EXPECT_FALSE(set->merge(static_cast<const OSArray*>(nullptr)));
    EXPECT_FALSE(set->merge(static_cast<const OSSet*>(nullptr)));
    EXPECT_EQ(c->getRetainCount(), 3);
}

TEST(OSSet, Equality)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b"), b2 = str("b");
    OSSharedPtr<OSSet> one = adopt(OSSet::withCapacity(2));
    OSSharedPtr<OSSet> two = adopt(OSSet::withCapacity(2));
    one->setObject(a.get());
    one->setObject(b.get());
    two->setObject(b.get());
    two->setObject(a.get());
    EXPECT_TRUE(one->isEqualTo(two.get()));  // order does not matter
    EXPECT_TRUE(one->isEqualTo(static_cast<const OSMetaClassBase*>(two.get())));
    two->removeObject(b.get());
    EXPECT_FALSE(one->isEqualTo(two.get()));
    two->setObject(b2.get());
    EXPECT_TRUE(one->isEqualTo(two.get()));  // equal members count as the same member
    EXPECT_FALSE(one->isEqualTo(static_cast<const OSSet*>(nullptr)));
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(0));
    EXPECT_FALSE(one->isEqualTo(static_cast<const OSMetaClassBase*>(array.get())));
}

TEST(OSSet, CapacityFlushAndImmutability)
{
    OSSharedPtr<OSString> a = str("a");
    OSSharedPtr<OSSet> set = adopt(OSSet::withCapacity(0));
    EXPECT_EQ(set->getCapacity(), 0u);
    EXPECT_EQ(set->getCapacityIncrement(), 16u);
    set->setObject(a.get());
    EXPECT_EQ(set->getCapacity(), 16u);
    EXPECT_EQ(set->setCapacityIncrement(4), 4u);
    EXPECT_EQ(set->ensureCapacity(17), 20u);
    set->setOptions(OSCollection::kImmutable, OSCollection::kImmutable);
    OSSharedPtr<OSString> b = str("b");
    EXPECT_FALSE(set->setObject(b.get()));
    set->removeObject(a.get());
    set->flushCollection();
    EXPECT_EQ(set->getCount(), 1u);
    set->setOptions(0, OSCollection::kImmutable);
    set->flushCollection();
    EXPECT_EQ(set->getCount(), 0u);
    EXPECT_EQ(a->getRetainCount(), 1);
    EXPECT_EQ(set->getAnyObject(), nullptr);
}

TEST(OSSet, CopyCollection)
{
    OSSharedPtr<OSArray> inner = adopt(OSArray::withCapacity(1));
    OSSharedPtr<OSString> leaf = str("leaf");
    OSSharedPtr<OSSet> set = adopt(OSSet::withCapacity(2));
    set->setObject(inner.get());
    set->setObject(leaf.get());
    OSSharedPtr<OSSet> copy = adopt(OSDynamicCast(OSSet, set->copyCollection()));
    ASSERT_TRUE(copy);
    EXPECT_EQ(copy->getCount(), 2u);
    EXPECT_TRUE(copy->containsObject(leaf.get()));
    EXPECT_FALSE(copy->containsObject(inner.get()));
    EXPECT_TRUE(copy->isEqualTo(set.get()));
}

TEST(OSSet, Serializes)
{
    OSSharedPtr<OSSet> set = adopt(OSSet::withCapacity(2));
    set->setObject(num(1, 8));
    set->setObject(kOSBooleanFalse);
    EXPECT_EQ(xml(set), "<set ID=\"0\"><integer size=\"8\" ID=\"1\">0x1</integer><false/></set>");
}
