// Assert(): a failed kernel assertion (IOKit/assert.h) is a panic: log, then abort the host.
#include <IOKit/IOLib.h>
#include <IOKit/assert.h>

#include <cstdlib>

extern "C" void Assert(const char* file, int line, const char* expression)
{
    IOLog("panic: %s:%d Assertion failed: %s\n", file, line, expression);
    std::abort();
}
