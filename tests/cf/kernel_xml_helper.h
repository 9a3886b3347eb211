// The kernel half of the IOCF round-trip tests. It is compiled against the kernel headers
// (KERNEL=1) in its own object library, so this interface carries only standard types.
#pragma once

#include <optional>
#include <string>

namespace kernel_xml {

// OSSerialize's text for a sample OSDictionary covering every kernel type (strings with XML
// metacharacters, OSNumbers of 8/16/32/64 bits, booleans, data, array, set, nested dictionary)
// and a shared object that OSSerialize writes as a reference.
std::string sampleXML();

// The canonical form (see canonical()) of the sample dictionary itself.
std::string sampleCanonical();

// OSUnserializeXML(xml) in canonical form, or nullopt (with the kernel's error in *error).
std::optional<std::string> parse(const std::string& xml, std::string* error);

} // namespace kernel_xml

// Canonical form shared by both halves: {k=v;...} with keys sorted, [v,...], set <v,...> with
// members sorted, "string", i<bits>:<signed value>, true/false, data:<hex>.
