// A kext's classes have no instances once the last one's count reaches zero inside free(), but
// that object's own code still runs afterwards. Unloading must wait for it (ObjectFrees.h):
// this was a daemon crash when a hot-unplug raced kextunload.
#include <libkern/c++/OSMetaClass.h>
#include <libkern/c++/OSObject.h>

#include "../../src/libkern/ObjectFrees.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

TEST(ObjectFrees, UnloadWaitsForAFreeStillRunningInTheModule)
{
    const std::string path = std::string(OPENIOKIT_TEST_FIXTURE_DIR) + "/fixture_slow_free.so";
    void* window = OSMetaClass::preModLoad("com.example.fixture.slowfree");
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    ASSERT_EQ(OSMetaClass::postModLoad(window), kOSReturnSuccess);

    std::atomic<bool> done{false};
    auto** slot = static_cast<std::atomic<bool>**>(dlsym(handle, "fixtureSlowFreeDone"));
    ASSERT_NE(slot, nullptr);
    *slot = &done;

    OSObject* object = OSMetaClass::allocClassWithName("FixtureSlowFree");
    ASSERT_NE(object, nullptr);
    std::thread releaser([object] { object->release(); });

    // As the kext loader decides: no instances left, so the module may go...
    while (OSMetaClass::modHasInstance("com.example.fixture.slowfree")) {
        std::this_thread::yield();
    }
    ASSERT_EQ(OSMetaClass::removeClasses("com.example.fixture.slowfree"), kOSReturnSuccess);
    // ...but not before the free() still running in it has returned.
    openiokit::drainObjectFrees();
    EXPECT_TRUE(done.load()) << "drainObjectFrees returned while free() was still in the module";
    EXPECT_EQ(dlclose(handle), 0);
    releaser.join();
}

// An unload started from inside a free() (the last instance going triggers it) must not wait
// for its own frame.
class SelfDrainingFree : public OSObject {
    OSDeclareDefaultStructors(SelfDrainingFree);

public:
    void free() override
    {
        openiokit::drainObjectFrees();
        OSObject::free();
    }
};
OSDefineMetaClassAndStructors(SelfDrainingFree, OSObject);

TEST(ObjectFrees, AFreeOnTheCallingThreadDoesNotWaitForItself)
{
    auto released = std::async(std::launch::async, [] {
        OSObject* object = OSTypeAlloc(SelfDrainingFree);
        object->init();
        object->release();
    });
    EXPECT_EQ(released.wait_for(std::chrono::seconds(30)), std::future_status::ready)
        << "drainObjectFrees waited for the free() it was called from";
}
