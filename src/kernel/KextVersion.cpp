#include "KextVersion.h"

#include <cctype>
#include <cstdint>

namespace openiokit::kexts {
namespace {

// Reads up to `maxDigits` digits; nullopt if there are none or too many.
std::optional<int64_t> number(std::string_view& text, size_t maxDigits)
{
    size_t digits = 0;
    int64_t value = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
        value = value * 10 + (text[digits] - '0');
        digits++;
    }
    if (digits == 0 || digits > maxDigits) {
        return std::nullopt;
    }
    text.remove_prefix(digits);
    return value;
}

}  // namespace

std::optional<OSKextVersion> parseKextVersion(std::string_view text)
{
    // Release sorts after every pre-release stage of the same MAJOR.MINOR.REVISION.
    enum Stage : int64_t { kDevelopment = 1, kAlpha = 3, kBeta = 5, kCandidate = 7, kRelease = 9 };
    std::optional<int64_t> major = number(text, 5);
    if (!major) {
        return std::nullopt;
    }
    int64_t minor = 0;
    int64_t revision = 0;
    for (int64_t* part : {&minor, &revision}) {
        if (text.empty() || text.front() != '.') {
            break;
        }
        text.remove_prefix(1);
        std::optional<int64_t> value = number(text, 2);
        if (!value) {
            return std::nullopt;
        }
        *part = *value;
    }
    int64_t stage = kRelease;
    int64_t stageLevel = 0;
    if (!text.empty()) {
        if (text.starts_with("fc")) {
            stage = kCandidate;
            text.remove_prefix(2);
        } else if (text.front() == 'd' || text.front() == 'a' || text.front() == 'b') {
            stage = text.front() == 'd' ? kDevelopment : text.front() == 'a' ? kAlpha : kBeta;
            text.remove_prefix(1);
        } else {
            return std::nullopt;
        }
        if (!text.empty()) {
            std::optional<int64_t> level = number(text, 3);
            if (!level || *level > 255 || !text.empty()) {
                return std::nullopt;
            }
            stageLevel = *level;
        }
    }
    return (((*major * 100 + minor) * 100 + revision) * 10 + stage) * 1000 + stageLevel;
}

}  // namespace openiokit::kexts
