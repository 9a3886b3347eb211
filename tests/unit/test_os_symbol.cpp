// OSSymbol: interning, immutability, equality, and the pool under concurrent churn.
#include "os_container_test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace ostest;

namespace {
OSSharedPtr<const OSSymbol> sym(const char* text)
{
    return adopt(OSSymbol::withCString(text));
}
}  // namespace

TEST(OSSymbol, SameTextGivesTheSamePointer)
{
    OSSharedPtr<const OSSymbol> a = sym("test.symbol.same");
    OSSharedPtr<const OSSymbol> b = sym("test.symbol.same");
    ASSERT_TRUE(a);
    EXPECT_EQ(a.get(), b.get());
    EXPECT_EQ(a->getRetainCount(), 2);
    OSSharedPtr<const OSSymbol> c = sym("test.symbol.other");
    EXPECT_NE(a.get(), c.get());
    EXPECT_STREQ(a->getCStringNoCopy(), "test.symbol.same");
    EXPECT_EQ(a->getLength(), 16u);
    EXPECT_TRUE(OSDynamicCast(OSString, a.get()));
    EXPECT_TRUE(OSDynamicCast(OSSymbol, a.get()));
}

TEST(OSSymbol, AllFactoriesIntern)
{
    OSSharedPtr<const OSSymbol> a = sym("test.symbol.factories");
    OSSharedPtr<OSString> string = str("test.symbol.factories");
    static const char literal[] = "test.symbol.factories";
    OSSharedPtr<const OSSymbol> fromString = adopt(OSSymbol::withString(string.get()));
    OSSharedPtr<const OSSymbol> fromNoCopy = adopt(OSSymbol::withCStringNoCopy(literal));
    OSSharedPtr<const OSSymbol> fromSymbol = adopt(OSSymbol::withString(a.get()));
    EXPECT_EQ(fromString.get(), a.get());
    EXPECT_EQ(fromNoCopy.get(), a.get());
    EXPECT_EQ(fromSymbol.get(), a.get());
    EXPECT_EQ(a->getRetainCount(), 4);
    EXPECT_EQ(string->getRetainCount(), 1);
}

TEST(OSSymbol, NoCopySymbolUsesTheCallersText)
{
    static const char literal[] = "test.symbol.nocopy.unique";
    OSSharedPtr<const OSSymbol> s = adopt(OSSymbol::withCStringNoCopy(literal));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->getCStringNoCopy(), literal);
    OSSharedPtr<const OSSymbol> again = sym("test.symbol.nocopy.unique");
    EXPECT_EQ(again.get(), s.get());
}

TEST(OSSymbol, CheckForPageUnloadCopiesNoCopyText)
{
    char module[] = "test.symbol.in.unloading.module";
    OSSharedPtr<const OSSymbol> s = adopt(OSSymbol::withCStringNoCopy(module));
    ASSERT_EQ(s->getCStringNoCopy(), module);
    OSSymbol::checkForPageUnload(module, module + sizeof module);
    EXPECT_NE(s->getCStringNoCopy(), module);
    EXPECT_STREQ(s->getCStringNoCopy(), "test.symbol.in.unloading.module");
    module[0] = 'X';  // the "unmapped" text changes; the symbol is unaffected and still found
    OSSharedPtr<const OSSymbol> again = sym("test.symbol.in.unloading.module");
    EXPECT_EQ(again.get(), s.get());
}

TEST(OSSymbol, ExistingSymbolNeverCreates)
{
    EXPECT_EQ(OSSymbol::existingSymbolForCString("test.symbol.never.created"), nullptr);
    OSSharedPtr<OSString> string = str("test.symbol.never.created");
    EXPECT_EQ(OSSymbol::existingSymbolForString(string.get()), nullptr);
    OSSharedPtr<const OSSymbol> made = sym("test.symbol.never.created");
    OSSharedPtr<const OSSymbol> found = adopt(OSSymbol::existingSymbolForCString("test.symbol.never.created"));
    EXPECT_EQ(found.get(), made.get());
    OSSharedPtr<const OSSymbol> foundFromString = adopt(OSSymbol::existingSymbolForString(string.get()));
    EXPECT_EQ(foundFromString.get(), made.get());
    OSSharedPtr<const OSSymbol> foundFromSymbol = adopt(OSSymbol::existingSymbolForString(made.get()));
    EXPECT_EQ(foundFromSymbol.get(), made.get());
    EXPECT_EQ(made->getRetainCount(), 4);
    EXPECT_EQ(OSSymbol::existingSymbolForCString(nullptr), nullptr);
    EXPECT_EQ(OSSymbol::existingSymbolForString(nullptr), nullptr);
}

TEST(OSSymbol, LeavesThePoolWithItsLastReference)
{
    const OSSymbol* s = OSSymbol::withCString("test.symbol.transient");
    ASSERT_NE(s, nullptr);
    const OSSymbol* again = OSSymbol::existingSymbolForCString("test.symbol.transient");
    EXPECT_EQ(again, s);
    again->release();
    s->release();
    EXPECT_EQ(OSSymbol::existingSymbolForCString("test.symbol.transient"), nullptr);
}

TEST(OSSymbol, IsImmutable)
{
    OSSharedPtr<const OSSymbol> s = sym("test.symbol.immutable");
    OSSymbol* writable = const_cast<OSSymbol*>(s.get());
    EXPECT_FALSE(writable->setChar('X', 0));
    OSString* asString = writable;
    EXPECT_FALSE(asString->initWithCString("changed"));
    EXPECT_FALSE(asString->initWithCStringNoCopy("changed"));
    EXPECT_FALSE(asString->initWithString(s.get()));
    EXPECT_STREQ(s->getCStringNoCopy(), "test.symbol.immutable");
    // Symbols cannot be allocated outside the factories.
    EXPECT_EQ(OSTypeAlloc(OSSymbol), nullptr);
    EXPECT_EQ(OSMetaClass::allocClassWithName("OSSymbol"), nullptr);
}

TEST(OSSymbol, Equality)
{
    OSSharedPtr<const OSSymbol> a = sym("test.symbol.eq");
    OSSharedPtr<const OSSymbol> b = sym("test.symbol.eq2");
    OSSharedPtr<OSString> string = str("test.symbol.eq");
    EXPECT_TRUE(a->isEqualTo(a.get()));
    EXPECT_FALSE(a->isEqualTo(b.get()));
    EXPECT_TRUE(a->isEqualTo("test.symbol.eq"));
    EXPECT_FALSE(a->isEqualTo("test.symbol"));
    EXPECT_FALSE(a->isEqualTo(static_cast<const char*>(nullptr)));
    EXPECT_TRUE(a->isEqualTo(static_cast<const OSMetaClassBase*>(string.get())));
    EXPECT_TRUE(a->isEqualTo(string.get()));
    EXPECT_TRUE(string->isEqualTo(a.get()));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSMetaClassBase*>(b.get())));
    EXPECT_FALSE(a->isEqualTo(static_cast<const OSSymbol*>(nullptr)));
}

TEST(OSSymbol, BadInput)
{
    EXPECT_EQ(OSSymbol::withCString(nullptr), nullptr);
    EXPECT_EQ(OSSymbol::withCStringNoCopy(nullptr), nullptr);
    EXPECT_EQ(OSSymbol::withString(nullptr), nullptr);
    std::string tooLong(262142, 's');
    EXPECT_EQ(OSSymbol::withCString(tooLong.c_str()), nullptr);
    OSSharedPtr<const OSSymbol> empty = sym("");
    ASSERT_TRUE(empty);
    OSSharedPtr<const OSSymbol> emptyAgain = sym("");
    EXPECT_EQ(empty.get(), emptyAgain.get());
}

TEST(OSSymbol, SerializesAsAString)
{
    OSSharedPtr<const OSSymbol> s = sym("test<&>");
    EXPECT_EQ(xml(s.get()), "<string ID=\"0\">test&lt;&amp;&gt;</string>");
}

TEST(OSSymbol, EightThreadsInterningTheSameTextGetOnePointer)
{
    constexpr int kThreads = 8;
    constexpr int kNames = 64;
    std::vector<std::vector<const OSSymbol*>> results(kThreads, std::vector<const OSSymbol*>(kNames));
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
        threads.emplace_back([&, t] {
            while (!go.load()) {
            }
            for (int n = 0; n < kNames; n++) {
                const std::string name = "test.symbol.race." + std::to_string(n);
                results[t][n] = OSSymbol::withCString(name.c_str());
            }
        });
    }
    go = true;
    for (auto& thread : threads) {
        thread.join();
    }
    for (int n = 0; n < kNames; n++) {
        ASSERT_NE(results[0][n], nullptr);
        EXPECT_EQ(results[0][n]->getRetainCount(), kThreads);
        for (int t = 1; t < kThreads; t++) {
            EXPECT_EQ(results[t][n], results[0][n]) << "name " << n << " thread " << t;
        }
    }
    for (auto& perThread : results) {
        for (const OSSymbol* s : perThread) {
            s->release();
        }
    }
    for (int n = 0; n < kNames; n++) {
        const std::string name = "test.symbol.race." + std::to_string(n);
        EXPECT_EQ(OSSymbol::existingSymbolForCString(name.c_str()), nullptr);
    }
}

TEST(OSSymbol, ConcurrentCreateReleaseChurnLeavesThePoolEmpty)
{
    // Eight threads repeatedly create and drop the same few symbols, so last-release and
    // look-up race constantly. Every symbol handed out must have the right text and a live
    // count; at the end none of them may remain in the pool.
    constexpr int kThreads = 8;
    constexpr int kIterations = 50000;
    const char* names[] = {"test.churn.a", "test.churn.b", "test.churn.c", "test.churn.d"};
    const unsigned int symbolsBefore = OSSymbol::metaClass->getInstanceCount();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kIterations; i++) {
                const char* name = names[(i + t) % 4];
                const OSSymbol* s = (i % 3 == 0) ? OSSymbol::existingSymbolForCString(name) : OSSymbol::withCString(name);
                if (!s) {
                    continue;  // existingSymbol found nothing: fine
                }
                if (!s->isEqualTo(name) || s->getRetainCount() < 1) {
                    failures++;
                }
                if (i % 5 == 0) {
                    // Hold a second reference briefly, through another look-up.
                    const OSSymbol* again = OSSymbol::existingSymbolForCString(name);
                    if (again != s) {
                        failures++;
                    }
                    if (again) {
                        again->release();
                    }
                }
                s->release();
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    for (const char* name : names) {
        EXPECT_EQ(OSSymbol::existingSymbolForCString(name), nullptr) << name;
    }
    EXPECT_EQ(OSSymbol::metaClass->getInstanceCount(), symbolsBefore);
}
