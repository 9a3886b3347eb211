// libkern micro-benchmarks, each beside a same-run baseline from the standard library:
//   retain/release pair           vs  std::shared_ptr copy + destroy
//   OSDictionary lookup (symbol)  vs  OSDictionary lookup (C string)  vs  std::unordered_map
//   OSDynamicCast hit / miss      vs  dynamic_cast hit / miss
// scripts/bench.sh runs them and prints the ratios.
#include <libkern/c++/OSContainers.h>

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

class BenchBase : public OSObject {
    OSDeclareDefaultStructors(BenchBase);
};
class BenchDerived : public BenchBase {
    OSDeclareDefaultStructors(BenchDerived);
};
class BenchOther : public OSObject {
    OSDeclareDefaultStructors(BenchOther);
};

}  // namespace

OSDefineMetaClassAndStructors(BenchBase, OSObject);
OSDefineMetaClassAndStructors(BenchDerived, BenchBase);
OSDefineMetaClassAndStructors(BenchOther, OSObject);

namespace {

// C++ RTTI twins of the classes above, for the dynamic_cast baseline.
struct CppRoot {  // plays OSObject
    virtual ~CppRoot() = default;
};
struct CppBase : CppRoot {};
struct CppDerived : CppBase {};
struct CppOther : CppRoot {};

void BM_RetainRelease(benchmark::State& state)
{
    BenchBase* object = OSTypeAlloc(BenchBase);
    for (auto _ : state) {
        object->retain();
        object->release();
        benchmark::ClobberMemory();
    }
    object->release();
}
BENCHMARK(BM_RetainRelease);

void BM_Baseline_SharedPtrCopy(benchmark::State& state)
{
    auto object = std::make_shared<int>(1);
    for (auto _ : state) {
        std::shared_ptr<int> copy = object;
        benchmark::DoNotOptimize(copy);
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_Baseline_SharedPtrCopy);

// A dictionary shaped like a registry entry's property table: 16 keys.
struct Table {
    OSDictionary* dictionary = OSDictionary::withCapacity(16);
    std::vector<const OSSymbol*> symbols;
    std::vector<std::string> names;
    std::unordered_map<std::string, OSObject*> map;

    Table()
    {
        for (int i = 0; i < 16; ++i) {
            names.push_back("IOProperty" + std::to_string(i));
            const OSSymbol* symbol = OSSymbol::withCString(names.back().c_str());
            OSNumber* value = OSNumber::withNumber(i, 32);
            dictionary->setObject(symbol, value);
            map.emplace(names.back(), value);
            symbols.push_back(symbol);
            value->release();
        }
    }
    ~Table()
    {
        for (const OSSymbol* symbol : symbols) {
            symbol->release();
        }
        dictionary->release();
    }
};

void BM_DictionaryLookupBySymbol(benchmark::State& state)
{
    Table table;
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(table.dictionary->getObject(table.symbols[i++ & 15]));
    }
}
BENCHMARK(BM_DictionaryLookupBySymbol);

void BM_DictionaryLookupByCString(benchmark::State& state)
{
    Table table;
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(table.dictionary->getObject(table.names[i++ & 15].c_str()));
    }
}
BENCHMARK(BM_DictionaryLookupByCString);

void BM_Baseline_UnorderedMapLookup(benchmark::State& state)
{
    Table table;
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(table.map.find(table.names[i++ & 15]));
    }
}
BENCHMARK(BM_Baseline_UnorderedMapLookup);

void BM_DynamicCastHit(benchmark::State& state)
{
    OSObject* object = OSTypeAlloc(BenchDerived);
    benchmark::DoNotOptimize(object);
    for (auto _ : state) {
        benchmark::DoNotOptimize(OSDynamicCast(BenchBase, object));
    }
    object->release();
}
BENCHMARK(BM_DynamicCastHit);

void BM_DynamicCastMiss(benchmark::State& state)
{
    OSObject* object = OSTypeAlloc(BenchDerived);
    benchmark::DoNotOptimize(object);
    for (auto _ : state) {
        benchmark::DoNotOptimize(OSDynamicCast(BenchOther, object));
    }
    object->release();
}
BENCHMARK(BM_DynamicCastMiss);

void BM_Baseline_CppDynamicCastHit(benchmark::State& state)
{
    std::unique_ptr<CppRoot> object = std::make_unique<CppDerived>();
    CppRoot* pointer = object.get();
    benchmark::DoNotOptimize(pointer);
    for (auto _ : state) {
        benchmark::DoNotOptimize(dynamic_cast<CppBase*>(pointer));
    }
}
BENCHMARK(BM_Baseline_CppDynamicCastHit);

void BM_Baseline_CppDynamicCastMiss(benchmark::State& state)
{
    std::unique_ptr<CppRoot> object = std::make_unique<CppDerived>();
    CppRoot* pointer = object.get();
    benchmark::DoNotOptimize(pointer);
    for (auto _ : state) {
        benchmark::DoNotOptimize(dynamic_cast<CppOther*>(pointer));
    }
}
BENCHMARK(BM_Baseline_CppDynamicCastMiss);

}  // namespace
