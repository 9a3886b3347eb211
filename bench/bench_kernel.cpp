// Kernel-core benchmarks, each beside a same-run baseline:
//   match + start 10,000 nubs (catalogue personality, registerService)  vs  allocating,
//     initialising and linking the same 10,000 objects with no matching
//   terminate a 10,100-node subtree (synchronous)                         vs  tearing down
//     the same tree of plain OSObjects (OSArray children)
// scripts/bench.sh prints the ratios.
#include <IOKit/IOCatalogue.h>
#include <IOKit/IOService.h>

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

class BenchNub : public IOService {
    OSDeclareDefaultStructors(BenchNub);
};
OSDefineMetaClassAndStructors(BenchNub, IOService);

class BenchDriver : public IOService {
    OSDeclareDefaultStructors(BenchDriver);
};
OSDefineMetaClassAndStructors(BenchDriver, IOService);

namespace {

constexpr int kNodes = 10000;
constexpr int kFanOut = 100;  // root -> 100 children -> 100 grandchildren each (~10,100 nodes)

BenchNub* makeNub(const char* name)
{
    BenchNub* nub = OSTypeAlloc(BenchNub);
    nub->init();
    nub->setName(name);
    return nub;
}

// The personality: BenchDriver on any BenchNub with property "bench" = true.
void addPersonalityOnce()
{
    static bool added = [] {
        OSDictionary* personality = IOService::serviceMatching("BenchNub");
        const OSSymbol* driverClass = OSSymbol::withCString("BenchDriver");
        personality->setObject(gIOClassKey, driverClass);
        driverClass->release();
        OSDictionary* property = OSDictionary::withCapacity(1);
        property->setObject("bench", kOSBooleanTrue);
        personality->setObject(gIOPropertyMatchKey, property);
        property->release();
        OSArray* drivers = OSArray::withCapacity(1);
        drivers->setObject(personality);
        gIOCatalogue->addDrivers(drivers, false);
        drivers->release();
        personality->release();
        return true;
    }();
    (void)added;
}

void BM_MatchAndStartNubs(benchmark::State& state)
{
    IOService::initialize();
    addPersonalityOnce();
    for (auto _ : state) {
        BenchNub* bus = makeNub("BenchBus");
        bus->attach(IOService::getServiceRoot());
        std::vector<BenchNub*> nubs;
        nubs.reserve(kNodes);
        for (int i = 0; i < kNodes; ++i) {
            BenchNub* nub = makeNub("BenchDevice");
            nub->setProperty("bench", true);
            nub->attach(bus);
            nub->registerService(kIOServiceSynchronous);
            nubs.push_back(nub);
        }
        state.PauseTiming();
        bus->terminate(kIOServiceSynchronous);
        for (BenchNub* nub : nubs) {
            nub->release();
        }
        bus->release();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * kNodes);
}
BENCHMARK(BM_MatchAndStartNubs)->Unit(benchmark::kMillisecond);

void BM_Baseline_AllocInitLinkNubs(benchmark::State& state)
{
    for (auto _ : state) {
        OSArray* children = OSArray::withCapacity(kNodes);
        for (int i = 0; i < kNodes; ++i) {
            BenchNub* nub = makeNub("BenchDevice");
            nub->setProperty("bench", true);
            BenchDriver* driver = OSTypeAlloc(BenchDriver);
            driver->init();
            children->setObject(nub);
            children->setObject(driver);
            nub->release();
            driver->release();
        }
        state.PauseTiming();
        children->release();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * kNodes);
}
BENCHMARK(BM_Baseline_AllocInitLinkNubs)->Unit(benchmark::kMillisecond);

void BM_TerminateSubtree(benchmark::State& state)
{
    IOService::initialize();
    for (auto _ : state) {
        state.PauseTiming();
        BenchNub* root = makeNub("BenchRoot");
        root->attach(IOService::getServiceRoot());
        std::vector<BenchNub*> nodes;
        for (int i = 0; i < kFanOut; ++i) {
            BenchNub* child = makeNub("BenchChild");
            child->attach(root);
            nodes.push_back(child);
            for (int j = 0; j < kFanOut; ++j) {
                BenchNub* leaf = makeNub("BenchLeaf");
                leaf->attach(child);
                nodes.push_back(leaf);
            }
        }
        state.ResumeTiming();
        root->terminate(kIOServiceSynchronous);
        state.PauseTiming();
        for (BenchNub* node : nodes) {
            node->release();
        }
        root->release();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * (kFanOut + kFanOut * kFanOut));
}
BENCHMARK(BM_TerminateSubtree)->Unit(benchmark::kMillisecond);

// The same shape of plain objects, each node an OSArray of its children: the timed part is
// the teardown, as for the terminate above.
void BM_Baseline_FreePlainTree(benchmark::State& state)
{
    for (auto _ : state) {
        state.PauseTiming();
        OSArray* root = OSArray::withCapacity(kFanOut);
        for (int i = 0; i < kFanOut; ++i) {
            OSArray* child = OSArray::withCapacity(kFanOut);
            for (int j = 0; j < kFanOut; ++j) {
                OSArray* leaf = OSArray::withCapacity(0);
                child->setObject(leaf);
                leaf->release();
            }
            root->setObject(child);
            child->release();
        }
        state.ResumeTiming();
        root->release();
    }
    state.SetItemsProcessed(state.iterations() * (kFanOut + kFanOut * kFanOut));
}
BENCHMARK(BM_Baseline_FreePlainTree)->Unit(benchmark::kMillisecond);

}  // namespace
