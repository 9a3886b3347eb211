// CFURL: file URLs only — what KextManager and the kext tools build from and turn back into
// POSIX paths. A URL keeps its string (percent-escaped, as CF prints it), its decoded path and an
// optional base URL (relative paths are made relative to the current directory, as on macOS).
#include <CoreFoundation/CFURL.h>

#include <CoreFoundation/CoreFoundation.h>

#include <cstring>
#include <string>
#include <string_view>
#include <unistd.h>

#include "CFRuntime.h"
#include "CFStringInternal.h"

struct __CFURL final : cf::Object {
    __CFURL(std::string string, std::string path, CFURLRef base)
        : cf::Object(cf::kTypeURL), string(std::move(string)), path(std::move(path)),
          base(base ? static_cast<CFURLRef>(CFRetain(base)) : nullptr), cfString(cf::makeString(this->string))
    {
    }
    ~__CFURL() override
    {
        CFRelease(cfString);
        if (base) {
            CFRelease(base);
        }
    }

    bool equal(const cf::Object& other) const override
    {
        auto& o = static_cast<const __CFURL&>(other);
        return string == o.string && ((!base && !o.base) || (base && o.base && CFEqual(base, o.base)));
    }
    CFHashCode hash() const override { return cf::hashBytes(string.data(), string.size()); }
    std::string describe() const override
    {
        return base ? string + " -- " + static_cast<const __CFURL*>(static_cast<const void*>(base))->describe() : string;
    }
    std::string formattingDescription() const override { return describe(); }

    bool isDirectory() const { return path.size() > 1 && path.back() == '/'; }

    const std::string string; // the URL text: "file:///a/b%20c/" or a relative "b%20c"
    const std::string path;   // decoded path as given: "/a/b c/" or "b c"
    const CFURLRef base;      // for relative URLs: the directory they are relative to
    const CFStringRef cfString; // string as a CFString, for CFURLGetString (Get rule: borrowed)
};

namespace {

const __CFURL* url(CFURLRef ref, const char* function)
{
    return cf::checked<const __CFURL>(ref, cf::kTypeURL, function);
}

// RFC 3986 pchar plus '/': everything else is percent-escaped, as CF escapes file paths.
std::string escapePath(std::string_view path)
{
    static constexpr char kAllowed[] = "-._~!$&'()*+,;=:@/";
    std::string out;
    for (unsigned char c : path) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || std::strchr(kAllowed, c)) {
            out += static_cast<char>(c);
        } else {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", c);
            out += escaped;
        }
    }
    return out;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Decodes %XX escapes; false on a malformed escape.
bool unescape(std::string_view text, std::string& out)
{
    for (size_t i = 0; i < text.size(); i++) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) {
            return false;
        }
        const int high = hexValue(text[i + 1]), low = hexValue(text[i + 2]);
        if (high < 0 || low < 0) {
            return false;
        }
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return true;
}

// The path without its trailing slash (except for "/" itself).
std::string_view withoutTrailingSlash(std::string_view path)
{
    return path.size() > 1 && path.back() == '/' ? path.substr(0, path.size() - 1) : path;
}

CFURLRef currentDirectoryURL();

// A file URL for a decoded POSIX path; relative paths get the current directory as base.
CFURLRef makeFileURL(std::string path, bool isDirectory)
{
    if (isDirectory && (path.empty() || path.back() != '/')) {
        path += '/';
    }
    if (!path.empty() && path.front() == '/') {
        return new __CFURL("file://" + escapePath(path), path, nullptr);
    }
    CFURLRef base = currentDirectoryURL();
    CFURLRef relative = new __CFURL(escapePath(path), path, base);
    if (base) {
        CFRelease(base);
    }
    return relative;
}

CFURLRef currentDirectoryURL()
{
    char buffer[4096];
    if (!getcwd(buffer, sizeof buffer)) {
        return nullptr;
    }
    std::string path = buffer;
    if (path.back() != '/') {
        path += '/';
    }
    return new __CFURL("file://" + escapePath(path), path, nullptr);
}

// The absolute path of u: its own path when absolute, else joined to its base's directory.
std::string absolutePath(const __CFURL* u)
{
    if (!u->base || (!u->path.empty() && u->path.front() == '/')) {
        return u->path;
    }
    std::string basePath = url(u->base, "CFURL")->path;
    if (basePath.back() != '/') {
        basePath.erase(basePath.rfind('/') + 1);
    }
    return basePath + u->path;
}

} // namespace

CFTypeID CFURLGetTypeID(void) { return cf::kTypeURL; }

CFURLRef CFURLCreateWithFileSystemPath(CFAllocatorRef, CFStringRef filePath, CFURLPathStyle pathStyle, Boolean isDirectory)
{
    if (!cf::checked<__CFString>(filePath, cf::kTypeString, "CFURLCreateWithFileSystemPath")) {
        return nullptr;
    }
    if (pathStyle != kCFURLPOSIXPathStyle) {
        cf::reportMisuse("CFURLCreateWithFileSystemPath", "only kCFURLPOSIXPathStyle is supported");
        return nullptr;
    }
    const std::string_view path = cf::text(filePath, "CFURLCreateWithFileSystemPath");
    if (path.empty()) {
        cf::reportMisuse("CFURLCreateWithFileSystemPath", "the path is empty");
        return nullptr;
    }
    return makeFileURL(std::string(path), isDirectory);
}

CFURLRef CFURLCreateFromFileSystemRepresentation(CFAllocatorRef, const UInt8* buffer, CFIndex bufLen, Boolean isDirectory)
{
    if (!buffer || bufLen <= 0) {
        cf::reportMisuse("CFURLCreateFromFileSystemRepresentation", "buffer is NULL or empty");
        return nullptr;
    }
    std::string path(reinterpret_cast<const char*>(buffer), static_cast<size_t>(bufLen));
    if (path.find('\0') != std::string::npos) {
        path.erase(path.find('\0')); // a NUL-terminated buffer passed with its terminator counted
    }
    if (path.empty()) {
        cf::reportMisuse("CFURLCreateFromFileSystemRepresentation", "the path is empty");
        return nullptr;
    }
    return makeFileURL(std::move(path), isDirectory);
}

CFURLRef CFURLCreateWithString(CFAllocatorRef, CFStringRef URLString, CFURLRef baseURL)
{
    if (!cf::checked<__CFString>(URLString, cf::kTypeString, "CFURLCreateWithString")) {
        return nullptr;
    }
    if (baseURL && !url(baseURL, "CFURLCreateWithString")) {
        return nullptr;
    }
    const std::string_view text = cf::text(URLString, "CFURLCreateWithString");
    std::string path;
    if (text.starts_with("file://")) {
        std::string_view rest = text.substr(7);
        if (rest.starts_with("localhost/")) {
            rest.remove_prefix(9);
        }
        if (!rest.starts_with("/") || !unescape(rest, path)) {
            cf::reportMisuse("CFURLCreateWithString", "not a well-formed file URL");
            return nullptr;
        }
        return new __CFURL("file://" + std::string(rest), path, nullptr);
    }
    if (text.find(':') != std::string_view::npos && text.find(':') < text.find('/')) {
        cf::reportMisuse("CFURLCreateWithString", "only file URLs are supported");
        return nullptr;
    }
    if (text.empty() || !unescape(text, path)) {
        cf::reportMisuse("CFURLCreateWithString", "not a well-formed URL path");
        return nullptr;
    }
    return new __CFURL(std::string(text), path, path.front() == '/' ? nullptr : baseURL);
}

Boolean CFURLGetFileSystemRepresentation(CFURLRef anURL, Boolean resolveAgainstBase, UInt8* buffer, CFIndex maxBufLen)
{
    auto* u = url(anURL, "CFURLGetFileSystemRepresentation");
    if (!u || !buffer) {
        return false;
    }
    const std::string full = resolveAgainstBase ? absolutePath(u) : u->path;
    const std::string_view path = withoutTrailingSlash(full);
    if (static_cast<CFIndex>(path.size()) + 1 > maxBufLen) {
        return false;
    }
    std::memcpy(buffer, path.data(), path.size());
    buffer[path.size()] = 0;
    return true;
}

CFStringRef CFURLCopyFileSystemPath(CFURLRef anURL, CFURLPathStyle pathStyle)
{
    auto* u = url(anURL, "CFURLCopyFileSystemPath");
    if (!u) {
        return nullptr;
    }
    if (pathStyle != kCFURLPOSIXPathStyle) {
        cf::reportMisuse("CFURLCopyFileSystemPath", "only kCFURLPOSIXPathStyle is supported");
        return nullptr;
    }
    return cf::makeString(std::string(withoutTrailingSlash(u->path)));
}

CFStringRef CFURLGetString(CFURLRef anURL)
{
    auto* u = url(anURL, "CFURLGetString");
    return u ? u->cfString : nullptr;
}

CFURLRef CFURLGetBaseURL(CFURLRef anURL)
{
    auto* u = url(anURL, "CFURLGetBaseURL");
    return u ? u->base : nullptr;
}

CFURLRef CFURLCopyAbsoluteURL(CFURLRef relativeURL)
{
    auto* u = url(relativeURL, "CFURLCopyAbsoluteURL");
    if (!u) {
        return nullptr;
    }
    if (!u->base) {
        return static_cast<CFURLRef>(CFRetain(relativeURL));
    }
    std::string path = absolutePath(u);
    return new __CFURL("file://" + escapePath(path), path, nullptr);
}

Boolean CFURLHasDirectoryPath(CFURLRef anURL)
{
    auto* u = url(anURL, "CFURLHasDirectoryPath");
    return u && (u->isDirectory() || u->path == "/");
}

CFStringRef CFURLCopyLastPathComponent(CFURLRef anURL)
{
    auto* u = url(anURL, "CFURLCopyLastPathComponent");
    if (!u) {
        return nullptr;
    }
    const std::string_view path = withoutTrailingSlash(u->path);
    if (path == "/") {
        return cf::makeString("/");
    }
    const size_t slash = path.rfind('/');
    return cf::makeString(std::string(slash == std::string_view::npos ? path : path.substr(slash + 1)));
}

CFStringRef CFURLCopyPathExtension(CFURLRef anURL)
{
    CFStringRef last = CFURLCopyLastPathComponent(anURL);
    if (!last) {
        return nullptr;
    }
    const std::string component(cf::text(last, "CFURLCopyPathExtension"));
    CFRelease(last);
    const size_t dot = component.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == component.size()) {
        return nullptr;
    }
    return cf::makeString(component.substr(dot + 1));
}

CFURLRef CFURLCreateCopyAppendingPathComponent(CFAllocatorRef, CFURLRef anURL, CFStringRef pathComponent, Boolean isDirectory)
{
    auto* u = url(anURL, "CFURLCreateCopyAppendingPathComponent");
    if (!u || !cf::checked<__CFString>(pathComponent, cf::kTypeString, "CFURLCreateCopyAppendingPathComponent")) {
        return nullptr;
    }
    std::string path = u->path;
    if (path.back() != '/') {
        path += '/';
    }
    path += cf::text(pathComponent, "CFURLCreateCopyAppendingPathComponent");
    if (isDirectory && path.back() != '/') {
        path += '/';
    }
    if (path.front() == '/') {
        return new __CFURL("file://" + escapePath(path), path, nullptr);
    }
    return new __CFURL(escapePath(path), path, u->base);
}

CFURLRef CFURLCreateCopyDeletingLastPathComponent(CFAllocatorRef, CFURLRef anURL)
{
    auto* u = url(anURL, "CFURLCreateCopyDeletingLastPathComponent");
    if (!u) {
        return nullptr;
    }
    const std::string_view path = withoutTrailingSlash(u->path);
    const size_t slash = path.rfind('/');
    std::string parent = slash == std::string_view::npos ? "./" : std::string(path.substr(0, slash + 1));
    if (parent.front() == '/') {
        return new __CFURL("file://" + escapePath(parent), parent, nullptr);
    }
    return new __CFURL(escapePath(parent), parent, u->base);
}
