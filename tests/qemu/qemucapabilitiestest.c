/* Tests of src/qemu/qemu_capabilities.c: real probe, cache, golden XML from the fixture. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "qemutestutils.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"
#include "util/error.h"
#include "util/json.h"
#include "util/str.h"

/*
 * Environment (set by tests/qemu/meson.build):
 *   QEMU_CAPS_DATA  tests/data/qemucaps
 *   QEMU_BINARY     the QEMU to probe (default /usr/bin/qemu-system-x86_64)
 * TEST_REGENERATE=1 rewrites the golden XML files and, from a probe of
 * QEMU_BINARY, the fixture qemu-7.2.json (review the diff).
 */

#define FIXTURE "qemu-7.2.json"

static const char *qemuBinary;
static bool haveQemu;
static char *tmpDir;

/* rm -r of a directory made by this test. */
static void
removeTree(const char *path)
{
    g_autoptr(GDir) dir = NULL;
    const char *name;

    if (!path)
        return;
    if ((dir = g_dir_open(path, 0, NULL))) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
                !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                removeTree(child);
            else
                unlink(child);
        }
    }
    rmdir(path);
}

static char *
capsDataPath(const char *file)
{
    const char *dir = getenv("QEMU_CAPS_DATA");

    return g_build_filename(dir ? dir : "tests/data/qemucaps", file, NULL);
}

static bool
regenerate(void)
{
    return streq(getenv("TEST_REGENERATE"), "1");
}

static int
compareGolden(const char *file, const char *actual)
{
    g_autofree char *path = capsDataPath(file);
    g_autofree char *expected = NULL;
    g_autoptr(GError) gerr = NULL;

    if (regenerate()) {
        if (!g_file_set_contents(path, actual, -1, &gerr))
            TEST_FAIL("# cannot write %s: %s", path, gerr->message);
        return 0;
    }
    if (!g_file_get_contents(path, &expected, NULL, &gerr))
        TEST_FAIL("# cannot read %s: %s (TEST_REGENERATE=1 creates it)", path, gerr->message);
    if (!streq(expected, actual))
        TEST_FAIL("# %s differs\n# --- expected:\n%s# --- actual:\n%s# ---", path, expected,
                  actual);
    return 0;
}

static QemuCaps *
loadFixture(void)
{
    g_autofree char *path = capsDataPath(FIXTURE);

    return qemuCapsLoadFile(path);
}

/* A fixed host, so that the capabilities XML does not depend on the machine. */
static void
fixtureHost(QemuCapsHost *host)
{
    size_t i;

    memset(host, 0, sizeof(*host));
    host->uuid = g_strdup("8f1c2c1a-7e4b-4d7b-9d54-2f2a6a1b0c01");
    host->arch = g_strdup("x86_64");
    host->vendor = g_strdup("Intel");
    host->hasSignature = true;
    host->family = 6;
    host->model = 85;
    host->stepping = 7;
    host->sockets = 1;
    host->dies = 1;
    host->cores = 2;
    host->threads = 2;
    host->hwVirt = true;
    host->hwVirtFlag = g_strdup("vmx");
    host->memoryKiB = 8388608;
    host->pageSizeKiB = 4;
    host->pages4k = 2097152;
    host->nhugePageSizes = 2;
    host->hugePageSizes[0] = 2048;
    host->hugePageSizes[1] = 1048576;
    host->ncpus = 4;
    host->cpus = g_new0(QemuCapsHostCpu, 4);
    for (i = 0; i < 4; i++) {
        host->cpus[i].id = i;
        host->cpus[i].coreId = i / 2;
        host->cpus[i].siblings = g_strdup_printf("%zu-%zu", i / 2 * 2, i / 2 * 2 + 1);
    }
}

/* ---- the fixture ---- */

/* Replaces what depends on the probing host by fixed values. */
static char *
normalizeProbe(const QemuCaps *caps)
{
    g_autofree char *text = qemuCapsFormatJSON(caps);
    g_autoptr(json_object) obj = jsonParse(text, strlen(text));
    g_autoptr(QemuCaps) fixed = NULL;
    json_object *kvm;
    g_autofree char *out = NULL;

    if (!obj)
        return NULL;
    json_object_object_add(obj, "binary", json_object_new_string("/usr/bin/qemu-system-x86_64"));
    json_object_object_add(obj, "binaryMtime", json_object_new_int64(0));
    json_object_object_add(obj, "binaryCtime", json_object_new_int64(0));
    json_object_object_add(obj, "binarySize", json_object_new_int64(0));
    json_object_object_add(obj, "probeTime", json_object_new_int64(0));
    json_object_object_add(obj, "hostHWVirt", json_object_new_boolean(true));
    kvm = jsonGetObject(obj, "kvm");
    json_object_object_add(kvm, "device", json_object_new_boolean(true));
    json_object_object_add(kvm, "present", json_object_new_boolean(true));
    json_object_object_add(kvm, "enabled", json_object_new_boolean(true));
    out = jsonFormat(obj);
    if (!(fixed = qemuCapsParseJSON(out, "normalized probe")))
        return NULL;
    return qemuCapsFormatJSON(fixed);
}

static int
testFixture(const void *data)
{
    g_autoptr(QemuCaps) caps = NULL;
    g_autofree char *again = NULL;
    g_autofree char *path = capsDataPath(FIXTURE);
    g_autofree char *text = NULL;

    (void)data;
    if (regenerate()) {
        g_autoptr(QemuCaps) probed = NULL;
        g_autofree char *norm = NULL;

        if (!haveQemu)
            TEST_FAIL("# TEST_REGENERATE=1 needs %s to rebuild the fixture", qemuBinary);
        if (!(probed = qemuCapsProbe(qemuBinary, 0)) || !(norm = normalizeProbe(probed)))
            TEST_FAIL("# probe failed: %s", errorGetSlot()->message);
        if (!g_file_set_contents(path, norm, -1, NULL))
            TEST_FAIL("# cannot write %s", path);
    }
    if (!(caps = loadFixture()))
        TEST_FAIL("# cannot load the fixture: %s", errorGetSlot()->message);
    TEST_CHECK(g_file_get_contents(path, &text, NULL, NULL), "# cannot read %s", path);
    again = qemuCapsFormatJSON(caps);
    TEST_CHECK(streq(again, text), "# the fixture does not round-trip through parse/format");
    TEST_CHECK(qemuCapsGetVersion(caps) / 1000 == 7002, "# fixture version %lu",
               qemuCapsGetVersion(caps));
    TEST_CHECK(streq(qemuCapsGetCanonicalMachine(caps, "pc"), "pc-i440fx-7.2"), "# pc alias");
    TEST_CHECK(streq(qemuCapsGetCanonicalMachine(caps, "q35"), "pc-q35-7.2"), "# q35 alias");
    TEST_CHECK(streq(qemuCapsGetDefaultMachine(caps), "pc-i440fx-7.2"), "# default machine");
    TEST_CHECK(qemuCapsKVMUsable(caps), "# the fixture claims usable KVM");
    TEST_CHECK(qemuCapsHasType(caps, "virtio-net-pci"), "# virtio-net-pci");
    TEST_CHECK(!qemuCapsHasType(caps, "no-such-device"), "# no-such-device");
    return 0;
}

static int
testParseErrors(const void *data)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{\"format\": 999}",
        "{\"format\": 1}",
        "{\"format\": 1, \"binary\": \"/x\", \"version\": 7002000, \"arch\": \"x86_64\"}",
    };
    size_t i;

    (void)data;
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(QemuCaps) caps = qemuCapsParseJSON(bad[i], "test");

        TEST_CHECK(!caps, "# document %zu was accepted", i);
        TEST_CHECK(errorGetCode() == VIR_ERR_INTERNAL_ERROR, "# code %d", errorGetCode());
        errorReset();
    }
    return 0;
}

/* ---- golden XML ---- */

static int
testCapabilitiesXML(const void *data)
{
    g_autoptr(QemuCaps) caps = loadFixture();
    QemuCapsHost host;
    g_autofree char *xml = NULL;
    int ret;

    (void)data;
    if (!caps)
        TEST_FAIL("# %s", errorGetSlot()->message);
    fixtureHost(&host);
    xml = qemuCapsFormatCapabilitiesXML(&host, &caps, 1);
    qemuCapsHostClear(&host);
    ret = compareGolden("capabilities.xml", xml);
    return ret;
}

typedef struct {
    const char *file;
    const char *machine;
    int virtType;
} DomCapsCase;

static int
testDomainCapabilitiesXML(const void *data)
{
    const DomCapsCase *c = data;
    g_autoptr(QemuCaps) caps = loadFixture();
    g_autofree char *xml = NULL;

    if (!caps)
        TEST_FAIL("# %s", errorGetSlot()->message);
    if (!(xml = qemuCapsFormatDomainCapabilitiesXML(caps, c->machine, c->virtType)))
        TEST_FAIL("# %s", errorGetSlot()->message);
    return compareGolden(c->file, xml);
}

static int
testDomainCapabilitiesErrors(const void *data)
{
    g_autoptr(QemuCaps) caps = loadFixture();
    g_autofree char *xml = NULL;

    (void)data;
    if (!caps)
        TEST_FAIL("# %s", errorGetSlot()->message);
    xml = qemuCapsFormatDomainCapabilitiesXML(caps, "no-such-machine", DOMAIN_VIRT_QEMU);
    TEST_CHECK(!xml && errorGetCode() == VIR_ERR_INVALID_ARG, "# unknown machine");
    errorReset();
    xml = qemuCapsFormatDomainCapabilitiesXML(caps, "isapc", DOMAIN_VIRT_QEMU);
    TEST_CHECK(!xml && errorGetCode() == VIR_ERR_CONFIG_UNSUPPORTED, "# isapc");
    errorReset();
    xml = qemuCapsFormatDomainCapabilitiesXML(caps, NULL, DOMAIN_VIRT_XEN);
    TEST_CHECK(!xml && errorGetCode() == VIR_ERR_INVALID_ARG, "# xen");
    errorReset();
    return 0;
}

static int
testHostProbe(const void *data)
{
    QemuCapsHost host;
    QemuCapsHost copy;
    g_autofree char *xml = NULL;

    (void)data;
    TEST_CHECK(qemuCapsHostProbe(&host) == 0, "# probe");
    TEST_CHECK(host.ncpus >= 1, "# no CPUs");
    TEST_CHECK(host.memoryKiB > 0, "# no memory");
    TEST_CHECK(host.hwVirt == qemuCapsHostCPUHasVirt("/proc/cpuinfo"), "# vmx/svm disagree");
    copy = host;
    xml = qemuCapsFormatCapabilitiesXML(&copy, NULL, 0);
    TEST_CHECK(strstr(xml, "<cells num='1'>") != NULL, "# %s", xml);
    qemuCapsHostClear(&host);
    return 0;
}

/* ---- the real binary ---- */

static int
testProbeReal(const void *data)
{
    g_autoptr(QemuCaps) caps = NULL;
    gint64 start = g_get_monotonic_time();
    const QemuCapsMachine *m;

    (void)data;
    if (!(caps = qemuCapsProbe(qemuBinary, 0)))
        TEST_FAIL("# probe of %s failed: %s", qemuBinary, errorGetSlot()->message);
    testLog("# probed %s in %lld ms: version %lu (%s), kvm %s, host virt flags %s", qemuBinary,
            (long long)(g_get_monotonic_time() - start) / 1000, qemuCapsGetVersion(caps),
            qemuCapsGetPackage(caps), qemuCapsKVMUsable(caps) ? "usable" : "not usable",
            qemuCapsHostHasHWVirt(caps) ? "yes" : "no");
    TEST_CHECK(qemuCapsGetVersion(caps) / 1000 == 7002, "# expected QEMU 7.2, got %lu",
               qemuCapsGetVersion(caps));
    TEST_CHECK(streq(qemuCapsGetArch(caps), "x86_64"), "# arch %s", qemuCapsGetArch(caps));
    TEST_CHECK((m = qemuCapsLookupMachine(caps, "pc")) != NULL, "# no machine 'pc'");
    TEST_CHECK(streq(m->name, "pc-i440fx-7.2") && streq(m->alias, "pc"), "# pc is %s", m->name);
    TEST_CHECK(m->maxCpus >= 255, "# maxCpus %u", m->maxCpus);
    TEST_CHECK(streq(qemuCapsGetCanonicalMachine(caps, "q35"), "pc-q35-7.2"), "# q35");
    TEST_CHECK(streq(qemuCapsGetDefaultMachine(caps), "pc-i440fx-7.2"), "# default machine");
    TEST_CHECK(qemuCapsHasType(caps, "virtio-net-pci"), "# no virtio-net-pci");
    TEST_CHECK(qemuCapsHasType(caps, "virtio-blk-pci"), "# no virtio-blk-pci");
    TEST_CHECK(qemuCapsHasType(caps, "memory-backend-ram"), "# no memory-backend-ram");
    TEST_CHECK(qemuCapsHasCommand(caps, "query-status"), "# no query-status");
    TEST_CHECK(qemuCapsHasAccel(caps, "tcg") && qemuCapsHasAccel(caps, "kvm"), "# accels");
    TEST_CHECK(qemuCapsLookupCpuModel(caps, "qemu64") != NULL, "# no qemu64 CPU model");
    TEST_CHECK(qemuCapsHostHasHWVirt(caps) == qemuCapsHostCPUHasVirt("/proc/cpuinfo"),
               "# host virt flag");
    /* usable KVM needs a working /dev/kvm */
    if (!qemuCapsKVMDeviceUsable("/dev/kvm"))
        TEST_CHECK(!qemuCapsKVMUsable(caps), "# KVM usable without /dev/kvm");
    TEST_CHECK(qemuCapsSupportsVirtType(caps, DOMAIN_VIRT_QEMU), "# type qemu");
    TEST_CHECK(qemuCapsSupportsVirtType(caps, DOMAIN_VIRT_KVM) == qemuCapsKVMUsable(caps),
               "# type kvm");
    return 0;
}

static char *
writeWrapper(const char *name, const char *body)
{
    g_autofree char *path = g_build_filename(tmpDir, name, NULL);
    g_autofree char *script = g_strdup_printf("#!/bin/sh\n%s\n", body);

    if (!g_file_set_contents(path, script, -1, NULL) || chmod(path, 0755) < 0)
        return NULL;
    return g_steal_pointer(&path);
}

static int
testCache(const void *data)
{
    g_autofree char *cacheDir = g_build_filename(tmpDir, "cache", NULL);
    g_autofree char *body = g_strdup_printf("exec %s \"$@\"", qemuBinary);
    g_autofree char *wrapper = writeWrapper("qemu-wrapper", body);
    g_autoptr(QemuCapsCache) cache = qemuCapsCacheNew(cacheDir);
    g_autoptr(QemuCapsCache) cache2 = NULL;
    g_autoptr(QemuCaps) a = NULL;
    g_autoptr(QemuCaps) b = NULL;
    g_autoptr(QemuCaps) c = NULL;
    g_autoptr(QemuCaps) d = NULL;
    g_autoptr(QemuCaps) e = NULL;
    g_autofree char *ja = NULL;
    g_autofree char *jc = NULL;
    struct utimbuf times = {.actime = 1000000000, .modtime = 1000000000};
    gint64 t0;

    (void)data;
    TEST_CHECK(wrapper != NULL, "# cannot write the wrapper script");
    if (!(a = qemuCapsCacheLookup(cache, wrapper)))
        TEST_FAIL("# %s", errorGetSlot()->message);
    TEST_CHECK(qemuCapsCacheGetProbeCount(cache) == 1, "# first lookup probes");

    /* memory hit: same object, no probe */
    t0 = g_get_monotonic_time();
    b = qemuCapsCacheLookup(cache, wrapper);
    testLog("# memory hit in %lld us", (long long)(g_get_monotonic_time() - t0));
    TEST_CHECK(b == a, "# memory hit returns the same object");
    TEST_CHECK(qemuCapsCacheGetProbeCount(cache) == 1, "# memory hit probed");

    /* disk hit: a new cache on the same directory */
    cache2 = qemuCapsCacheNew(cacheDir);
    t0 = g_get_monotonic_time();
    if (!(c = qemuCapsCacheLookup(cache2, wrapper)))
        TEST_FAIL("# %s", errorGetSlot()->message);
    testLog("# disk hit in %lld us", (long long)(g_get_monotonic_time() - t0));
    TEST_CHECK(qemuCapsCacheGetProbeCount(cache2) == 0, "# disk hit probed");
    ja = qemuCapsFormatJSON(a);
    jc = qemuCapsFormatJSON(c);
    TEST_CHECK(streq(ja, jc), "# the cached file differs from the probe");

    /* a changed binary is probed again */
    TEST_CHECK(utime(wrapper, &times) == 0, "# utime: %s", g_strerror(errno));
    if (!(d = qemuCapsCacheLookup(cache, wrapper)))
        TEST_FAIL("# %s", errorGetSlot()->message);
    TEST_CHECK(d != a && qemuCapsCacheGetProbeCount(cache) == 2, "# mtime change not seen");

    /* so is one whose KVM device changed usability */
    if (qemuCapsKVMDeviceUsable("/dev/kvm")) {
        qemuCapsCacheSetKVMDevice(cache, "/nonexistent/kvm");
        if (!(e = qemuCapsCacheLookup(cache, wrapper)))
            TEST_FAIL("# %s", errorGetSlot()->message);
        TEST_CHECK(qemuCapsCacheGetProbeCount(cache) == 3, "# KVM change not seen");
        TEST_CHECK(!qemuCapsKVMUsable(e), "# KVM usable without a KVM device");
    } else {
        testLog("# /dev/kvm not usable here: KVM invalidation not tested");
    }

    /* a missing binary */
    TEST_CHECK(!qemuCapsCacheLookup(cache, "/nonexistent/qemu"), "# missing binary");
    TEST_CHECK(errorGetCode() == VIR_ERR_SYSTEM_ERROR, "# code %d", errorGetCode());
    errorReset();
    return 0;
}

static int
testProbeErrors(const void *data)
{
    g_autofree char *notQemu = writeWrapper("not-qemu", "echo 'this is not QEMU' >&2; exit 3");
    g_autofree char *hangs = writeWrapper("hangs", "exec sleep 30");
    g_autoptr(QemuCaps) caps = NULL;
    gint64 t0;

    (void)data;
    caps = qemuCapsProbe(notQemu, 5000);
    TEST_CHECK(!caps, "# a non-QEMU binary was accepted");
    TEST_CHECK(strstr(errorGetSlot()->message, "this is not QEMU") != NULL,
               "# message lacks QEMU's stderr: %s", errorGetSlot()->message);
    errorReset();
    t0 = g_get_monotonic_time();
    caps = qemuCapsProbe(hangs, 300);
    TEST_CHECK(!caps && errorGetCode() == VIR_ERR_OPERATION_TIMEOUT, "# timeout: %s",
               errorGetSlot()->message);
    TEST_CHECK(g_get_monotonic_time() - t0 < 5 * G_USEC_PER_SEC, "# the timeout took too long");
    errorReset();
    return 0;
}

int
main(int argc, char **argv)
{
    static const DomCapsCase domcaps[] = {
        {"domaincapabilities-pc-kvm.xml", NULL, DOMAIN_VIRT_KVM},
        {"domaincapabilities-q35-qemu.xml", "q35", DOMAIN_VIRT_QEMU},
    };
    size_t i;
    int ret;

    testInit(argc, argv);
    qemuBinary = getenv("QEMU_BINARY") ? getenv("QEMU_BINARY") : "/usr/bin/qemu-system-x86_64";
    haveQemu = access(qemuBinary, X_OK) == 0;
    tmpDir = g_dir_make_tmp("qemucapstest-XXXXXX", NULL);

    testRun("fixture", testFixture, NULL);
    testRun("parse-errors", testParseErrors, NULL);
    testRun("capabilities-xml", testCapabilitiesXML, NULL);
    for (i = 0; i < G_N_ELEMENTS(domcaps); i++)
        testRun(domcaps[i].file, testDomainCapabilitiesXML, &domcaps[i]);
    testRun("domaincapabilities-errors", testDomainCapabilitiesErrors, NULL);
    testRun("host-probe", testHostProbe, NULL);
    if (haveQemu) {
        testRun("probe-real-qemu", testProbeReal, NULL);
        testRun("cache", testCache, NULL);
    } else {
        testLog("# %s not found: real-QEMU cases skipped", qemuBinary);
    }
    testRun("probe-errors", testProbeErrors, NULL);
    ret = testFinish();

    removeTree(tmpDir);
    return ret;
}
