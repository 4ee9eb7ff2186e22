/* Golden tests of src/qemu/qemu_command.c, and a run of every good case by the real QEMU. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "qemutestutils.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_command.h"
#include "util/error.h"
#include "util/json.h"
#include "util/str.h"

/*
 * tests/data/qemuxml2argv/NAME.xml is parsed, given the QEMU driver's
 * defaults (qemuCommandApplyDefaults) and turned into a command line
 * with the fixed capabilities tests/data/qemucaps/qemu-7.2.json and the
 * fixed runtime inputs of caseRuntime().  The result must equal
 * NAME.args (environment additions, then one argument per line), or for
 * a case that must fail, NAME.err (the error code's name, then the
 * message).  TEST_REGENERATE=1 rewrites them; TEST_CASE=NAME runs one.
 *
 * With --qemu every good case not marked noQemu is started by the real
 * qemu-system-x86_64 from its golden NAME.args, after moving the fixed
 * paths into a temporary directory (creating the disk images and files
 * they name), choosing free TCP ports and replacing KVM by TCG: QEMU
 * must come up paused, answer query-status on the monitor, and quit.
 */

typedef enum {
    CASE_TAP = 1 << 0,        /* the driver passes tap (and vhost) fds */
    CASE_MONITOR_FD = 1 << 1, /* the monitor is a listening fd, not a path */
    CASE_NO_PORTS = 1 << 2,   /* the driver allocated no graphics port */
} CaseFlags;

typedef struct {
    const char *name;
    int expectFail;     /* VIR_ERR_* the case must fail with, 0 = must succeed */
    unsigned int flags; /* CaseFlags */
    const char *noQemu; /* why the real-QEMU run skips it, or NULL */
} Xml2ArgvCase;

#define NEEDS_TAP "needs tap devices"
#define NEEDS_KVM "needs KVM (-cpu host)"

static const Xml2ArgvCase cases[] = {
    {"minimal"},
    {"minimal-kvm", .flags = CASE_MONITOR_FD, .noQemu = "monitor passed as an fd"},
    {"q35-minimal"},
    {"machine-alias-q35"},
    {"machine-default"},
    {"cpu-topology"},
    {"cpu-topology-dies"},
    {"cpu-model-features"},
    {"cpu-host-passthrough", .noQemu = NEEDS_KVM},
    {"cpu-host-model", .noQemu = NEEDS_KVM},
    {"cpu-maximum"},
    {"memory-hotplug"},
    {"memory-unaligned"},
    {"numa"},
    {"kernel-boot"},
    {"boot-order-menu"},
    {"boot-per-device"},
    {"disk-virtio-qcow2"},
    {"disk-ide-cdrom"},
    {"disk-cdrom-empty"},
    {"disk-sata-q35"},
    {"disk-scsi-virtio"},
    {"disk-scsi-lsi"},
    {"disk-block", .noQemu = "needs host block devices"},
    {"disk-options"},
    {"disk-floppy"},
    {"disk-usb"},
    {"net-user"},
    {"net-models"},
    {"net-bridge-fd", .flags = CASE_TAP, .noQemu = NEEDS_TAP},
    {"net-multiqueue-vhost", .flags = CASE_TAP, .noQemu = NEEDS_TAP},
    {"net-ethernet-ifname", .noQemu = NEEDS_TAP},
    /* the live definition after the driver made the taps (test_netdev.py) */
    {"net-tap-live", .flags = CASE_TAP, .noQemu = NEEDS_TAP},
    {"serial-pty"},
    {"serial-file-unix"},
    {"serial-tcp-telnet"},
    {"serial-udp"},
    {"serial-pci-usb"},
    {"console-virtio"},
    {"channel-guest-agent"},
    {"graphics-spice"},
    {"graphics-vnc"},
    {"graphics-vnc-socket"},
    {"graphics-vnc-ipv6-websocket"},
    {"video-virtio-secondary"},
    {"video-qxl-secondary"},
    {"video-bochs-q35"},
    {"video-none"},
    {"video-vmvga-ramfb"},
    {"input-devices"},
    {"usb-controllers"},
    {"usb-ehci-pc"},
    {"memballoon-options"},
    {"memballoon-none"},
    {"rng-random"},
    {"rng-builtin-rate"},
    {"rng-egd", .noQemu = "needs an EGD server"},
    {"watchdog-i6300esb"},
    {"watchdog-ib700-dump"},
    {"panic-isa"},
    {"clock-localtime"},
    {"clock-timezone"},
    {"clock-variable"},
    {"clock-timers"},
    {"features-hyperv-kvm", .noQemu = "Hyper-V vpindex needs KVM"},
    {"features-hyperv-tcg"},
    {"features-ioapic-split"},
    {"pci-bridge"},
    {"pci-explicit-addresses"},
    {"loader-pflash"},
    {"loader-rom"},
    {"parallel-port"},
    {"user-aliases"},
    {"lifecycle-reboot-destroy"},
    {"full-q35"},
    {"seclabel-ignored"},

    {"error-hostdev", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-sound", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-disk-network", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-disk-format", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-machine-unknown", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-machine-microvm", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-ide-q35", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-cpu-passthrough-tcg", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-cpu-model-unknown", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-topology-mismatch", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-vcpus-machine-limit", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-graphics-sdl", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-net-direct", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-net-bridge-no-fd", VIR_ERR_INTERNAL_ERROR},
    {"error-net-model", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-panic-model", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-video-secondary-vga", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-pci-double-use", VIR_ERR_INTERNAL_ERROR},
    {"error-watchdog-diag288", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-usb-disabled", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-numatune", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-efi-auto", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-vnc-no-port", VIR_ERR_INTERNAL_ERROR, .flags = CASE_NO_PORTS},
    {"error-memorybacking", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-arch-aarch64", VIR_ERR_CONFIG_UNSUPPORTED},
    {"error-hyperv-vpindex-tcg", VIR_ERR_CONFIG_UNSUPPORTED},
};

static QemuCaps *fixtureCaps;

static const struct {
    int code;
    const char *name;
} errorNames[] = {
    {VIR_ERR_CONFIG_UNSUPPORTED, "VIR_ERR_CONFIG_UNSUPPORTED"},
    {VIR_ERR_INTERNAL_ERROR, "VIR_ERR_INTERNAL_ERROR"},
    {VIR_ERR_XML_ERROR, "VIR_ERR_XML_ERROR"},
    {VIR_ERR_XML_DETAIL, "VIR_ERR_XML_DETAIL"},
    {VIR_ERR_INVALID_ARG, "VIR_ERR_INVALID_ARG"},
    {VIR_ERR_XML_INVALID_SCHEMA, "VIR_ERR_XML_INVALID_SCHEMA"},
    {VIR_ERR_OPERATION_INVALID, "VIR_ERR_OPERATION_INVALID"},
};

static char *
errorName(int code)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(errorNames); i++) {
        if (errorNames[i].code == code)
            return g_strdup(errorNames[i].name);
    }
    return g_strdup_printf("error code %d", code);
}

static char *
dataPath(const char *name, const char *suffix)
{
    const char *dir = getenv("QEMU_XML2ARGV_DATA");
    g_autofree char *file = g_strdup_printf("%s%s", name, suffix);

    return g_build_filename(dir ? dir : "tests/data/qemuxml2argv", file, NULL);
}

static bool
regenerate(void)
{
    return streq(getenv("TEST_REGENERATE"), "1");
}

static int
compareGolden(const char *path, const char *actual)
{
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

/* ---- fixed runtime inputs ---- */

typedef struct {
    QemuCommandRuntime rt;
    QemuGraphicsRuntime graphics[4];
    QemuNetRuntime nets[8];
    int tapfds[8][4];
    int vhostfds[8][4];
    char *monitor;
    char *pidfile;
    char *channelDir;
} CaseRuntime;

static void
caseRuntimeClear(CaseRuntime *cr)
{
    g_free(cr->monitor);
    g_free(cr->pidfile);
    g_free(cr->channelDir);
}

static void
caseRuntime(const Xml2ArgvCase *c, const DomainDef *def, CaseRuntime *cr)
{
    size_t i;
    size_t q;

    memset(cr, 0, sizeof(*cr));
    qemuCommandRuntimeInit(&cr->rt);
    cr->monitor = g_strdup_printf("/run/virtkit/qemu/%s.monitor", c->name);
    cr->pidfile = g_strdup_printf("/run/virtkit/qemu/%s.pid", c->name);
    cr->channelDir = g_strdup_printf("/var/lib/virtkit/qemu/channel/target/%s", c->name);
    cr->rt.monitorPath = cr->monitor;
    if (c->flags & CASE_MONITOR_FD)
        cr->rt.monitorFd = 25;
    cr->rt.pidfile = cr->pidfile;
    cr->rt.channelDir = cr->channelDir;
    cr->rt.now = 1700000000; /* 2023-11-14T22:13:20Z */
    cr->rt.utcOffset = 3600;

    /* ports the driver would have allocated for autoport graphics */
    for (i = 0; i < def->ngraphics && i < G_N_ELEMENTS(cr->graphics); i++) {
        if (c->flags & CASE_NO_PORTS)
            break;
        if (def->graphics[i]->autoport)
            cr->graphics[i].port = 5901 + (int)i;
        if (def->graphics[i]->websocket == -1)
            cr->graphics[i].websocket = 5701 + (int)i;
    }
    cr->rt.graphics = cr->graphics;
    cr->rt.ngraphics = MIN(def->ngraphics, G_N_ELEMENTS(cr->graphics));

    /* tap and vhost-net descriptors the driver would have opened */
    if (c->flags & CASE_TAP) {
        for (i = 0; i < def->nnets && i < G_N_ELEMENTS(cr->nets); i++) {
            const DomainNetDef *net = def->nets[i];
            size_t queues = MIN(MAX(net->driverQueues, 1u), 4u);

            for (q = 0; q < queues; q++) {
                cr->tapfds[i][q] = 30 + (int)(i * 8 + q);
                cr->vhostfds[i][q] = 34 + (int)(i * 8 + q);
            }
            cr->nets[i].tapfds = cr->tapfds[i];
            cr->nets[i].ntapfds = queues;
            if (streq(net->driverName, "vhost")) {
                cr->nets[i].vhostfds = cr->vhostfds[i];
                cr->nets[i].nvhostfds = queues;
            }
        }
        cr->rt.nets = cr->nets;
        cr->rt.nnets = MIN(def->nnets, G_N_ELEMENTS(cr->nets));
    }
}

/* ---- the golden test ---- */

/* Parse + defaults + build; on failure *errText gets "CODE\nmessage\n". */
static char *
caseBuild(const Xml2ArgvCase *c, bool prepare, char **errText)
{
    g_autofree char *xmlPath = dataPath(c->name, ".xml");
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuCommand) cmd = NULL;
    CaseRuntime cr;

    *errText = NULL;
    if (!(def = domainDefParseFile(xmlPath, DOMAIN_DEF_PARSE_INACTIVE)) ||
        qemuCommandApplyDefaults(def, fixtureCaps) < 0 ||
        (prepare && qemuCommandPrepareDef(def, fixtureCaps) < 0))
        goto error;
    caseRuntime(c, def, &cr);
    cmd = qemuCommandBuild(def, fixtureCaps, &cr.rt);
    caseRuntimeClear(&cr);
    if (!cmd)
        goto error;
    return qemuCommandFormat(cmd);

error : {
    g_autofree char *name = errorName(errorGetCode());

    *errText = g_strdup_printf("%s\n%s\n", name, errorGetSlot()->message);
    errorReset();
    return NULL;
}
}

static int
testXml2Argv(const void *data)
{
    const Xml2ArgvCase *c = data;
    g_autofree char *errText = NULL;
    g_autofree char *errText2 = NULL;
    g_autofree char *args = caseBuild(c, false, &errText);
    g_autofree char *args2 = NULL;
    g_autofree char *argsPath = dataPath(c->name, ".args");
    g_autofree char *errPath = dataPath(c->name, ".err");

    if (c->expectFail) {
        g_autofree char *want = errorName(c->expectFail);

        if (args)
            TEST_FAIL("# expected failure %s, got a command line:\n%s", want, args);
        if (!strPrefix(errText, want) || errText[strlen(want)] != '\n')
            TEST_FAIL("# expected %s, got %s", want, errText);
        return compareGolden(errPath, errText);
    }
    if (!args)
        TEST_FAIL("# unexpected failure: %s", errText);
    /* writing aliases and addresses into the definition changes nothing */
    if (!(args2 = caseBuild(c, true, &errText2)))
        TEST_FAIL("# failure after qemuCommandPrepareDef: %s", errText2);
    if (!streq(args, args2))
        TEST_FAIL("# qemuCommandPrepareDef changed the command line:\n%s# ---\n%s", args, args2);
    return compareGolden(argsPath, args);
}

/* The domain XML after defaults and preparation keeps what was added. */
static int
testPrepareDef(const void *data)
{
    g_autofree char *xmlPath = dataPath("full-q35", ".xml");
    g_autoptr(DomainDef) def = domainDefParseFile(xmlPath, DOMAIN_DEF_PARSE_INACTIVE);
    g_autoptr(DomainDef) copy = NULL;
    g_autofree char *xml = NULL;

    (void)data;
    if (!def || qemuCommandApplyDefaults(def, fixtureCaps) < 0 ||
        qemuCommandPrepareDef(def, fixtureCaps) < 0)
        TEST_FAIL("# %s", errorGetSlot()->message);
    xml = domainDefFormat(def, 0);
    TEST_CHECK(strstr(xml, "<alias name='virtio-disk0'/>"), "# disk alias missing:\n%s", xml);
    TEST_CHECK(strstr(xml, "<alias name='net0'/>"), "# net alias missing");
    TEST_CHECK(strstr(xml, "machine='pc-q35-7.2'"), "# machine");
    TEST_CHECK(strstr(xml, "model='qemu-xhci'"), "# default USB controller");
    TEST_CHECK(strstr(xml, "<address type='pci' domain='0x0000' bus='0x00' slot='0x01' "
                           "function='0x0'/>"),
               "# primary video address:\n%s", xml);
    /* the prepared XML parses back to the same command line */
    TEST_CHECK((copy = domainDefParseString(xml, 0)) != NULL, "# reparse: %s",
               errorGetSlot()->message);
    return 0;
}

/*
 * The controllers the driver adds count against the parser's limit of
 * 4096: 4095 given ones leave room for none of pc's PCI root, IDE and USB.
 */
static int
testControllerLimit(const void *data)
{
    g_autoptr(GString) xml = g_string_new("<domain type='kvm'><name>c</name>"
                                          "<memory>65536</memory><os>"
                                          "<type arch='x86_64' machine='pc'>hvm</type>"
                                          "</os><devices>");
    g_autoptr(DomainDef) def = NULL;
    int i;

    (void)data;
    for (i = 0; i < 4095; i++)
        g_string_append_printf(xml, "<controller type='virtio-serial' index='%d'/>", i);
    g_string_append(xml, "</devices></domain>");
    if (!(def = domainDefParseString(xml->str, DOMAIN_DEF_PARSE_INACTIVE)))
        TEST_FAIL("# 4095 controllers must parse: %s", errorGetSlot()->message);
    TEST_CHECK(qemuCommandApplyDefaults(def, fixtureCaps) < 0 &&
               errorGetCode() == VIR_ERR_XML_ERROR &&
               strstr(errorGetSlot()->message,
                      "too many <controller> devices (limit 4096) with the ones the QEMU "
                      "driver adds"),
               "# want the limit error, got: %s",
               errorIsSet() ? errorGetSlot()->message : "success");
    errorReset();
    return 0;
}

static int
testKeyvalEscape(const void *data)
{
    g_autofree char *a = qemuCommandEscapeKeyval("a,b,,c");
    g_autofree char *b = qemuCommandEscapeKeyval("plain");

    (void)data;
    TEST_CHECK(streq(a, "a,,b,,,,c"), "# %s", a);
    TEST_CHECK(streq(b, "plain"), "# %s", b);
    return 0;
}

/* The runtime accelerator overrides the domain type. */
static int
testAccelOverride(const void *data)
{
    g_autofree char *xmlPath = dataPath("minimal-kvm", ".xml");
    g_autoptr(DomainDef) def = domainDefParseFile(xmlPath, DOMAIN_DEF_PARSE_INACTIVE);
    g_autoptr(QemuCommand) cmd = NULL;
    QemuCommandRuntime rt;
    size_t i;
    bool tcg = false;

    (void)data;
    if (!def || qemuCommandApplyDefaults(def, fixtureCaps) < 0)
        TEST_FAIL("# %s", errorGetSlot()->message);
    qemuCommandRuntimeInit(&rt);
    rt.monitorPath = "/tmp/m";
    rt.accel = QEMU_ACCEL_TCG;
    if (!(cmd = qemuCommandBuild(def, fixtureCaps, &rt)))
        TEST_FAIL("# %s", errorGetSlot()->message);
    for (i = 0; cmd->argv[i + 1]; i++) {
        if (streq(cmd->argv[i], "-accel"))
            tcg = streq(cmd->argv[i + 1], "tcg");
    }
    TEST_CHECK(tcg, "# -accel tcg expected");
    TEST_CHECK(cmd->nfds == 0, "# no fds expected");
    return 0;
}

/* ---- the real QEMU ---- */

typedef struct {
    char *tmp;
    GPid pid;
    int mon;
    char *log;
} QemuRun;

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

static int
freePort(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int port = -1;

    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static char *
replaceAll(const char *s, const char *from, const char *to)
{
    g_auto(GStrv) parts = g_strsplit(s, from, -1);

    return g_strjoinv(to, parts);
}

/* Replaces "key=NUMBER" by "key=PORT" with a fresh free port. */
static char *
replacePortOption(const char *arg, const char *key)
{
    g_autofree char *pat = g_strdup_printf("%s=", key);
    const char *pos = strstr(arg, pat);
    const char *end;
    GString *out;

    if (!pos || (pos != arg && pos[-1] != ','))
        return g_strdup(arg);
    end = pos + strlen(pat);
    while (*end >= '0' && *end <= '9')
        end++;
    out = g_string_new_len(arg, pos - arg);
    g_string_append_printf(out, "%s%d%s", pat, freePort(), end);
    return g_string_free(out, FALSE);
}

/* The QEMU-side adjustments of a golden argument list (see the top). */
static char **
adaptArgs(char **lines, const char *tmp, const char *vkguest)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *libDir = g_strdup_printf("%s/lib/", tmp);
    g_autofree char *runDir = g_strdup_printf("%s/run/", tmp);
    g_autofree char *logDir = g_strdup_printf("%s/log/", tmp);
    size_t i;

    for (i = 0; lines[i]; i++) {
        g_autofree char *a = replaceAll(lines[i], "/var/lib/virtkit/boot/vkguest.elf", vkguest);
        g_autofree char *b = replaceAll(a, "/var/lib/virtkit/", libDir);
        g_autofree char *c = replaceAll(b, "/run/virtkit/", runDir);
        char *d = replaceAll(c, "/var/log/virtkit/", logDir);
        const char *prev = i > 0 ? lines[i - 1] : "";

        if (streq(prev, "-accel") && streq(d, "kvm")) {
            g_free(d);
            d = g_strdup("tcg");
        } else if (streq(prev, "-vnc") && strchr(d, ':') && !strPrefix(d, "unix:")) {
            /* ADDR:DISPLAY[,...] -> a free display; websocket -> a free port */
            const char *colon = strrchr(d, ':');
            const char *rest = strchr(colon, ',');
            g_autofree char *head = g_strndup(d, colon - d);
            g_autofree char *tail = g_strdup(rest ? rest : "");
            g_autofree char *moved = g_strdup_printf("%s:%d%s", head, freePort() - 5900, tail);

            g_free(d);
            d = replacePortOption(moved, "websocket");
        } else if (streq(prev, "-spice") ||
                   (streq(prev, "-chardev") && strstr(d, "server=on") && strstr(d, "host="))) {
            char *e = replacePortOption(d, "port");

            g_free(d);
            d = e;
        }
        g_ptr_array_add(out, d);
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

/* A valid empty qcow2 (version 2, 64 KiB clusters) of @size bytes. */
static int
writeQcow2(const char *path, guint64 size)
{
    const guint64 cluster = 65536;
    guint64 l1Size = (size + cluster * (cluster / 8) - 1) / (cluster * (cluster / 8));
    g_autofree unsigned char *img = g_malloc0(cluster * 4);
    unsigned char *h = img;

#define BE32(off, v)                                                                               \
    do {                                                                                           \
        guint32 v_ = GUINT32_TO_BE((guint32)(v));                                                  \
        memcpy(h + (off), &v_, 4);                                                                 \
    } while (0)
#define BE64(off, v)                                                                               \
    do {                                                                                           \
        guint64 v_ = GUINT64_TO_BE((guint64)(v));                                                  \
        memcpy(h + (off), &v_, 8);                                                                 \
    } while (0)
    memcpy(h, "QFI\xfb", 4);
    BE32(4, 2);   /* version */
    BE32(20, 16); /* cluster_bits */
    BE64(24, size);
    BE32(36, l1Size);
    BE64(40, 3 * cluster); /* L1 table */
    BE64(48, 1 * cluster); /* refcount table */
    BE32(56, 1);           /* refcount table clusters */
    h = img + cluster;     /* refcount table -> block at cluster 2 */
    BE64(0, 2 * cluster);
    h = img + 2 * cluster; /* 16-bit refcounts of clusters 0-3 */
    h[1] = h[3] = h[5] = h[7] = 1;
#undef BE32
#undef BE64
    return g_file_set_contents(path, (const char *)img, cluster * 4, NULL) ? 0 : -1;
}

/* Creates the files a case refers to below the temporary directory. */
static int
prepareFiles(char **args, const char *tmp)
{
    size_t i;

    for (i = 0; args[i]; i++) {
        const char *p = args[i];

        while ((p = strstr(p, tmp))) {
            /* a path ends at the JSON string's quote, or at a keyval comma
             * that is not doubled */
            size_t len = 0;

            if (args[i][0] == '{') {
                len = strcspn(p, "\"");
            } else {
                while (p[len] && !(p[len] == ',' && p[len + 1] != ',')) {
                    if (p[len] == ',')
                        len++;
                    len++;
                }
            }
            g_autofree char *path = g_strndup(p, len);
            g_autofree char *dir = g_path_get_dirname(path);

            g_mkdir_with_parents(dir, 0700);
            if ((strstr(path, "/lib/images/") || strstr(path, "/lib/boot/") ||
                 strstr(path, "/lib/firmware/") || strstr(path, "/lib/nvram/")) &&
                !g_file_test(path, G_FILE_TEST_EXISTS)) {
                off_t size = g_str_has_suffix(path, ".fd") ? 2 << 20 : 1 << 20;

                if (g_str_has_suffix(path, ".qcow2")) {
                    if (writeQcow2(path, 16 << 20) < 0)
                        return -1;
                } else if (!g_file_set_contents(path, "", 0, NULL) || truncate(path, size) < 0) {
                    return -1;
                }
            }
            p += len;
        }
    }
    return 0;
}

static int
qmpConnect(const char *path, GPid pid, gint64 deadline)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    if (strlen(path) >= sizeof(sa.sun_path))
        return -1;
    strcpy(sa.sun_path, path);
    while (g_get_monotonic_time() < deadline) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int status;

        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        if (fd >= 0)
            close(fd);
        if (waitpid(pid, &status, WNOHANG) == pid)
            return -2; /* QEMU exited */
        g_usleep(5000);
    }
    return -1;
}

/* Reads one QMP message that is not an event. */
static json_object *
qmpRead(int fd, GString *buf, gint64 deadline)
{
    for (;;) {
        char *nl = memchr(buf->str, '\n', buf->len);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        char chunk[4096];
        ssize_t got;
        gint64 left;

        if (nl) {
            g_autofree char *line = g_strndup(buf->str, nl - buf->str);
            json_object *msg;

            g_string_erase(buf, 0, nl - buf->str + 1);
            if (!(msg = jsonParse(line, strlen(line))))
                return NULL;
            if (jsonGetString(msg, "event")) {
                json_object_put(msg);
                continue;
            }
            return msg;
        }
        left = (deadline - g_get_monotonic_time()) / 1000;
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            return NULL;
        if ((got = read(fd, chunk, sizeof(chunk))) <= 0)
            return NULL;
        g_string_append_len(buf, chunk, got);
    }
}

static json_object *
qmpCommand(int fd, GString *buf, const char *cmd, gint64 deadline)
{
    g_autofree char *line = g_strdup_printf("{\"execute\":\"%s\"}\n", cmd);

    /* MSG_NOSIGNAL: a QEMU that died must fail the case, not kill the test */
    if (send(fd, line, strlen(line), MSG_NOSIGNAL) != (ssize_t)strlen(line))
        return NULL;
    return qmpRead(fd, buf, deadline);
}

static void
stopQemu(GPid pid)
{
    gint64 until = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
    int status;

    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);

        if (r == pid || (r < 0 && errno != EINTR))
            return;
        if (g_get_monotonic_time() > until)
            break;
        g_usleep(2000);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}

static char *
readLog(const char *path)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return g_strdup("(no log)");
    return g_steal_pointer(&text);
}

/* In the child: QEMU dies with the test, even if the test is killed. */
static void
qemuChildSetup(gpointer opaque)
{
    (void)opaque;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static int
testQemuRun(const void *data)
{
    const Xml2ArgvCase *c = data;
    const char *vkguest = getenv("VKGUEST");
    g_autofree char *argsPath = dataPath(c->name, ".args");
    g_autofree char *text = NULL;
    g_autofree char *tmp = g_dir_make_tmp("vkxml2argv-XXXXXX", NULL);
    g_autofree char *logPath = NULL;
    g_autofree char *monitor = NULL;
    g_auto(GStrv) lines = NULL;
    g_auto(GStrv) args = NULL;
    g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autoptr(GError) gerr = NULL;
    g_autoptr(json_object) reply = NULL;
    gint64 deadline = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
    const char *status = NULL;
    GPid pid = 0;
    int logFd = -1;
    int mon = -1;
    int ret = -1;
    size_t i;

    if (!tmp)
        TEST_FAIL("# cannot make a temporary directory");
    if (!g_file_get_contents(argsPath, &text, NULL, &gerr)) {
        removeTree(tmp);
        TEST_FAIL("# %s", gerr->message);
    }
    if (strstr(text, "/var/lib/virtkit/boot/vkguest.elf") &&
        (!vkguest || !g_file_test(vkguest, G_FILE_TEST_EXISTS))) {
        testLog("# %s: vkguest.elf not built, skipped", c->name);
        removeTree(tmp);
        return 0;
    }
    lines = g_strsplit(g_strchomp(text), "\n", -1);
    args = adaptArgs(lines, tmp, vkguest ? vkguest : "");
    if (prepareFiles(args, tmp) < 0) {
        removeTree(tmp);
        TEST_FAIL("# cannot create the files of %s", c->name);
    }
    g_ptr_array_add(
        env, g_strdup_printf("PATH=%s", g_getenv("PATH") ? g_getenv("PATH") : "/usr/bin:/bin"));
    for (i = 0; args[i]; i++) {
        if (args[i][0] == '/')
            break;
        g_ptr_array_add(env, g_strdup(args[i]));
    }
    g_ptr_array_add(env, NULL);
    for (; args[i]; i++)
        g_ptr_array_add(argv, args[i]);
    g_ptr_array_add(argv, NULL);
    monitor = g_strdup_printf("%s/run/qemu/%s.monitor", tmp, c->name);
    logPath = g_build_filename(tmp, "qemu.log", NULL);
    if ((logFd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
        goto cleanup;
    if (!g_spawn_async_with_fds(tmp, (char **)argv->pdata, (char **)env->pdata,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                                qemuChildSetup, NULL, &pid, -1, logFd, logFd, &gerr)) {
        testLog("# cannot start QEMU: %s", gerr->message);
        goto cleanup;
    }
    if ((mon = qmpConnect(monitor, pid, deadline)) < 0) {
        g_autofree char *log = readLog(logPath);

        testLog("# %s: QEMU %s; its output:\n%s", c->name,
                mon == -2 ? "exited" : "never opened its monitor", log);
        goto cleanup;
    }
    json_object_put(qmpRead(mon, buf, deadline)); /* greeting */
    json_object_put(qmpCommand(mon, buf, "qmp_capabilities", deadline));
    if (!(reply = qmpCommand(mon, buf, "query-status", deadline))) {
        testLog("# %s: no reply to query-status", c->name);
        goto cleanup;
    }
    status = jsonGetString(jsonGetObject(reply, "return"), "status");
    if (!streq(status, "prelaunch")) {
        testLog("# %s: status '%s', expected 'prelaunch'", c->name, status ? status : "?");
        goto cleanup;
    }
    json_object_put(qmpCommand(mon, buf, "quit", deadline));
    ret = 0;

cleanup:
    if (mon >= 0)
        close(mon);
    if (pid > 0)
        stopQemu(pid);
    if (logFd >= 0)
        close(logFd);
    if (ret < 0 && mon >= 0) {
        g_autofree char *log = readLog(logPath);

        testLog("# QEMU's output:\n%s", log);
    }
    removeTree(tmp);
    return ret;
}

int
main(int argc, char **argv)
{
    g_autofree char *fixture = NULL;
    const char *capsDir = getenv("QEMU_CAPS_DATA");
    bool qemu = argc > 1 && streq(argv[1], "--qemu");
    gint64 start;
    size_t i;
    int ret;

    testInit(argc, argv);
    fixture = g_build_filename(capsDir ? capsDir : "tests/data/qemucaps", "qemu-7.2.json", NULL);
    if (!(fixtureCaps = qemuCapsLoadFile(fixture))) {
        printf("Bail out! cannot load %s: %s\n", fixture, errorGetSlot()->message);
        return EXIT_FAILURE;
    }

    if (qemu) {
        const char *binary = qemuCapsGetBinary(fixtureCaps);

        if (access(binary, X_OK) < 0) {
            testSkipAll("no QEMU binary");
            qemuCapsUnref(fixtureCaps);
            return EXIT_SUCCESS;
        }
        start = g_get_monotonic_time();
        for (i = 0; i < G_N_ELEMENTS(cases); i++) {
            if (cases[i].expectFail)
                continue;
            if (cases[i].noQemu) {
                testLog("# %s: not run (%s)", cases[i].name, cases[i].noQemu);
                continue;
            }
            testRun(cases[i].name, testQemuRun, &cases[i]);
        }
        testLog("# real QEMU runs took %lld ms",
                (long long)(g_get_monotonic_time() - start) / 1000);
    } else {
        for (i = 0; i < G_N_ELEMENTS(cases); i++)
            testRun(cases[i].name, testXml2Argv, &cases[i]);
        testRun("prepare-def", testPrepareDef, NULL);
        testRun("keyval-escape", testKeyvalEscape, NULL);
        testRun("controller-limit", testControllerLimit, NULL);
        testRun("accel-override", testAccelOverride, NULL);
    }
    ret = testFinish();
    qemuCapsUnref(fixtureCaps);
    return ret;
}
