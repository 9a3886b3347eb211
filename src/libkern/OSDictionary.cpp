// OSDictionary: OSSymbol -> object in insertion order (xnu libkern/c++/OSDictionary.cpp
// semantics, except that kSort does not reorder: see the header).
//
// Entries live in a vector in insertion order. Small dictionaries are searched linearly (by
// key address, or by the key text cached in the entry for C-string look-ups); once a
// dictionary exceeds kIndexThreshold entries it also keeps a hash index from key address to
// position, and C-string look-ups go through OSSymbol::existingSymbolForCString.
#include <libkern/c++/OSDictionary.h>

#include <libkern/c++/OSArray.h>
#include <libkern/c++/OSCollectionIterator.h>
#include <libkern/c++/OSSerialize.h>
#include <libkern/c++/OSSymbol.h>

#include "OSCollectionStorage.h"
#include "OSXMLEscape.h"

#include <cstring>
#include <unordered_map>
#include <utility>

OSDefineMetaClassAndStructors(OSDictionary, OSCollection);

using namespace libkern_internal;

namespace {
constexpr size_t kIndexThreshold = 16;
}

struct OSDictionary::Index {
    std::unordered_map<const OSSymbol*, size_t> positions;
};

// --- Construction ------------------------------------------------------------------------------

OSDictionary* OSDictionary::withCapacity(unsigned int capacity)
{
    OSDictionary* me = new OSDictionary;
    if (me && !me->initWithCapacity(capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSDictionary* OSDictionary::withObjects(const OSObject* objects[], const OSSymbol* keys[], unsigned int count,
                                        unsigned int capacity)
{
    OSDictionary* me = new OSDictionary;
    if (me && !me->initWithObjects(objects, keys, count, capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSDictionary* OSDictionary::withObjects(const OSObject* objects[], const OSString* keys[], unsigned int count,
                                        unsigned int capacity)
{
    OSDictionary* me = new OSDictionary;
    if (me && !me->initWithObjects(objects, keys, count, capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSDictionary* OSDictionary::withDictionary(const OSDictionary* dict, unsigned int capacity)
{
    OSDictionary* me = new OSDictionary;
    if (me && !me->initWithDictionary(dict, capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool OSDictionary::initWithCapacity(unsigned int capacity)
{
    if (!OSCollection::init()) {
        return false;
    }
    std::vector<Entry> previous = std::move(entries_);  // re-initialisation drops old contents
    entries_.clear();
    index_.reset();
    if (!reserveElements(entries_, capacity)) {
        return false;
    }
    capacity_ = capacity;
    capacityIncrement_ = incrementFor(capacity);
    return true;
}

bool OSDictionary::initWithObjects(const OSObject* objects[], const OSSymbol* keys[], unsigned int count,
                                   unsigned int capacity)
{
    if (!objects || !keys || (capacity && count > capacity) || !initWithCapacity(capacity ? capacity : count)) {
        return false;
    }
    for (unsigned int i = 0; i < count; i++) {
        if (!setObject(keys[i], objects[i])) {
            return false;
        }
    }
    return true;
}

bool OSDictionary::initWithObjects(const OSObject* objects[], const OSString* keys[], unsigned int count,
                                   unsigned int capacity)
{
    if (!objects || !keys || (capacity && count > capacity) || !initWithCapacity(capacity ? capacity : count)) {
        return false;
    }
    for (unsigned int i = 0; i < count; i++) {
        if (!keys[i] || !setObject(keys[i], objects[i])) {
            return false;
        }
    }
    return true;
}

bool OSDictionary::initWithDictionary(const OSDictionary* dict, unsigned int capacity)
{
    if (!dict || dict == this || (capacity && dict->getCount() > capacity) ||
        !initWithCapacity(capacity ? capacity : dict->getCount())) {
        return false;
    }
    entries_ = dict->entries_;  // copies retain every key and value
    rebuildIndex();
    return true;
}

void OSDictionary::free()
{
    OSCollection::setOptions(0, kImmutable);
    flushCollection();
    OSCollection::free();
}

// --- Capacity ----------------------------------------------------------------------------------

unsigned int OSDictionary::getCount() const
{
    return static_cast<unsigned int>(entries_.size());
}

unsigned int OSDictionary::getCapacity() const
{
    return capacity_;
}

unsigned int OSDictionary::getCapacityIncrement() const
{
    return capacityIncrement_;
}

unsigned int OSDictionary::setCapacityIncrement(unsigned increment)
{
    capacityIncrement_ = incrementFor(increment);
    return capacityIncrement_;
}

unsigned int OSDictionary::ensureCapacity(unsigned int newCapacity)
{
    return growCapacity(entries_, capacity_, capacityIncrement_, newCapacity);
}

bool OSDictionary::growFor(unsigned int newCount)
{
    return newCount >= getCount() && ensureCapacity(newCount) >= newCount;
}

// --- Look-up -----------------------------------------------------------------------------------

void OSDictionary::rebuildIndex()
{
    if (entries_.size() <= kIndexThreshold) {
        index_.reset();
        return;
    }
    if (!index_) {
        index_ = std::make_unique<Index>();
    }
    index_->positions.clear();
    for (size_t i = 0; i < entries_.size(); i++) {
        index_->positions.emplace(entries_[i].key.get(), i);
    }
}

long OSDictionary::findSymbol(const OSSymbol* aKey) const
{
    if (!aKey) {
        return -1;
    }
    if (index_) {
        auto found = index_->positions.find(aKey);
        return found == index_->positions.end() ? -1 : static_cast<long>(found->second);
    }
    for (size_t i = 0; i < entries_.size(); i++) {
        if (entries_[i].key.get() == aKey) {
            return static_cast<long>(i);
        }
    }
    return -1;
}

long OSDictionary::findText(const char* text) const
{
    if (!text) {
        return -1;
    }
    if (index_) {
        // A key present here is a live symbol, so the existing symbol is found iff it is here.
        OSSharedPtr<const OSSymbol> symbol(OSSymbol::existingSymbolForCString(text), OSNoRetain);
        return findSymbol(symbol.get());
    }
    for (size_t i = 0; i < entries_.size(); i++) {
        if (entries_[i].keyText && std::strcmp(entries_[i].keyText, text) == 0) {
            return static_cast<long>(i);
        }
    }
    return -1;
}

OSObject* OSDictionary::getObject(const OSSymbol* aKey) const
{
    const long position = findSymbol(aKey);
    if (position < 0) {
        return nullptr;
    }
    return static_cast<OSObject*>(const_cast<OSMetaClassBase*>(entries_[position].value.get()));
}

OSObject* OSDictionary::getObject(const OSString* aKey) const
{
    if (const OSSymbol* symbol = OSDynamicCast(OSSymbol, aKey)) {
        return getObject(symbol);
    }
    const long position = aKey ? findText(aKey->getCStringNoCopy()) : -1;
    return position < 0 ? nullptr : getObject(entries_[position].key.get());
}

OSObject* OSDictionary::getObject(const char* aKey) const
{
    const long position = findText(aKey);
    return position < 0 ? nullptr : getObject(entries_[position].key.get());
}

// --- Mutation ----------------------------------------------------------------------------------

bool OSDictionary::setObject(const OSSymbol* aKey, const OSMetaClassBase* anObject, bool onlyAdd)
{
    if (!aKey || !anObject || refuseMutation()) {
        return false;
    }
    const long position = findSymbol(aKey);
    if (position >= 0) {
        if (onlyAdd) {
            return false;
        }
        haveUpdated();
        // The old value is released on return, after the new one is in place.
        OSSharedPtr<const OSMetaClassBase> old = std::move(entries_[position].value);
        entries_[position].value.reset(anObject, OSRetain);
        return true;
    }
    if (!growFor(getCount() + 1)) {
        return false;
    }
    haveUpdated();
    // Keys are normally symbols; copyCollection's cycle dictionary uses other objects' addresses
    // as keys, which are never looked up by text.
    const OSSymbol* symbol = OSDynamicCast(OSSymbol, aKey);
    entries_.push_back(Entry{OSSharedPtr<const OSSymbol>(aKey, OSRetain),
                             OSSharedPtr<const OSMetaClassBase>(anObject, OSRetain),
                             symbol ? symbol->getCStringNoCopy() : nullptr});
    if (index_) {
        index_->positions.emplace(aKey, entries_.size() - 1);
    } else if (entries_.size() > kIndexThreshold) {
        rebuildIndex();
    }
    return true;
}

bool OSDictionary::setObject(const OSSymbol* aKey, const OSMetaClassBase* anObject)
{
    return setObject(aKey, anObject, false);
}

bool OSDictionary::setObject(OSSharedPtr<const OSSymbol> const& aKey, OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setObject(aKey.get(), anObject.get());
}

bool OSDictionary::setObject(const OSString* aKey, const OSMetaClassBase* anObject)
{
    if (!aKey || !anObject) {
        return false;
    }
    OSSharedPtr<const OSSymbol> symbol(OSSymbol::withString(aKey), OSNoRetain);
    return setObject(symbol.get(), anObject);
}

bool OSDictionary::setObject(const OSString* aKey, OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setObject(aKey, anObject.get());
}

bool OSDictionary::setObject(const char* aKey, const OSMetaClassBase* anObject)
{
    if (!aKey || !anObject) {
        return false;
    }
    OSSharedPtr<const OSSymbol> symbol(OSSymbol::withCString(aKey), OSNoRetain);
    return setObject(symbol.get(), anObject);
}

bool OSDictionary::setObject(const char* aKey, OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setObject(aKey, anObject.get());
}

OSDictionary::Entry OSDictionary::takeEntry(size_t position)
{
    Entry taken = std::move(entries_[position]);
    entries_.erase(entries_.begin() + static_cast<long>(position));
    if (index_) {
        if (entries_.size() <= kIndexThreshold / 2) {
            index_.reset();
        } else {
            index_->positions.erase(taken.key.get());
            for (auto& [key, where] : index_->positions) {
                if (where > position) {
                    where--;
                }
            }
        }
    }
    return taken;
}

void OSDictionary::removeObject(const OSSymbol* aKey)
{
    const long position = findSymbol(aKey);
    if (position < 0 || refuseMutation()) {
        return;
    }
    haveUpdated();
    Entry removed = takeEntry(static_cast<size_t>(position));  // released on return
}

void OSDictionary::removeObject(const OSString* aKey)
{
    if (const OSSymbol* symbol = OSDynamicCast(OSSymbol, aKey)) {
        removeObject(symbol);
    } else if (aKey) {
        removeObject(aKey->getCStringNoCopy());
    }
}

void OSDictionary::removeObject(const char* aKey)
{
    const long position = findText(aKey);
    if (position >= 0) {
        removeObject(entries_[position].key.get());
    }
}

void OSDictionary::flushCollection()
{
    if (refuseMutation()) {
        return;
    }
    haveUpdated();
    // Empty the dictionary before releasing anything: a release may run code that looks at it.
    std::vector<Entry> doomed;
    doomed.swap(entries_);
    index_.reset();
    reserveElements(entries_, capacity_);
}

bool OSDictionary::merge(const OSDictionary* aDictionary)
{
    if (!aDictionary || refuseMutation()) {
        return false;
    }
    if (aDictionary == this) {
        return true;
    }
    for (const Entry& entry : aDictionary->entries_) {
        if (!setObject(entry.key.get(), entry.value.get())) {
            return false;
        }
    }
    return true;
}

// --- Equality ----------------------------------------------------------------------------------

bool OSDictionary::isEqualTo(const OSDictionary* aDictionary, const OSCollection* keys) const
{
    if (!aDictionary || !keys) {
        return false;
    }
    if (aDictionary == this) {
        return true;
    }
    const unsigned int keyCount = keys->getCount();
    if (getCount() < keyCount || aDictionary->getCount() < keyCount) {
        return false;
    }
    OSSharedPtr<OSCollectionIterator> iterator(OSCollectionIterator::withCollection(keys), OSNoRetain);
    if (!iterator) {
        return false;
    }
    // As xnu: the walk ends at the first key that is not a string.
    while (const OSString* key = OSDynamicCast(OSString, iterator->getNextObject())) {
        const OSObject* mine = getObject(key);
        const OSObject* theirs = aDictionary->getObject(key);
        if (!mine || !theirs || !mine->isEqualTo(theirs)) {
            return false;
        }
    }
    return true;
}

bool OSDictionary::isEqualTo(const OSDictionary* aDictionary) const
{
    if (!aDictionary) {
        return false;
    }
    if (aDictionary == this) {
        return true;
    }
    if (aDictionary->getCount() != getCount()) {
        return false;
    }
    for (const Entry& entry : entries_) {
        const OSObject* theirs = aDictionary->getObject(entry.key.get());
        if (!theirs || !entry.value->isEqualTo(theirs)) {
            return false;
        }
    }
    return true;
}

bool OSDictionary::isEqualTo(const OSMetaClassBase* anObject) const
{
    const OSDictionary* other = OSDynamicCast(OSDictionary, anObject);
    return other && isEqualTo(other);
}

// --- Iteration ---------------------------------------------------------------------------------

unsigned int OSDictionary::iteratorSize() const
{
    return sizeof(unsigned int);
}

bool OSDictionary::initIterator(void* iterator) const
{
    *static_cast<unsigned int*>(iterator) = 0;
    return true;
}

bool OSDictionary::getNextObjectForIterator(void* iterator, OSObject** ret) const
{
    unsigned int& next = *static_cast<unsigned int*>(iterator);
    if (next >= entries_.size()) {
        *ret = nullptr;
        return false;
    }
    *ret = const_cast<OSSymbol*>(entries_[next++].key.get());
    return true;
}

bool OSDictionary::iterateObjects(void* refcon,
                                  bool (*callback)(void* refcon, const OSSymbol* key, OSObject* object))
{
    if (!callback) {
        return false;
    }
    const unsigned int stamp = updateStamp;
    for (size_t i = 0; i < entries_.size(); i++) {
        OSObject* value = static_cast<OSObject*>(const_cast<OSMetaClassBase*>(entries_[i].value.get()));
        if (callback(refcon, entries_[i].key.get(), value) || stamp != updateStamp) {
            break;
        }
    }
    return stamp == updateStamp;
}

OSArray* OSDictionary::copyKeys(void)
{
    OSArray* keys = OSArray::withCapacity(getCount());
    if (!keys) {
        return nullptr;
    }
    for (const Entry& entry : entries_) {
        if (!keys->setObject(entry.key.get())) {
            keys->release();
            return nullptr;
        }
    }
    return keys;
}

// --- Serialization, options, copies ------------------------------------------------------------

bool OSDictionary::serialize(OSSerialize* serializer) const
{
    if (!serializer) {
        return false;
    }
    if (serializer->previouslySerialized(this)) {
        return true;
    }
    if (!serializer->addXMLStartTag(this, "dict")) {
        return false;
    }
    for (const Entry& entry : entries_) {
        // XML keys are text: a dictionary keyed by anything but symbols cannot be written.
        if (!entry.keyText) {
            return false;
        }
        if (!serializer->addString("<key>") || !addEscapedXML(serializer, entry.keyText) ||
            !serializer->addXMLEndTag("key") || !entry.value->serialize(serializer)) {
            return false;
        }
    }
    return serializer->addXMLEndTag("dict");
}

unsigned OSDictionary::setOptions(unsigned options, unsigned mask, void*)
{
    const unsigned old = OSCollection::setOptions(options, mask);
    if ((old ^ options) & mask) {
        for (const Entry& entry : entries_) {
            if (OSCollection* child = OSDynamicCast(OSCollection, entry.value.get())) {
                child->setOptions(options, mask);
            }
        }
    }
    return old;
}

OSCollection* OSDictionary::copyCollection(OSDictionary* cycleDict)
{
    OSSharedPtr<OSDictionary> ownCycleDict;
    if (!cycleDict) {
        ownCycleDict.reset(OSDictionary::withCapacity(16), OSNoRetain);
        if (!ownCycleDict) {
            return nullptr;
        }
        cycleDict = ownCycleDict.get();
    }
    if (OSCollection* already = OSCollection::copyCollection(cycleDict)) {
        return already;
    }
    OSSharedPtr<OSDictionary> copy(OSDictionary::withDictionary(this), OSNoRetain);
    if (!copy) {
        return nullptr;
    }
    cycleDict->setObject(reinterpret_cast<const OSSymbol*>(this), copy.get());
    for (Entry& entry : copy->entries_) {
        if (OSCollection* child = OSDynamicCast(OSCollection, entry.value.get())) {
            OSSharedPtr<OSCollection> childCopy(child->copyCollection(cycleDict), OSNoRetain);
            if (!childCopy) {
                return nullptr;
            }
            entry.value = childCopy;
        }
    }
    return copy.detach();
}
