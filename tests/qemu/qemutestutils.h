/* Minimal TAP harness for the qemu-monitor tests: named cases, golden files, env controls. */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef int (*TestFunc)(const void *data);

void testInit(int argc, char **argv);
int testRun(const char *name, TestFunc func, const void *data);
int testFinish(void);
void testSkipAll(const char *reason);
void testLog(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
char *testDataPath(const char *file);
int testCompareGolden(const char *file, const char *actual);
bool testWaitFor(bool (*cond)(void *opaque), void *opaque, int timeoutMs);

/* Prints "# file:line: message" and returns -1 from the calling test. */
#define TEST_FAIL(...) \
    do { \
        testLog("%s:%d: ", __FILE__, __LINE__); \
        testLog(__VA_ARGS__); \
        return -1; \
    } while (0)

#define TEST_CHECK(cond, ...) \
    do { \
        if (!(cond)) { \
            testLog("%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            testLog(__VA_ARGS__); \
            return -1; \
        } \
    } while (0)
