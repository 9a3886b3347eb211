// OSSymbol: interned strings, and the pool that interns them.
//
// The pool is a hash map from text to symbol, split into shards by the text's hash, each with
// its own mutex. It holds no references: a symbol is in the pool exactly while it is alive.
//
// Why every release takes the shard lock. A look-up finds a symbol in the map and must retain
// it; meanwhile another thread may be dropping that symbol's last reference. If the count could
// reach zero outside the lock, the look-up could retain an object whose free() is already
// running, "resurrecting" it, and hand out a dangling pointer once the free finishes. xnu avoids
// this with a try-retain that fails on a zero count, which needs access to OSObject's counter.
// Here OSSymbol::taggedRelease instead takes the shard lock around the whole release: the count
// can then only drop to zero with the lock held, and the free() that follows (still under the
// lock) removes the symbol from the map before anyone else can look. So any symbol found under
// the lock has a count of at least one and may be retained. Retains need no lock: whoever
// retains already holds a reference. The cost is one uncontended mutex per symbol release,
// spread over kShardCount locks.
#include <libkern/c++/OSSymbol.h>

#include <cstring>
#include <functional>
#include <mutex>
#include <new>
#include <string_view>
#include <unordered_map>
#include <vector>

OSDefineMetaClassAndAbstractStructors(OSSymbol, OSString);

namespace {

struct SymbolKey {
    std::string_view text;  // points at the symbol's own text while it is in the pool
    size_t hash;
};
struct SymbolKeyHash {
    size_t operator()(const SymbolKey& key) const noexcept { return key.hash; }
};
struct SymbolKeyEqual {
    bool operator()(const SymbolKey& a, const SymbolKey& b) const noexcept { return a.text == b.text; }
};

size_t hashText(std::string_view text)
{
    return std::hash<std::string_view>{}(text);
}

}  // namespace

class OSSymbolPool {
public:
    static constexpr size_t kShardCount = 32;

    struct Shard {
        std::mutex lock;
        std::unordered_map<SymbolKey, OSSymbol*, SymbolKeyHash, SymbolKeyEqual> symbols;  // guarded by lock
    };

    static OSSymbolPool& shared()
    {
        // Immortal: symbols are released from static destructors of the library and of kexts,
        // in no particular order relative to this pool.
        alignas(OSSymbolPool) static unsigned char storage[sizeof(OSSymbolPool)];
        static OSSymbolPool* pool = new (storage) OSSymbolPool;
        return *pool;
    }

    Shard& shardFor(size_t hash) { return shards_[(hash ^ (hash >> 29)) % kShardCount]; }

    // The live symbol for `key`, retained, or null. Needs shard.lock held.
    static const OSSymbol* findAndRetainLocked(Shard& shard, const SymbolKey& key)
    {
        auto found = shard.symbols.find(key);
        if (found == shard.symbols.end()) {
            return nullptr;
        }
        found->second->retain();  // safe: its count is >= 1 while it is in the map (see top)
        return found->second;
    }

    // Removes `symbol` if the map holds it (a losing duplicate never got in). Needs the
    // symbol's shard lock held.
    static void removeLocked(Shard& shard, const OSSymbol* symbol, const SymbolKey& key)
    {
        auto found = shard.symbols.find(key);
        if (found != shard.symbols.end() && found->second == symbol) {
            shard.symbols.erase(found);
        }
    }

    template <typename Visit>
    void forEachShard(Visit&& visit)
    {
        for (Shard& shard : shards_) {
            std::lock_guard lock(shard.lock);
            visit(shard);
        }
    }

private:
    OSSymbolPool() = default;

    Shard shards_[kShardCount];
};

void OSSymbol::initialize() {}

// --- Creation ----------------------------------------------------------------------------------

OSSymbol* OSSymbol::make(const char* cString, bool noCopy)
{
    // OSSymbol's default constructor is deleted (as in xnu, nobody else may make one); the
    // metaclass constructor is the one the generated default constructor would use, so the
    // instance is accounted the same way.
    OSSymbol* symbol = new OSSymbol(&gMetaClass);
    if (!symbol) {
        return nullptr;
    }
    gMetaClass.instanceConstructed();
    symbol->hash_ = hashText(cString);
    const bool ok = noCopy ? symbol->OSString::initWithCStringNoCopy(cString)
                           : symbol->OSString::initWithCString(cString);
    if (!ok) {
        symbol->release();
        return nullptr;
    }
    symbol->flags |= kOSStringImmutable;
    return symbol;
}

const OSSymbol* OSSymbol::intern(const char* cString, bool noCopy)
{
    if (!cString || strnlen(cString, kMaxStringLength) >= kMaxStringLength) {
        return nullptr;
    }
    const std::string_view text(cString);
    const size_t hash = hashText(text);
    OSSymbolPool::Shard& shard = OSSymbolPool::shared().shardFor(hash);
    {
        std::lock_guard lock(shard.lock);
        if (const OSSymbol* existing = OSSymbolPool::findAndRetainLocked(shard, {text, hash})) {
            return existing;
        }
    }

    // Allocate outside the lock, then insert unless another thread got there first.
    OSSymbol* fresh = make(cString, noCopy);
    if (!fresh) {
        return nullptr;
    }
    const OSSymbol* winner;
    {
        std::lock_guard lock(shard.lock);
        auto [slot, inserted] = shard.symbols.try_emplace(
            SymbolKey{std::string_view(fresh->string, fresh->getLength()), hash}, fresh);
        winner = slot->second;
        if (!inserted) {
            winner->retain();
        }
    }
    if (winner != fresh) {
        fresh->release();  // never entered the pool; takes the shard lock itself
    }
    return winner;
}

const OSSymbol* OSSymbol::withCString(const char* cString)
{
    return intern(cString, false);
}

const OSSymbol* OSSymbol::withCStringNoCopy(const char* cString)
{
    return intern(cString, true);
}

const OSSymbol* OSSymbol::withString(const OSString* aString)
{
    if (!aString) {
        return nullptr;
    }
    if (const OSSymbol* symbol = OSDynamicCast(OSSymbol, aString)) {
        symbol->retain();
        return symbol;
    }
    // Always copies: the string's own text may not outlive the symbol.
    return intern(aString->getCStringNoCopy(), false);
}

const OSSymbol* OSSymbol::existingSymbolForCString(const char* aCString)
{
    if (!aCString) {
        return nullptr;
    }
    const std::string_view text(aCString);
    const size_t hash = hashText(text);
    OSSymbolPool::Shard& shard = OSSymbolPool::shared().shardFor(hash);
    std::lock_guard lock(shard.lock);
    return OSSymbolPool::findAndRetainLocked(shard, {text, hash});
}

const OSSymbol* OSSymbol::existingSymbolForString(const OSString* aString)
{
    if (!aString) {
        return nullptr;
    }
    if (const OSSymbol* symbol = OSDynamicCast(OSSymbol, aString)) {
        symbol->retain();
        return symbol;
    }
    return existingSymbolForCString(aString->getCStringNoCopy());
}

// Symbols are only made by the factories above.
bool OSSymbol::initWithString(const OSString*)
{
    return false;
}

bool OSSymbol::initWithCString(const char*)
{
    return false;
}

bool OSSymbol::initWithCStringNoCopy(const char*)
{
    return false;
}

// --- Release and free --------------------------------------------------------------------------

void OSSymbol::taggedRelease(const void* tag) const
{
    taggedRelease(tag, 1);
}

void OSSymbol::taggedRelease(const void* tag, const int freeWhen) const
{
    OSSymbolPool::Shard& shard = OSSymbolPool::shared().shardFor(hash_);
    std::lock_guard lock(shard.lock);
    // May run free() below, with the lock held; `this` is gone afterwards, the shard is not.
    OSString::taggedRelease(tag, freeWhen);
}

void OSSymbol::free()
{
    // Called from taggedRelease with this symbol's shard locked.
    if (string) {
        OSSymbolPool::Shard& shard = OSSymbolPool::shared().shardFor(hash_);
        OSSymbolPool::removeLocked(shard, this, {std::string_view(string, getLength()), hash_});
    }
    OSString::free();
}

void OSSymbol::checkForPageUnload(void* startAddr, void* endAddr)
{
    const char* start = static_cast<const char*>(startAddr);
    const char* end = static_cast<const char*>(endAddr);
    OSSymbolPool::shared().forEachShard([&](OSSymbolPool::Shard& shard) {
        std::vector<OSSymbol*> affected;
        for (const auto& [key, symbol] : shard.symbols) {
            if ((symbol->flags & kOSStringNoCopy) && std::less_equal<>{}(start, symbol->string) &&
                std::less<>{}(symbol->string, end)) {
                affected.push_back(symbol);
            }
        }
        for (OSSymbol* symbol : affected) {
            // Re-key the entry too: its key points at the old text.
            const size_t textLength = symbol->getLength();
            const char* oldText = symbol->string;
            if (symbol->adoptCopy(oldText, textLength)) {
                shard.symbols.erase(SymbolKey{std::string_view(oldText, textLength), symbol->hash_});
                shard.symbols.emplace(SymbolKey{std::string_view(symbol->string, textLength), symbol->hash_}, symbol);
            }
        }
    });
}

// --- Equality ----------------------------------------------------------------------------------

bool OSSymbol::isEqualTo(const OSSymbol* aSymbol) const
{
    return this == aSymbol;
}

bool OSSymbol::isEqualTo(const char* cString) const
{
    return OSString::isEqualTo(cString);
}

bool OSSymbol::isEqualTo(const OSMetaClassBase* anObject) const
{
    if (const OSSymbol* symbol = OSDynamicCast(OSSymbol, anObject)) {
        return isEqualTo(symbol);
    }
    return OSString::isEqualTo(anObject);
}
