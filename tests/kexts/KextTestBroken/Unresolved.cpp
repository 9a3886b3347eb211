// References a function nothing defines: dlopen(RTLD_NOW) must fail and name it.
extern "C" int openiokit_test_symbol_nobody_defines(void);

extern "C" __attribute__((visibility("default"))) int KextTestBrokenUnresolvedCall(void)
{
    return openiokit_test_symbol_nobody_defines();
}
