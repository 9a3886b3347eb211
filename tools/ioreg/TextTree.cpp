#include "TextTree.h"

#include "PropertyFormat.h"
#include "Registry.h"

#include <fmt/format.h>

namespace openiokit::tools::ioreg {

void TextTree::print()
{
    if (!options_.subtrees || !options_.hasFilter()) {
        IOObjectRef root(IORegistryGetRootEntry(kIOMainPortDefault));
        scan(root.get(), false, 0, 0);
        return;
    }
    for (IOObjectRef& entry : allEntries(options_.plane)) {
        if (!matchesFilter(entry.get(), options_)) {
            continue;
        }
        uint32_t depth = 0;
        if (options_.treeLocation) {
            for (IOObjectRef& ancestor : ancestorsOf(entry.get(), options_.plane)) {
                show(ancestor.get(), depth++, 0, false);
            }
        }
        scan(entry.get(), false, depth, 0);
    }
}

void TextTree::scan(io_registry_entry_t entry, bool hasMoreSiblings, uint32_t depth, uint64_t stackOfBits)
{
    std::vector<IOObjectRef> children = childrenOf(entry, options_.plane);
    const uint64_t bit = uint64_t{1} << depth;
    stackOfBits = hasMoreSiblings ? (stackOfBits | bit) : (stackOfBits & ~bit);
    const bool descend = options_.depth == 0 || options_.depth > depth + 1;
    if (descend) {
        stackOfBits = children.empty() ? (stackOfBits & ~(bit << 1)) : (stackOfBits | (bit << 1));
    }
    const bool withProperties = options_.allProperties || (options_.hasFilter() && matchesFilter(entry, options_));
    show(entry, depth, stackOfBits, withProperties);
    if (!descend) {
        return;
    }
    for (size_t i = 0; i < children.size(); i++) {
        scan(children[i].get(), i + 1 < children.size(), depth + 1, stackOfBits);
    }
}

void TextTree::show(io_registry_entry_t object, uint32_t depth, uint64_t stackOfBits, bool withProperties)
{
    const Entry e = Entry::read(object, options_, withProperties);
    std::string text = indent(true, depth, stackOfBits) + e.name;
    if (!e.location.empty()) {
        text += "@" + e.location;
    }
    text += "  <class ";
    // -i: the chain root class first, as ioreg prints it ("OSObject:IORegistryEntry:IOService:X").
    for (auto it = e.superclasses.rbegin(); it != e.superclasses.rend(); ++it) {
        text += *it + ":";
    }
    text += e.className;
    text += fmt::format(", id {:#x}", e.id);
    if (e.service) {
        // ioreg.c's words: "!" for a state not reached, "inactive" once terminated; the busy
        // time only when the service has ever been busy.
        const ServiceState& s = *e.service;
        text += fmt::format(", {}registered, {}matched, {}active, busy {}", s.registered() ? "" : "!",
                            s.matched() ? "" : "!", s.inactive() ? "in" : "", s.busy);
        if (s.busyTimeNs != 0) {
            text += fmt::format(" ({} ms)", s.busyTimeNs / 1'000'000);
        }
    }
    text += fmt::format(", retain {}>", e.retainCount);
    line(text);
    if (!withProperties || !e.properties) {
        return;
    }
    const std::string prefix = indent(false, depth, stackOfBits);
    line(prefix + "{");
    for (const Property& p : sortedProperties(e.properties.get())) {
        line(prefix + "  \"" + p.key + "\" = " + formatValue(p.value, options_.hex));
    }
    line(prefix + "}");
    line(prefix);
}

std::string TextTree::indent(bool isNode, uint32_t depth, uint64_t stackOfBits) const
{
    std::string out;
    const uint32_t columns = isNode ? depth : depth + 2;
    for (uint32_t i = 0; i < columns; i++) {
        out += (stackOfBits & (uint64_t{1} << i)) ? "| " : "  ";
    }
    if (isNode) {
        out += "+-o ";
    }
    return out;
}

void TextTree::line(const std::string& text)
{
    std::string out = text;
    // Trailing blanks of a blank line are dropped, as they would be invisible anyway.
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    if (options_.width > 0 && out.size() > options_.width) {
        out.resize(options_.width);
    }
    fmt::print("{}\n", out);
}

}  // namespace openiokit::tools::ioreg
