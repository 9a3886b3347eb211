// kextstat: the loaded kexts, in macOS's columns (docs/tools.md), or as JSON for scripts.
#include "../common/CFRef.h"
#include "../common/Tool.h"

#include <IOKit/IOKitLib.h>
#include <IOKit/kext/KextManager.h>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <vector>

using namespace openiokit::tools;

namespace {

// One row, read from KextManagerCopyLoadedKextInfo's dictionary for the kext.
struct Row {
    long long index;
    long long refs;
    unsigned long long address;
    unsigned long long size;
    unsigned long long wired;
    std::string identifier;
    std::string version;
    std::string uuid;
    std::vector<long long> linkedAgainst;
    bool kernelComponent;
};

Row readRow(CFDictionaryRef info)
{
    Row row{};
    row.index = lookupInteger(info, "OSBundleLoadTag");
    row.refs = lookupInteger(info, "OSBundleRetainCount");
    row.address = static_cast<unsigned long long>(lookupInteger(info, "OSBundleLoadAddress"));
    row.size = static_cast<unsigned long long>(lookupInteger(info, "OSBundleLoadSize"));
    row.wired = static_cast<unsigned long long>(lookupInteger(info, "OSBundleWiredSize"));
    row.identifier = lookupString(info, "CFBundleIdentifier");
    row.version = lookupString(info, "CFBundleVersion");
    row.uuid = lookupString(info, "OSBundleUUID");
    if (CFBooleanRef b = asBoolean(lookup(info, "OSKernelResource"))) {
        row.kernelComponent = CFBooleanGetValue(b);
    }
    if (CFArrayRef deps = asArray(lookup(info, "OSBundleDependencies"))) {
        for (CFIndex i = 0; i < CFArrayGetCount(deps); i++) {
            long long tag = 0;
            if (CFNumberRef n = asNumber(CFArrayGetValueAtIndex(deps, i))) {
                CFNumberGetValue(n, kCFNumberLongLongType, &tag);
                row.linkedAgainst.push_back(tag);
            }
        }
    }
    // kextstat lists dependencies highest load tag first.
    std::sort(row.linkedAgainst.begin(), row.linkedAgainst.end(), std::greater<>());
    return row;
}

std::string hex(unsigned long long value)
{
    return fmt::format("{:#x}", value);
}

void printRow(const Row& r)
{
    fmt::print("{:>5} {:>4} {:<18} {:<10} {:<10} {} ({}) {} <{}>\n", r.index, r.refs, hex(r.address), hex(r.size),
               hex(r.wired), r.identifier, r.version, r.uuid.empty() ? "-" : r.uuid,
               fmt::join(r.linkedAgainst, " "));
}

// JSON string literal (RFC 8259 escapes).
std::string quoted(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += fmt::format("\\u{:04x}", c);
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

void printJSON(const std::vector<Row>& rows)
{
    fmt::print("[");
    for (size_t i = 0; i < rows.size(); i++) {
        const Row& r = rows[i];
        fmt::print("{}\n  {{\"index\": {}, \"refs\": {}, \"address\": {}, \"size\": {}, \"wired\": {}, "
                   "\"name\": {}, \"version\": {}, \"uuid\": {}, \"linkedAgainst\": [{}], \"kernelComponent\": {}}}",
                   i ? "," : "", r.index, r.refs, r.address, r.size, r.wired, quoted(r.identifier), quoted(r.version),
                   r.uuid.empty() ? "null" : quoted(r.uuid), fmt::join(r.linkedAgainst, ", "),
                   r.kernelComponent ? "true" : "false");
    }
    fmt::print("{}]\n", rows.empty() ? "" : "\n");
}

ManPage manPage()
{
    return ManPage{
        .name = "kextstat - display status of loaded kernel extensions",
        .synopsis = "kextstat [-h] [-k] [-l] [-b bundle_id] ... [--json]",
        .description =
            "Lists the kexts loaded in iokitd, kernel components first, then by load index, in\n"
            "macOS's columns: Index (load tag), Refs (kexts linked against it and other retains),\n"
            "Address, Size and Wired (of the mapped image), Name (Version), UUID (the ELF build\n"
            "id), and <Linked Against> (load tags of its dependencies).",
        .exitStatus = "0   success (also when -b names no loaded kext: nothing is listed)\n"
                      "64  bad options (EX_USAGE)\n"
                      "69  iokitd cannot be reached (EX_UNAVAILABLE)\n"
                      "70  iokitd answered something unreadable (EX_SOFTWARE)",
        .examples = "kextstat                                  # all loaded kexts\n"
                    "kextstat -l -b com.openiokit.SimBus        # one row, no header\n"
                    "kextstat --json | jq '.[].name'           # for scripts",
    };
}

}  // namespace

int main(int argc, char** argv)
{
    Tool tool("kextstat", manPage());
    std::vector<std::string> bundleIDs;
    bool noHeader = false;
    bool noKernel = false;
    bool json = false;
    CLI::App& app = tool.app();
    app.add_option("-b,--bundle-id", bundleIDs, "Show only the kext with this CFBundleIdentifier.")
        ->allow_extra_args(false)->type_name("bundle_id");
    app.add_flag("-l,--list-only", noHeader, "Print the rows without the header line.");
    app.add_flag("-k,--no-kernel", noKernel, "Leave out kernel components.");
    app.add_flag("--json", json, "Print a JSON array of objects (index, refs, address, size, wired, name, "
                                 "version, uuid, linkedAgainst, kernelComponent).");
    if (auto exit = tool.parse(argc, argv)) {
        return *exit;
    }
    if (auto exit = tool.requireDaemon()) {
        return *exit;
    }
    CFRef<CFMutableArrayRef> filter;
    if (!bundleIDs.empty()) {
        filter.reset(CFArrayCreateMutable(kCFAllocatorDefault, 0, &kCFTypeArrayCallBacks));
        for (const std::string& id : bundleIDs) {
            CFRef<CFStringRef> s = makeString(id);
            CFArrayAppendValue(filter.get(), s.get());
        }
    }
    CFRef<CFDictionaryRef> loaded(KextManagerCopyLoadedKextInfo(filter.get(), nullptr));
    if (!loaded) {
        uint32_t busy = 0;
        if (tool.reportIfUnreachable(IOKitGetBusyState(kIOMainPortDefault, &busy))) {
            return kExitUnavailable;
        }
        tool.error("iokitd did not return the loaded kext list.");
        return kExitSoftware;
    }
    std::vector<Row> rows;
    const CFIndex count = CFDictionaryGetCount(loaded.get());
    std::vector<const void*> values(static_cast<size_t>(count));
    CFDictionaryGetKeysAndValues(loaded.get(), nullptr, values.data());
    for (const void* value : values) {
        if (CFDictionaryRef info = asDictionary(value)) {
            Row row = readRow(info);
            if (!(noKernel && row.kernelComponent)) {
                rows.push_back(std::move(row));
            }
        }
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.kernelComponent != b.kernelComponent ? a.kernelComponent : a.index < b.index;
    });
    if (json) {
        printJSON(rows);
        return kExitOK;
    }
    if (!noHeader) {
        fmt::print("Index Refs Address            Size       Wired      Name (Version) UUID <Linked Against>\n");
    }
    for (const Row& row : rows) {
        printRow(row);
    }
    return kExitOK;
}
