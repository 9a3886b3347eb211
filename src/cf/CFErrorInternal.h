// What other CF files need from CFError.
#pragma once

#include <CoreFoundation/CFError.h>

#include <string>

namespace cf {
// A new error in domain with code, its kCFErrorDescriptionKey set to description.
CFErrorRef makeError(CFErrorDomain domain, CFIndex code, std::string description);
} // namespace cf
