// IORegistryEntry topology: the root, planes, attach/detach in both directions with their
// retain effects, multiple parents, plane independence, depth, detachAll, link iterators and
// appliers, registry entry IDs.
#include "test_io_registry_support.h"

#include <gtest/gtest.h>

#include <IOKit/IOKitKeys.h>

#include <string>
#include <vector>

using namespace regtest;

namespace {

const IORegistryPlane* topo()
{
    return plane("RegTestTopology");
}

const IORegistryPlane* other()
{
    return plane("RegTestTopologyOther");
}

class RegistryTopology : public ::testing::Test {
protected:
    void SetUp() override { baseline_ = liveEntries(); }
    void TearDown() override { EXPECT_EQ(liveEntries(), baseline_) << "registry test entries leaked"; }

private:
    unsigned int baseline_ = 0;
};

TEST_F(RegistryTopology, RootIsOneNamedEntryWithTheFirstID)
{
    IORegistryEntry* root = IORegistryEntry::getRegistryRoot();
    ASSERT_NE(root, nullptr);
    EXPECT_EQ(root, IORegistryEntry::initialize());
    EXPECT_EQ(root, IORegistryEntry::getRegistryRoot());
    EXPECT_STREQ(root->getName(), "Root");
    EXPECT_STREQ(root->getMetaClass()->getClassName(), "IORegistryEntry");
    EXPECT_EQ(root->getRegistryEntryID(), 0x100000100ULL);
    EXPECT_FALSE(root->inPlane(gIOServicePlane));  // the root has no parents
    EXPECT_EQ(root->getDepth(gIOServicePlane), 1u);
}

TEST_F(RegistryTopology, StandardPlanesExistAndAreListedOnTheRoot)
{
    IORegistryEntry::initialize();
    ASSERT_NE(gIOServicePlane, nullptr);
    ASSERT_NE(gIOPowerPlane, nullptr);
    EXPECT_NE(gIOServicePlane, gIOPowerPlane);
    EXPECT_EQ(IORegistryEntry::getPlane(kIOServicePlane), gIOServicePlane);
    EXPECT_EQ(IORegistryEntry::getPlane(kIOPowerPlane), gIOPowerPlane);
    EXPECT_EQ(IORegistryEntry::getPlane("NoSuchPlane"), nullptr);
    EXPECT_EQ(IORegistryEntry::getPlane(nullptr), nullptr);

    const IORegistryPlane* made = topo();
    OSSharedPtr<OSDictionary> planes =
        adopt(OSDynamicCast(OSDictionary, IORegistryEntry::getRegistryRoot()->copyProperty(kIORegistryPlanesKey)));
    ASSERT_TRUE(planes);
    EXPECT_EQ(planes->getObject(kIOServicePlane), (OSObject*)gIOServicePlane);
    EXPECT_EQ(planes->getObject(kIOPowerPlane), (OSObject*)gIOPowerPlane);
    EXPECT_EQ(planes->getObject("RegTestTopology"), (OSObject*)made);
}

TEST_F(RegistryTopology, AttachRetainsBothEndsOncePerLinkAndDetachReleases)
{
    OSSharedPtr<RegistryTestEntry> parent = entry("parent");
    OSSharedPtr<RegistryTestEntry> child = entry("child");
    ASSERT_EQ(parent->getRetainCount(), 1);
    ASSERT_EQ(child->getRetainCount(), 1);

    ASSERT_TRUE(child->attachToParent(parent.get(), topo()));
    // The parent's child set holds the child; the child's parent set holds the parent.
    EXPECT_EQ(parent->getRetainCount(), 2);
    EXPECT_EQ(child->getRetainCount(), 2);
    EXPECT_EQ(parent->attachToChildCalls, 1);  // attachToParent reached the parent's override
    EXPECT_TRUE(child->isParent(parent.get(), topo()));
    EXPECT_TRUE(child->isParent(parent.get(), topo(), true));
    EXPECT_TRUE(parent->isChild(child.get(), topo()));
    EXPECT_TRUE(parent->isChild(child.get(), topo(), true));
    EXPECT_EQ(child->getParentEntry(topo()), parent.get());
    EXPECT_EQ(parent->getChildEntry(topo()), child.get());
    EXPECT_EQ(parent->getChildCount(topo()), 1u);
    EXPECT_TRUE(child->inPlane(topo()));
    EXPECT_TRUE(child->inPlane());
    EXPECT_FALSE(parent->inPlane(topo()));  // no parent of its own

    // Attaching again is a no-op success.
    EXPECT_TRUE(child->attachToParent(parent.get(), topo()));
    EXPECT_TRUE(parent->attachToChild(child.get(), topo()));
    EXPECT_EQ(parent->getRetainCount(), 2);
    EXPECT_EQ(child->getRetainCount(), 2);
    EXPECT_EQ(parent->getChildCount(topo()), 1u);

    // copy* retains, get* borrows.
    IORegistryEntry* copied = child->copyParentEntry(topo());
    EXPECT_EQ(copied, parent.get());
    EXPECT_EQ(parent->getRetainCount(), 3);
    copied->release();

    child->detachFromParent(parent.get(), topo());
    EXPECT_EQ(parent->detachFromChildCalls, 1);  // detachFromParent reached the parent's override
    EXPECT_EQ(parent->getRetainCount(), 1);
    EXPECT_EQ(child->getRetainCount(), 1);
    EXPECT_FALSE(child->inPlane(topo()));
    EXPECT_FALSE(child->inPlane());
    EXPECT_EQ(child->getParentEntry(topo()), nullptr);
    EXPECT_EQ(parent->getChildEntry(topo()), nullptr);
    EXPECT_EQ(parent->getChildCount(topo()), 0u);

    // Detaching what is not attached does nothing.
    child->detachFromParent(parent.get(), topo());
    EXPECT_EQ(child->getRetainCount(), 1);
}

TEST_F(RegistryTopology, AttachFromTheParentSideIsTheSameLink)
{
    OSSharedPtr<RegistryTestEntry> parent = entry("parent");
    OSSharedPtr<RegistryTestEntry> child = entry("child");
    ASSERT_TRUE(parent->attachToChild(child.get(), topo()));
    EXPECT_EQ(parent->attachToChildCalls, 1);
    EXPECT_EQ(parent->getRetainCount(), 2);
    EXPECT_EQ(child->getRetainCount(), 2);
    EXPECT_TRUE(child->isParent(parent.get(), topo()));
    EXPECT_NE(child->getRegistryEntryID(), 0u);  // assigned by the attach

    parent->detachFromChild(child.get(), topo());
    EXPECT_EQ(parent->detachFromChildCalls, 1);
    EXPECT_EQ(parent->getRetainCount(), 1);
    EXPECT_EQ(child->getRetainCount(), 1);
    EXPECT_FALSE(parent->isChild(child.get(), topo()));
}

TEST_F(RegistryTopology, AnEntryCannotBeItsOwnParentAndNullsAreRefused)
{
    OSSharedPtr<RegistryTestEntry> self = entry("self");
    EXPECT_FALSE(self->attachToParent(self.get(), topo()));
    EXPECT_FALSE(self->attachToChild(self.get(), topo()));
    EXPECT_FALSE(self->attachToParent(nullptr, topo()));
    EXPECT_FALSE(self->attachToParent(IORegistryEntry::getRegistryRoot(), nullptr));
    EXPECT_EQ(self->getRetainCount(), 1);
    EXPECT_FALSE(self->inPlane());
    EXPECT_EQ(self->getRegistryEntryID(), 0u);  // never attached
}

TEST_F(RegistryTopology, MultipleParentsKeepAttachOrder)
{
    OSSharedPtr<RegistryTestEntry> first = entry("first");
    OSSharedPtr<RegistryTestEntry> second = entry("second");
    OSSharedPtr<RegistryTestEntry> child = entry("child");
    ASSERT_TRUE(child->attachToParent(first.get(), topo()));
    ASSERT_TRUE(child->attachToParent(second.get(), topo()));
    EXPECT_EQ(child->getRetainCount(), 3);  // one per link
    EXPECT_EQ(child->getParentEntry(topo()), first.get());
    EXPECT_TRUE(child->isParent(second.get(), topo()));
    EXPECT_FALSE(child->isParent(second.get(), topo(), true));  // not the only parent
    EXPECT_TRUE(first->isChild(child.get(), topo(), true));

    OSSharedPtr<OSIterator> parents = adopt(child->getParentIterator(topo()));
    ASSERT_TRUE(parents);
    EXPECT_EQ(parents->getNextObject(), first.get());
    EXPECT_EQ(parents->getNextObject(), second.get());
    EXPECT_EQ(parents->getNextObject(), nullptr);
    parents.reset();  // the snapshot held both parents

    child->detachFromParent(first.get(), topo());
    EXPECT_EQ(child->getParentEntry(topo()), second.get());
    EXPECT_TRUE(child->inPlane(topo()));
    child->detachAbove(topo());
    EXPECT_FALSE(child->inPlane(topo()));
    EXPECT_EQ(child->getRetainCount(), 1);
    EXPECT_EQ(first->getRetainCount(), 1);
    EXPECT_EQ(second->getRetainCount(), 1);
}

TEST_F(RegistryTopology, PlanesAreIndependent)
{
    OSSharedPtr<RegistryTestEntry> parent = entry("parent");
    OSSharedPtr<RegistryTestEntry> child = entry("child");
    ASSERT_TRUE(child->attachToParent(parent.get(), topo()));
    EXPECT_TRUE(child->inPlane(topo()));
    EXPECT_FALSE(child->inPlane(other()));
    EXPECT_EQ(child->getParentEntry(other()), nullptr);
    EXPECT_FALSE(parent->isChild(child.get(), other()));
    EXPECT_EQ(parent->getChildCount(other()), 0u);

    // The reverse relation in the other plane.
    ASSERT_TRUE(parent->attachToParent(child.get(), other()));
    EXPECT_EQ(parent->getParentEntry(other()), child.get());
    EXPECT_EQ(child->getParentEntry(topo()), parent.get());
    EXPECT_EQ(parent->getRetainCount(), 3);
    EXPECT_EQ(child->getRetainCount(), 3);

    child->detachFromParent(parent.get(), topo());
    EXPECT_FALSE(child->inPlane(topo()));
    EXPECT_TRUE(parent->inPlane(other()));
    EXPECT_TRUE(parent->inPlane());
    parent->detachFromParent(child.get(), other());
    EXPECT_EQ(parent->getRetainCount(), 1);
    EXPECT_EQ(child->getRetainCount(), 1);
}

TEST_F(RegistryTopology, DepthIsTheLongestChainToATopEntry)
{
    OSSharedPtr<RegistryTestEntry> top = entry("top");
    OSSharedPtr<RegistryTestEntry> middle = entry("middle");
    OSSharedPtr<RegistryTestEntry> leaf = entry("leaf");
    ASSERT_TRUE(middle->attachToParent(top.get(), topo()));
    ASSERT_TRUE(leaf->attachToParent(middle.get(), topo()));
    EXPECT_EQ(top->getDepth(topo()), 1u);
    EXPECT_EQ(middle->getDepth(topo()), 2u);
    EXPECT_EQ(leaf->getDepth(topo()), 3u);
    // A second, shorter parent does not change the depth (xnu takes the deepest parent).
    ASSERT_TRUE(leaf->attachToParent(top.get(), topo()));
    EXPECT_EQ(leaf->getDepth(topo()), 3u);
    EXPECT_EQ(leaf->getDepth(other()), 1u);
    top->detachAll(topo());
}

TEST_F(RegistryTopology, DetachAllBreaksTheWholeSubtree)
{
    OSSharedPtr<RegistryTestEntry> above = entry("above");
    OSSharedPtr<RegistryTestEntry> top = entry("top");
    std::vector<OSSharedPtr<RegistryTestEntry>> below;
    ASSERT_TRUE(top->attachToParent(above.get(), topo()));
    for (int i = 0; i < 3; i++) {
        below.push_back(entry("child"));
        ASSERT_TRUE(below.back()->attachToParent(top.get(), topo()));
        below.push_back(entry("grandchild"));
        ASSERT_TRUE(below.back()->attachToParent(below[below.size() - 2].get(), topo()));
    }
    // Links in another plane are untouched.
    ASSERT_TRUE(below[0]->attachToParent(above.get(), other()));

    top->detachAll(topo());
    EXPECT_FALSE(top->inPlane(topo()));
    EXPECT_EQ(above->getChildCount(topo()), 0u);
    EXPECT_EQ(top->getChildCount(topo()), 0u);
    for (const auto& entry : below) {
        EXPECT_FALSE(entry->inPlane(topo()));
        EXPECT_EQ(entry->getChildCount(topo()), 0u);
    }
    EXPECT_TRUE(below[0]->inPlane(other()));
    below[0]->detachAbove(other());
    for (const auto& entry : below) {
        EXPECT_EQ(entry->getRetainCount(), 1);
    }
    EXPECT_EQ(top->getRetainCount(), 1);
    EXPECT_EQ(above->getRetainCount(), 1);
}

TEST_F(RegistryTopology, LinkIteratorsAndAppliersWorkOnSnapshots)
{
    OSSharedPtr<RegistryTestEntry> parent = entry("parent");
    OSSharedPtr<RegistryTestEntry> a = entry("a");
    OSSharedPtr<RegistryTestEntry> b = entry("b");
    ASSERT_TRUE(a->attachToParent(parent.get(), topo()));
    ASSERT_TRUE(b->attachToParent(parent.get(), topo()));

    // A child iterator sees the children as they were when it was made, and keeps them alive.
    OSSharedPtr<OSIterator> children = adopt(parent->getChildIterator(topo()));
    ASSERT_TRUE(children);
    parent->detachAll(topo());
    EXPECT_EQ(a->getRetainCount(), 2);  // ours and the snapshot's
    EXPECT_EQ(children->getNextObject(), a.get());
    EXPECT_EQ(children->getNextObject(), b.get());
    EXPECT_EQ(children->getNextObject(), nullptr);
    EXPECT_TRUE(children->isValid());
    children.reset();
    EXPECT_EQ(a->getRetainCount(), 1);

    // No links: an empty iterator, not NULL; no plane: NULL.
    OSSharedPtr<OSIterator> none = adopt(parent->getChildIterator(topo()));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->getNextObject(), nullptr);
    EXPECT_EQ(parent->getChildIterator(nullptr), nullptr);

    // Appliers run without the registry lock, so they may change the topology.
    ASSERT_TRUE(a->attachToParent(parent.get(), topo()));
    ASSERT_TRUE(b->attachToParent(parent.get(), topo()));
    struct Context {
        IORegistryEntry* parent;
        const IORegistryPlane* plane;
        std::vector<std::string> seen;
    } context{parent.get(), topo(), {}};
    parent->applyToChildren(
        [](IORegistryEntry* child, void* refcon) {
            auto* ctx = static_cast<Context*>(refcon);
            ctx->seen.push_back(child->getName());
            child->detachFromParent(ctx->parent, ctx->plane);
        },
        &context, topo());
    EXPECT_EQ(context.seen, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(parent->getChildCount(topo()), 0u);

    ASSERT_TRUE(a->attachToParent(parent.get(), topo()));
    context.seen.clear();
    a->applyToParents(
        [](IORegistryEntry* up, void* refcon) { static_cast<Context*>(refcon)->seen.push_back(up->getName()); },
        &context, topo());
    EXPECT_EQ(context.seen, (std::vector<std::string>{"parent"}));
    a->detachAbove(topo());
}

TEST_F(RegistryTopology, RegistryIDsAreAssignedAtFirstAttachAndIncrease)
{
    OSSharedPtr<RegistryTestEntry> parent = entry("parent");
    std::vector<OSSharedPtr<RegistryTestEntry>> children;
    for (int i = 0; i < 5; i++) {
        children.push_back(entry("child"));
        EXPECT_EQ(children.back()->getRegistryEntryID(), 0u);
    }
    uint64_t previous = IORegistryEntry::getRegistryRoot()->getRegistryEntryID();
    for (const auto& child : children) {
        ASSERT_TRUE(child->attachToParent(parent.get(), topo()));
        const uint64_t id = child->getRegistryEntryID();
        EXPECT_GT(id, previous);
        previous = id;
    }
    // Detaching and attaching again keeps the ID.
    const uint64_t kept = children[0]->getRegistryEntryID();
    children[0]->detachFromParent(parent.get(), topo());
    ASSERT_TRUE(children[0]->attachToParent(parent.get(), topo()));
    EXPECT_EQ(children[0]->getRegistryEntryID(), kept);
    parent->detachAll(topo());
}

TEST_F(RegistryTopology, GenerationCountMovesWithTopologyChanges)
{
    OSSharedPtr<RegistryTestEntry> parent = entry("parent");
    OSSharedPtr<RegistryTestEntry> child = entry("child");
    const SInt32 before = IORegistryEntry::getGenerationCount();
    ASSERT_TRUE(child->attachToParent(parent.get(), topo()));
    const SInt32 attached = IORegistryEntry::getGenerationCount();
    EXPECT_GT(attached, before);
    child->detachFromParent(parent.get(), topo());
    EXPECT_GT(IORegistryEntry::getGenerationCount(), attached);
}

TEST_F(RegistryTopology, LiveEntriesAreFreedOnceDetachedAndReleased)
{
    const unsigned int before = liveEntries();
    {
        OSSharedPtr<RegistryTestEntry> parent = entry("parent");
        OSSharedPtr<RegistryTestEntry> child = entry("child");
        ASSERT_TRUE(child->attachToParent(parent.get(), topo()));
        EXPECT_EQ(liveEntries(), before + 2);
        // Dropping our child reference: the parent's link keeps it alive.
        IORegistryEntry* weak = child.get();
        child.reset();
        EXPECT_EQ(liveEntries(), before + 2);
        EXPECT_EQ(weak->getRetainCount(), 1);
        weak->detachFromParent(parent.get(), topo());  // the last reference goes here
        EXPECT_EQ(liveEntries(), before + 1);
    }
    EXPECT_EQ(liveEntries(), before);
}

}  // namespace
