// PropertyFormat.h: CoreFoundation values written the way ioreg writes them: strings quoted,
// booleans Yes/No, numbers in decimal (hexadecimal with -x), data as <hex> or <"text">,
// dictionaries {"key"=value,...} and arrays (value,...), keys sorted.
#pragma once

#include <CoreFoundation/CoreFoundation.h>

#include <string>
#include <vector>

namespace openiokit::tools::ioreg {

std::string formatValue(CFTypeRef value, bool hex);

// The property table's keys, sorted, with their values: what a "| {" block lists.
struct Property {
    std::string key;
    CFTypeRef value;  // borrowed from the dictionary
};
std::vector<Property> sortedProperties(CFDictionaryRef properties);

}  // namespace openiokit::tools::ioreg
