// Options.h: what `ioreg` was asked to show (macOS ioreg(8) options; docs/tools.md).
#pragma once

#include <IOKit/IOKitKeys.h>

#include <cstdint>
#include <string>

namespace openiokit::tools::ioreg {

struct Options {
    bool archive = false;          // -a: XML plist instead of text
    std::string className;         // -c: match instances of this class (or a subclass)
    uint32_t depth = 0;            // -d: levels shown below each root (0 = no limit)
    bool inheritance = false;      // -i: print the class's superclass chain
    std::string key;               // -k: match objects that have this property
    bool allProperties = false;    // -l: properties of every object
    std::string name;              // -n: match objects with this name (or name@location)
    std::string plane = kIOServicePlane;  // -p
    bool subtrees = false;         // -r: show only subtrees rooted at matches
    bool treeLocation = false;     // -t: with -r, print each match's ancestors first
    uint32_t width = 0;            // -w: truncate lines to this many columns (0 = never)
    bool hex = false;              // -x: numbers and data in hexadecimal

    bool hasFilter() const { return !className.empty() || !key.empty() || !name.empty(); }
};

}  // namespace openiokit::tools::ioreg
