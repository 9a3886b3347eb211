// Kext load+unload through OSKext (Info.plist parse, validation, class-registration window,
// constructors, tables, personalities, unload checks, dlclose) against a bare dlopen/dlclose of
// the same shared object, in the same run. The bundle is KextTestLibrary.kext from the build
// tree: $OPENIOKIT_BENCH_KEXT, else the path bench/CMakeLists.txt compiled in (when the test
// kexts are built), else tests/kexts/bundles/KextTestLibrary.kext under the current directory.
#include <IOKit/IOService.h>
#include <openiokit/KernelLog.h>
#include <openiokit/Kexts.h>

#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

namespace {

std::filesystem::path bundlePath()
{
    if (const char* path = std::getenv("OPENIOKIT_BENCH_KEXT")) {
        return path;
    }
#ifdef OPENIOKIT_BENCH_KEXT_DEFAULT
    return OPENIOKIT_BENCH_KEXT_DEFAULT;
#else
    return std::filesystem::current_path() / "tests/kexts/bundles/KextTestLibrary.kext";
#endif
}

void BM_KextLoadUnload(benchmark::State& state)
{
    IOService::initialize();
    openiokit::KernelLog::setEchoToStderr(false);
    openiokit::kexts::setAutounloadDelay(std::chrono::hours(1));
    const auto path = bundlePath();
    for (auto _ : state) {
        auto tag = openiokit::kexts::loadKextWithPath(path);
        if (!tag) {
            state.SkipWithError(tag.error().message.c_str());
            return;
        }
        auto unloaded = openiokit::kexts::unloadKextWithIdentifier("com.openiokit.test.Library", true);
        if (!unloaded) {
            state.SkipWithError(unloaded.error().message.c_str());
            return;
        }
    }
}
BENCHMARK(BM_KextLoadUnload)->Unit(benchmark::kMicrosecond);

void BM_BareDlopenDlclose(benchmark::State& state)
{
    const auto executable = bundlePath() / "Contents" / "MacOS" / "KextTestLibrary";
    for (auto _ : state) {
        void* handle = dlopen(executable.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            state.SkipWithError(dlerror());
            return;
        }
        dlclose(handle);
    }
}
BENCHMARK(BM_BareDlopenDlclose)->Unit(benchmark::kMicrosecond);

}  // namespace
