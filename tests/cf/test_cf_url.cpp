// CFURL: file URLs to and from POSIX paths, path components.
#include <CoreFoundation/CoreFoundation.h>

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <unistd.h>

#include "cf_test_support.h"

using cftest::Owned;
using cftest::str;

namespace {

std::string fsPath(CFURLRef url, bool resolve = true)
{
    UInt8 buffer[PATH_MAX];
    EXPECT_TRUE(CFURLGetFileSystemRepresentation(url, resolve, buffer, sizeof buffer));
    return reinterpret_cast<const char*>(buffer);
}

TEST(CFURL, AbsolutePathsRoundTrip)
{
    Owned<CFURLRef> url(CFURLCreateWithFileSystemPath(nullptr, CFSTR("/Library/Extensions/My Kext.kext"),
                                                      kCFURLPOSIXPathStyle, true));
    ASSERT_TRUE(url);
    EXPECT_EQ(CFGetTypeID(url.get()), CFURLGetTypeID());
    EXPECT_EQ(str(CFURLGetString(url.get())), "file:///Library/Extensions/My%20Kext.kext/");
    EXPECT_TRUE(CFURLHasDirectoryPath(url.get()));
    EXPECT_EQ(CFURLGetBaseURL(url.get()), nullptr);
    Owned<CFStringRef> path(CFURLCopyFileSystemPath(url.get(), kCFURLPOSIXPathStyle));
    EXPECT_EQ(str(path.get()), "/Library/Extensions/My Kext.kext");
    EXPECT_EQ(fsPath(url.get()), "/Library/Extensions/My Kext.kext");
    Owned<CFStringRef> last(CFURLCopyLastPathComponent(url.get()));
    EXPECT_EQ(str(last.get()), "My Kext.kext");
    Owned<CFStringRef> extension(CFURLCopyPathExtension(url.get()));
    EXPECT_EQ(str(extension.get()), "kext");

    const char raw[] = "/tmp/ü#x";
    Owned<CFURLRef> fromBytes(CFURLCreateFromFileSystemRepresentation(
        nullptr, reinterpret_cast<const UInt8*>(raw), static_cast<CFIndex>(sizeof raw - 1), false));
    EXPECT_EQ(str(CFURLGetString(fromBytes.get())), "file:///tmp/%C3%BC%23x");
    EXPECT_FALSE(CFURLHasDirectoryPath(fromBytes.get()));
    EXPECT_EQ(fsPath(fromBytes.get()), raw);

    // A too-small buffer fails rather than truncating.
    UInt8 small[4];
    EXPECT_FALSE(CFURLGetFileSystemRepresentation(fromBytes.get(), true, small, sizeof small));
}

TEST(CFURL, RelativePathsResolveAgainstTheCurrentDirectory)
{
    char cwd[PATH_MAX];
    ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
    Owned<CFURLRef> url(CFURLCreateWithFileSystemPath(nullptr, CFSTR("sub/file.plist"), kCFURLPOSIXPathStyle, false));
    ASSERT_TRUE(url);
    EXPECT_EQ(str(CFURLGetString(url.get())), "sub/file.plist");
    ASSERT_NE(CFURLGetBaseURL(url.get()), nullptr);
    Owned<CFStringRef> relative(CFURLCopyFileSystemPath(url.get(), kCFURLPOSIXPathStyle));
    EXPECT_EQ(str(relative.get()), "sub/file.plist");
    const std::string expected = std::string(cwd) + (std::string(cwd) == "/" ? "" : "/") + "sub/file.plist";
    EXPECT_EQ(fsPath(url.get()), expected);
    EXPECT_EQ(fsPath(url.get(), false), "sub/file.plist");
    Owned<CFURLRef> absolute(CFURLCopyAbsoluteURL(url.get()));
    EXPECT_EQ(CFURLGetBaseURL(absolute.get()), nullptr);
    EXPECT_EQ(fsPath(absolute.get()), expected);
}

TEST(CFURL, ComponentsAndStrings)
{
    Owned<CFURLRef> dir(CFURLCreateWithString(nullptr, CFSTR("file:///System/Library/Extensions/"), nullptr));
    ASSERT_TRUE(dir);
    Owned<CFURLRef> kext(CFURLCreateCopyAppendingPathComponent(nullptr, dir.get(), CFSTR("IOKit Test.kext"), true));
    EXPECT_EQ(str(CFURLGetString(kext.get())), "file:///System/Library/Extensions/IOKit%20Test.kext/");
    Owned<CFURLRef> parent(CFURLCreateCopyDeletingLastPathComponent(nullptr, kext.get()));
    EXPECT_TRUE(CFEqual(parent.get(), dir.get()));
    Owned<CFURLRef> root(CFURLCreateWithString(nullptr, CFSTR("file://localhost/"), nullptr));
    Owned<CFStringRef> rootLast(CFURLCopyLastPathComponent(root.get()));
    EXPECT_EQ(str(rootLast.get()), "/");
    EXPECT_EQ(fsPath(root.get()), "/");
    Owned<CFURLRef> escaped(CFURLCreateWithString(nullptr, CFSTR("file:///a%20b/c"), nullptr));
    EXPECT_EQ(fsPath(escaped.get()), "/a b/c");

    EXPECT_EQ(CFURLCreateWithString(nullptr, CFSTR("http://example.com/"), nullptr), nullptr);
    EXPECT_EQ(CFURLCreateWithString(nullptr, CFSTR("file:///bad%zz"), nullptr), nullptr);
    EXPECT_EQ(CFURLCreateWithFileSystemPath(nullptr, CFSTR("C:\\x"), kCFURLWindowsPathStyle, false), nullptr);
    EXPECT_EQ(CFURLCreateWithFileSystemPath(nullptr, CFSTR(""), kCFURLPOSIXPathStyle, false), nullptr);
    EXPECT_EQ(CFURLGetString(nullptr), nullptr);
}

} // namespace
