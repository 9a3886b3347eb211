// cf::HashTable: insertion-ordered entries with a multimap from key hash to position.
#include "CFHashTable.h"

namespace cf {

HashTable::HashTable(const HashTable& other) : keys_(other.keys_), values_(other.values_)
{
    entries_.reserve(other.entries_.size());
    for (const Entry& entry : other.entries_) {
        entries_.push_back({keys_.doRetain(entry.key), values_.doRetain(entry.value)});
    }
    reindex();
}

long HashTable::indexOf(const void* key) const
{
    auto [begin, end] = index_.equal_range(keys_.doHash(key));
    for (auto it = begin; it != end; ++it) {
        if (keys_.doEqual(entries_[it->second].key, key)) {
            return static_cast<long>(it->second);
        }
    }
    return -1;
}

const HashTable::Entry* HashTable::find(const void* key) const
{
    const long at = indexOf(key);
    return at < 0 ? nullptr : &entries_[static_cast<size_t>(at)];
}

void HashTable::put(const void* key, const void* value, Mode mode)
{
    const long at = indexOf(key);
    if (at < 0) {
        if (mode == Mode::Replace) {
            return;
        }
        entries_.push_back({keys_.doRetain(key), values_.doRetain(value)});
        index_.emplace(keys_.doHash(key), entries_.size() - 1);
        return;
    }
    if (mode == Mode::Add) {
        return;
    }
    // Retain the new value before releasing the old one: they may be the same object.
    Entry& entry = entries_[static_cast<size_t>(at)];
    const void* old = entry.value;
    entry.value = values_.doRetain(value);
    values_.doRelease(old);
}

void HashTable::remove(const void* key)
{
    const long at = indexOf(key);
    if (at < 0) {
        return;
    }
    const Entry removed = entries_[static_cast<size_t>(at)];
    entries_.erase(entries_.begin() + at);
    reindex();
    keys_.doRelease(removed.key);
    values_.doRelease(removed.value);
}

void HashTable::clear()
{
    std::vector<Entry> old;
    old.swap(entries_);
    index_.clear();
    for (const Entry& entry : old) {
        keys_.doRelease(entry.key);
        values_.doRelease(entry.value);
    }
}

bool HashTable::equal(const HashTable& other) const
{
    if (entries_.size() != other.entries_.size()) {
        return false;
    }
    for (const Entry& entry : entries_) {
        const Entry* match = other.find(entry.key);
        if (!match || !values_.doEqual(entry.value, match->value)) {
            return false;
        }
    }
    return true;
}

void HashTable::reindex()
{
    index_.clear();
    for (size_t i = 0; i < entries_.size(); i++) {
        index_.emplace(keys_.doHash(entries_[i].key), i);
    }
}

} // namespace cf
