// The registry under concurrency (run these under the TSan build too): unique registry IDs
// from many threads, attach/detach from 8 threads while readers iterate, build paths and search
// properties, teardown of a subtree under live iterators, renames under readers, concurrent
// plane creation. Every test ends with the entries' reference counts back where they started.
#include "test_io_registry_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace regtest;

namespace {

constexpr int kWriters = 8;

const IORegistryPlane* busy()
{
    return plane("RegTestConcurrency");
}

class RegistryConcurrency : public ::testing::Test {
protected:
    void SetUp() override { baseline_ = liveEntries(); }
    void TearDown() override { EXPECT_EQ(liveEntries(), baseline_) << "registry test entries leaked"; }

private:
    unsigned int baseline_ = 0;
};

// A small deterministic generator per thread.
struct Random {
    explicit Random(unsigned int seed) : state(seed * 2654435761u + 1) {}
    unsigned int next(unsigned int bound)
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state % bound;
    }
    unsigned int state;
};

TEST_F(RegistryConcurrency, RegistryIDsAreUniqueAndIncreasingAcrossThreads)
{
    constexpr int kPerThread = 400;
    OSSharedPtr<RegistryTestEntry> parent = entry("parent");
    std::vector<std::vector<uint64_t>> ids(kWriters);
    std::vector<std::vector<OSSharedPtr<RegistryTestEntry>>> made(kWriters);
    std::vector<std::thread> threads;
    for (int t = 0; t < kWriters; t++) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; i++) {
                made[t].push_back(entry("child"));
                made[t].back()->attachToParent(parent.get(), busy());
                ids[t].push_back(made[t].back()->getRegistryEntryID());
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }

    std::set<uint64_t> all;
    const uint64_t rootID = IORegistryEntry::getRegistryRoot()->getRegistryEntryID();
    for (const auto& perThread : ids) {
        for (size_t i = 0; i < perThread.size(); i++) {
            EXPECT_GT(perThread[i], rootID);
            if (i > 0) {
                EXPECT_GT(perThread[i], perThread[i - 1]);
            }
            all.insert(perThread[i]);
        }
    }
    EXPECT_EQ(all.size(), static_cast<size_t>(kWriters * kPerThread));
    EXPECT_EQ(parent->getChildCount(busy()), static_cast<uint32_t>(kWriters * kPerThread));
    parent->detachAll(busy());
    for (const auto& perThread : made) {
        for (const auto& child : perThread) {
            EXPECT_EQ(child->getRetainCount(), 1);
        }
    }
}

TEST_F(RegistryConcurrency, AttachDetachFromEightThreadsWhileReadersIterate)
{
    constexpr int kHubs = 4;
    constexpr int kOwnLeaves = 12;
    constexpr int kSharedLeaves = 8;
    constexpr int kOpsPerWriter = 1500;
    constexpr int kReaders = 3;

    ServiceRoot root(busy());
    OSSharedPtr<RegistryTestEntry> top = entry("top", "1");
    ASSERT_TRUE(top->attachToParent(root.get(), busy()));
    ASSERT_TRUE(top->setProperty("topProperty", "here"));
    std::vector<OSSharedPtr<RegistryTestEntry>> hubs;
    for (int h = 0; h < kHubs; h++) {
        char location[8];
        std::snprintf(location, sizeof location, "%x", h);
        hubs.push_back(entry("hub", location));
        ASSERT_TRUE(hubs.back()->attachToParent(top.get(), busy()));
    }
    std::vector<OSSharedPtr<RegistryTestEntry>> shared;
    for (int s = 0; s < kSharedLeaves; s++) {
        shared.push_back(entry("shared"));
    }
    std::vector<std::vector<OSSharedPtr<RegistryTestEntry>>> own(kWriters);
    for (auto& leaves : own) {
        for (int l = 0; l < kOwnLeaves; l++) {
            leaves.push_back(entry("leaf"));
        }
    }

    std::atomic<int> writersLeft{kWriters};
    std::atomic<int> readersReady{0};  // writers start once every reader is walking
    std::atomic<long> visited{0};
    std::atomic<long> invalidations{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kWriters; t++) {
        threads.emplace_back([&, t] {
            Random random(t + 1);
            while (readersReady.load() < kReaders) {
                std::this_thread::yield();
            }
            for (int op = 0; op < kOpsPerWriter; op++) {
                IORegistryEntry* hub = hubs[random.next(kHubs)].get();
                const unsigned int pick = random.next(10);
                if (pick < 5) {
                    // Own leaves: toggle under a hub, or under a lower-numbered own leaf (deeper
                    // trees, never cycles: xnu's getDepth and getPath assume acyclic planes).
                    const unsigned int index = 1 + random.next(kOwnLeaves - 1);
                    RegistryTestEntry* leaf = own[t][index].get();
                    IORegistryEntry* parent = pick == 0 ? own[t][random.next(index)].get() : hub;
                    if (leaf->isParent(parent, busy())) {
                        leaf->detachFromParent(parent, busy());
                    } else {
                        leaf->attachToParent(parent, busy());
                    }
                } else if (pick < 8) {
                    // Shared leaves: several threads race on the same links.
                    RegistryTestEntry* leaf = shared[random.next(kSharedLeaves)].get();
                    if (random.next(2)) {
                        leaf->attachToParent(hub, busy());
                    } else {
                        hub->detachFromChild(leaf, busy());
                    }
                } else if (pick == 8) {
                    hub->setProperty("hubProperty", static_cast<unsigned long long>(op), 32);
                } else {
                    char location[16];
                    std::snprintf(location, sizeof location, "%x,%x", t, op & 0xf);
                    own[t][random.next(kOwnLeaves)]->setLocation(location);
                }
            }
            writersLeft.fetch_sub(1);
        });
    }
    for (int r = 0; r < kReaders; r++) {
        threads.emplace_back([&] {
            OSSharedPtr<IORegistryIterator> iter =
                adopt(IORegistryIterator::iterateOver(top.get(), busy(), kIORegistryIterateRecursively));
            // One undisturbed walk before the writers start, so every reader sees entries even
            // if, later, each walk is invalidated before its first step.
            while (iter->getNextObject()) {
                visited.fetch_add(1, std::memory_order_relaxed);
            }
            iter->reset();
            readersReady.fetch_add(1);
            do {
                while (IORegistryEntry* next = iter->getNextObject()) {
                    visited.fetch_add(1, std::memory_order_relaxed);
                    EXPECT_GE(next->getRetainCount(), 1);
                    EXPECT_NE(next->getName(busy()), nullptr);
                    next->getLocation(busy());
                    char path[256];
                    int length = sizeof path;
                    if (next->getPath(path, &length, busy())) {
                        OSSharedPtr<IORegistryEntry> found = adopt(IORegistryEntry::fromPath(path));
                        (void)found;  // may be gone or a same-named sibling by now
                    }
                    next->getDepth(busy());
                    OSSharedPtr<IORegistryEntry> parent = adopt(next->copyParentEntry(busy()));
                    OSSharedPtr<OSIterator> children = adopt(next->getChildIterator(busy()));
                    while (children && children->getNextObject()) {
                    }
                    OSSharedPtr<OSObject> found = adopt(next->copyProperty("topProperty", busy()));
                    (void)found;
                }
                if (!iter->isValid()) {
                    invalidations.fetch_add(1, std::memory_order_relaxed);
                }
                iter->reset();
            } while (writersLeft.load() > 0);
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_GT(visited.load(), 0);
    std::printf("[          ] readers visited %ld entries, saw %ld invalidations\n", visited.load(),
                invalidations.load());

    // Tear everything down; nothing may keep a stray reference.
    top->detachAll(busy());
    for (const auto& leaves : own) {
        for (const auto& leaf : leaves) {
            leaf->detachAll(busy());  // leaves left hanging below leaves no hub reaches
        }
    }
    for (const auto& leaves : own) {
        for (const auto& leaf : leaves) {
            EXPECT_FALSE(leaf->inPlane(busy()));
            EXPECT_EQ(leaf->getRetainCount(), 1);
        }
    }
    for (const auto& leaf : shared) {
        EXPECT_EQ(leaf->getRetainCount(), 1);
    }
    for (const auto& hub : hubs) {
        EXPECT_EQ(hub->getRetainCount(), 1);
    }
    EXPECT_EQ(top->getRetainCount(), 1);
}

TEST_F(RegistryConcurrency, SubtreeTornDownUnderLiveIterators)
{
    constexpr int kRounds = 150;
    const IORegistryPlane* p = busy();
    for (int round = 0; round < kRounds; round++) {
        OSSharedPtr<RegistryTestEntry> top = entry("top");
        for (int i = 0; i < 4; i++) {
            OSSharedPtr<RegistryTestEntry> child = entry("child");
            child->attachToParent(top.get(), p);
            OSSharedPtr<RegistryTestEntry> grandchild = entry("grandchild");
            grandchild->attachToParent(child.get(), p);
        }
        std::atomic<bool> started{false};
        std::thread walker([&] {
            OSSharedPtr<IORegistryIterator> iter =
                adopt(IORegistryIterator::iterateOver(top.get(), p, kIORegistryIterateRecursively));
            started.store(true);
            for (int pass = 0; pass < 3; pass++) {
                while (IORegistryEntry* next = iter->getNextObject()) {
                    EXPECT_GE(next->getRetainCount(), 1);
                    next->getName();
                }
                iter->reset();
            }
        });
        while (!started.load()) {
            std::this_thread::yield();
        }
        top->detachAll(p);  // children are now held only by the links being broken
        walker.join();
        EXPECT_EQ(top->getChildCount(p), 0u);
    }
}

TEST_F(RegistryConcurrency, RenamesUnderReaders)
{
    OSSharedPtr<RegistryTestEntry> e = entry("name0", "0");
    std::atomic<bool> done{false};
    std::thread reader([&] {
        while (!done.load()) {
            const char* name = e->getName();
            const char* location = e->getLocation();
            EXPECT_EQ(std::string(name, 4), "name");
            EXPECT_NE(location, nullptr);
            OSSharedPtr<const OSSymbol> copied = adopt(e->copyName());
            EXPECT_TRUE(copied);
        }
    });
    for (int i = 1; i < 300; i++) {
        char text[16];
        std::snprintf(text, sizeof text, "name%d", i);
        e->setName(text);
        std::snprintf(text, sizeof text, "%x", i);
        e->setLocation(text);
    }
    done.store(true);
    reader.join();
    EXPECT_STREQ(e->getName(), "name299");
}

TEST_F(RegistryConcurrency, PlanesMadeConcurrentlyAreAllPublished)
{
    constexpr int kThreads = 6;
    static std::atomic<int> generation{0};
    const int base = generation.fetch_add(kThreads);  // unique names if the test is repeated
    std::vector<std::thread> threads;
    std::vector<const IORegistryPlane*> made(kThreads);
    for (int t = 0; t < kThreads; t++) {
        threads.emplace_back([&, t] {
            char name[32];
            std::snprintf(name, sizeof name, "RegTestConcPlane%d", base + t);
            made[t] = IORegistryEntry::makePlane(name);
        });
    }
    threads.emplace_back([] {
        for (int i = 0; i < 50; i++) {
            OSSharedPtr<OSSerialize> s = adopt(OSSerialize::withCapacity(512));
            EXPECT_TRUE(IORegistryEntry::getRegistryRoot()->serializeProperties(s.get()));
        }
    });
    for (std::thread& thread : threads) {
        thread.join();
    }
    OSSharedPtr<OSDictionary> planes = adopt(
        OSDynamicCast(OSDictionary, IORegistryEntry::getRegistryRoot()->copyProperty(kIORegistryPlanesKey)));
    ASSERT_TRUE(planes);
    for (int t = 0; t < kThreads; t++) {
        char name[32];
        std::snprintf(name, sizeof name, "RegTestConcPlane%d", base + t);
        ASSERT_NE(made[t], nullptr);
        EXPECT_EQ(IORegistryEntry::getPlane(name), made[t]);
        EXPECT_EQ(planes->getObject(name), (OSObject*)made[t]) << name;
    }
}

}  // namespace
