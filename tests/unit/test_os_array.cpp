// OSArray: retain accounting, insertion, capacity growth, equality, copies and XML.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

#include <climits>

using namespace ostest;

TEST(OSArray, SetObjectRetainsAndFreeReleases)
{
    OSSharedPtr<OSString> a = str("a");
    OSSharedPtr<OSString> b = str("b");
    OSArray* array = OSArray::withCapacity(2);
    ASSERT_NE(array, nullptr);
    EXPECT_TRUE(array->setObject(a.get()));
    EXPECT_EQ(a->getRetainCount(), 2);
    EXPECT_TRUE(array->setObject(a.get()));  // arrays allow duplicates
    EXPECT_EQ(a->getRetainCount(), 3);
    EXPECT_TRUE(array->setObject(b.get()));
    EXPECT_EQ(array->getCount(), 3u);
    array->release();
    EXPECT_EQ(a->getRetainCount(), 1);
    EXPECT_EQ(b->getRetainCount(), 1);
}

TEST(OSArray, InsertAtIndexShiftsUp)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b"), c = str("c"), d = str("d");
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(0));
    EXPECT_TRUE(array->setObject(0u, b.get()));
    EXPECT_TRUE(array->setObject(0u, a.get()));
    EXPECT_TRUE(array->setObject(2u, d.get()));  // index == count appends
    EXPECT_TRUE(array->setObject(2u, c.get()));
    EXPECT_FALSE(array->setObject(5u, c.get()));  // past the end
    ASSERT_EQ(array->getCount(), 4u);
    EXPECT_EQ(array->getObject(0), a.get());
    EXPECT_EQ(array->getObject(1), b.get());
    EXPECT_EQ(array->getObject(2), c.get());
    EXPECT_EQ(array->getObject(3), d.get());
    EXPECT_EQ(array->getObject(4), nullptr);
    EXPECT_EQ(array->getLastObject(), d.get());
    EXPECT_EQ(c->getRetainCount(), 2);
}

TEST(OSArray, ReplaceAndRemoveRelease)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b"), c = str("c");
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(4));
    array->setObject(a.get());
    array->setObject(b.get());
    array->replaceObject(0, c.get());
    EXPECT_EQ(a->getRetainCount(), 1);
    EXPECT_EQ(c->getRetainCount(), 2);
    EXPECT_EQ(array->getObject(0), c.get());
    array->replaceObject(0, c.get());  // replacing with itself keeps one reference
    EXPECT_EQ(c->getRetainCount(), 2);
    array->replaceObject(5, a.get());  // out of range: nothing happens
    array->replaceObject(0, nullptr);
    EXPECT_EQ(array->getObject(0), c.get());
    EXPECT_EQ(a->getRetainCount(), 1);
    array->removeObject(0);
    EXPECT_EQ(c->getRetainCount(), 1);
    EXPECT_EQ(array->getCount(), 1u);
    EXPECT_EQ(array->getObject(0), b.get());
    array->removeObject(7);  // out of range
    EXPECT_EQ(array->getCount(), 1u);
    array->flushCollection();
    EXPECT_EQ(array->getCount(), 0u);
    EXPECT_EQ(b->getRetainCount(), 1);
    EXPECT_EQ(array->getLastObject(), nullptr);
}

TEST(OSArray, CapacityGrowsByTheIncrement)
{
    OSSharedPtr<OSArray> zero = adopt(OSArray::withCapacity(0));
    ASSERT_TRUE(zero);
    EXPECT_EQ(zero->getCapacity(), 0u);
    EXPECT_EQ(zero->getCapacityIncrement(), 16u);
    OSSharedPtr<OSString> s = str("x");
    zero->setObject(s.get());
    EXPECT_EQ(zero->getCapacity(), 16u);

    OSSharedPtr<OSArray> four = adopt(OSArray::withCapacity(4));
    EXPECT_EQ(four->getCapacityIncrement(), 4u);
    for (int i = 0; i < 5; i++) {
        four->setObject(s.get());
    }
    EXPECT_EQ(four->getCapacity(), 8u);
    EXPECT_EQ(four->setCapacityIncrement(10), 10u);
    EXPECT_EQ(four->ensureCapacity(9), 10u);
    EXPECT_EQ(four->ensureCapacity(2), 10u);
    EXPECT_EQ(four->setCapacityIncrement(0), 16u);
    EXPECT_EQ(s->getRetainCount(), 7);
    EXPECT_EQ(OSArray::withCapacity(UINT_MAX), nullptr);  // refused, not gigabytes reserved
}

TEST(OSArray, WithObjectsAndWithArray)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b");
    const OSObject* objects[] = {a.get(), b.get(), a.get()};
    OSSharedPtr<OSArray> array = adopt(OSArray::withObjects(objects, 3));
    ASSERT_TRUE(array);
    EXPECT_EQ(array->getCount(), 3u);
    EXPECT_EQ(array->getCapacity(), 3u);
    EXPECT_EQ(a->getRetainCount(), 3);
    OSSharedPtr<OSArray> roomy = adopt(OSArray::withObjects(objects, 2, 10));
    EXPECT_EQ(roomy->getCapacity(), 10u);
    EXPECT_EQ(OSArray::withObjects(objects, 3, 2), nullptr);  // capacity below count
    EXPECT_EQ(OSArray::withObjects(nullptr, 1), nullptr);
    const OSObject* withNull[] = {a.get(), nullptr};
    EXPECT_EQ(OSArray::withObjects(withNull, 2), nullptr);
    EXPECT_EQ(a->getRetainCount(), 4);  // the failed attempts released what they took

    OSSharedPtr<OSArray> copy = adopt(OSArray::withArray(array.get()));
    ASSERT_TRUE(copy);
    EXPECT_TRUE(copy->isEqualTo(array.get()));
    EXPECT_EQ(copy->getObject(2), a.get());
    EXPECT_EQ(a->getRetainCount(), 6);
    EXPECT_EQ(OSArray::withArray(nullptr), nullptr);
    EXPECT_EQ(OSArray::withArray(array.get(), 1), nullptr);
}

TEST(OSArray, Merge)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b");
    OSSharedPtr<OSArray> first = adopt(OSArray::withCapacity(1));
    OSSharedPtr<OSArray> second = adopt(OSArray::withCapacity(1));
    first->setObject(a.get());
    second->setObject(b.get());
    EXPECT_TRUE(first->merge(second.get()));
    EXPECT_EQ(first->getCount(), 2u);
    EXPECT_EQ(first->getObject(1), b.get());
    EXPECT_EQ(b->getRetainCount(), 3);
    EXPECT_TRUE(first->merge(first.get()));  // with itself
    EXPECT_EQ(first->getCount(), 4u);
    EXPECT_EQ(first->getObject(2), a.get());
    EXPECT_EQ(first->getObject(3), b.get());
    OSSharedPtr<OSArray> empty = adopt(OSArray::withCapacity(0));
    EXPECT_TRUE(first->merge(empty.get()));
    EXPECT_FALSE(first->merge(nullptr));
}

TEST(OSArray, IdentityAndEquality)
{
    OSSharedPtr<OSString> a = str("a"), a2 = str("a"), b = str("b");
    OSSharedPtr<OSArray> one = adopt(OSArray::withCapacity(4));
    one->setObject(a.get());
    one->setObject(b.get());
    one->setObject(a.get());
    EXPECT_EQ(one->getNextIndexOfObject(a.get(), 0), 0u);
    EXPECT_EQ(one->getNextIndexOfObject(a.get(), 1), 2u);
    EXPECT_EQ(one->getNextIndexOfObject(a.get(), 3), (unsigned int)-1);
    EXPECT_EQ(one->getNextIndexOfObject(a2.get(), 0), (unsigned int)-1);  // identity, not equality
    EXPECT_EQ(one->getNextIndexOfObject(nullptr, 0), (unsigned int)-1);

    OSSharedPtr<OSArray> two = adopt(OSArray::withCapacity(4));
    two->setObject(a2.get());
    two->setObject(b.get());
    EXPECT_FALSE(one->isEqualTo(two.get()));
    two->setObject(a2.get());
    EXPECT_TRUE(one->isEqualTo(two.get()));
    EXPECT_TRUE(one->isEqualTo(static_cast<const OSMetaClassBase*>(two.get())));
    two->replaceObject(1, a.get());
    EXPECT_FALSE(one->isEqualTo(two.get()));
    EXPECT_FALSE(one->isEqualTo(static_cast<const OSArray*>(nullptr)));
    EXPECT_FALSE(one->isEqualTo(static_cast<const OSMetaClassBase*>(a.get())));
}

TEST(OSArray, NullObjectsAreRefused)
{
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(1));
    EXPECT_FALSE(array->setObject(static_cast<const OSMetaClassBase*>(nullptr)));
    EXPECT_FALSE(array->setObject(0u, static_cast<const OSMetaClassBase*>(nullptr)));
    EXPECT_FALSE(array->setObject(OSSharedPtr<const OSMetaClassBase>()));
    EXPECT_EQ(array->getCount(), 0u);
}

TEST(OSArray, SharedPtrOverloads)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b");
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(2));
    EXPECT_TRUE(array->setObject(OSSharedPtr<const OSMetaClassBase>(a)));
    EXPECT_TRUE(array->setObject(0u, OSSharedPtr<const OSMetaClassBase>(b)));
    array->replaceObject(1, OSSharedPtr<const OSMetaClassBase>(b));
    EXPECT_EQ(array->getObject(0), b.get());
    EXPECT_EQ(array->getObject(1), b.get());
    EXPECT_EQ(a->getRetainCount(), 1);
    EXPECT_EQ(b->getRetainCount(), 3);
}

TEST(OSArray, ImmutableRefusesChanges)
{
    OSSharedPtr<OSString> a = str("a");
    OSSharedPtr<OSArray> inner = adopt(OSArray::withCapacity(1));
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(2));
    array->setObject(a.get());
    array->setObject(inner.get());
    EXPECT_EQ(array->setOptions(OSCollection::kImmutable, OSCollection::kImmutable), 0u);
    EXPECT_EQ(array->setOptions(0, 0), (unsigned)OSCollection::kImmutable);
    EXPECT_EQ(inner->setOptions(0, 0), (unsigned)OSCollection::kImmutable);  // propagated
    EXPECT_FALSE(array->setObject(a.get()));
    EXPECT_FALSE(inner->setObject(a.get()));
    array->removeObject(0);
    array->replaceObject(0, inner.get());
    array->flushCollection();
    EXPECT_FALSE(array->merge(array.get()));
    EXPECT_EQ(array->getCount(), 2u);
    EXPECT_EQ(array->getObject(0), a.get());
    // A copy is mutable again.
    OSSharedPtr<OSCollection> copy = adopt(array->copyCollection());
    OSArray* copiedArray = OSDynamicCast(OSArray, copy.get());
    ASSERT_NE(copiedArray, nullptr);
    EXPECT_TRUE(copiedArray->setObject(a.get()));
    array.reset();  // freeing an immutable array still releases its contents
    EXPECT_EQ(a->getRetainCount(), 3);
}

TEST(OSArray, CopyCollectionIsDeepForCollections)
{
    OSSharedPtr<OSString> leaf = str("leaf");
    OSSharedPtr<OSArray> inner = adopt(OSArray::withCapacity(1));
    inner->setObject(leaf.get());
    OSSharedPtr<OSArray> outer = adopt(OSArray::withCapacity(3));
    outer->setObject(inner.get());
    outer->setObject(leaf.get());
    outer->setObject(inner.get());  // shared sub-collection
    OSSharedPtr<OSArray> copy = adopt(OSDynamicCast(OSArray, outer->copyCollection()));
    ASSERT_TRUE(copy);
    EXPECT_TRUE(copy->isEqualTo(outer.get()));
    EXPECT_NE(copy->getObject(0), inner.get());           // collections are copied
    EXPECT_EQ(copy->getObject(1), leaf.get());            // leaves are shared
    EXPECT_EQ(copy->getObject(0), copy->getObject(2));    // sharing is preserved
    EXPECT_EQ(copy->getObject(0)->getRetainCount(), 2);
}

TEST(OSArray, CopyCollectionPreservesCycles)
{
    OSArray* cyclic = OSArray::withCapacity(1);
    cyclic->setObject(cyclic);
    OSArray* copy = OSDynamicCast(OSArray, cyclic->copyCollection());
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->getObject(0), copy);
    // Break the cycles so both go.
    copy->removeObject(0);
    cyclic->removeObject(0);
    EXPECT_EQ(copy->getRetainCount(), 1);
    copy->release();
    cyclic->release();
}

TEST(OSArray, Serializes)
{
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(2));
    EXPECT_EQ(xml(array), "<array ID=\"0\"></array>");
    OSSharedPtr<OSString> s = str("x");
    array->setObject(num(5));
    array->setObject(s.get());
    array->setObject(s.get());
    EXPECT_EQ(xml(array), "<array ID=\"0\"><integer size=\"32\" ID=\"1\">0x5</integer><string ID=\"2\">x</string>"
                          "<reference IDREF=\"2\"/></array>");
}

TEST(OSArray, IterateObjects)
{
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(3));
    for (int i = 0; i < 3; i++) {
        array->setObject(num(i));
    }
    unsigned long long sum = 0;
    EXPECT_TRUE(array->iterateObjects([&](OSObject* object) {
        sum += OSDynamicCast(OSNumber, object)->unsigned64BitValue();
        return false;
    }));
    EXPECT_EQ(sum, 3ull);
    int visited = 0;
    EXPECT_TRUE(array->iterateObjects([&](OSObject*) { return ++visited == 2; }));  // stops early
    EXPECT_EQ(visited, 2);
    // Mutating during the walk stops it and reports false.
    EXPECT_FALSE(array->iterateObjects([&](OSObject*) {
        array->removeObject(0);
        return false;
    }));
    EXPECT_EQ(array->getCount(), 2u);
    EXPECT_FALSE(array->iterateObjects(nullptr, nullptr));
}
