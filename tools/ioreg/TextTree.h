// TextTree.h: ioreg's text output. Each entry is a node line
//   "+-o Name@loc  <class X, id 0x..., registered, matched, active, busy 0 (0 ms), retain N>"
// indented with "| " / "  " columns that show which ancestors have siblings still to come, and,
// when its properties are shown, a "{ ... }" block below it in the same columns (ioreg.c's
// stackOfBits scheme: bit d = depth d has more siblings, bit d+1 = the entry has children).
#pragma once

#include "Entry.h"
#include "Options.h"

#include <cstdio>
#include <string>

namespace openiokit::tools::ioreg {

class TextTree {
public:
    explicit TextTree(const Options& options) : options_(options) {}

    // The tree under the plane's root, or (-r) the subtrees rooted at matching entries.
    void print();

private:
    void scan(io_registry_entry_t entry, bool hasMoreSiblings, uint32_t depth, uint64_t stackOfBits);
    void show(io_registry_entry_t entry, uint32_t depth, uint64_t stackOfBits, bool withProperties);
    std::string indent(bool isNode, uint32_t depth, uint64_t stackOfBits) const;
    void line(const std::string& text);

    const Options& options_;
};

}  // namespace openiokit::tools::ioreg
