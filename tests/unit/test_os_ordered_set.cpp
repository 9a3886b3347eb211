// OSOrderedSet: order functions (probe-score order, stable ties), explicit placement,
// identity membership, retain accounting, copies and XML.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ostest;

namespace {

// IOService's ordering: higher IOProbeScore first (xnu's IOServiceOrdering returns
// score(obj1) - score(obj2)).
SInt32 byProbeScore(const OSMetaClassBase* obj1, const OSMetaClassBase* obj2, void* context)
{
    auto score = [context](const OSMetaClassBase* object) -> SInt32 {
        const OSDictionary* dict = OSDynamicCast(OSDictionary, object);
        const OSNumber* number = dict ? OSDynamicCast(OSNumber, dict->getObject(static_cast<const char*>(context)))
                                      : nullptr;
        return number ? static_cast<SInt32>(number->unsigned32BitValue()) : 0;
    };
    return (obj1 ? score(obj1) : 0) - (obj2 ? score(obj2) : 0);
}

OSSharedPtr<OSDictionary> personality(const char* name, unsigned int score)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(2));
    dict->setObject("IOProbeScore", num(score));
    dict->setObject("Name", str(name));
    return dict;
}

std::string names(const OSOrderedSet* set)
{
    std::string out;
    for (unsigned int i = 0; i < set->getCount(); i++) {
        const OSDictionary* dict = OSDynamicCast(OSDictionary, set->getObject(i));
        out += OSDynamicCast(OSString, dict->getObject("Name"))->getCStringNoCopy();
        out += ' ';
    }
    return out;
}

}  // namespace

TEST(OSOrderedSet, HigherScoreFirstAndTiesKeepInsertionOrder)
{
    static char key[] = "IOProbeScore";
    OSSharedPtr<OSOrderedSet> set = adopt(OSOrderedSet::withCapacity(4, byProbeScore, key));
    ASSERT_TRUE(set);
    EXPECT_EQ(set->getOrderingRef(), key);
    struct {
        const char* name;
        unsigned int score;
    } inserted[] = {{"A", 1000}, {"B", 2000}, {"C", 1000}, {"D", 5000}, {"E", 2000}, {"F", 0}, {"G", 1000}};
    std::vector<OSSharedPtr<OSDictionary>> held;
    for (auto& p : inserted) {
        held.push_back(personality(p.name, p.score));
        EXPECT_TRUE(set->setObject(held.back().get()));
    }
    EXPECT_EQ(names(set.get()), "D B E A C G F ");
    EXPECT_EQ(set->getFirstObject(), held[3].get());
    EXPECT_EQ(set->getLastObject(), held[5].get());
    EXPECT_EQ(set->orderObject(held[3].get()), 5000);
}

TEST(OSOrderedSet, WithoutAFunctionSetObjectAppends)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b"), c = str("c");
    OSSharedPtr<OSOrderedSet> set = adopt(OSOrderedSet::withCapacity(0));
    set->setObject(b.get());
    set->setObject(c.get());
    set->setFirstObject(a.get());
    EXPECT_EQ(set->getObject(0), a.get());
    EXPECT_EQ(set->getObject(1), b.get());
    EXPECT_EQ(set->getObject(2), c.get());
    EXPECT_EQ(set->getObject(3), nullptr);
    EXPECT_EQ(set->orderObject(a.get()), 0);
    EXPECT_EQ(set->getOrderingRef(), nullptr);
}

TEST(OSOrderedSet, ExplicitPlacementIgnoresTheOrderFunction)
{
    static char key[] = "IOProbeScore";
    OSSharedPtr<OSOrderedSet> set = adopt(OSOrderedSet::withCapacity(4, byProbeScore, key));
    OSSharedPtr<OSDictionary> low = personality("low", 1), high = personality("high", 9), mid = personality("mid", 5);
    EXPECT_TRUE(set->setObject(high.get()));
    EXPECT_TRUE(set->setFirstObject(low.get()));
    EXPECT_TRUE(set->setLastObject(mid.get()));
    EXPECT_EQ(names(set.get()), "low high mid ");
    OSSharedPtr<OSDictionary> other = personality("other", 3);
    EXPECT_TRUE(set->setObject(1u, other.get()));
    EXPECT_EQ(names(set.get()), "low other high mid ");
    OSSharedPtr<OSDictionary> extra = personality("extra", 1);
    EXPECT_FALSE(set->setObject(9u, extra.get()));  // past the end
}

TEST(OSOrderedSet, MembersAreDistinctByPointer)
{
    OSSharedPtr<OSString> a = str("a"), twin = str("a");
    OSSharedPtr<OSOrderedSet> set = adopt(OSOrderedSet::withCapacity(2));
    EXPECT_TRUE(set->setObject(a.get()));
    EXPECT_FALSE(set->setObject(a.get()));
    EXPECT_FALSE(set->setFirstObject(a.get()));
    EXPECT_FALSE(set->setLastObject(a.get()));
    EXPECT_FALSE(set->setObject(0u, a.get()));
    EXPECT_TRUE(set->setObject(twin.get()));
    EXPECT_TRUE(set->containsObject(a.get()));
    EXPECT_TRUE(set->member(twin.get()));
    EXPECT_FALSE(set->containsObject(nullptr));
    EXPECT_FALSE(set->setObject(static_cast<const OSMetaClassBase*>(nullptr)));
    EXPECT_EQ(set->getCount(), 2u);
    EXPECT_EQ(a->getRetainCount(), 2);
}

TEST(OSOrderedSet, RemoveFlushAndFreeRelease)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b"), c = str("c");
    OSOrderedSet* set = OSOrderedSet::withCapacity(1);
    set->setObject(a.get());
    set->setObject(b.get());
    set->setObject(c.get());
    EXPECT_EQ(set->getCapacity(), 3u);  // increment 1
    set->removeObject(b.get());
    EXPECT_EQ(b->getRetainCount(), 1);
    EXPECT_EQ(set->getObject(1), c.get());
    set->removeObject(b.get());
    set->removeObject(static_cast<const OSMetaClassBase*>(nullptr));
    EXPECT_EQ(set->getCount(), 2u);
    set->flushCollection();
    EXPECT_EQ(set->getCount(), 0u);
    EXPECT_EQ(a->getRetainCount(), 1);
    EXPECT_EQ(set->getFirstObject(), nullptr);
    EXPECT_EQ(set->getLastObject(), nullptr);
    set->setObject(a.get());
    set->release();
    EXPECT_EQ(a->getRetainCount(), 1);
}

TEST(OSOrderedSet, CapacityAndImmutability)
{
    OSSharedPtr<OSOrderedSet> set = adopt(OSOrderedSet::withCapacity(0));
    EXPECT_EQ(set->getCapacityIncrement(), 16u);
    EXPECT_EQ(set->setCapacityIncrement(3), 3u);
    EXPECT_EQ(set->ensureCapacity(4), 6u);
    OSSharedPtr<OSString> a = str("a");
    set->setObject(a.get());
    set->setOptions(OSCollection::kImmutable, OSCollection::kImmutable);
    OSSharedPtr<OSString> b = str("b");
    EXPECT_FALSE(set->setObject(b.get()));
    set->removeObject(a.get());
    set->flushCollection();
    EXPECT_EQ(set->getCount(), 1u);
}

TEST(OSOrderedSet, EqualityIsOrdered)
{
    OSSharedPtr<OSString> a = str("a"), b = str("b"), a2 = str("a");
    OSSharedPtr<OSOrderedSet> one = adopt(OSOrderedSet::withCapacity(2));
    OSSharedPtr<OSOrderedSet> two = adopt(OSOrderedSet::withCapacity(2));
    one->setObject(a.get());
    one->setObject(b.get());
    two->setObject(b.get());
    two->setObject(a2.get());
    EXPECT_FALSE(one->isEqualTo(two.get()));
    two->removeObject(b.get());
    two->setObject(b.get());
    EXPECT_TRUE(one->isEqualTo(two.get()));
    EXPECT_TRUE(one->isEqualTo(static_cast<const OSMetaClassBase*>(two.get())));
    EXPECT_FALSE(one->isEqualTo(static_cast<const OSOrderedSet*>(nullptr)));
}

TEST(OSOrderedSet, CopyCollectionKeepsOrderAndFunction)
{
    static char key[] = "IOProbeScore";
    OSSharedPtr<OSOrderedSet> set = adopt(OSOrderedSet::withCapacity(2, byProbeScore, key));
    OSSharedPtr<OSDictionary> p1 = personality("one", 1), p2 = personality("two", 2);
    set->setObject(p1.get());
    set->setObject(p2.get());
    OSSharedPtr<OSOrderedSet> copy = adopt(OSDynamicCast(OSOrderedSet, set->copyCollection()));
    ASSERT_TRUE(copy);
    EXPECT_EQ(names(copy.get()), "two one ");
    EXPECT_NE(copy->getObject(0), p2.get());  // dictionaries are collections: copied
    EXPECT_EQ(copy->getOrderingRef(), key);
    OSSharedPtr<OSDictionary> p3 = personality("three", 3);
    copy->setObject(p3.get());
    EXPECT_EQ(names(copy.get()), "three two one ");
}

TEST(OSOrderedSet, SerializesAsAnArray)
{
    OSSharedPtr<OSOrderedSet> set = adopt(OSOrderedSet::withCapacity(2));
    set->setObject(str("x"));
    set->setObject(num(2, 16));
    EXPECT_EQ(xml(set), "<array ID=\"0\"><string ID=\"1\">x</string><integer size=\"16\" ID=\"2\">0x2</integer></array>");
}
