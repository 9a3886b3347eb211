// IORegistryEntry properties: every setProperty form and its retain effects, get/copy/remove,
// init with a dictionary, copies, serialization, immutability once attached, and the
// getProperty/copyProperty search through parents and children.
#include "test_io_registry_support.h"

#include <gtest/gtest.h>

#include <libkern/c++/OSUnserialize.h>

#include <cstring>
#include <string>

using namespace regtest;

namespace {

const IORegistryPlane* props()
{
    return plane("RegTestProperties");
}

class RegistryProperties : public ::testing::Test {
protected:
    void SetUp() override { baseline_ = liveEntries(); }
    void TearDown() override { EXPECT_EQ(liveEntries(), baseline_) << "registry test entries leaked"; }

private:
    unsigned int baseline_ = 0;
};

TEST_F(RegistryProperties, ObjectValuesAreRetainedWhileSetAndReleasedWhenReplacedOrRemoved)
{
    OSSharedPtr<RegistryTestEntry> e = entry("e");
    OSSharedPtr<OSString> value = adopt(OSString::withCString("value"));
    OSSharedPtr<OSString> replacement = adopt(OSString::withCString("replacement"));
    ASSERT_EQ(value->getRetainCount(), 1);

    EXPECT_TRUE(e->setProperty("key", value.get()));
    EXPECT_EQ(value->getRetainCount(), 2);
    EXPECT_EQ(e->getProperty("key"), value.get());
    EXPECT_EQ(value->getRetainCount(), 2);  // get borrows

    OSObject* copied = e->copyProperty("key");
    EXPECT_EQ(copied, value.get());
    EXPECT_EQ(value->getRetainCount(), 3);  // copy retains
    copied->release();

    EXPECT_TRUE(e->setProperty("key", replacement.get()));
    EXPECT_EQ(value->getRetainCount(), 1);
    EXPECT_EQ(replacement->getRetainCount(), 2);

    e->removeProperty("key");
    EXPECT_EQ(replacement->getRetainCount(), 1);
    EXPECT_EQ(e->getProperty("key"), nullptr);
    EXPECT_EQ(e->copyProperty("key"), nullptr);
    e->removeProperty("key");  // absent: nothing happens

    EXPECT_FALSE(e->setProperty("key", (OSObject*)nullptr));
    EXPECT_FALSE(e->setProperty((const char*)nullptr, value.get()));

    // Freeing the entry releases what it still holds.
    EXPECT_TRUE(e->setProperty("key", value.get()));
    EXPECT_EQ(value->getRetainCount(), 2);
    e.reset();
    EXPECT_EQ(value->getRetainCount(), 1);
}

TEST_F(RegistryProperties, EveryKeyFormReachesTheSameProperty)
{
    OSSharedPtr<RegistryTestEntry> e = entry("e");
    OSSharedPtr<const OSSymbol> symbolKey = adopt(OSSymbol::withCString("k"));
    OSSharedPtr<OSString> stringKey = adopt(OSString::withCString("k"));
    OSSharedPtr<OSNumber> one = adopt(OSNumber::withNumber(1, 32));

    ASSERT_TRUE(e->setProperty(symbolKey.get(), one.get()));
    EXPECT_EQ(e->getProperty("k"), one.get());
    EXPECT_EQ(e->getProperty(stringKey.get()), one.get());
    EXPECT_EQ(e->getProperty(symbolKey.get()), one.get());
    EXPECT_TRUE(e->propertyExists("k"));
    EXPECT_TRUE(e->propertyExists(stringKey.get()));
    EXPECT_TRUE(e->propertyExists(symbolKey.get()));
    EXPECT_TRUE(e->propertyHasValue("k", one.get()));
    OSSharedPtr<OSNumber> two = adopt(OSNumber::withNumber(2, 32));
    EXPECT_FALSE(e->propertyHasValue("k", two.get()));
    EXPECT_TRUE(e->propertyHasValue("absent", nullptr));  // both absent counts as equal (xnu)

    e->removeProperty(stringKey.get());
    EXPECT_FALSE(e->propertyExists("k"));
    ASSERT_TRUE(e->setProperty(stringKey.get(), one.get()));
    e->removeProperty(symbolKey.get());
    EXPECT_FALSE(e->propertyExists(symbolKey.get()));
}

TEST_F(RegistryProperties, ConvenienceFormsMakeTheValueObjects)
{
    OSSharedPtr<RegistryTestEntry> e = entry("e");

    ASSERT_TRUE(e->setProperty("string", "text"));
    OSObject* string = e->getProperty("string");
    ASSERT_NE(OSDynamicCast(OSSymbol, string), nullptr);  // xnu stores a symbol
    EXPECT_TRUE(OSDynamicCast(OSString, string)->isEqualTo("text"));

    ASSERT_TRUE(e->setProperty("yes", true));
    ASSERT_TRUE(e->setProperty("no", false));
    EXPECT_EQ(e->getProperty("yes"), kOSBooleanTrue);
    EXPECT_EQ(e->getProperty("no"), kOSBooleanFalse);

    ASSERT_TRUE(e->setProperty("number", 0x1234567890ULL, 64));
    ASSERT_TRUE(e->setProperty("byte", 0x1ffULL, 8));
    OSNumber* number = OSDynamicCast(OSNumber, e->getProperty("number"));
    ASSERT_NE(number, nullptr);
    EXPECT_EQ(number->unsigned64BitValue(), 0x1234567890ULL);
    EXPECT_EQ(number->numberOfBits(), 64u);
    OSNumber* byte = OSDynamicCast(OSNumber, e->getProperty("byte"));
    ASSERT_NE(byte, nullptr);
    EXPECT_EQ(byte->unsigned64BitValue(), 0xffULL);  // masked to its width
    EXPECT_EQ(byte->numberOfBits(), 8u);
    EXPECT_EQ(number->getRetainCount(), 1);  // made for the table, owned only by it

    unsigned char bytes[4] = {1, 2, 3, 4};
    ASSERT_TRUE(e->setProperty("data", bytes, sizeof bytes));
    bytes[0] = 9;  // the table has its own copy
    OSData* data = OSDynamicCast(OSData, e->getProperty("data"));
    ASSERT_NE(data, nullptr);
    ASSERT_EQ(data->getLength(), 4u);
    EXPECT_EQ(std::memcmp(data->getBytesNoCopy(), "\1\2\3\4", 4), 0);
}

TEST_F(RegistryProperties, InitAdoptsTheDictionaryAndItsName)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(2));
    dict->setObject("IOName", OSSharedPtr<const OSMetaClassBase>(adopt(OSString::withCString("named"))));
    dict->setObject("other", OSSharedPtr<const OSMetaClassBase>(adopt(OSNumber::withNumber(7, 32))));

    OSSharedPtr<RegistryTestEntry> e = adopt(OSTypeAlloc(RegistryTestEntry));
    ASSERT_TRUE(e->init(dict.get()));
    EXPECT_EQ(e->getPropertyTable(), dict.get());  // adopted, not copied
    EXPECT_EQ(dict->getRetainCount(), 2);
    EXPECT_STREQ(e->getName(), "named");
    EXPECT_NE(e->getProperty("IOName"), nullptr);  // the property stays, as in xnu
    e.reset();
    EXPECT_EQ(dict->getRetainCount(), 1);

    // An immutable dictionary is copied, so the entry can still take properties.
    dict->setOptions(OSCollection::kMASK, OSCollection::kImmutable);
    e = adopt(OSTypeAlloc(RegistryTestEntry));
    ASSERT_TRUE(e->init(dict.get()));
    EXPECT_NE(e->getPropertyTable(), dict.get());
    EXPECT_TRUE(e->setProperty("added", true));
    EXPECT_EQ(dict->getObject("added"), nullptr);

    // setPropertyTable swaps the table.
    OSSharedPtr<OSDictionary> fresh = adopt(OSDictionary::withCapacity(1));
    e->setPropertyTable(fresh.get());
    EXPECT_EQ(e->getPropertyTable(), fresh.get());
    EXPECT_EQ(fresh->getRetainCount(), 2);
    EXPECT_EQ(e->getProperty("other"), nullptr);
}

TEST_F(RegistryProperties, CopiesKeysSerializationAndSetProperties)
{
    OSSharedPtr<RegistryTestEntry> e = entry("e");
    OSSharedPtr<OSArray> list = adopt(OSArray::withCapacity(2));
    OSSharedPtr<OSString> x = adopt(OSString::withCString("x"));
    list->setObject(x.get());
    ASSERT_TRUE(e->setProperty("list", list.get()));
    ASSERT_TRUE(e->setProperty("flag", true));
    ASSERT_TRUE(e->setProperty("count", 42ULL, 32));
    ASSERT_TRUE(e->setProperty("name", "value"));

    OSSharedPtr<OSDictionary> copy = adopt(e->dictionaryWithProperties());
    ASSERT_TRUE(copy);
    EXPECT_NE(copy.get(), e->getPropertyTable());
    EXPECT_EQ(copy->getCount(), 4u);
    EXPECT_EQ(copy->getObject("list"), list.get());  // shallow: same values
    EXPECT_EQ(list->getRetainCount(), 3);
    copy->setObject("only-in-copy", kOSBooleanTrue);
    EXPECT_EQ(e->getProperty("only-in-copy"), nullptr);

    OSSharedPtr<OSArray> keys = adopt(e->copyPropertyKeys());
    ASSERT_TRUE(keys);
    EXPECT_EQ(keys->getCount(), 4u);

    OSSharedPtr<OSSerialize> serializer = adopt(OSSerialize::withCapacity(256));
    ASSERT_TRUE(e->serializeProperties(serializer.get()));
    OSSharedPtr<OSString> error;
    OSString* errorRaw = nullptr;
    OSSharedPtr<OSObject> back = adopt(OSUnserializeXML(serializer->text(), &errorRaw));
    error = adopt(errorRaw);
    ASSERT_TRUE(back) << (error ? error->getCStringNoCopy() : "");
    OSDictionary* backDict = OSDynamicCast(OSDictionary, back.get());
    ASSERT_NE(backDict, nullptr);
    EXPECT_TRUE(backDict->isEqualTo(e->getPropertyTable()));
    EXPECT_NE(std::string(serializer->text()).find("<key>count</key>"), std::string::npos);

    EXPECT_EQ(e->setProperties(copy.get()), kIOReturnUnsupported);

    // runPropertyAction runs under the (recursive) property lock.
    struct Args {
        IORegistryEntry* entry;
    } args{e.get()};
    IOReturn result = e->runPropertyAction(
        [](OSObject*, void* arg0, void*, void*, void*) -> IOReturn {
            auto* a = static_cast<Args*>(arg0);
            return a->entry->setProperty("fromAction", true) ? kIOReturnSuccess : kIOReturnError;
        },
        e.get(), &args);
    EXPECT_EQ(result, kIOReturnSuccess);
    EXPECT_EQ(e->getProperty("fromAction"), kOSBooleanTrue);
}

TEST_F(RegistryProperties, CollectionsBecomeImmutableOnceAttached)
{
    OSSharedPtr<RegistryTestEntry> parent = entry("parent");
    OSSharedPtr<RegistryTestEntry> e = entry("e");
    OSSharedPtr<OSArray> before = adopt(OSArray::withCapacity(1));
    ASSERT_TRUE(e->setProperty("before", before.get()));
    EXPECT_TRUE(before->setObject(kOSBooleanTrue));  // still mutable: not attached yet

    ASSERT_TRUE(e->attachToParent(parent.get(), props()));
    EXPECT_FALSE(before->setObject(kOSBooleanFalse));  // frozen by the attach
    EXPECT_EQ(before->getCount(), 1u);

    OSSharedPtr<OSDictionary> after = adopt(OSDictionary::withCapacity(1));
    ASSERT_TRUE(e->setProperty("after", after.get()));
    EXPECT_FALSE(after->setObject("x", kOSBooleanTrue));  // frozen when stored
    // Scalars are unaffected, and the table itself still takes properties.
    EXPECT_TRUE(e->setProperty("scalar", 1ULL, 32));

    e->detachAbove(props());
}

TEST_F(RegistryProperties, SearchGoesUpParentsOrDownChildren)
{
    OSSharedPtr<RegistryTestEntry> grandparent = entry("grandparent");
    OSSharedPtr<RegistryTestEntry> parent = entry("parent");
    OSSharedPtr<RegistryTestEntry> child = entry("child");
    ASSERT_TRUE(parent->attachToParent(grandparent.get(), props()));
    ASSERT_TRUE(child->attachToParent(parent.get(), props()));
    ASSERT_TRUE(grandparent->setProperty("high", "gp"));
    ASSERT_TRUE(parent->setProperty("shared", "parent"));
    ASSERT_TRUE(grandparent->setProperty("shared", "gp"));
    ASSERT_TRUE(child->setProperty("low", "child"));

    const IOOptionBits up = kIORegistryIterateRecursively | kIORegistryIterateParents;
    OSString* found = OSDynamicCast(OSString, child->getProperty("high", props(), up));
    ASSERT_NE(found, nullptr);
    EXPECT_TRUE(found->isEqualTo("gp"));
    // The nearest hit wins.
    found = OSDynamicCast(OSString, child->getProperty("shared", props(), up));
    ASSERT_NE(found, nullptr);
    EXPECT_TRUE(found->isEqualTo("parent"));
    // The default options search parents recursively.
    EXPECT_NE(child->getProperty("high", props()), nullptr);
    // Without kIORegistryIterateRecursively the search is the plain look-up.
    EXPECT_EQ(child->getProperty("high", props(), kIORegistryIterateParents), nullptr);
    // Without a plane, too.
    EXPECT_EQ(child->getProperty("high", nullptr, up), nullptr);
    // Down: children, recursively.
    found = OSDynamicCast(OSString, grandparent->getProperty("low", props(), kIORegistryIterateRecursively));
    ASSERT_NE(found, nullptr);
    EXPECT_TRUE(found->isEqualTo("child"));
    EXPECT_EQ(grandparent->getProperty("low", props(), up), nullptr);  // not above it
    // Other planes see nothing.
    EXPECT_EQ(child->getProperty("high", plane("RegTestPropertiesOther"), up), nullptr);

    // Key forms and the retaining form.
    OSSharedPtr<const OSSymbol> symbol = adopt(OSSymbol::withCString("high"));
    OSSharedPtr<OSString> string = adopt(OSString::withCString("high"));
    EXPECT_EQ(child->getProperty(symbol.get(), props(), up), grandparent->getProperty("high"));
    EXPECT_EQ(child->getProperty(string.get(), props(), up), grandparent->getProperty("high"));
    OSObject* value = grandparent->getProperty("high");
    const int count = value->getRetainCount();
    OSObject* copied = child->copyProperty("high", props(), up);
    EXPECT_EQ(copied, value);
    EXPECT_EQ(value->getRetainCount(), count + 1);
    copied->release();
    copied = child->copyProperty(symbol.get(), props(), up);
    EXPECT_EQ(copied, value);
    copied->release();
    EXPECT_EQ(value->getRetainCount(), count);
    EXPECT_TRUE(child->propertyExists("high", props(), up));
    EXPECT_FALSE(child->propertyExists("nowhere", props(), up));
    EXPECT_TRUE(child->propertyHasValue("high", value, props(), up));

    grandparent->detachAll(props());
}

}  // namespace
