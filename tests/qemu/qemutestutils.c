/* Minimal TAP harness for the qemu-monitor tests: named cases, golden files, env controls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemutestutils.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

static unsigned int testCount;
static unsigned int testFailed;
static const char *testOnly;     /* TEST_CASE: run only this case */

/**
 * testInit:
 * @argc: argument count of main
 * @argv: arguments of main
 *
 * Reads the environment: TEST_DEBUG=1 turns on debug logs of the qemu
 * area on stderr, TEST_CASE=NAME runs only that case, TEST_REGENERATE=1
 * rewrites golden files.
 */
void
testInit(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    logInitFromEnv();
    if (getenv("TEST_DEBUG") && streq(getenv("TEST_DEBUG"), "1"))
        logSetFilters("qemu:debug");
    testOnly = getenv("TEST_CASE");
}

/**
 * testLog:
 * @fmt: printf format
 *
 * Writes a TAP diagnostic fragment to stderr.
 */
void
testLog(const char *fmt, ...)
{
    size_t len = strlen(fmt);
    va_list ap;

    /* strlen() comes before vfprintf(): when @fmt was only dereferenced
     * afterwards, GCC 12 with -fsanitize=undefined warned "null format
     * string" (-Wformat-overflow) on the vfprintf() call. */
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (len > 0 && fmt[len - 1] != ' ')
        fputc('\n', stderr);
}

/**
 * testRun:
 * @name: the case name
 * @func: the case body: 0 passes, -1 fails (after printing why)
 * @data: passed to @func
 *
 * Returns: what @func returned (0 when skipped by TEST_CASE).
 */
int
testRun(const char *name, TestFunc func, const void *data)
{
    int ret;

    if (testOnly && !streq(testOnly, name))
        return 0;
    testCount++;
    errorReset();
    ret = func(data);
    if (ret < 0 && errorIsSet())
        testLog("# pending error: %s", errorGetSlot()->message);
    errorReset();
    printf("%sok %u - %s\n", ret < 0 ? "not " : "", testCount, name);
    fflush(stdout);
    if (ret < 0)
        testFailed++;
    return ret;
}

/**
 * testFinish:
 *
 * Prints the TAP plan.
 *
 * Returns: the process exit status.
 */
int
testFinish(void)
{
    printf("1..%u\n", testCount);
    return testFailed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/**
 * testSkipAll:
 * @reason: why
 *
 * Prints a TAP plan that skips the whole program.
 */
void
testSkipAll(const char *reason)
{
    printf("1..0 # SKIP %s\n", reason);
}

/**
 * testDataPath:
 * @file: a file name under tests/data/qmp
 *
 * Returns: its path (caller owns it), from $QMP_TEST_DATA.
 */
char *
testDataPath(const char *file)
{
    const char *dir = getenv("QMP_TEST_DATA");

    return g_build_filename(dir ? dir : "tests/data/qmp", file, NULL);
}

/**
 * testCompareGolden:
 * @file: golden file name under tests/data/qmp
 * @actual: the text produced
 *
 * Returns: 0 when equal (or regenerated with TEST_REGENERATE=1), -1 with
 * both texts printed.
 */
int
testCompareGolden(const char *file, const char *actual)
{
    g_autofree char *path = testDataPath(file);
    g_autofree char *expected = NULL;
    g_autoptr(GError) gerr = NULL;

    if (getenv("TEST_REGENERATE") && streq(getenv("TEST_REGENERATE"), "1")) {
        if (!g_file_set_contents(path, actual, -1, &gerr)) {
            testLog("# cannot write %s: %s", path, gerr->message);
            return -1;
        }
        return 0;
    }
    if (!g_file_get_contents(path, &expected, NULL, &gerr)) {
        testLog("# cannot read %s: %s (TEST_REGENERATE=1 creates it)", path, gerr->message);
        return -1;
    }
    if (!streq(expected, actual)) {
        testLog("# %s differs\n# --- expected:\n%s# --- actual:\n%s# ---", path, expected, actual);
        return -1;
    }
    return 0;
}

/**
 * testWaitFor:
 * @cond: predicate
 * @opaque: passed to @cond
 * @timeoutMs: hard limit
 *
 * Polls @cond every millisecond (for state that has no notification).
 *
 * Returns: true when @cond became true in time.
 */
bool
testWaitFor(bool (*cond)(void *opaque), void *opaque, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;

    while (!cond(opaque)) {
        if (g_get_monotonic_time() > deadline)
            return false;
        g_usleep(1000);
    }
    return true;
}
