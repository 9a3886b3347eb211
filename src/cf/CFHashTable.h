// The storage behind CFDictionary and CFSet: entries in insertion order plus a hash index,
// keys and values owned through their collections' callbacks.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "CFCollectionCallBacks.h"

namespace cf {

class HashTable {
public:
    struct Entry {
        const void* key;
        const void* value;
    };

    HashTable(const CollectionCallBacks& keys, const CollectionCallBacks& values) : keys_(keys), values_(values) {}
    HashTable(const HashTable& other);
    HashTable& operator=(const HashTable&) = delete;
    ~HashTable() { clear(); }

    const std::vector<Entry>& entries() const { return entries_; }
    size_t size() const { return entries_.size(); }
    const Entry* find(const void* key) const;

    enum class Mode { Add, Replace, Set };
    void put(const void* key, const void* value, Mode mode);
    void remove(const void* key);
    void clear();

    const CollectionCallBacks& keyCallBacks() const { return keys_; }
    const CollectionCallBacks& valueCallBacks() const { return values_; }

    // Same keys with equal values (compared with this table's value callbacks).
    bool equal(const HashTable& other) const;

private:
    long indexOf(const void* key) const;
    void reindex();

    CollectionCallBacks keys_;
    CollectionCallBacks values_;
    std::vector<Entry> entries_;
    std::unordered_multimap<CFHashCode, size_t> index_;
};

} // namespace cf
