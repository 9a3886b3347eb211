// OSDictionary: symbol keys, retain accounting, insertion order, look-up forms, equality,
// copies, the large-dictionary index and XML.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ostest;

namespace {
OSSharedPtr<const OSSymbol> sym(const char* text)
{
    return adopt(OSSymbol::withCString(text));
}

std::vector<std::string> keysInOrder(const OSDictionary* dict)
{
    std::vector<std::string> keys;
    OSSharedPtr<OSCollectionIterator> it = adopt(OSCollectionIterator::withCollection(dict));
    while (OSObject* key = it->getNextObject()) {
        keys.push_back(OSDynamicCast(OSSymbol, key)->getCStringNoCopy());
    }
    return keys;
}
}  // namespace

TEST(OSDictionary, SetObjectRetainsKeyAndValueAndFreeReleases)
{
    OSSharedPtr<const OSSymbol> key = sym("test.dict.key");
    OSSharedPtr<OSString> value = str("value");
    OSDictionary* dict = OSDictionary::withCapacity(1);
    ASSERT_NE(dict, nullptr);
    EXPECT_TRUE(dict->setObject(key.get(), value.get()));
    EXPECT_EQ(key->getRetainCount(), 2);
    EXPECT_EQ(value->getRetainCount(), 2);
    EXPECT_EQ(dict->getObject(key.get()), value.get());
    dict->release();
    EXPECT_EQ(key->getRetainCount(), 1);
    EXPECT_EQ(value->getRetainCount(), 1);
}

TEST(OSDictionary, ReplacingAValueReleasesTheOldOne)
{
    OSSharedPtr<OSString> first = str("first"), second = str("second");
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(2));
    EXPECT_TRUE(dict->setObject("k", first.get()));
    EXPECT_TRUE(dict->setObject("k", second.get()));
    EXPECT_EQ(dict->getCount(), 1u);
    EXPECT_EQ(first->getRetainCount(), 1);
    EXPECT_EQ(second->getRetainCount(), 2);
    EXPECT_EQ(dict->getObject("k"), second.get());
    EXPECT_TRUE(dict->setObject("k", second.get()));  // same value again
    EXPECT_EQ(second->getRetainCount(), 2);
    // The xnu-private onlyAdd form refuses to replace.
    OSSharedPtr<const OSSymbol> k = sym("k");
    EXPECT_FALSE(dict->setObject(k.get(), first.get(), true));
    EXPECT_TRUE(dict->setObject(k.get(), second.get(), false));
    EXPECT_EQ(dict->getObject("k"), second.get());
}

TEST(OSDictionary, AllKeyFormsMeetTheSameEntry)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(4));
    OSSharedPtr<OSString> value = str("v");
    OSSharedPtr<OSString> stringKey = str("test.dict.forms");
    EXPECT_TRUE(dict->setObject(stringKey.get(), value.get()));
    OSSharedPtr<const OSSymbol> symbolKey = sym("test.dict.forms");
    EXPECT_EQ(dict->getObject(symbolKey.get()), value.get());
    EXPECT_EQ(dict->getObject("test.dict.forms"), value.get());
    EXPECT_EQ(dict->getObject(stringKey.get()), value.get());
    EXPECT_EQ(dict->getObject("test.dict.missing"), nullptr);
    OSSharedPtr<OSString> missing = str("test.dict.missing");
    EXPECT_EQ(dict->getObject(missing.get()), nullptr);
    // Look-ups by text do not create symbols.
    EXPECT_EQ(OSSymbol::existingSymbolForCString("test.dict.missing"), nullptr);
    dict->removeObject("test.dict.missing");
    dict->removeObject(missing.get());
    EXPECT_EQ(dict->getCount(), 1u);
    dict->removeObject(stringKey.get());
    EXPECT_EQ(dict->getCount(), 0u);
    EXPECT_EQ(value->getRetainCount(), 1);
    EXPECT_EQ(symbolKey->getRetainCount(), 1);
}

TEST(OSDictionary, IterationYieldsKeysInInsertionOrder)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(0));
    OSSharedPtr<OSNumber> n = num(1);
    for (const char* key : {"zeta", "alpha", "mid", "beta"}) {
        dict->setObject(key, n.get());
    }
    EXPECT_EQ(keysInOrder(dict.get()), (std::vector<std::string>{"zeta", "alpha", "mid", "beta"}));
    dict->setObject("alpha", num(2));  // replacing keeps the position
    EXPECT_EQ(keysInOrder(dict.get()), (std::vector<std::string>{"zeta", "alpha", "mid", "beta"}));
    dict->removeObject("alpha");
    EXPECT_EQ(keysInOrder(dict.get()), (std::vector<std::string>{"zeta", "mid", "beta"}));
    dict->setObject("alpha", n.get());
    EXPECT_EQ(keysInOrder(dict.get()), (std::vector<std::string>{"zeta", "mid", "beta", "alpha"}));
}

TEST(OSDictionary, LargeDictionariesKeepOrderAndFindEverything)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(4));
    std::vector<std::string> names;
    for (int i = 0; i < 200; i++) {
        names.push_back("test.dict.large." + std::to_string(i));
        EXPECT_TRUE(dict->setObject(names.back().c_str(), num(i)));
    }
    EXPECT_EQ(dict->getCount(), 200u);
    EXPECT_EQ(dict->getCapacity(), 200u);  // grown in steps of 4
    for (int i = 0; i < 200; i++) {
        OSNumber* value = OSDynamicCast(OSNumber, dict->getObject(names[i].c_str()));
        ASSERT_NE(value, nullptr) << i;
        EXPECT_EQ(value->unsigned32BitValue(), static_cast<unsigned>(i));
    }
    // Remove every third entry; the rest keep order and stay findable.
    std::vector<std::string> expected;
    for (int i = 0; i < 200; i++) {
        if (i % 3 == 0) {
            dict->removeObject(names[i].c_str());
        } else {
            expected.push_back(names[i]);
        }
    }
    EXPECT_EQ(keysInOrder(dict.get()), expected);
    for (int i = 0; i < 200; i++) {
        OSObject* value = dict->getObject(names[i].c_str());
        EXPECT_EQ(value == nullptr, i % 3 == 0) << i;
    }
    // Shrinking back below the index threshold keeps working.
    for (int i = 0; i < 195; i++) {
        dict->removeObject(names[i].c_str());
    }
    EXPECT_EQ(dict->getCount(), 3u);
    EXPECT_NE(dict->getObject(names[199].c_str()), nullptr);
    EXPECT_EQ(dict->getObject(names[198].c_str()), nullptr);  // 198 % 3 == 0
}

TEST(OSDictionary, WithObjectsAndWithDictionary)
{
    OSSharedPtr<const OSSymbol> k1 = sym("k1"), k2 = sym("k2");
    OSSharedPtr<OSString> s1 = str("one"), s2 = str("two");
    const OSObject* values[] = {s1.get(), s2.get()};
    const OSSymbol* symbolKeys[] = {k1.get(), k2.get()};
    OSSharedPtr<OSDictionary> bySymbol = adopt(OSDictionary::withObjects(values, symbolKeys, 2));
    ASSERT_TRUE(bySymbol);
    EXPECT_EQ(bySymbol->getCapacity(), 2u);
    EXPECT_EQ(bySymbol->getObject("k2"), s2.get());

    OSSharedPtr<OSString> sk1 = str("k1"), sk2 = str("k2");
    const OSString* stringKeys[] = {sk1.get(), sk2.get()};
    OSSharedPtr<OSDictionary> byString = adopt(OSDictionary::withObjects(values, stringKeys, 2, 8));
    ASSERT_TRUE(byString);
    EXPECT_EQ(byString->getCapacity(), 8u);
    EXPECT_TRUE(byString->isEqualTo(bySymbol.get()));

    EXPECT_EQ(OSDictionary::withObjects(values, symbolKeys, 2, 1), nullptr);
    EXPECT_EQ(OSDictionary::withObjects(nullptr, symbolKeys, 2), nullptr);
    EXPECT_EQ(OSDictionary::withObjects(values, static_cast<const OSSymbol**>(nullptr), 2), nullptr);
    const OSObject* withNull[] = {s1.get(), nullptr};
    EXPECT_EQ(OSDictionary::withObjects(withNull, symbolKeys, 2), nullptr);
    const OSSymbol* nullKey[] = {k1.get(), nullptr};
    EXPECT_EQ(OSDictionary::withObjects(values, nullKey, 2), nullptr);

    OSSharedPtr<OSDictionary> copy = adopt(OSDictionary::withDictionary(bySymbol.get()));
    ASSERT_TRUE(copy);
    EXPECT_TRUE(copy->isEqualTo(bySymbol.get()));
    EXPECT_EQ(copy->getObject(k1.get()), s1.get());
    EXPECT_EQ(OSDictionary::withDictionary(nullptr), nullptr);
    EXPECT_EQ(OSDictionary::withDictionary(bySymbol.get(), 1), nullptr);
    EXPECT_EQ(s1->getRetainCount(), 4);
}

TEST(OSDictionary, MergeReplacesAndAdds)
{
    OSSharedPtr<OSDictionary> a = adopt(OSDictionary::withCapacity(2));
    OSSharedPtr<OSDictionary> b = adopt(OSDictionary::withCapacity(2));
    a->setObject("x", num(1));
    a->setObject("y", num(2));
    b->setObject("y", num(20));
    b->setObject("z", num(30));
    EXPECT_TRUE(a->merge(b.get()));
    EXPECT_EQ(keysInOrder(a.get()), (std::vector<std::string>{"x", "y", "z"}));
    EXPECT_EQ(OSDynamicCast(OSNumber, a->getObject("y"))->unsigned32BitValue(), 20u);
    EXPECT_TRUE(a->merge(a.get()));
    EXPECT_FALSE(a->merge(nullptr));
}

TEST(OSDictionary, Equality)
{
    OSSharedPtr<OSDictionary> a = adopt(OSDictionary::withCapacity(2));
    OSSharedPtr<OSDictionary> b = adopt(OSDictionary::withCapacity(2));
    a->setObject("x", num(1));
    a->setObject("y", str("s"));
    b->setObject("y", str("s"));
    b->setObject("x", num(1));
    EXPECT_TRUE(a->isEqualTo(b.get()));  // order does not matter
    EXPECT_TRUE(a->isEqualTo(static_cast<const OSMetaClassBase*>(b.get())));
    b->setObject("x", num(2));
    EXPECT_FALSE(a->isEqualTo(b.get()));
    b->setObject("x", num(1));
    b->setObject("extra", num(1));
    EXPECT_FALSE(a->isEqualTo(b.get()));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSDictionary*>(nullptr)));
    OSSharedPtr<OSArray> notADict = adopt(OSArray::withCapacity(0));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSMetaClassBase*>(notADict.get())));

    // On a subset of keys.
    OSSharedPtr<OSArray> keys = adopt(OSArray::withCapacity(2));
    keys->setObject(str("x"));
    keys->setObject(sym("y"));
    EXPECT_TRUE(a->isEqualTo(b.get(), keys.get()));
    keys->setObject(str("extra"));
    EXPECT_FALSE(a->isEqualTo(b.get(), keys.get()));
    OSSharedPtr<OSDictionary> keyDict = adopt(OSDictionary::withCapacity(1));
    keyDict->setObject("y", kOSBooleanTrue);
    EXPECT_TRUE(a->isEqualTo(b.get(), keyDict.get()));  // a dictionary's keys
    EXPECT_FALSE(a->isEqualTo(b.get(), nullptr));
}

TEST(OSDictionary, CopyKeys)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(2));
    dict->setObject("b", num(1));
    dict->setObject("a", num(2));
    OSSharedPtr<OSArray> keys = adopt(dict->copyKeys());
    ASSERT_TRUE(keys);
    ASSERT_EQ(keys->getCount(), 2u);
    EXPECT_TRUE(OSDynamicCast(OSSymbol, keys->getObject(0))->isEqualTo("b"));
    EXPECT_TRUE(OSDynamicCast(OSSymbol, keys->getObject(1))->isEqualTo("a"));
    EXPECT_EQ(keys->getRetainCount(), 1);
}

TEST(OSDictionary, BadInput)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(1));
    OSSharedPtr<OSString> v = str("v");
    EXPECT_FALSE(dict->setObject(static_cast<const OSSymbol*>(nullptr), v.get()));
    EXPECT_FALSE(dict->setObject(static_cast<const OSString*>(nullptr), v.get()));
    EXPECT_FALSE(dict->setObject(static_cast<const char*>(nullptr), v.get()));
    EXPECT_FALSE(dict->setObject("test.dict.bad.k", static_cast<const OSMetaClassBase*>(nullptr)));
    EXPECT_EQ(dict->getObject(static_cast<const OSSymbol*>(nullptr)), nullptr);
    EXPECT_EQ(dict->getObject(static_cast<const OSString*>(nullptr)), nullptr);
    EXPECT_EQ(dict->getObject(static_cast<const char*>(nullptr)), nullptr);
    dict->removeObject(static_cast<const OSSymbol*>(nullptr));
    dict->removeObject(static_cast<const OSString*>(nullptr));
    dict->removeObject(static_cast<const char*>(nullptr));
    EXPECT_EQ(dict->getCount(), 0u);
    EXPECT_EQ(v->getRetainCount(), 1);
    EXPECT_EQ(OSSymbol::existingSymbolForCString("test.dict.bad.k"), nullptr);
}

TEST(OSDictionary, ImmutableRefusesChangesButStillFrees)
{
    OSSharedPtr<OSString> v = str("v");
    OSSharedPtr<OSArray> inner = adopt(OSArray::withCapacity(1));
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(2));
    dict->setObject("v", v.get());
    dict->setObject("inner", inner.get());
    dict->setOptions(OSCollection::kImmutable, OSCollection::kImmutable);
    EXPECT_FALSE(dict->setObject("w", v.get()));
    EXPECT_FALSE(dict->setObject("v", inner.get()));
    EXPECT_FALSE(inner->setObject(v.get()));
    dict->removeObject("v");
    dict->flushCollection();
    EXPECT_FALSE(dict->merge(dict.get()));
    EXPECT_EQ(dict->getCount(), 2u);
    dict.reset();
    EXPECT_EQ(v->getRetainCount(), 1);
    EXPECT_EQ(inner->getRetainCount(), 1);
}

TEST(OSDictionary, CopyCollectionCopiesNestedCollections)
{
    OSSharedPtr<OSArray> array = adopt(OSArray::withCapacity(1));
    array->setObject(str("leaf"));
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(3));
    dict->setObject("a", array.get());
    dict->setObject("b", array.get());
    dict->setObject("n", num(3));
    dict->setOptions(OSCollection::kImmutable, OSCollection::kImmutable);
    OSSharedPtr<OSDictionary> copy = adopt(OSDynamicCast(OSDictionary, dict->copyCollection()));
    ASSERT_TRUE(copy);
    EXPECT_TRUE(copy->isEqualTo(dict.get()));
    EXPECT_NE(copy->getObject("a"), array.get());
    EXPECT_EQ(copy->getObject("a"), copy->getObject("b"));
    EXPECT_EQ(copy->getObject("n"), dict->getObject("n"));
    EXPECT_TRUE(copy->setObject("new", num(1)));  // the copy is mutable
    EXPECT_TRUE(OSDynamicCast(OSArray, copy->getObject("a"))->setObject(num(1)));
    EXPECT_EQ(array->getCount(), 1u);
}

TEST(OSDictionary, SerializesKeysWithoutIdsAndSharedValuesAsReferences)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(1));
    dict->setObject("a", num(1));
    EXPECT_EQ(xml(dict), "<dict ID=\"0\"><key>a</key><integer size=\"32\" ID=\"1\">0x1</integer></dict>");

    OSSharedPtr<OSArray> shared = adopt(OSArray::withCapacity(1));
    shared->setObject(kOSBooleanTrue);
    OSSharedPtr<OSDictionary> twice = adopt(OSDictionary::withCapacity(3));
    twice->setObject("first", shared.get());
    twice->setObject("second", shared.get());
    twice->setObject("k<&>", str("v"));
    EXPECT_EQ(xml(twice), "<dict ID=\"0\"><key>first</key><array ID=\"1\"><true/></array>"
                          "<key>second</key><reference IDREF=\"1\"/>"
                          "<key>k&lt;&amp;&gt;</key><string ID=\"2\">v</string></dict>");
    OSSharedPtr<OSDictionary> empty = adopt(OSDictionary::withCapacity(0));
    EXPECT_EQ(xml(empty), "<dict ID=\"0\"></dict>");
}

TEST(OSDictionary, IterateObjectsWithKeys)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(3));
    dict->setObject("a", num(1));
    dict->setObject("b", num(2));
    dict->setObject("c", num(3));
    std::string seen;
    unsigned long long total = 0;
    EXPECT_TRUE(dict->iterateObjects([&](const OSSymbol* key, OSObject* value) {
        seen += key->getCStringNoCopy();
        total += OSDynamicCast(OSNumber, value)->unsigned64BitValue();
        return false;
    }));
    EXPECT_EQ(seen, "abc");
    EXPECT_EQ(total, 6ull);
    EXPECT_FALSE(dict->iterateObjects([&](const OSSymbol*, OSObject*) {
        dict->removeObject("a");
        return false;
    }));
    EXPECT_EQ(dict->getCount(), 2u);
}

TEST(OSDictionary, CapacityAndFlush)
{
    OSSharedPtr<OSDictionary> dict = adopt(OSDictionary::withCapacity(0));
    EXPECT_EQ(dict->getCapacity(), 0u);
    EXPECT_EQ(dict->getCapacityIncrement(), 16u);
    dict->setObject("a", num(1));
    EXPECT_EQ(dict->getCapacity(), 16u);
    EXPECT_EQ(dict->setCapacityIncrement(5), 5u);
    EXPECT_EQ(dict->ensureCapacity(17), 20u);
    OSSharedPtr<OSString> v = str("v");
    dict->setObject("b", v.get());
    dict->flushCollection();
    EXPECT_EQ(dict->getCount(), 0u);
    EXPECT_EQ(v->getRetainCount(), 1);
    EXPECT_EQ(dict->getObject("b"), nullptr);
}
