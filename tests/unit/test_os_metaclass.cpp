// OSMetaClass: casts, look-up by name, instance counts, and the module (kext) hooks.
#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSContainers.h>

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

class TestAnimal : public OSObject {
    OSDeclareAbstractStructors(TestAnimal);
};
class TestDog : public TestAnimal {
    OSDeclareDefaultStructors(TestDog);
};
class TestPuppy : public TestDog {
    OSDeclareDefaultStructors(TestPuppy);
};
class TestCat : public TestAnimal {
    OSDeclareDefaultStructors(TestCat);
};
OSDefineMetaClassAndAbstractStructors(TestAnimal, OSObject);
OSDefineMetaClassAndStructors(TestDog, TestAnimal);
OSDefineMetaClassAndStructors(TestPuppy, TestDog);
OSDefineMetaClassAndStructors(TestCat, TestAnimal);

TEST(OSMetaClass, ClassIdentity)
{
    EXPECT_STREQ(TestPuppy::metaClass->getClassName(), "TestPuppy");
    EXPECT_EQ(TestPuppy::metaClass->getSuperClass(), TestDog::metaClass);
    EXPECT_EQ(TestDog::metaClass->getSuperClass(), TestAnimal::metaClass);
    EXPECT_EQ(TestAnimal::metaClass->getSuperClass(), OSObject::metaClass);
    EXPECT_EQ(OSObject::metaClass->getSuperClass(), nullptr);
    EXPECT_EQ(TestPuppy::metaClass->getClassSize(), sizeof(TestPuppy));
    EXPECT_STREQ(TestPuppy::metaClass->getKmodName()->getCStringNoCopy(), "__kernel__");
    const OSSymbol* name = TestPuppy::metaClass->getClassNameSymbol();
    ASSERT_NE(name, nullptr);
    EXPECT_TRUE(name->isEqualTo("TestPuppy"));
    EXPECT_EQ(name, TestPuppy::metaClass->getClassNameSymbol());  // cached, interned
    EXPECT_STREQ(TestPuppy::metaClass->getMetaClass()->getClassName(), "OSMetaClass");
}

TEST(OSMetaClass, DynamicCastFollowsTheSuperclassChain)
{
    TestPuppy* puppy = OSTypeAlloc(TestPuppy);
    ASSERT_NE(puppy, nullptr);
    OSObject* object = puppy;
    EXPECT_EQ(OSDynamicCast(TestPuppy, object), puppy);
    EXPECT_EQ(OSDynamicCast(TestDog, object), puppy);
    EXPECT_EQ(OSDynamicCast(TestAnimal, object), puppy);
    EXPECT_EQ(OSDynamicCast(OSObject, object), puppy);
    EXPECT_EQ(OSDynamicCast(TestCat, object), nullptr);
    EXPECT_EQ(OSDynamicCast(TestPuppy, static_cast<OSObject*>(nullptr)), nullptr);

    EXPECT_EQ(object->metaCast("TestDog"), puppy);
    EXPECT_EQ(object->metaCast("TestCat"), nullptr);
    EXPECT_EQ(object->metaCast(static_cast<const char*>(nullptr)), nullptr);
    const OSSymbol* dogName = OSSymbol::withCString("TestDog");
    EXPECT_EQ(object->metaCast(dogName), puppy);
    dogName->release();
    OSString* catName = OSString::withCString("TestCat");
    EXPECT_EQ(object->metaCast(catName), nullptr);
    catName->release();

    EXPECT_EQ(TestDog::metaClass->checkMetaCast(object), puppy);
    EXPECT_EQ(TestCat::metaClass->checkMetaCast(object), nullptr);
    EXPECT_EQ(OSMetaClass::checkMetaCastWithName("TestAnimal", object), puppy);
    EXPECT_EQ(OSMetaClass::checkMetaCastWithName("TestAnimal", nullptr), nullptr);

    TestDog* dog = OSTypeAlloc(TestDog);
    TestCat* cat = OSTypeAlloc(TestCat);
    EXPECT_TRUE(OSCheckTypeInst(dog, puppy));   // a puppy is a kind of dog
    EXPECT_FALSE(OSCheckTypeInst(puppy, dog));  // a dog is not a kind of puppy
    EXPECT_FALSE(OSCheckTypeInst(cat, puppy));
    EXPECT_FALSE(OSCheckTypeInst(cat, static_cast<OSObject*>(nullptr)));
    dog->release();
    cat->release();
    puppy->release();
}

TEST(OSMetaClass, AllocationByName)
{
    EXPECT_EQ(OSMetaClass::getMetaClassWithName("TestDog"), TestDog::metaClass);
    EXPECT_EQ(OSMetaClass::getMetaClassWithName("NoSuchClass"), nullptr);
    EXPECT_EQ(OSMetaClass::getMetaClassWithName(static_cast<const char*>(nullptr)), nullptr);

    OSObject* dog = OSMetaClass::allocClassWithName("TestDog");
    ASSERT_NE(dog, nullptr);
    EXPECT_EQ(dog->getMetaClass(), TestDog::metaClass);
    EXPECT_EQ(dog->getRetainCount(), 1);
    dog->release();

    const OSSymbol* catName = OSSymbol::withCString("TestCat");
    OSObject* cat = OSMetaClass::allocClassWithName(catName);
    ASSERT_NE(cat, nullptr);
    EXPECT_EQ(cat->getMetaClass(), TestCat::metaClass);
    cat->release();
    catName->release();

    EXPECT_EQ(OSMetaClass::allocClassWithName("TestAnimal"), nullptr);  // abstract
    EXPECT_EQ(OSMetaClass::allocClassWithName("OSObject"), nullptr);    // abstract
    EXPECT_EQ(OSMetaClass::allocClassWithName("NoSuchClass"), nullptr);
}

// count(C) = direct live instances of C + direct subclasses of C with live instances.
TEST(OSMetaClass, InstanceCountsAcrossThreeLevels)
{
    const unsigned int animalsBefore = TestAnimal::metaClass->getInstanceCount();
    ASSERT_EQ(TestDog::metaClass->getInstanceCount(), 0u);
    ASSERT_EQ(TestPuppy::metaClass->getInstanceCount(), 0u);

    TestPuppy* puppy1 = OSTypeAlloc(TestPuppy);
    EXPECT_EQ(TestPuppy::metaClass->getInstanceCount(), 1u);
    EXPECT_EQ(TestDog::metaClass->getInstanceCount(), 1u);  // one subclass with instances
    EXPECT_EQ(TestAnimal::metaClass->getInstanceCount(), 1u);

    TestPuppy* puppy2 = OSTypeAlloc(TestPuppy);
    EXPECT_EQ(TestPuppy::metaClass->getInstanceCount(), 2u);
    EXPECT_EQ(TestDog::metaClass->getInstanceCount(), 1u);  // still one subclass
    EXPECT_EQ(TestAnimal::metaClass->getInstanceCount(), 1u);

    TestDog* dog = OSTypeAlloc(TestDog);
    EXPECT_EQ(TestDog::metaClass->getInstanceCount(), 2u);  // one direct + one subclass
    EXPECT_EQ(TestAnimal::metaClass->getInstanceCount(), 1u);

    TestCat* cat = OSTypeAlloc(TestCat);
    EXPECT_EQ(TestAnimal::metaClass->getInstanceCount(), 2u);  // dogs and cats

    // Retains do not count; only free() does, not the first release of many.
    puppy1->retain();
    puppy1->release();
    EXPECT_EQ(TestPuppy::metaClass->getInstanceCount(), 2u);

    puppy1->release();
    EXPECT_EQ(TestPuppy::metaClass->getInstanceCount(), 1u);
    EXPECT_EQ(TestDog::metaClass->getInstanceCount(), 2u);
    puppy2->release();
    EXPECT_EQ(TestPuppy::metaClass->getInstanceCount(), 0u);
    EXPECT_EQ(TestDog::metaClass->getInstanceCount(), 1u);
    dog->release();
    EXPECT_EQ(TestDog::metaClass->getInstanceCount(), 0u);
    EXPECT_EQ(TestAnimal::metaClass->getInstanceCount(), 1u);
    cat->release();
    EXPECT_EQ(TestAnimal::metaClass->getInstanceCount(), animalsBefore);
}

TEST(OSMetaClass, InstanceCountsStayExactUnderConcurrentChurn)
{
    constexpr int kThreads = 8;
    constexpr int kIterations = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([t] {
            for (int i = 0; i < kIterations; ++i) {
                OSObject* object = (t % 2) ? static_cast<OSObject*>(OSTypeAlloc(TestPuppy))
                                           : static_cast<OSObject*>(OSTypeAlloc(TestCat));
                object->release();
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(TestPuppy::metaClass->getInstanceCount(), 0u);
    EXPECT_EQ(TestDog::metaClass->getInstanceCount(), 0u);
    EXPECT_EQ(TestCat::metaClass->getInstanceCount(), 0u);
    EXPECT_EQ(TestAnimal::metaClass->getInstanceCount(), 0u);
}

TEST(OSMetaClass, ClassDictionaryHasLiveCounts)
{
    TestCat* cat = OSTypeAlloc(TestCat);
    OSDictionary* classes = OSDictionary::withCapacity(64);
    OSMetaClass::serializeClassDictionary(classes);
    auto* count = OSDynamicCast(OSNumber, classes->getObject("TestCat"));
    ASSERT_NE(count, nullptr);
    EXPECT_EQ(count->unsigned32BitValue(), 1u);
    EXPECT_NE(classes->getObject("OSObject"), nullptr);
    EXPECT_NE(classes->getObject("OSDictionary"), nullptr);
    classes->release();
    cat->release();
}

// --- Module hooks, with real shared objects loaded the way the kext loader loads them ---------

namespace {

std::string fixturePath(const char* name)
{
    return std::string(OPENIOKIT_TEST_FIXTURE_DIR) + "/" + name + ".so";
}

bool isMapped(const std::string& path)
{
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        if (line.find(path) != std::string::npos) {
            return true;
        }
    }
    return false;
}

struct LoadedModule {
    void* handle = nullptr;
    OSReturn result = kOSReturnError;
};

LoadedModule loadModule(const char* fixture, const char* identifier)
{
    LoadedModule module;
    void* window = OSMetaClass::preModLoad(identifier);
    EXPECT_NE(window, nullptr);
    module.handle = dlopen(fixturePath(fixture).c_str(), RTLD_NOW | RTLD_LOCAL);
    EXPECT_NE(module.handle, nullptr) << dlerror();
    EXPECT_EQ(OSMetaClass::checkModLoad(window), std::string(fixture) != "fixture_module_duplicate");
    module.result = OSMetaClass::postModLoad(window);
    return module;
}

}  // namespace

TEST(OSMetaClassModules, ClassesBelongToTheLoadingModuleAndUnloadOnlyWithoutInstances)
{
    LoadedModule module = loadModule("fixture_module_a", "com.example.fixture.a");
    ASSERT_EQ(module.result, kOSReturnSuccess);

    const OSMetaClass* leafMeta = OSMetaClass::getMetaClassWithName("FixtureModuleLeaf");
    ASSERT_NE(leafMeta, nullptr);
    EXPECT_STREQ(leafMeta->getKmodName()->getCStringNoCopy(), "com.example.fixture.a");
    EXPECT_STREQ(leafMeta->getSuperClass()->getClassName(), "FixtureModuleMiddle");
    EXPECT_FALSE(OSMetaClass::modHasInstance("com.example.fixture.a"));

    OSObject* leaf = OSMetaClass::allocClassWithName("FixtureModuleLeaf");
    ASSERT_NE(leaf, nullptr);
    EXPECT_TRUE(OSMetaClass::modHasInstance("com.example.fixture.a"));
    EXPECT_EQ(OSMetaClass::getMetaClassWithName("FixtureModuleBase")->getInstanceCount(), 1u);

    // Refused while an instance lives; nothing is removed.
    EXPECT_EQ(OSMetaClass::removeClasses("com.example.fixture.a"), kOSMetaClassHasInstances);
    EXPECT_NE(OSMetaClass::getMetaClassWithName("FixtureModuleLeaf"), nullptr);

    leaf->release();
    EXPECT_FALSE(OSMetaClass::modHasInstance("com.example.fixture.a"));
    EXPECT_EQ(OSMetaClass::removeClasses("com.example.fixture.a"), kOSReturnSuccess);
    EXPECT_EQ(OSMetaClass::getMetaClassWithName("FixtureModuleLeaf"), nullptr);
    EXPECT_EQ(OSMetaClass::allocClassWithName("FixtureModuleLeaf"), nullptr);

    // The object really leaves the address space (no STB_GNU_UNIQUE pinning).
    const std::string path = fixturePath("fixture_module_a");
    EXPECT_TRUE(isMapped(path));
    ASSERT_EQ(dlclose(module.handle), 0);
    EXPECT_FALSE(isMapped(path));

    // ... and can be loaded again, under the same class names.
    LoadedModule again = loadModule("fixture_module_a", "com.example.fixture.a");
    ASSERT_EQ(again.result, kOSReturnSuccess);
    EXPECT_NE(OSMetaClass::getMetaClassWithName("FixtureModuleLeaf"), nullptr);
    EXPECT_EQ(OSMetaClass::removeClasses("com.example.fixture.a"), kOSReturnSuccess);
    dlclose(again.handle);
}

TEST(OSMetaClassModules, DuplicateClassNameRefusesTheWholeModule)
{
    LoadedModule first = loadModule("fixture_module_a", "com.example.fixture.a");
    ASSERT_EQ(first.result, kOSReturnSuccess);
    const OSMetaClass* original = OSMetaClass::getMetaClassWithName("FixtureModuleBase");

    LoadedModule duplicate = loadModule("fixture_module_duplicate", "com.example.fixture.dup");
    EXPECT_EQ(duplicate.result, kOSMetaClassDuplicateClass);
    // Nothing of the refused module is visible, and the original class is untouched.
    EXPECT_EQ(OSMetaClass::getMetaClassWithName("FixtureDuplicateOnly"), nullptr);
    EXPECT_EQ(OSMetaClass::getMetaClassWithName("FixtureModuleBase"), original);
    dlclose(duplicate.handle);  // its metaclass destructors must not remove the original
    EXPECT_EQ(OSMetaClass::getMetaClassWithName("FixtureModuleBase"), original);

    EXPECT_EQ(OSMetaClass::removeClasses("com.example.fixture.a"), kOSReturnSuccess);
    dlclose(first.handle);
}

TEST(OSMetaClassModules, RemovingAnUnknownModuleIsANoOp)
{
    EXPECT_EQ(OSMetaClass::removeClasses("com.example.never.loaded"), kOSReturnSuccess);
    EXPECT_FALSE(OSMetaClass::modHasInstance("com.example.never.loaded"));
    EXPECT_EQ(OSMetaClass::removeClasses(nullptr), kOSReturnError);
    EXPECT_EQ(OSMetaClass::preModLoad(nullptr), nullptr);
}
