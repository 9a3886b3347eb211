/* A client as written for macOS: only IOKitLib and CoreFoundation. Finds the driver, opens a
 * connection, adds two numbers, closes. Exit 0 on success. */
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>
#include <mach/mach.h>
#include <stdio.h>

int main(void)
{
    io_service_t service =
        IOServiceGetMatchingService(kIOMasterPortDefault, IOServiceMatching("com_example_HelloKext"));
    if (service == IO_OBJECT_NULL) {
        fprintf(stderr, "hello-client: com_example_HelloKext not found\n");
        return 1;
    }
    io_connect_t connect = IO_OBJECT_NULL;
    kern_return_t kr = IOServiceOpen(service, mach_task_self(), 0, &connect);
    IOObjectRelease(service);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "hello-client: IOServiceOpen: %s (0x%x)\n", mach_error_string(kr), kr);
        return 1;
    }
    uint64_t input[2] = {40, 2};
    uint64_t output = 0;
    uint32_t outputCount = 1;
    kr = IOConnectCallScalarMethod(connect, 0, input, 2, &output, &outputCount);
    IOServiceClose(connect);
    if (kr != KERN_SUCCESS || outputCount != 1 || output != 42) {
        fprintf(stderr, "hello-client: add: %s (0x%x), got %llu\n", mach_error_string(kr), kr,
                (unsigned long long)output);
        return 1;
    }
    printf("hello-client: 40 + 2 = %llu\n", (unsigned long long)output);
    return 0;
}
