// OSObject reference counting and the metaclass-generated structors.
#include <libkern/c++/OSObject.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

namespace {
std::atomic<int> gFreeCalls{0};
}

// A class that records free() and exposes the protected release(int).
class TestCounted : public OSObject {
    OSDeclareDefaultStructors(TestCounted);

public:
    int payload[8];
    bool initCalled;

    static TestCounted* make()
    {
        TestCounted* object = OSTypeAlloc(TestCounted);
        if (object && !object->init()) {
            object->release();
            return nullptr;
        }
        return object;
    }
    bool init() override
    {
        initCalled = true;
        return OSObject::init();
    }
    void releaseWhen(int when) const { release(when); }

protected:
    void free() override
    {
        gFreeCalls.fetch_add(1);
        OSObject::free();
    }
};
OSDefineMetaClassAndStructors(TestCounted, OSObject);

TEST(OSObject, BornWithOneReferenceAndZeroFilledStorage)
{
    TestCounted* object = TestCounted::make();
    ASSERT_NE(object, nullptr);
    EXPECT_EQ(object->getRetainCount(), 1);
    EXPECT_TRUE(object->initCalled);
    for (int value : object->payload) {
        EXPECT_EQ(value, 0);
    }
    object->release();
}

TEST(OSObject, FreeRunsExactlyWhenTheLastReferenceGoes)
{
    const int before = gFreeCalls.load();
    TestCounted* object = TestCounted::make();
    object->retain();
    object->retain();
    EXPECT_EQ(object->getRetainCount(), 3);
    object->release();
    object->release();
    EXPECT_EQ(gFreeCalls.load(), before);
    EXPECT_EQ(object->getRetainCount(), 1);
    object->release();
    EXPECT_EQ(gFreeCalls.load(), before + 1);
}

TEST(OSObject, ReleaseWithFreeWhenFreesAtThatCount)
{
    const int before = gFreeCalls.load();
    TestCounted* object = TestCounted::make();
    object->retain();
    object->retain();  // count 3
    object->releaseWhen(2);  // 3 > 2: only a decrement
    EXPECT_EQ(gFreeCalls.load(), before);
    EXPECT_EQ(object->getRetainCount(), 2);
    object->releaseWhen(2);  // 2 <= 2: freed although a reference is nominally left
    EXPECT_EQ(gFreeCalls.load(), before + 1);
}

TEST(OSObject, TaggedRetainReleaseBalance)
{
    TestCounted* object = TestCounted::make();
    int tag;
    object->taggedRetain(&tag);
    EXPECT_EQ(object->getRetainCount(), 2);
    object->taggedRelease(&tag);
    EXPECT_EQ(object->getRetainCount(), 1);
    object->release();
}

TEST(OSObject, ConcurrentRetainReleaseFromEightThreads)
{
    const int before = gFreeCalls.load();
    TestCounted* object = TestCounted::make();
    constexpr int kThreads = 8;
    constexpr int kIterations = 100000;
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            while (!go.load()) {
                std::this_thread::yield();
            }
            for (int i = 0; i < kIterations; ++i) {
                object->retain();
                object->release();
            }
        });
    }
    go = true;
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(object->getRetainCount(), 1);
    EXPECT_EQ(gFreeCalls.load(), before);
    object->release();
    EXPECT_EQ(gFreeCalls.load(), before + 1);
}

TEST(OSObject, ConcurrentLastReleaseFreesExactlyOnce)
{
    for (int round = 0; round < 200; ++round) {
        const int before = gFreeCalls.load();
        TestCounted* object = TestCounted::make();
        constexpr int kThreads = 4;
        for (int t = 1; t < kThreads; ++t) {
            object->retain();
        }
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([object] { object->release(); });
        }
        for (auto& thread : threads) {
            thread.join();
        }
        ASSERT_EQ(gFreeCalls.load(), before + 1);
    }
}

// An over-release is a diagnosed bug, not silent corruption. The object's free() here keeps
// the storage alive (it does not call OSObject::free), so the second release reads a valid
// count of 0 and must abort with a message naming the class.
class TestLeaky : public OSObject {
    OSDeclareDefaultStructors(TestLeaky);

public:
    static TestLeaky* make() { return OSTypeAlloc(TestLeaky); }

protected:
    void free() override {}  // deliberately keeps the storage to observe the count
};
OSDefineMetaClassAndStructors(TestLeaky, OSObject);

TEST(OSObjectDeathTest, OverReleaseAbortsWithAClearMessage)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            TestLeaky* object = TestLeaky::make();
            object->release();  // count 1 -> 0, free() keeps the storage
            object->release();  // below zero
        },
        "over-release of TestLeaky");
}

TEST(OSObjectDeathTest, RetainOfAFreedObjectAborts)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            TestLeaky* object = TestLeaky::make();
            object->release();
            object->retain();
        },
        "retain of a freed object of TestLeaky");
}

TEST(OSObject, DefaultIsEqualToIsIdentity)
{
    TestCounted* a = TestCounted::make();
    TestCounted* b = TestCounted::make();
    EXPECT_TRUE(a->isEqualTo(a));
    EXPECT_FALSE(a->isEqualTo(b));
    EXPECT_FALSE(a->isEqualTo(nullptr));
    a->release();
    b->release();
}
