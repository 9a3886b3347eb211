// IORegistryIterator: flat and recursive order, parents, enter/exit by hand, iterateAll,
// retention of the current entry, invalidation by a concurrent attach and recovery by reset.
#include "test_io_registry_support.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

using namespace regtest;

namespace {

const IORegistryPlane* iterPlane()
{
    return plane("RegTestIterator");
}

// R -> A -> A1, A2 ; R -> B -> B1 (children in attach order).
class RegistryIterator : public ::testing::Test {
protected:
    void SetUp() override
    {
        baseline_ = liveEntries();
        r = entry("R");
        a = entry("A");
        b = entry("B");
        a1 = entry("A1");
        a2 = entry("A2");
        b1 = entry("B1");
        ASSERT_TRUE(a->attachToParent(r.get(), iterPlane()));
        ASSERT_TRUE(a1->attachToParent(a.get(), iterPlane()));
        ASSERT_TRUE(a2->attachToParent(a.get(), iterPlane()));
        ASSERT_TRUE(b->attachToParent(r.get(), iterPlane()));
        ASSERT_TRUE(b1->attachToParent(b.get(), iterPlane()));
    }

    void TearDown() override
    {
        r->detachAll(iterPlane());
        r = a = b = a1 = a2 = b1 = nullptr;
        EXPECT_EQ(liveEntries(), baseline_) << "registry test entries leaked";
    }

    OSSharedPtr<IORegistryIterator> over(IORegistryEntry* start, IOOptionBits options)
    {
        return adopt(IORegistryIterator::iterateOver(start, iterPlane(), options));
    }

    OSSharedPtr<RegistryTestEntry> r, a, b, a1, a2, b1;

private:
    unsigned int baseline_ = 0;
};

TEST_F(RegistryIterator, FlatWalksOneLevel)
{
    OSSharedPtr<IORegistryIterator> iter = over(r.get(), 0);
    ASSERT_TRUE(iter);
    EXPECT_EQ(walk(iter.get()), "A B");
    EXPECT_TRUE(iter->isValid());
    iter->reset();
    EXPECT_EQ(walk(iter.get()), "A B");
}

TEST_F(RegistryIterator, RecursiveIsDepthFirstPreOrder)
{
    OSSharedPtr<IORegistryIterator> iter = over(r.get(), kIORegistryIterateRecursively);
    EXPECT_EQ(walk(iter.get()), "A A1 A2 B B1");
    EXPECT_EQ(iter->getNextObject(), nullptr);  // stays finished
    iter->reset();
    EXPECT_EQ(walk(iter.get()), "A A1 A2 B B1");
}

TEST_F(RegistryIterator, ParentsRecursively)
{
    OSSharedPtr<RegistryTestEntry> second = entry("SecondParent");
    ASSERT_TRUE(a1->attachToParent(second.get(), iterPlane()));
    OSSharedPtr<IORegistryIterator> iter = over(a1.get(), kIORegistryIterateRecursively | kIORegistryIterateParents);
    EXPECT_EQ(walk(iter.get()), "A R SecondParent");
    iter = over(a1.get(), kIORegistryIterateParents);
    EXPECT_EQ(walk(iter.get()), "A SecondParent");
    a1->detachFromParent(second.get(), iterPlane());
    EXPECT_TRUE(a1->inPlane(iterPlane()));  // still under A
}

TEST_F(RegistryIterator, AnEntryReachedTwiceIsReturnedAgainButEnteredOnce)
{
    // D below both A and B, with a child of its own.
    OSSharedPtr<RegistryTestEntry> d = entry("D");
    OSSharedPtr<RegistryTestEntry> d1 = entry("D1");
    ASSERT_TRUE(d->attachToParent(a.get(), iterPlane()));
    ASSERT_TRUE(d->attachToParent(b.get(), iterPlane()));
    ASSERT_TRUE(d1->attachToParent(d.get(), iterPlane()));

    OSSharedPtr<IORegistryIterator> iter = over(r.get(), kIORegistryIterateRecursively);
    EXPECT_EQ(walk(iter.get()), "A A1 A2 D D1 B B1 D");  // xnu: revisits are returned, not entered

    OSSharedPtr<OSOrderedSet> all = adopt(iter->iterateAll());
    ASSERT_TRUE(all);
    EXPECT_EQ(all->getCount(), 7u);  // each entry once, in visiting order
    EXPECT_EQ(all->getObject(0), a.get());
    EXPECT_EQ(all->getObject(3), d.get());
    EXPECT_EQ(all->getObject(6), b1.get());
}

TEST_F(RegistryIterator, EnterAndExitByHand)
{
    OSSharedPtr<IORegistryIterator> iter = over(r.get(), 0);
    EXPECT_EQ(iter->getNextObjectFlat(), a.get());
    EXPECT_EQ(iter->getCurrentEntry(), a.get());
    iter->enterEntry();
    EXPECT_EQ(iter->getNextObjectFlat(), a1.get());
    EXPECT_EQ(iter->getNextObjectFlat(), a2.get());
    EXPECT_EQ(iter->getNextObjectFlat(), nullptr);
    EXPECT_TRUE(iter->exitEntry());
    EXPECT_EQ(iter->getCurrentEntry(), a.get());  // back where we entered
    EXPECT_EQ(iter->getNextObjectFlat(), b.get());
    EXPECT_FALSE(iter->exitEntry());  // already at the top
    EXPECT_EQ(iter->getNextObjectRecursive(), nullptr);
    iter->reset();
    EXPECT_EQ(iter->getNextObjectRecursive(), a.get());
    EXPECT_EQ(iter->getNextObjectRecursive(), a1.get());  // recursive steps enter as they go
}

TEST_F(RegistryIterator, IterateAllOfALeafIsEmpty)
{
    OSSharedPtr<IORegistryIterator> iter = over(b1.get(), kIORegistryIterateRecursively);
    OSSharedPtr<OSOrderedSet> all = adopt(iter->iterateAll());
    ASSERT_TRUE(all);
    EXPECT_EQ(all->getCount(), 0u);
    EXPECT_EQ(IORegistryIterator::iterateOver(nullptr, iterPlane()), nullptr);
    EXPECT_EQ(IORegistryIterator::iterateOver(r.get(), nullptr), nullptr);
}

TEST_F(RegistryIterator, FromTheRegistryRoot)
{
    ServiceRoot root(iterPlane());
    ASSERT_TRUE(r->attachToParent(root.get(), iterPlane()));
    OSSharedPtr<IORegistryIterator> iter =
        adopt(IORegistryIterator::iterateOver(iterPlane(), kIORegistryIterateRecursively));
    EXPECT_EQ(walk(iter.get()), std::string(root.get()->getName()) + " R A A1 A2 B B1");
}

TEST_F(RegistryIterator, CurrentEntryIsRetainedWhileCurrent)
{
    OSSharedPtr<IORegistryIterator> iter = over(r.get(), 0);
    const int aBefore = a->getRetainCount();
    const int bBefore = b->getRetainCount();
    EXPECT_EQ(iter->getNextObject(), a.get());
    EXPECT_EQ(a->getRetainCount(), aBefore + 1);
    EXPECT_EQ(iter->getNextObject(), b.get());
    EXPECT_EQ(a->getRetainCount(), aBefore);  // moved on
    EXPECT_EQ(b->getRetainCount(), bBefore + 1);
    iter.reset();
    EXPECT_EQ(b->getRetainCount(), bBefore);
}

TEST_F(RegistryIterator, AConcurrentAttachInvalidatesUntilReset)
{
    OSSharedPtr<IORegistryIterator> iter = over(r.get(), 0);
    EXPECT_EQ(iter->getNextObject(), a.get());
    EXPECT_TRUE(iter->isValid());

    // A change elsewhere in the registry leaves this walk alone (xnu watches the link arrays
    // being walked, not the global generation count).
    OSSharedPtr<RegistryTestEntry> elsewhere = entry("elsewhere");
    ASSERT_TRUE(elsewhere->attachToParent(b1.get(), iterPlane()));
    EXPECT_TRUE(iter->isValid());

    OSSharedPtr<RegistryTestEntry> c = entry("C");
    std::thread attacher([&] { EXPECT_TRUE(c->attachToParent(r.get(), iterPlane())); });
    attacher.join();
    EXPECT_FALSE(iter->isValid());
    EXPECT_EQ(iter->getNextObject(), nullptr);
    EXPECT_EQ(iter->getCurrentEntry(), nullptr);
    EXPECT_FALSE(iter->isValid());  // sticky

    iter->reset();
    EXPECT_TRUE(iter->isValid());
    EXPECT_EQ(walk(iter.get()), "A B C");

    // A detach invalidates too, and so does a change below a level being recursed into.
    OSSharedPtr<IORegistryIterator> deep = over(r.get(), kIORegistryIterateRecursively);
    EXPECT_EQ(deep->getNextObject(), a.get());
    EXPECT_EQ(deep->getNextObject(), a1.get());
    a2->detachFromParent(a.get(), iterPlane());
    EXPECT_FALSE(deep->isValid());
    deep->reset();
    EXPECT_EQ(walk(deep.get()), "A A1 B B1 elsewhere C");
    ASSERT_TRUE(a2->attachToParent(a.get(), iterPlane()));
}

TEST_F(RegistryIterator, DetachingTheSubtreeUnderAnIteratorIsSafe)
{
    OSSharedPtr<IORegistryIterator> iter = over(r.get(), kIORegistryIterateRecursively);
    IORegistryEntry* current = iter->getNextObject();
    ASSERT_EQ(current, a.get());

    // Another thread tears the subtree down and drops every reference it has.
    std::thread detacher([&] {
        r->detachAll(iterPlane());
        a = a1 = a2 = b = b1 = nullptr;
    });
    detacher.join();

    // The iterator still holds what it returned last; the rest is gone or going.
    EXPECT_GE(current->getRetainCount(), 1);
    EXPECT_STREQ(current->getName(), "A");
    EXPECT_FALSE(current->inPlane(iterPlane()));
    EXPECT_FALSE(iter->isValid());
    EXPECT_EQ(iter->getNextObject(), nullptr);
    iter->reset();
    EXPECT_EQ(iter->getNextObject(), nullptr);  // R has no children now
    iter.reset();
}

}  // namespace
