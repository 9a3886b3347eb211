/* seed_open_client: a minimal IOKit client for the system tests, written against IOKitLib only.
 *   seed_open_client open CLASS   waits (30 s) for a CLASS service, opens it, prints "opened";
 *                                 on SIGUSR1 calls selector 0 with scalar 1 and prints
 *                                 "call 0x<result>"; on SIGTERM closes, prints "closed 0x<result>"
 *                                 and exits 0. Used for the seed fixtures (which osxkernel-clientd
 *                                 does not speak) and for "a call after termination".
 *   seed_open_client unload ID    sends the kext unload request itself (no kextunload tool) and
 *                                 prints "unload 0x<result>".
 * Exit 1: the service never appeared or could not be opened. */
#define _DEFAULT_SOURCE 1 /* sigaction, usleep */
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>
#include <IOKit/kext/KextManager.h>
#include <mach/mach.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t gCall = 0;
static volatile sig_atomic_t gStop = 0;

static void onSignal(int signo)
{
    if (signo == SIGUSR1) {
        gCall = 1;
    } else {
        gStop = 1;
    }
}

static int openAndHold(const char* className)
{
    io_service_t service = IO_OBJECT_NULL;
    for (int i = 0; i < 1500 && !service; i++) {
        service = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(className));
        if (!service) {
            usleep(20 * 1000);
        }
    }
    if (!service) {
        printf("no-service\n");
        return 1;
    }
    io_connect_t connect = IO_OBJECT_NULL;
    kern_return_t result = IOServiceOpen(service, mach_task_self(), 0, &connect);
    IOObjectRelease(service);
    if (result != KERN_SUCCESS) {
        printf("open-failed 0x%x\n", result);
        return 1;
    }
    printf("opened\n");
    fflush(stdout);
    /* The signals stay blocked except inside sigsuspend, so none is lost between check and wait. */
    sigset_t blocked, waiting;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_BLOCK, &blocked, &waiting);
    sigdelset(&waiting, SIGUSR1);
    sigdelset(&waiting, SIGTERM);
    while (!gStop) {
        if (gCall) {
            gCall = 0;
            const uint64_t one = 1;
            uint64_t value = 0;
            uint32_t count = 1;
            result = IOConnectCallScalarMethod(connect, 0, &one, 1, &value, &count);
            printf("call 0x%x\n", result);
            fflush(stdout);
        }
        if (!gStop && !gCall) {
            sigsuspend(&waiting);
        }
    }
    result = IOServiceClose(connect);
    printf("closed 0x%x\n", result);
    return 0;
}

int main(int argc, char** argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: seed_open_client open CLASS | unload BUNDLE_ID\n");
        return 64;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    if (strcmp(argv[1], "open") == 0) {
        return openAndHold(argv[2]);
    }
    if (strcmp(argv[1], "unload") == 0) {
        CFStringRef identifier = CFStringCreateWithCString(kCFAllocatorDefault, argv[2], kCFStringEncodingUTF8);
        const OSReturn result = KextManagerUnloadKextWithIdentifier(identifier);
        CFRelease(identifier);
        printf("unload 0x%x\n", result);
        return 0;
    }
    fprintf(stderr, "seed_open_client: unknown mode '%s'\n", argv[1]);
    return 64;
}
