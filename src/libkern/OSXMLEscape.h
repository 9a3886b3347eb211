// Internal to the kernel library: XML text escaping shared by OSString and OSDictionary.
#pragma once

class OSSerialize;

namespace libkern_internal {
// Writes `text` with <, > and & escaped as xnu does (&lt; &gt; &amp;); false if a write failed.
bool addEscapedXML(OSSerialize* serializer, const char* text);
}  // namespace libkern_internal
