/* Test harness: named cases with TAP output, golden files, env controls. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "testutils.h"

#ifndef TEST_DATA_DIR
# error "TEST_DATA_DIR must point at tests/data"
#endif

static int testCount;
static int testFailures;

/**
 * testDebug:
 *
 * Returns: true when TEST_DEBUG is set to a non-empty value other than "0".
 */
bool
testDebug(void)
{
    const char *v = g_getenv("TEST_DEBUG");

    return v && *v && strcmp(v, "0") != 0;
}

/**
 * testRegenerate:
 *
 * Returns: true when TEST_REGENERATE asks for golden files to be rewritten.
 */
bool
testRegenerate(void)
{
    const char *v = g_getenv("TEST_REGENERATE");

    return v && *v && strcmp(v, "0") != 0;
}

static void
testPrintLines(const char *prefix, const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", 0);
    size_t i;

    for (i = 0; lines[i]; i++) {
        if (!lines[i + 1] && !*lines[i])
            break;
        printf("# %s%s\n", prefix, lines[i]);
    }
}

/**
 * testFail:
 * @fmt: printf format
 *
 * Prints a failure reason as TAP diagnostics (one "# " line per line).
 */
void
testFail(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    testPrintLines("", msg);
}

/**
 * testNote:
 * @fmt: printf format
 *
 * Like testFail, but only printed with TEST_DEBUG.
 */
void
testNote(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!testDebug())
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    testPrintLines("", msg);
}

/**
 * testRun:
 * @name: case name, printed in the TAP line
 * @fn: the case; returns 0 on success, -1 on failure (after printing why)
 * @data: passed to @fn
 *
 * Runs one case unless TEST_FILTER excludes it.
 *
 * Returns: 0 when the case passed or was skipped, -1 when it failed.
 */
int
testRun(const char *name, TestFunc fn, const void *data)
{
    const char *filter = g_getenv("TEST_FILTER");
    int rc;

    if (filter && *filter && !strstr(name, filter))
        return 0;
    fflush(stdout);
    rc = fn(data);
    testCount++;
    if (rc == 0) {
        printf("ok %d - %s\n", testCount, name);
    } else {
        printf("not ok %d - %s\n", testCount, name);
        testFailures++;
    }
    fflush(stdout);
    return rc == 0 ? 0 : -1;
}

/**
 * testMain:
 * @argc: from main
 * @argv: from main
 * @body: registers and runs the cases with testRun
 *
 * Returns: the process exit status (0 when every case passed).
 */
int
testMain(int argc, char **argv, int (*body)(void))
{
    (void)argc;
    (void)argv;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (body() < 0 && testFailures == 0)
        testFailures++;
    /* TAP allows the plan at the end: nothing hand-counted. */
    printf("1..%d\n", testCount);
    return testFailures ? 1 : 0;
}

/**
 * testDataDir:
 *
 * Returns: the tests/data directory of the source tree.
 */
const char *
testDataDir(void)
{
    const char *dir = g_getenv("TEST_DATA_DIR");

    return dir && *dir ? dir : TEST_DATA_DIR;
}

/**
 * testLoadFile:
 * @path: file to read
 *
 * Returns: the contents (caller frees), or NULL after printing why.
 */
char *
testLoadFile(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        testFail("cannot read '%s': %s", path, err->message);
        return NULL;
    }
    return text;
}

/* A line diff good enough to read test failures: common prefix and
 * suffix trimmed, then the differing middle of both sides. */
static void
testPrintDiff(const char *expected, const char *actual)
{
    g_auto(GStrv) a = g_strsplit(expected, "\n", 0);
    g_auto(GStrv) b = g_strsplit(actual, "\n", 0);
    guint na = g_strv_length(a);
    guint nb = g_strv_length(b);
    guint head = 0;
    guint tail = 0;
    guint i;

    while (head < na && head < nb && strcmp(a[head], b[head]) == 0)
        head++;
    while (tail < na - head && tail < nb - head &&
           strcmp(a[na - 1 - tail], b[nb - 1 - tail]) == 0)
        tail++;
    printf("# --- expected\n# +++ actual\n# @@ line %u @@\n", head + 1);
    if (head > 0)
        printf("#  %s\n", a[head - 1]);
    for (i = head; i < na - tail; i++)
        printf("# -%s\n", a[i]);
    for (i = head; i < nb - tail; i++)
        printf("# +%s\n", b[i]);
    if (tail > 0)
        printf("#  %s\n", a[na - tail]);
}

/**
 * testCompareStrings:
 * @what: what is compared, for the message
 * @expected: expected text
 * @actual: actual text
 *
 * Returns: 0 when equal, -1 after printing a diff.
 */
int
testCompareStrings(const char *what, const char *expected, const char *actual)
{
    if (g_strcmp0(expected, actual) == 0)
        return 0;
    testFail("%s differs", what);
    testPrintDiff(expected ? expected : "", actual ? actual : "");
    return -1;
}

/**
 * testCompareToFile:
 * @actual: actual output
 * @path: golden file
 *
 * Compares @actual with the contents of @path; with TEST_REGENERATE the
 * file is rewritten instead (and the comparison passes).
 *
 * Returns: 0 when equal (or regenerated), -1 after printing a diff.
 */
int
testCompareToFile(const char *actual, const char *path)
{
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (testRegenerate()) {
        if (!g_file_set_contents(path, actual, -1, &err)) {
            testFail("cannot write '%s': %s", path, err->message);
            return -1;
        }
        return 0;
    }
    if (!g_file_get_contents(path, &expected, NULL, &err)) {
        testFail("cannot read '%s': %s (TEST_REGENERATE=1 creates it)", path, err->message);
        return -1;
    }
    return testCompareStrings(path, expected, actual);
}

static gint
testCompareNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/**
 * testListDir:
 * @dir: directory
 * @suffix: keep only names ending with it
 *
 * Returns: the sorted matching file names (not paths); free with
 * g_ptr_array_unref.  Empty when the directory cannot be read.
 */
GPtrArray *
testListDir(const char *dir, const char *suffix)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (!d)
        return names;
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, suffix))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_sort(names, testCompareNames);
    return names;
}

typedef struct {
    int value;
    const char *name;
} TestName;

#define TEST_NAME(x) { x, #x }

static const TestName testErrorCodes[] = {
    TEST_NAME(VIR_ERR_OK),
    TEST_NAME(VIR_ERR_INTERNAL_ERROR),
    TEST_NAME(VIR_ERR_NO_MEMORY),
    TEST_NAME(VIR_ERR_NO_SUPPORT),
    TEST_NAME(VIR_ERR_UNKNOWN_HOST),
    TEST_NAME(VIR_ERR_NO_CONNECT),
    TEST_NAME(VIR_ERR_INVALID_CONN),
    TEST_NAME(VIR_ERR_INVALID_DOMAIN),
    TEST_NAME(VIR_ERR_INVALID_ARG),
    TEST_NAME(VIR_ERR_OPERATION_FAILED),
    TEST_NAME(VIR_ERR_GET_FAILED),
    TEST_NAME(VIR_ERR_POST_FAILED),
    TEST_NAME(VIR_ERR_HTTP_ERROR),
    TEST_NAME(VIR_ERR_SEXPR_SERIAL),
    TEST_NAME(VIR_ERR_NO_XEN),
    TEST_NAME(VIR_ERR_XEN_CALL),
    TEST_NAME(VIR_ERR_OS_TYPE),
    TEST_NAME(VIR_ERR_NO_KERNEL),
    TEST_NAME(VIR_ERR_NO_ROOT),
    TEST_NAME(VIR_ERR_NO_SOURCE),
    TEST_NAME(VIR_ERR_NO_TARGET),
    TEST_NAME(VIR_ERR_NO_NAME),
    TEST_NAME(VIR_ERR_NO_OS),
    TEST_NAME(VIR_ERR_NO_DEVICE),
    TEST_NAME(VIR_ERR_NO_XENSTORE),
    TEST_NAME(VIR_ERR_DRIVER_FULL),
    TEST_NAME(VIR_ERR_CALL_FAILED),
    TEST_NAME(VIR_ERR_XML_ERROR),
    TEST_NAME(VIR_ERR_DOM_EXIST),
    TEST_NAME(VIR_ERR_OPERATION_DENIED),
    TEST_NAME(VIR_ERR_OPEN_FAILED),
    TEST_NAME(VIR_ERR_READ_FAILED),
    TEST_NAME(VIR_ERR_PARSE_FAILED),
    TEST_NAME(VIR_ERR_CONF_SYNTAX),
    TEST_NAME(VIR_ERR_WRITE_FAILED),
    TEST_NAME(VIR_ERR_XML_DETAIL),
    TEST_NAME(VIR_ERR_INVALID_NETWORK),
    TEST_NAME(VIR_ERR_NETWORK_EXIST),
    TEST_NAME(VIR_ERR_SYSTEM_ERROR),
    TEST_NAME(VIR_ERR_RPC),
    TEST_NAME(VIR_ERR_GNUTLS_ERROR),
    TEST_NAME(VIR_WAR_NO_NETWORK),
    TEST_NAME(VIR_ERR_NO_DOMAIN),
    TEST_NAME(VIR_ERR_NO_NETWORK),
    TEST_NAME(VIR_ERR_INVALID_MAC),
    TEST_NAME(VIR_ERR_AUTH_FAILED),
    TEST_NAME(VIR_ERR_INVALID_STORAGE_POOL),
    TEST_NAME(VIR_ERR_INVALID_STORAGE_VOL),
    TEST_NAME(VIR_WAR_NO_STORAGE),
    TEST_NAME(VIR_ERR_NO_STORAGE_POOL),
    TEST_NAME(VIR_ERR_NO_STORAGE_VOL),
    TEST_NAME(VIR_WAR_NO_NODE),
    TEST_NAME(VIR_ERR_INVALID_NODE_DEVICE),
    TEST_NAME(VIR_ERR_NO_NODE_DEVICE),
    TEST_NAME(VIR_ERR_NO_SECURITY_MODEL),
    TEST_NAME(VIR_ERR_OPERATION_INVALID),
    TEST_NAME(VIR_WAR_NO_INTERFACE),
    TEST_NAME(VIR_ERR_NO_INTERFACE),
    TEST_NAME(VIR_ERR_INVALID_INTERFACE),
    TEST_NAME(VIR_ERR_MULTIPLE_INTERFACES),
    TEST_NAME(VIR_WAR_NO_NWFILTER),
    TEST_NAME(VIR_ERR_INVALID_NWFILTER),
    TEST_NAME(VIR_ERR_NO_NWFILTER),
    TEST_NAME(VIR_ERR_BUILD_FIREWALL),
    TEST_NAME(VIR_WAR_NO_SECRET),
    TEST_NAME(VIR_ERR_INVALID_SECRET),
    TEST_NAME(VIR_ERR_NO_SECRET),
    TEST_NAME(VIR_ERR_CONFIG_UNSUPPORTED),
    TEST_NAME(VIR_ERR_OPERATION_TIMEOUT),
    TEST_NAME(VIR_ERR_MIGRATE_PERSIST_FAILED),
    TEST_NAME(VIR_ERR_HOOK_SCRIPT_FAILED),
    TEST_NAME(VIR_ERR_INVALID_DOMAIN_SNAPSHOT),
    TEST_NAME(VIR_ERR_NO_DOMAIN_SNAPSHOT),
    TEST_NAME(VIR_ERR_INVALID_STREAM),
    TEST_NAME(VIR_ERR_ARGUMENT_UNSUPPORTED),
    TEST_NAME(VIR_ERR_STORAGE_PROBE_FAILED),
    TEST_NAME(VIR_ERR_STORAGE_POOL_BUILT),
    TEST_NAME(VIR_ERR_SNAPSHOT_REVERT_RISKY),
    TEST_NAME(VIR_ERR_OPERATION_ABORTED),
    TEST_NAME(VIR_ERR_AUTH_CANCELLED),
    TEST_NAME(VIR_ERR_NO_DOMAIN_METADATA),
    TEST_NAME(VIR_ERR_MIGRATE_UNSAFE),
    TEST_NAME(VIR_ERR_OVERFLOW),
    TEST_NAME(VIR_ERR_BLOCK_COPY_ACTIVE),
    TEST_NAME(VIR_ERR_OPERATION_UNSUPPORTED),
    TEST_NAME(VIR_ERR_SSH),
    TEST_NAME(VIR_ERR_AGENT_UNRESPONSIVE),
    TEST_NAME(VIR_ERR_RESOURCE_BUSY),
    TEST_NAME(VIR_ERR_ACCESS_DENIED),
    TEST_NAME(VIR_ERR_DBUS_SERVICE),
    TEST_NAME(VIR_ERR_STORAGE_VOL_EXIST),
    TEST_NAME(VIR_ERR_CPU_INCOMPATIBLE),
    TEST_NAME(VIR_ERR_XML_INVALID_SCHEMA),
    TEST_NAME(VIR_ERR_MIGRATE_FINISH_OK),
    TEST_NAME(VIR_ERR_AUTH_UNAVAILABLE),
    TEST_NAME(VIR_ERR_NO_SERVER),
    TEST_NAME(VIR_ERR_NO_CLIENT),
    TEST_NAME(VIR_ERR_AGENT_UNSYNCED),
    TEST_NAME(VIR_ERR_LIBSSH),
    TEST_NAME(VIR_ERR_DEVICE_MISSING),
    TEST_NAME(VIR_ERR_INVALID_NWFILTER_BINDING),
    TEST_NAME(VIR_ERR_NO_NWFILTER_BINDING),
    TEST_NAME(VIR_ERR_INVALID_DOMAIN_CHECKPOINT),
    TEST_NAME(VIR_ERR_NO_DOMAIN_CHECKPOINT),
    TEST_NAME(VIR_ERR_NO_DOMAIN_BACKUP),
    TEST_NAME(VIR_ERR_INVALID_NETWORK_PORT),
    TEST_NAME(VIR_ERR_NETWORK_PORT_EXIST),
    TEST_NAME(VIR_ERR_NO_NETWORK_PORT),
    TEST_NAME(VIR_ERR_NO_HOSTNAME),
    TEST_NAME(VIR_ERR_CHECKPOINT_INCONSISTENT),
    TEST_NAME(VIR_ERR_MULTIPLE_DOMAINS),
};

static const TestName testErrorDomains[] = {
    TEST_NAME(VIR_FROM_NONE),
    TEST_NAME(VIR_FROM_XEN),
    TEST_NAME(VIR_FROM_XEND),
    TEST_NAME(VIR_FROM_XENSTORE),
    TEST_NAME(VIR_FROM_SEXPR),
    TEST_NAME(VIR_FROM_XML),
    TEST_NAME(VIR_FROM_DOM),
    TEST_NAME(VIR_FROM_RPC),
    TEST_NAME(VIR_FROM_PROXY),
    TEST_NAME(VIR_FROM_CONF),
    TEST_NAME(VIR_FROM_QEMU),
    TEST_NAME(VIR_FROM_NET),
    TEST_NAME(VIR_FROM_TEST),
    TEST_NAME(VIR_FROM_REMOTE),
    TEST_NAME(VIR_FROM_OPENVZ),
    TEST_NAME(VIR_FROM_XENXM),
    TEST_NAME(VIR_FROM_STATS_LINUX),
    TEST_NAME(VIR_FROM_LXC),
    TEST_NAME(VIR_FROM_STORAGE),
    TEST_NAME(VIR_FROM_NETWORK),
    TEST_NAME(VIR_FROM_DOMAIN),
    TEST_NAME(VIR_FROM_UML),
    TEST_NAME(VIR_FROM_NODEDEV),
    TEST_NAME(VIR_FROM_XEN_INOTIFY),
    TEST_NAME(VIR_FROM_SECURITY),
    TEST_NAME(VIR_FROM_VBOX),
    TEST_NAME(VIR_FROM_INTERFACE),
    TEST_NAME(VIR_FROM_ONE),
    TEST_NAME(VIR_FROM_ESX),
    TEST_NAME(VIR_FROM_PHYP),
    TEST_NAME(VIR_FROM_SECRET),
    TEST_NAME(VIR_FROM_CPU),
    TEST_NAME(VIR_FROM_XENAPI),
    TEST_NAME(VIR_FROM_NWFILTER),
    TEST_NAME(VIR_FROM_HOOK),
    TEST_NAME(VIR_FROM_DOMAIN_SNAPSHOT),
    TEST_NAME(VIR_FROM_AUDIT),
    TEST_NAME(VIR_FROM_SYSINFO),
    TEST_NAME(VIR_FROM_STREAMS),
    TEST_NAME(VIR_FROM_VMWARE),
    TEST_NAME(VIR_FROM_EVENT),
    TEST_NAME(VIR_FROM_LIBXL),
    TEST_NAME(VIR_FROM_LOCKING),
    TEST_NAME(VIR_FROM_HYPERV),
    TEST_NAME(VIR_FROM_CAPABILITIES),
    TEST_NAME(VIR_FROM_URI),
    TEST_NAME(VIR_FROM_AUTH),
    TEST_NAME(VIR_FROM_DBUS),
    TEST_NAME(VIR_FROM_PARALLELS),
    TEST_NAME(VIR_FROM_DEVICE),
    TEST_NAME(VIR_FROM_SSH),
    TEST_NAME(VIR_FROM_LOCKSPACE),
    TEST_NAME(VIR_FROM_INITCTL),
    TEST_NAME(VIR_FROM_IDENTITY),
    TEST_NAME(VIR_FROM_CGROUP),
    TEST_NAME(VIR_FROM_ACCESS),
    TEST_NAME(VIR_FROM_SYSTEMD),
    TEST_NAME(VIR_FROM_BHYVE),
    TEST_NAME(VIR_FROM_CRYPTO),
    TEST_NAME(VIR_FROM_FIREWALL),
    TEST_NAME(VIR_FROM_POLKIT),
    TEST_NAME(VIR_FROM_THREAD),
    TEST_NAME(VIR_FROM_ADMIN),
    TEST_NAME(VIR_FROM_LOGGING),
    TEST_NAME(VIR_FROM_XENXL),
    TEST_NAME(VIR_FROM_PERF),
    TEST_NAME(VIR_FROM_LIBSSH),
    TEST_NAME(VIR_FROM_RESCTRL),
    TEST_NAME(VIR_FROM_FIREWALLD),
    TEST_NAME(VIR_FROM_DOMAIN_CHECKPOINT),
    TEST_NAME(VIR_FROM_TPM),
    TEST_NAME(VIR_FROM_BPF),
    TEST_NAME(VIR_FROM_CH),
};

static int
testNameLookup(const TestName *table, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (name && strcmp(table[i].name, name) == 0)
            return table[i].value;
    }
    return -1;
}

static const char *
testValueLookup(const TestName *table, size_t n, int value)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (table[i].value == value)
            return table[i].name;
    }
    return "(unknown)";
}

/**
 * testErrorCodeFromName:
 * @name: e.g. "VIR_ERR_XML_ERROR"
 *
 * Returns: the virErrorNumber, or -1 when unknown.
 */
int
testErrorCodeFromName(const char *name)
{
    return testNameLookup(testErrorCodes, G_N_ELEMENTS(testErrorCodes), name);
}

/**
 * testErrorCodeName:
 * @code: a virErrorNumber
 *
 * Returns: its name, or "(unknown)".
 */
const char *
testErrorCodeName(int code)
{
    return testValueLookup(testErrorCodes, G_N_ELEMENTS(testErrorCodes), code);
}

/**
 * testErrorDomainFromName:
 * @name: e.g. "VIR_FROM_DOMAIN"
 *
 * Returns: the virErrorDomain, or -1 when unknown.
 */
int
testErrorDomainFromName(const char *name)
{
    return testNameLookup(testErrorDomains, G_N_ELEMENTS(testErrorDomains), name);
}

/**
 * testErrorDomainName:
 * @domain: a virErrorDomain
 *
 * Returns: its name, or "(unknown)".
 */
const char *
testErrorDomainName(int domain)
{
    return testValueLookup(testErrorDomains, G_N_ELEMENTS(testErrorDomains), domain);
}
