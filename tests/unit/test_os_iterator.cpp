// OSCollectionIterator over every collection: order, exhaustion, invalidation on mutation,
// reset, and the reference it holds on the collection.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ostest;

namespace {
std::vector<OSObject*> drain(OSIterator* it)
{
    std::vector<OSObject*> out;
    while (OSObject* object = it->getNextObject()) {
        out.push_back(object);
    }
    return out;
}
}  // namespace

TEST(OSCollectionIterator, WalksAnArrayInOrderThenStops)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b");
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(2));
    array->setObject(a.get());
    array->setObject(b.get());
    OSSharedPtr<OSCollectionIterator> it = adopt(OSCollectionIterator::withCollection(array.get()));
    ASSERT_TRUE(it);
    EXPECT_TRUE(it->isValid());
    EXPECT_EQ(drain(it.get()), (std::vector<OSObject*>{a.get(), b.get()}));
    EXPECT_EQ(it->getNextObject(), nullptr);  // stays exhausted
    EXPECT_TRUE(it->isValid());
    it->reset();
    EXPECT_EQ(it->getNextObject(), a.get());
}

TEST(OSCollectionIterator, MutationInvalidatesUntilReset)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b"), c = str("c");
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(3));
    array->setObject(a.get());
    array->setObject(b.get());
    OSSharedPtr<OSCollectionIterator> it = adopt(OSCollectionIterator::withCollection(array.get()));
    EXPECT_EQ(it->getNextObject(), a.get());
    array->setObject(c.get());
    EXPECT_FALSE(it->isValid());
    EXPECT_EQ(it->getNextObject(), nullptr);
    EXPECT_EQ(it->getNextObject(), nullptr);
    it->reset();
    EXPECT_TRUE(it->isValid());
    EXPECT_EQ(drain(it.get()), (std::vector<OSObject*>{a.get(), b.get(), c.get()}));
    // Failed mutations do not invalidate.
    array->removeObject(10);
    array->replaceObject(10, a.get());
    EXPECT_FALSE(array->setObject(10u, a.get()));
    EXPECT_TRUE(it->isValid());
    // Replacing, removing and flushing do.
    array->replaceObject(0, c.get());
    EXPECT_FALSE(it->isValid());
    it->reset();
    array->removeObject(0);
    EXPECT_FALSE(it->isValid());
    it->reset();
    array->flushCollection();
    EXPECT_FALSE(it->isValid());
    it->reset();
    EXPECT_EQ(it->getNextObject(), nullptr);
}

TEST(OSCollectionIterator, DictionaryYieldsKeysAndNoticesChanges)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(2));
    dict->setObject("first", num(1));
    dict->setObject("second", num(2));
    OSSharedPtr<OSCollectionIterator> it = adopt(OSCollectionIterator::withCollection(dict.get()));
    std::vector<std::string> keys;
    while (OSObject* key = it->getNextObject()) {
        const OSSymbol* symbol = OSDynamicCast(OSSymbol, key);
        ASSERT_NE(symbol, nullptr);
        keys.push_back(symbol->getCStringNoCopy());
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"first", "second"}));
    it->reset();
    dict->setObject("first", num(3));  // replacing a value is a change too
    EXPECT_FALSE(it->isValid());
    it->reset();
    dict->removeObject("second");
    EXPECT_EQ(it->getNextObject(), nullptr);
}

TEST(OSCollectionIterator, SetsAndOrderedSets)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b");
    OSSharedPtr<OSSet> set = adopt(OSSet::withCapacity(2));
    set->setObject(a.get());
    set->setObject(b.get());
    OSSharedPtr<OSCollectionIterator> setIt = adopt(OSCollectionIterator::withCollection(set.get()));
    std::vector<OSObject*> members = drain(setIt.get());
    EXPECT_EQ(members.size(), 2u);
    set->removeObject(a.get());
    EXPECT_FALSE(setIt->isValid());

    OSSharedPtr<OSOrderedSet> ordered = adopt(OSOrderedSet::withCapacity(2));
    ordered->setObject(b.get());
    ordered->setFirstObject(a.get());
    OSSharedPtr<OSCollectionIterator> orderedIt = adopt(OSCollectionIterator::withCollection(ordered.get()));
    EXPECT_EQ(drain(orderedIt.get()), (std::vector<OSObject*>{a.get(), b.get()}));
    ordered->removeObject(b.get());
    EXPECT_FALSE(orderedIt->isValid());
    orderedIt->reset();
    EXPECT_EQ(drain(orderedIt.get()), (std::vector<OSObject*>{a.get()}));
}

TEST(OSCollectionIterator, HoldsTheCollectionAlive)
{
    OSArray* array = OSArray::withCapacity(1);
    OSSharedPtr<OSString> a = str("a");
    array->setObject(a.get());
    OSCollectionIterator* it = OSCollectionIterator::withCollection(array);
    ASSERT_NE(it, nullptr);
    EXPECT_EQ(array->getRetainCount(), 2);
    array->release();  // the iterator's reference keeps it
    EXPECT_EQ(it->getNextObject(), a.get());
    EXPECT_EQ(a->getRetainCount(), 2);
    it->release();  // drops the array, which drops a
    EXPECT_EQ(a->getRetainCount(), 1);
}

TEST(OSCollectionIterator, BadInputAndMetaclass)
{
    EXPECT_EQ(OSCollectionIterator::withCollection(nullptr), nullptr);
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(0));
    OSSharedPtr<OSCollectionIterator> it = adopt(OSCollectionIterator::withCollection(array.get()));
    EXPECT_EQ(it->getNextObject(), nullptr);
    EXPECT_NE(OSDynamicCast(OSIterator, it.get()), nullptr);
    EXPECT_EQ(OSTypeAlloc(OSIterator), nullptr);    // abstract
    EXPECT_EQ(OSTypeAlloc(OSCollection), nullptr);  // abstract
}

TEST(OSCollectionIterator, NestedWalkOfARegistryLikeTree)
{
    // A dictionary of arrays of dictionaries, walked the way property-table code does it.
    OSSharedPtr<OSDictionary> root = adopt(OSDictionary::withCapacity(2));
    for (const char* group : {"g1", "g2"}) {
        OSSharedPtr<OSArray> items = adopt(OSArray::withCapacity(2));
        for (int i = 0; i < 2; i++) {
            OSSharedPtr<OSDictionary> item = adopt(OSDictionary::withCapacity(1));
            item->setObject("id", num(i));
            items->setObject(item.get());
        }
        root->setObject(group, items.get());
    }
    int leaves = 0;
    OSSharedPtr<OSCollectionIterator> outer = adopt(OSCollectionIterator::withCollection(root.get()));
    while (const OSSymbol* key = OSDynamicCast(OSSymbol, outer->getNextObject())) {
        OSArray* items = OSDynamicCast(OSArray, root->getObject(key));
        ASSERT_NE(items, nullptr);
        OSSharedPtr<OSCollectionIterator> inner = adopt(OSCollectionIterator::withCollection(items));
        while (OSDictionary* item = OSDynamicCast(OSDictionary, inner->getNextObject())) {
            EXPECT_NE(item->getObject("id"), nullptr);
            leaves++;
        }
    }
    EXPECT_EQ(leaves, 4);
}
