// <libkern/c++/OSDictionary.h>: OSSymbol -> object, in insertion order.
//
// Keys are OSSymbols, compared by address; the OSString and C-string forms of each method
// convert (setObject interns the key; getObject/removeObject only look, never create a
// symbol). Iteration (OSCollectionIterator, iterateObjects) yields keys in insertion order;
// removing a key keeps the order of the others. Large dictionaries keep a hash index beside
// the ordered entries, so look-ups stay O(1).
#pragma once

#include <libkern/c++/OSArray.h>
#include <libkern/c++/OSCollection.h>
#include <libkern/c++/OSPtr.h>

#include <memory>
#include <utility>
#include <vector>

class OSArray;
class OSSymbol;
class OSString;
class OSDictionary;
typedef OSDictionary* OSDictionaryPtr;

class OSDictionary : public OSCollection {
    friend class OSSerialize;

    OSDeclareDefaultStructors(OSDictionary);

protected:
    unsigned int iteratorSize() const APPLE_KEXT_OVERRIDE;
    bool initIterator(void* iterator) const APPLE_KEXT_OVERRIDE;
    bool getNextObjectForIterator(void* iterator, OSObject** ret) const APPLE_KEXT_OVERRIDE;

public:
    static OSDictionary* withCapacity(unsigned int capacity);
    static OSDictionary* withObjects(const OSObject* objects[], const OSSymbol* keys[], unsigned int count,
                                     unsigned int capacity = 0);
    static OSDictionary* withObjects(const OSObject* objects[], const OSString* keys[], unsigned int count,
                                     unsigned int capacity = 0);
    static OSDictionary* withDictionary(const OSDictionary* dict, unsigned int capacity = 0);

    virtual bool initWithCapacity(unsigned int capacity);
    virtual bool initWithObjects(const OSObject* objects[], const OSSymbol* keys[], unsigned int count,
                                 unsigned int capacity = 0);
    virtual bool initWithObjects(const OSObject* objects[], const OSString* keys[], unsigned int count,
                                 unsigned int capacity = 0);
    virtual bool initWithDictionary(const OSDictionary* dict, unsigned int capacity = 0);

    void free() APPLE_KEXT_OVERRIDE;

    unsigned int getCount() const APPLE_KEXT_OVERRIDE;
    unsigned int getCapacity() const APPLE_KEXT_OVERRIDE;
    unsigned int getCapacityIncrement() const APPLE_KEXT_OVERRIDE;
    unsigned int setCapacityIncrement(unsigned increment) APPLE_KEXT_OVERRIDE;
    unsigned int ensureCapacity(unsigned int newCapacity) APPLE_KEXT_OVERRIDE;
    void flushCollection() APPLE_KEXT_OVERRIDE;

    // Adds, or replaces the value of an existing key (retaining the new value and releasing
    // the old one; the key object already stored stays).
    virtual bool setObject(const OSSymbol* aKey, const OSMetaClassBase* anObject);
    bool setObject(OSSharedPtr<const OSSymbol> const& aKey, OSSharedPtr<const OSMetaClassBase> const& anObject);
    virtual bool setObject(const OSString* aKey, const OSMetaClassBase* anObject);
    bool setObject(const OSString* aKey, OSSharedPtr<const OSMetaClassBase> const& anObject);
    virtual bool setObject(const char* aKey, const OSMetaClassBase* anObject);
    bool setObject(const char* aKey, OSSharedPtr<const OSMetaClassBase> const& anObject);

    virtual void removeObject(const OSSymbol* aKey);
    virtual void removeObject(const OSString* aKey);
    virtual void removeObject(const char* aKey);

    // Sets every key of aDictionary here (replacing values of keys present in both).
    virtual bool merge(const OSDictionary* aDictionary);

    // Borrowed; NULL when absent.
    virtual OSObject* getObject(const OSSymbol* aKey) const;
    virtual OSObject* getObject(const OSString* aKey) const;
    virtual OSObject* getObject(const char* aKey) const;

    // Equal on the given keys (an OSArray, OSSet or OSOrderedSet of OSStrings, or an
    // OSDictionary, whose keys are used): each must be present in both, with equal values.
    virtual bool isEqualTo(const OSDictionary* aDictionary, const OSCollection* keys) const;
    virtual bool isEqualTo(const OSDictionary* aDictionary) const;
    bool isEqualTo(const OSMetaClassBase* anObject) const APPLE_KEXT_OVERRIDE;

    // <dict ID="n"><key>escaped</key>value...</dict>
    bool serialize(OSSerialize* serializer) const APPLE_KEXT_OVERRIDE;

    unsigned setOptions(unsigned options, unsigned mask, void* context = NULL) APPLE_KEXT_OVERRIDE;
    OSCollection* copyCollection(OSDictionary* cycleDict = NULL) APPLE_KEXT_OVERRIDE;

    // xnu kernel-private: setObject that fails instead of replacing when onlyAdd is true.
    bool setObject(const OSSymbol* aKey, const OSMetaClassBase* anObject, bool onlyAdd);
    // xnu kernel-private: the keys, in order, in a new array (retained).
    OSArray* copyKeys(void);

    // Calls callback(refcon, key, value) in order until it returns true; false if the
    // dictionary changed during the walk.
    bool iterateObjects(void* refcon, bool (*callback)(void* refcon, const OSSymbol* key, OSObject* object));

    // Stands in for Apple's block overload: any callable `bool(const OSSymbol*, OSObject*)`.
    template <typename Callable>
    bool iterateObjects(Callable&& callable)
    {
        return iterateObjects(static_cast<void*>(&callable),
                              [](void* refcon, const OSSymbol* key, OSObject* object) -> bool {
                                  return (*static_cast<std::remove_reference_t<Callable>*>(refcon))(key, object);
                              });
    }

private:
    struct Entry {
        OSSharedPtr<const OSSymbol> key;
        OSSharedPtr<const OSMetaClassBase> value;
        const char* keyText;  // the key's text when it is a real OSSymbol, else null
    };
    struct Index;  // hash index: key address -> position in entries_

    // Position of the entry for `aKey`, or -1.
    long findSymbol(const OSSymbol* aKey) const;
    long findText(const char* text) const;
    bool growFor(unsigned int newCount);
    void rebuildIndex();
    // Removes entry `position` and returns it (the caller's copy releases the references).
    Entry takeEntry(size_t position);

    std::vector<Entry> entries_;
    std::unique_ptr<Index> index_;  // present once the dictionary is large
    unsigned int capacity_;
    unsigned int capacityIncrement_;
};
