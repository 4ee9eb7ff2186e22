/* The QEMU driver through the public API on qemu:///embed?root=TMP with real TCG guests. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/*
 * Every case gets its own root directory.  Every QEMU a case starts is
 * found through its pidfile (ROOT/run/qemu/NAME.pid) and killed + reaped
 * by pid at the end of the case whatever happened; a watchdog (alarm)
 * kills the recorded pids and exits if the whole run hangs.
 * Environment: VKGUEST (the guest kernel), TEST_CASE=NAME (one case).
 */

#define HARD_TIMEOUT_S 170
#define streq0(a, b) (g_strcmp0((a), (b)) == 0)
#define WAIT_MS 20000
#define MAX_PIDS 64

static const char *vkguest;
static char *root;
static virConnectPtr conn;
static int failures;
static int ntests;

static GMutex evLock;
static GPtrArray *events;       /* "NAME type detail", protected by evLock */
static int evCallback = -1;
static int rebootCallback = -1;
static gint rebootEvents;       /* VIR_DOMAIN_EVENT_ID_REBOOT received */

static volatile pid_t watchPids[MAX_PIDS];

static void
watchdog(int sig)
{
    static const char msg[] = "# hard timeout: killing QEMU and exiting\n";
    size_t i;

    (void)sig;
    for (i = 0; i < MAX_PIDS; i++) {
        if (watchPids[i] > 0)
            kill(watchPids[i], SIGKILL);
    }
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
        _exit(2);
    _exit(1);
}

static void
rememberPid(pid_t pid)
{
    size_t i;

    for (i = 0; i < MAX_PIDS; i++) {
        if (watchPids[i] == pid)
            return;
        if (watchPids[i] == 0) {
            watchPids[i] = pid;
            return;
        }
    }
}

#define CHECK(cond, ...) \
    do { \
        if (!(cond)) { \
            virErrorPtr e_ = virGetLastError(); \
            printf("# %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            printf(__VA_ARGS__); \
            printf("\n# last error: %s\n", e_ && e_->message ? e_->message : "none"); \
            return -1; \
        } \
    } while (0)

static gint64
nowMs(void)
{
    return g_get_monotonic_time() / 1000;
}

/* ---- event loop + events ---- */

static gpointer
eventLoop(gpointer opaque)
{
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

static int
onLifecycle(virConnectPtr c, virDomainPtr dom, int type, int detail, void *opaque)
{
    g_mutex_lock(&evLock);
    g_ptr_array_add(events, g_strdup_printf("%s %d %d", virDomainGetName(dom), type, detail));
    g_mutex_unlock(&evLock);
    return 0;
}

static void
onReboot(virConnectPtr c, virDomainPtr dom, void *opaque)
{
    g_atomic_int_inc(&rebootEvents);
}

/* The events of domain @name so far, "type detail" joined by ", ". */
static char *
eventsOf(const char *name)
{
    GString *out = g_string_new(NULL);
    g_autofree char *prefix = g_strdup_printf("%s ", name);
    size_t i;

    g_mutex_lock(&evLock);
    for (i = 0; i < events->len; i++) {
        const char *ev = g_ptr_array_index(events, i);

        if (g_str_has_prefix(ev, prefix))
            g_string_append_printf(out, "%s%s", out->len ? ", " : "", ev + strlen(prefix));
    }
    g_mutex_unlock(&evLock);
    return g_string_free(out, FALSE);
}

static bool
waitEvents(const char *name, const char *want)
{
    gint64 deadline = nowMs() + WAIT_MS;

    while (nowMs() < deadline) {
        g_autofree char *got = eventsOf(name);

        if (strstr(got, want))
            return true;
        g_usleep(10000);
    }
    return false;
}

/* ---- connection and guests ---- */

static int
openConn(void)
{
    g_autofree char *uri = g_strdup_printf("qemu:///embed?root=%s", root);

    if (!(conn = virConnectOpen(uri)))
        return -1;
    evCallback = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  VIR_DOMAIN_EVENT_CALLBACK(onLifecycle),
                                                  NULL, NULL);
    if (evCallback < 0)
        return -1;
    rebootCallback = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                                      VIR_DOMAIN_EVENT_CALLBACK(onReboot),
                                                      NULL, NULL);
    return rebootCallback < 0 ? -1 : 0;
}

static void
closeConn(void)
{
    if (!conn)
        return;
    if (evCallback >= 0)
        virConnectDomainEventDeregisterAny(conn, evCallback);
    evCallback = -1;
    if (rebootCallback >= 0)
        virConnectDomainEventDeregisterAny(conn, rebootCallback);
    rebootCallback = -1;
    virConnectClose(conn);
    conn = NULL;
}

static char *
guestXML(const char *name, const char *kernel)
{
    return g_strdup_printf(
        "<domain type='qemu'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>64</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel>"
        "<cmdline>heartbeat_ms=50</cmdline></os>\n"
        "  <features><acpi/></features>\n"
        "  <devices>\n"
        "    <serial type='file'><source path='%s/%s.serial'/><target port='0'/></serial>\n"
        "  </devices>\n"
        "</domain>\n",
        name, kernel ? kernel : vkguest, root, name);
}

/* guestXML() with another kernel command line, elements before <devices>
 * and devices added. */
static char *
guestXMLExtra(const char *name, const char *cmdline, const char *top, const char *devices)
{
    g_autofree char *base = guestXML(name, NULL);
    g_auto(GStrv) a = g_strsplit(base, "heartbeat_ms=50", 2);
    g_autofree char *withCmdline = g_strjoin(cmdline, a[0], a[1], NULL);
    g_autofree char *dev = g_strdup_printf("%s  <devices>\n%s", top, devices);
    g_auto(GStrv) b = g_strsplit(withCmdline, "  <devices>\n", 2);

    return g_strjoin(dev, b[0], b[1], NULL);
}

/* How often @text is in the serial log of @name. */
static unsigned int
serialCount(const char *name, const char *text)
{
    g_autofree char *path = g_strdup_printf("%s/%s.serial", root, name);
    g_autofree char *data = NULL;
    unsigned int n = 0;
    const char *p;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return 0;
    for (p = data; (p = strstr(p, text)); p += strlen(text))
        n++;
    return n;
}

static pid_t
qemuPid(const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/run/qemu/%s.pid", root, name);
    g_autofree char *text = NULL;
    long pid;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    pid = strtol(text, NULL, 10);
    if (pid > 0)
        rememberPid((pid_t)pid);
    return (pid_t)pid;
}

static bool
waitState(virDomainPtr dom, int state, int reason)
{
    gint64 deadline = nowMs() + WAIT_MS;
    int s = -1;
    int r = -1;

    while (nowMs() < deadline) {
        if (virDomainGetState(dom, &s, &r, 0) == 0 && s == state && r == reason)
            return true;
        g_usleep(10000);
    }
    printf("# state %d/%d, wanted %d/%d\n", s, r, state, reason);
    return false;
}

static bool
waitSerial(const char *name, const char *text)
{
    g_autofree char *path = g_strdup_printf("%s/%s.serial", root, name);
    gint64 deadline = nowMs() + WAIT_MS;

    while (nowMs() < deadline) {
        g_autofree char *data = NULL;

        if (g_file_get_contents(path, &data, NULL, NULL) && strstr(data, text))
            return true;
        g_usleep(20000);
    }
    return false;
}

/* Kill and reap every QEMU whose pidfile is in the root (our children are
 * reaped here; the driver may have reaped them already). */
static void
killAll(void)
{
    g_autofree char *dir = g_strdup_printf("%s/run/qemu", root);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;
    size_t i;

    while (d && (entry = g_dir_read_name(d))) {
        if (g_str_has_suffix(entry, ".pid")) {
            g_autofree char *name = g_strndup(entry, strlen(entry) - 4);

            qemuPid(name);
        }
    }
    for (i = 0; i < MAX_PIDS; i++) {
        pid_t pid = watchPids[i];

        if (pid <= 0)
            continue;
        kill(pid, SIGCONT);
        if (kill(pid, SIGKILL) == 0 || errno != ESRCH)
            waitpid(pid, NULL, 0);
        watchPids[i] = 0;
    }
}

/* ---- cases ---- */

static int
caseLifecycle(void)
{
    g_autofree char *xml = guestXML("life", NULL);
    g_autofree char *evs = NULL;
    g_autofree char *live = NULL;
    virDomainPtr dom;
    virDomainInfo info;
    pid_t pid;
    int rc;

    CHECK((dom = virDomainCreateXML(conn, xml, 0)), "create");
    pid = qemuPid("life");
    CHECK(pid > 0, "pidfile");
    CHECK(virDomainGetID(dom) == 1, "id %u", virDomainGetID(dom));
    CHECK(waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED), "running/booted");
    CHECK(waitSerial("life", "HEARTBEAT 3 "), "heartbeat on the serial log");
    CHECK(virDomainGetInfo(dom, &info) == 0 && info.state == VIR_DOMAIN_RUNNING &&
              info.cpuTime > 0 && info.maxMem == 65536,
          "info state %d cpu %llu mem %lu", info.state, info.cpuTime, info.maxMem);
    CHECK((live = virDomainGetXMLDesc(dom, 0)) && strstr(live, "id='1'") &&
              strstr(live, "alias name='serial0'"),
          "live XML");
    CHECK(virDomainSuspend(dom) == 0, "suspend");
    CHECK(waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER), "paused/user");
    CHECK(virDomainResume(dom) == 0, "resume");
    CHECK(waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED), "running/unpaused");
    CHECK(virDomainSetMemory(dom, 48 * 1024) == 0, "balloon");
    {
        /* the guest idles with hlt between heartbeats: far below one CPU */
        virDomainInfo before;
        virDomainInfo after;
        gint64 t0 = g_get_monotonic_time();
        gint64 wall;

        CHECK(virDomainGetInfo(dom, &before) == 0, "info before idling");
        g_usleep(1000 * 1000);
        CHECK(virDomainGetInfo(dom, &after) == 0, "info after idling");
        wall = (g_get_monotonic_time() - t0) * 1000;
        CHECK(after.cpuTime - before.cpuTime < (unsigned long long)wall / 2,
              "idle guest used %llu ns of CPU in %lld ns", after.cpuTime - before.cpuTime,
              (long long)wall);
    }
    rc = g_atomic_int_get(&rebootEvents);
    CHECK(virDomainReset(dom, 0) == 0, "reset");
    {
        gint64 deadline = nowMs() + WAIT_MS;

        while (nowMs() < deadline && g_atomic_int_get(&rebootEvents) == rc)
            g_usleep(10000);
        CHECK(g_atomic_int_get(&rebootEvents) == rc + 1, "one REBOOT event for the reset");
    }
    CHECK(virDomainDestroy(dom) == 0, "destroy");
    /* Reaped by the driver: the pid is no longer our child. */
    rc = waitpid(pid, NULL, WNOHANG);
    CHECK(rc < 0 && errno == ECHILD, "QEMU %d reaped by the driver (waitpid %d)", pid, rc);
    CHECK(waitEvents("life", "5 1"), "STOPPED_DESTROYED");
    evs = eventsOf("life");
    CHECK(streq0(evs, "4 0, 2 0, 3 0, 4 0, 6 2, 5 1") ||
              streq0(evs, "4 0, 2 0, 3 0, 4 0, 5 1"),
          "events '%s'", evs);
    CHECK(virDomainGetState(dom, &rc, NULL, 0) < 0 &&
              virGetLastError()->code == VIR_ERR_NO_DOMAIN,
          "transient domain gone");
    virDomainFree(dom);
    return 0;
}

static int
caseShutdown(void)
{
    g_autofree char *xml = guestXML("acpi", NULL);
    g_autofree char *config = g_strdup_printf("%s/etc/qemu/acpi.xml", root);
    g_autofree char *evs = NULL;
    virDomainPtr dom;

    CHECK((dom = virDomainDefineXML(conn, xml)), "define");
    CHECK(g_file_test(config, G_FILE_TEST_IS_REGULAR), "define wrote %s", config);
    CHECK(virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED) == 0, "start paused");
    qemuPid("acpi");
    CHECK(waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER), "paused/user");
    CHECK(virDomainResume(dom) == 0, "resume");
    CHECK(waitSerial("acpi", "VKGUEST ready"), "guest ready");
    CHECK(virDomainShutdown(dom) == 0, "shutdown");
    CHECK(waitState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN), "shutoff/shutdown");
    CHECK(waitEvents("acpi", "5 0"), "STOPPED_SHUTDOWN");
    evs = eventsOf("acpi");
    CHECK(streq0(evs, "0 0, 2 0, 3 0, 4 0, 6 1, 5 0"), "events '%s'", evs);
    CHECK(virDomainUndefine(dom) == 0, "undefine");
    CHECK(!g_file_test(config, G_FILE_TEST_EXISTS), "undefine removed %s", config);
    virDomainFree(dom);
    return 0;
}

/*
 * GUEST_PANICKED: the guest writes to pvpanic (<panic model='isa'/>) after
 * panic_after_s.  on_crash destroy (the default): CRASHED_PANICKED, then
 * shutoff/crashed with STOPPED_CRASHED; on_crash preserve: the domain
 * stays crashed/panicked until destroyed.
 */
static int
casePanic(void)
{
    const char *panicDev = "    <panic model='isa'><address type='isa' iobase='0x505'/></panic>\n";
    g_autofree char *xml1 = guestXMLExtra("pan1", "heartbeat_ms=50 panic_after_s=1", "",
                                          panicDev);
    g_autofree char *xml2 = guestXMLExtra("pan2", "heartbeat_ms=50 panic_after_s=1",
                                          "  <on_crash>preserve</on_crash>\n", panicDev);
    g_autofree char *evs = NULL;
    virDomainPtr dom;

    CHECK((dom = virDomainDefineXML(conn, xml1)), "define");
    CHECK(virDomainCreate(dom) == 0, "start");
    qemuPid("pan1");
    CHECK(waitSerial("pan1", "PANIC pvpanic"), "the guest panics");
    CHECK(waitState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED), "shutoff/crashed");
    CHECK(waitEvents("pan1", "5 2"), "STOPPED_CRASHED, got '%s'", eventsOf("pan1"));
    evs = eventsOf("pan1");
    CHECK(streq0(evs, "0 0, 4 0, 2 0, 8 0, 5 2"), "events '%s'", evs);
    CHECK(virDomainUndefine(dom) == 0, "undefine");
    virDomainFree(dom);

    CHECK((dom = virDomainDefineXML(conn, xml2)), "define preserve");
    CHECK(virDomainCreate(dom) == 0, "start preserve");
    qemuPid("pan2");
    CHECK(waitState(dom, VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED), "crashed/panicked");
    g_usleep(300 * 1000);
    CHECK(waitState(dom, VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED),
          "on_crash preserve: still crashed/panicked");
    CHECK(virDomainDestroy(dom) == 0, "destroy");
    CHECK(waitState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED), "shutoff/destroyed");
    CHECK(waitEvents("pan2", "5 1"), "STOPPED_DESTROYED, got '%s'", eventsOf("pan2"));
    g_free(evs);
    evs = eventsOf("pan2");
    CHECK(g_str_has_prefix(evs, "0 0, 4 0, 2 0, 8 0, ") && g_str_has_suffix(evs, ", 5 1"),
          "events '%s'", evs);
    CHECK(virDomainUndefine(dom) == 0, "undefine preserve");
    virDomainFree(dom);
    return 0;
}

/*
 * virDomainReboot: ACPI power button, the guest powers off, the driver
 * resets and continues the same QEMU (libvirt's fake reboot): the guest
 * boots again, no STOPPED event, the pid is unchanged.
 */
static int
caseReboot(void)
{
    g_autofree char *xml = guestXML("reb", NULL);
    g_autofree char *evs = NULL;
    virDomainPtr dom;
    gint64 deadline;
    pid_t pid;

    CHECK((dom = virDomainCreateXML(conn, xml, 0)), "create");
    CHECK((pid = qemuPid("reb")) > 0, "pid");
    CHECK(waitSerial("reb", "VKGUEST ready"), "guest ready");
    CHECK(serialCount("reb", "VKGUEST ready") == 1, "booted once");
    CHECK(virDomainReboot(dom, 0) == 0, "reboot");
    deadline = nowMs() + WAIT_MS;
    while (nowMs() < deadline && serialCount("reb", "VKGUEST ready") < 2)
        g_usleep(20000);
    CHECK(serialCount("reb", "VKGUEST ready") == 2, "booted again after the reboot");
    CHECK(waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED) ||
              waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED),
          "running");
    CHECK(qemuPid("reb") == pid, "same QEMU");
    evs = eventsOf("reb");
    CHECK(!strstr(evs, "5 "), "no STOPPED event: '%s'", evs);
    CHECK(virDomainDestroy(dom) == 0, "destroy");
    virDomainFree(dom);
    return 0;
}

static int
caseCrash(void)
{
    g_autofree char *xml = guestXML("crash", NULL);
    virDomainPtr dom;
    pid_t pid;

    CHECK((dom = virDomainDefineXML(conn, xml)), "define");
    CHECK(virDomainCreate(dom) == 0, "start");
    CHECK((pid = qemuPid("crash")) > 0, "pid");
    CHECK(kill(pid, SIGKILL) == 0, "kill -9");
    CHECK(waitState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED), "shutoff/crashed");
    CHECK(waitEvents("crash", "5 2"), "STOPPED_CRASHED, got '%s'", eventsOf("crash"));
    CHECK(virDomainUndefine(dom) == 0, "undefine");
    virDomainFree(dom);
    return 0;
}

/*
 * Destroy sends SIGTERM and gives QEMU destroy_grace_ms to exit by itself,
 * even though QEMU closes its monitor (EOF) before it has finished exiting.
 * The emulator is a shell wrapper that passes SIGTERM on to QEMU, waits
 * for it and only then writes a marker: a driver that killed the process
 * with SIGKILL at the monitor's EOF leaves no marker.
 */
static int
caseDestroyGrace(void)
{
    g_autofree char *wrapper = g_strdup_printf("%s/qemu-wrapper.sh", root);
    g_autofree char *marker = g_strdup_printf("%s/graceful", root);
    g_autofree char *wrapperPid = g_strdup_printf("%s/wrapper.pid", root);
    g_autofree char *script = g_strdup_printf(
        "#!/bin/sh\n"
        /* the capabilities probe runs QEMU itself, as the driver's child */
        "case \"$*\" in *guest=grace,*) ;; *) exec /usr/bin/qemu-system-x86_64 \"$@\";; esac\n"
        "echo $$ > '%s'\n"
        "/usr/bin/qemu-system-x86_64 \"$@\" &\n"
        "child=$!\n"
        "trap 'kill -TERM $child; wait $child; echo exited >> \"%s\"; exit 0' TERM\n"
        "wait $child\n", wrapperPid, marker);
    g_autofree char *base = guestXML("grace", NULL);
    g_autofree char *emu = g_strdup_printf("  <devices>\n    <emulator>%s</emulator>\n", wrapper);
    g_auto(GStrv) parts = g_strsplit(base, "  <devices>\n", 2);
    g_autofree char *xml = g_strjoin(emu, parts[0], parts[1], NULL);
    g_autofree char *text = NULL;
    virDomainPtr dom;
    pid_t pid;

    CHECK(g_file_set_contents(wrapper, script, -1, NULL) && chmod(wrapper, 0755) == 0,
          "write %s", wrapper);
    CHECK((dom = virDomainCreateXML(conn, xml, 0)), "create through the wrapper");
    CHECK(g_file_get_contents(wrapperPid, &text, NULL, NULL) && (pid = atoi(text)) > 0,
          "wrapper pid");
    rememberPid(pid);
    CHECK(qemuPid("grace") > 0, "QEMU pid");
    CHECK(waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED), "running/booted");
    CHECK(virDomainDestroy(dom) == 0, "destroy");
    CHECK(g_file_test(marker, G_FILE_TEST_EXISTS),
          "QEMU was SIGKILLed before it could exit after SIGTERM");
    CHECK(waitEvents("grace", "5 1"), "STOPPED_DESTROYED, got '%s'", eventsOf("grace"));
    virDomainFree(dom);
    return 0;
}

/* A missing disk image; an image QEMU refuses (raw data declared qcow2). */
static int
caseBadDisks(void)
{
    g_autofree char *missing = g_strdup_printf("%s/no-such-disk.img", root);
    g_autofree char *rawImg = g_strdup_printf("%s/raw-data.img", root);
    g_autofree char *disk1 = g_strdup_printf(
        "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='vda' bus='virtio'/></disk>\n", missing);
    g_autofree char *disk2 = g_strdup_printf(
        "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        "<source file='%s'/><target dev='vda' bus='virtio'/></disk>\n", rawImg);
    g_autofree char *xml1 = guestXMLExtra("bad3", "heartbeat_ms=50", "", disk1);
    g_autofree char *xml2 = guestXMLExtra("bad4", "heartbeat_ms=50", "", disk2);
    g_autofree char *zeros = g_malloc0(1024 * 1024);
    virDomainPtr dom;
    virErrorPtr err;

    dom = virDomainCreateXML(conn, xml1, 0);
    err = virGetLastError();
    CHECK(!dom && err && err->code == VIR_ERR_SYSTEM_ERROR &&
              strstr(err->message, "no-such-disk.img"),
          "missing disk refused: '%s'", err ? err->message : "");

    CHECK(g_file_set_contents(rawImg, zeros, 1024 * 1024, NULL), "write %s", rawImg);
    dom = virDomainCreateXML(conn, xml2, 0);
    err = virGetLastError();
    qemuPid("bad4");
    CHECK(!dom && err && err->code == VIR_ERR_INTERNAL_ERROR && strstr(err->message, "qcow2") &&
              strstr(err->message, "bad4"),
          "QEMU refusing its command line quoted: '%s'", err ? err->message : "");
    CHECK(virConnectNumOfDomains(conn) == 0, "nothing left running");
    return 0;
}

static int
caseBadInput(void)
{
    g_autofree char *missing = g_strdup_printf("%s/no-such-kernel", root);
    g_autofree char *junk = g_strdup_printf("%s/junk-kernel", root);
    g_autofree char *xml1 = guestXML("bad1", missing);
    g_autofree char *xml2 = guestXML("bad2", junk);
    virDomainPtr dom;
    virErrorPtr err;

    dom = virDomainCreateXML(conn, xml1, 0);
    err = virGetLastError();
    CHECK(!dom && err && strstr(err->message, "no-such-kernel"), "missing kernel refused");

    CHECK(g_file_set_contents(junk, "this is not a kernel\n", -1, NULL), "write junk");
    dom = virDomainCreateXML(conn, xml2, 0);
    err = virGetLastError();
    qemuPid("bad2");
    CHECK(!dom && err && err->code == VIR_ERR_INTERNAL_ERROR &&
              strstr(err->message, "invalid kernel header"),
          "QEMU's complaint quoted: '%s'", err ? err->message : "");
    CHECK(virConnectNumOfDomains(conn) == 0, "nothing left running");
    return caseBadDisks();
}

/* The bulk stats of @dom: a new record list of one, or NULL. */
static virDomainStatsRecordPtr *
statsOf(virDomainPtr dom, unsigned int groups, gint64 *retMs)
{
    virDomainPtr doms[2] = { dom, NULL };
    virDomainStatsRecordPtr *recs = NULL;
    gint64 t = nowMs();
    int n = virDomainListGetStats(doms, groups, &recs, 0);

    if (retMs)
        *retMs = nowMs() - t;
    if (n != 1) {
        virDomainStatsRecordListFree(recs);
        return NULL;
    }
    return recs;
}

static bool
hasField(virDomainStatsRecordPtr rec, const char *field)
{
    return virTypedParamsGet(rec->params, rec->nparams, field) != NULL;
}

static unsigned long long
ullField(virDomainStatsRecordPtr rec, const char *field)
{
    unsigned long long v = 0;

    virTypedParamsGetULLong(rec->params, rec->nparams, field, &v);
    return v;
}

typedef struct {
    virDomainPtr dom;
    int rc;
    int code;
    char msg[512];
    gint64 ms;
} SuspendResult;

static gpointer
suspendThread(gpointer opaque)
{
    SuspendResult *res = opaque;
    gint64 start = nowMs();
    virErrorPtr err;

    res->rc = virDomainSuspend(res->dom);
    err = virGetLastError();
    res->code = err ? err->code : 0;
    g_strlcpy(res->msg, err && err->message ? err->message : "", sizeof(res->msg));
    res->ms = nowMs() - start;
    return NULL;
}

static int
caseStuck(void)
{
    g_autofree char *xml = guestXML("stuck", NULL);
    g_autofree char *other = guestXML("other", NULL);
    SuspendResult res = { 0 };
    virDomainPtr dom;
    virDomainPtr dom2;
    virDomainInfo info;
    virDomainJobInfo job;
    virVcpuInfo vi[1];
    virDomainMemoryStatStruct ms[2];
    virDomainStatsRecordPtr *recs = NULL;
    virDomainPtr *list = NULL;
    virErrorPtr err;
    GThread *thread;
    gint64 t;
    int state;
    int n;
    pid_t pid;

    CHECK((dom = virDomainCreateXML(conn, xml, 0)), "create");
    CHECK((dom2 = virDomainCreateXML(conn, other, 0)), "create other");
    CHECK((pid = qemuPid("stuck")) > 0, "pid");
    CHECK(kill(pid, SIGSTOP) == 0, "SIGSTOP");

    res.dom = dom;
    thread = g_thread_new("suspend", suspendThread, &res);
    g_usleep(300000);
    /* Queries answer while the suspend waits on the stuck QEMU. */
    t = nowMs();
    CHECK(virDomainGetInfo(dom, &info) == 0, "info");
    CHECK(virDomainGetState(dom, &state, NULL, 0) == 0, "state");
    g_free(virDomainGetXMLDesc(dom, 0));
    n = virConnectListAllDomains(conn, &list, 0);
    for (int i = 0; i < n; i++)
        virDomainFree(list[i]);
    free(list);
    CHECK(virDomainGetJobInfo(dom, &job) == 0, "jobinfo");
    CHECK(virDomainGetVcpus(dom, vi, 1, NULL, 0) == 1, "vcpus");
    CHECK(virDomainMemoryStats(dom, ms, 2, 0) == 2, "memstats");
    CHECK((recs = statsOf(dom, 0, NULL)) && hasField(recs[0], "cpu.time") &&
              hasField(recs[0], "vcpu.0.time"),
          "domstats");
    virDomainStatsRecordListFree(recs);
    n = virConnectGetAllDomainStats(conn, 0, &recs, 0);
    virDomainStatsRecordListFree(recs);
    CHECK(n == 2, "domstats of both: %d", n);
    t = nowMs() - t;
    CHECK(t < 100, "queries took %lld ms", (long long)t);

    /* A second suspend fails soon, naming the job that holds the domain. */
    t = nowMs();
    CHECK(virDomainSuspend(dom) < 0, "second suspend");
    err = virGetLastError();
    t = nowMs() - t;
    CHECK(err && err->code == VIR_ERR_OPERATION_TIMEOUT &&
              strstr(err->message, "domain 'stuck' is busy") &&
              strstr(err->message, "(virDomainSuspend)") && strstr(err->message, "'stop'"),
          "second suspend error '%s'", err ? err->message : "");
    CHECK(t < 1500, "second suspend took %lld ms", (long long)t);
    /* The other guest is not affected. */
    t = nowMs();
    CHECK(virDomainSuspend(dom2) == 0 && virDomainResume(dom2) == 0, "other guest");
    t = nowMs() - t;
    CHECK(t < 1000, "other guest took %lld ms", (long long)t);

    g_thread_join(thread);
    CHECK(res.rc < 0 && res.code == VIR_ERR_OPERATION_TIMEOUT, "suspend: rc %d code %d", res.rc,
          res.code);
    CHECK(res.ms >= 1900 && res.ms < 4000, "suspend failed after %lld ms", (long long)res.ms);
    CHECK(strstr(res.msg, "'stop'") && strstr(res.msg, "'stuck'") && strstr(res.msg, "2 s"),
          "suspend error '%s'", res.msg);

    /* The 'stop' is still unanswered: a new command fails at once. */
    t = nowMs();
    CHECK(virDomainSuspend(dom) < 0, "third suspend");
    err = virGetLastError();
    t = nowMs() - t;
    CHECK(err && err->code == VIR_ERR_OPERATION_TIMEOUT && strstr(err->message, "'stop'") &&
              strstr(err->message, "unanswered"),
          "third suspend error '%s'", err ? err->message : "");
    CHECK(t < 500, "third suspend took %lld ms", (long long)t);
    /* Bulk stats now leave out QEMU's stale counters, and stay fast. */
    CHECK((recs = statsOf(dom, 0, &t)) && hasField(recs[0], "state.state") &&
              hasField(recs[0], "cpu.time"),
          "domstats after the timeout");
    CHECK(t < 100, "domstats took %lld ms", (long long)t);
    virDomainStatsRecordListFree(recs);

    t = nowMs();
    CHECK(virDomainDestroy(dom) == 0, "destroy stuck");
    t = nowMs() - t;
    CHECK(t < 1000, "destroy took %lld ms", (long long)t);
    CHECK(virDomainDestroy(dom2) == 0, "destroy other");
    virDomainFree(dom);
    virDomainFree(dom2);
    return 0;
}


/* ---- statistics (issue 7) ---- */

static int
caseStats(void)
{
    g_autofree char *img = g_strdup_printf("%s/disk.img", root);
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'>\n"
        "  <name>stats</name>\n"
        "  <memory unit='MiB'>64</memory>\n"
        "  <vcpu>2</vcpu>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel>"
        "<cmdline>heartbeat_ms=50</cmdline></os>\n"
        "  <devices>\n"
        "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='vda' bus='virtio'/></disk>\n"
        "    <serial type='file'><source path='%s/stats.serial'/><target port='0'/></serial>\n"
        "  </devices>\n"
        "</domain>\n", vkguest, img, root);
    virDomainStatsRecordPtr *recs = NULL;
    virDomainBlockStatsStruct bs;
    virDomainMemoryStatStruct ms[VIR_DOMAIN_MEMORY_STAT_NR];
    virDomainBlockInfo bi;
    virVcpuInfo vi[4];
    unsigned char maps[4 * 8];
    virDomainPtr dom;
    gint64 t;
    int n;
    int i;

    CHECK(g_file_set_contents(img, "", 0, NULL) && truncate(img, 1024 * 1024) == 0, "image");
    CHECK((dom = virDomainCreateXML(conn, xml, 0)), "create");
    qemuPid("stats");
    CHECK(waitSerial("stats", "HEARTBEAT 2 "), "heartbeat");

    /* Per-domain APIs; the host CPU map sizes the affinity maps. */
    {
        unsigned char *cpumap = NULL;
        unsigned int online = 0;
        int ncpus = virNodeGetCPUMap(conn, &cpumap, &online, 0);

        CHECK(ncpus > 0 && online > 0 && online <= (unsigned int)ncpus &&
                  ncpus == (int)sysconf(_SC_NPROCESSORS_CONF) && (cpumap[0] & 1),
              "node CPU map: %d CPUs, %u online", ncpus, online);
        free(cpumap);
    }
    memset(maps, 0, sizeof(maps));
    n = virDomainGetVcpus(dom, vi, 4, maps, 8);
    CHECK(n == 2 && vi[0].number == 0 && vi[1].number == 1 &&
              vi[0].state == VIR_VCPU_RUNNING && vi[0].cpuTime > 0 && vi[0].cpu >= 0 &&
              (maps[0] & 1),
          "vcpus n %d time %llu cpu %d map %x", n, vi[0].cpuTime, vi[0].cpu, maps[0]);
    CHECK(virDomainBlockStats(dom, "vda", &bs, sizeof(bs)) == 0 && bs.rd_req >= 0 &&
              bs.errs == -1,
          "blockstats rd_req %lld errs %lld", bs.rd_req, bs.errs);
    CHECK(virDomainBlockStats(dom, img, &bs, sizeof(bs)) == 0, "blockstats by path");
    {
        virTypedParameter params[8];
        int nparams = 0;
        long long rdReq = -1;

        CHECK(virDomainBlockStatsFlags(dom, "vda", NULL, &nparams, 0) == 0 && nparams == 8,
              "blockstats flags: count %d", nparams);
        CHECK(virDomainBlockStatsFlags(dom, "vda", params, &nparams, 0) == 0 && nparams == 8 &&
                  virTypedParamsGetLLong(params, nparams, VIR_DOMAIN_BLOCK_STATS_READ_REQ,
                                         &rdReq) == 1 &&
                  rdReq == bs.rd_req,
              "blockstats flags: rd_operations %lld (old API %lld)", rdReq, bs.rd_req);
    }
    CHECK(virDomainBlockStats(dom, "vdz", &bs, sizeof(bs)) < 0 &&
              virGetLastError()->code == VIR_ERR_INVALID_ARG,
          "blockstats of an unknown disk");
    n = virDomainMemoryStats(dom, ms, VIR_DOMAIN_MEMORY_STAT_NR, 0);
    CHECK(n == 2 && ms[0].tag == VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON && ms[0].val == 65536 &&
              ms[1].tag == VIR_DOMAIN_MEMORY_STAT_RSS && ms[1].val > 1024,
          "memstats n %d", n);
    CHECK(virDomainGetBlockInfo(dom, "vda", &bi, 0) == 0 && bi.capacity == 1024 * 1024 &&
              bi.physical == 1024 * 1024,
          "blockinfo capacity %llu", bi.capacity);

    /* Bulk stats: every group, QEMU's counters fresh. */
    CHECK((recs = statsOf(dom, 0, &t)), "domstats");
    CHECK(t < 500, "domstats took %lld ms", (long long)t);
    CHECK(hasField(recs[0], "state.state") && ullField(recs[0], "cpu.time") > 0 &&
              hasField(recs[0], "cpu.user") &&
              ullField(recs[0], "balloon.current") == 65536 &&
              ullField(recs[0], "balloon.maximum") == 65536 && hasField(recs[0], "balloon.rss") &&
              hasField(recs[0], "vcpu.1.time") && hasField(recs[0], "net.count") &&
              hasField(recs[0], "block.0.rd.reqs") && hasField(recs[0], "block.0.fl.times") &&
              ullField(recs[0], "block.0.capacity") == 1024 * 1024,
          "domstats fields");
    for (i = 0; i < recs[0]->nparams; i++) {
        if (streq0(recs[0]->params[i].field, "block.0.name"))
            CHECK(streq0(recs[0]->params[i].value.s, "vda"), "block.0.name");
    }
    virDomainStatsRecordListFree(recs);
    CHECK(virDomainDestroy(dom) == 0, "destroy");
    /* Inactive: no process, no stats needing one. */
    CHECK(virDomainGetVcpus(dom, vi, 4, NULL, 0) < 0 &&
              virGetLastError()->code == VIR_ERR_NO_DOMAIN,
          "transient gone");
    virDomainFree(dom);
    return 0;
}


/* The late 'stop' reply after SIGCONT is reconciled: paused/user, one event. */
static int
caseLateReply(void)
{
    g_autofree char *xml = guestXML("late", NULL);
    g_autofree char *evs = NULL;
    virDomainPtr dom;
    gint64 t;
    pid_t pid;
    int rc;

    CHECK((dom = virDomainCreateXML(conn, xml, 0)), "create");
    CHECK((pid = qemuPid("late")) > 0, "pid");
    CHECK(waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED), "running");
    CHECK(waitEvents("late", "2 0"), "STARTED");
    CHECK(kill(pid, SIGSTOP) == 0, "SIGSTOP");
    t = nowMs();
    rc = virDomainSuspend(dom);
    t = nowMs() - t;
    CHECK(rc < 0 && virGetLastError()->code == VIR_ERR_OPERATION_TIMEOUT, "suspend timed out");
    CHECK(t >= 1900 && t < 4000, "after %lld ms", (long long)t);
    CHECK(kill(pid, SIGCONT) == 0, "SIGCONT");
    CHECK(waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER), "paused/user");
    CHECK(waitEvents("late", "3 0"), "SUSPENDED_PAUSED");
    /* Nothing more comes (a duplicate would show within this time). */
    g_usleep(500000);
    evs = eventsOf("late");
    CHECK(streq0(evs, "4 0, 2 0, 3 0"), "events '%s'", evs);
    /* The monitor works again. */
    CHECK(virDomainResume(dom) == 0, "resume");
    CHECK(waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED), "running/unpaused");
    CHECK(virDomainDestroy(dom) == 0, "destroy");
    virDomainFree(dom);
    return 0;
}

static int
caseRestart(void)
{
    const char *names[] = { "r1", "r2", "r3" };
    unsigned int ids[3];
    pid_t pids[3];
    size_t i;
    int state;
    int reason;

    for (i = 0; i < 3; i++) {
        g_autofree char *xml = guestXML(names[i], NULL);
        virDomainPtr dom;

        CHECK((dom = virDomainDefineXML(conn, xml)), "define %s", names[i]);
        CHECK(virDomainCreate(dom) == 0, "start %s", names[i]);
        ids[i] = virDomainGetID(dom);
        CHECK((pids[i] = qemuPid(names[i])) > 0, "pid");
        virDomainFree(dom);
    }
    closeConn();
    for (i = 0; i < 3; i++)
        CHECK(kill(pids[i], 0) == 0, "QEMU %s still runs", names[i]);

    CHECK(openConn() == 0, "reopen");
    for (i = 0; i < 3; i++) {
        virDomainPtr dom = virDomainLookupByName(conn, names[i]);

        CHECK(dom, "lookup %s", names[i]);
        CHECK(virDomainGetID(dom) == ids[i], "%s id %u, was %u", names[i], virDomainGetID(dom),
              ids[i]);
        CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING,
              "%s state %d", names[i], state);
        CHECK(virDomainSuspend(dom) == 0 && virDomainResume(dom) == 0, "%s answers", names[i]);
        virDomainFree(dom);
    }

    /* kill -9 one while no connection is open. */
    closeConn();
    CHECK(kill(pids[1], SIGKILL) == 0, "kill -9");
    g_usleep(100000);
    CHECK(openConn() == 0, "reopen");
    {
        virDomainPtr dom = virDomainLookupByName(conn, "r2");

        CHECK(dom, "lookup r2");
        CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_SHUTOFF &&
                  reason == VIR_DOMAIN_SHUTOFF_CRASHED,
              "r2 state %d/%d", state, reason);
        CHECK(waitpid(pids[1], NULL, WNOHANG) < 0 && errno == ECHILD, "r2 reaped");
        virDomainFree(dom);
    }
    for (i = 0; i < 3; i++) {
        virDomainPtr dom = virDomainLookupByName(conn, names[i]);

        if (i != 1)
            CHECK(virDomainDestroy(dom) == 0, "destroy %s", names[i]);
        CHECK(virDomainUndefine(dom) == 0, "undefine %s", names[i]);
        virDomainFree(dom);
    }
    return 0;
}

/*
 * QEMUs are reconnected in parallel: three whose monitor never answers
 * (SIGSTOP) cost one monitor_timeout (2 s), not three in a row, and the
 * fourth is back and answering.
 */
static int
caseReconnectStuck(void)
{
    const char *names[] = { "s1", "s2", "s3", "s4" };
    pid_t pids[4];
    gint64 t;
    size_t i;
    int state;
    int reason;

    for (i = 0; i < 4; i++) {
        g_autofree char *xml = guestXML(names[i], NULL);
        virDomainPtr dom;

        CHECK((dom = virDomainCreateXML(conn, xml, 0)), "start %s", names[i]);
        CHECK((pids[i] = qemuPid(names[i])) > 0, "pid");
        virDomainFree(dom);
    }
    closeConn();
    for (i = 0; i < 3; i++)
        CHECK(kill(pids[i], SIGSTOP) == 0, "SIGSTOP %s", names[i]);

    t = nowMs();
    CHECK(openConn() == 0, "reopen");
    t = nowMs() - t;
    printf("# reopen with 3 stuck QEMUs took %lld ms\n", (long long)t);
    CHECK(t >= 1900 && t < 5000, "reopen took %lld ms (one 2 s monitor timeout expected, "
          "three in a row would be 6 s)", (long long)t);
    for (i = 0; i < 4; i++) {
        virDomainPtr dom = virDomainLookupByName(conn, names[i]);

        if (i < 3) {
            /* transient and dead: gone from the list */
            CHECK(!dom, "%s still listed", names[i]);
            CHECK(waitpid(pids[i], NULL, WNOHANG) < 0 && errno == ECHILD, "%s reaped",
                  names[i]);
            continue;
        }
        CHECK(dom, "lookup %s", names[i]);
        CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING,
              "%s state %d", names[i], state);
        CHECK(virDomainSuspend(dom) == 0 && virDomainResume(dom) == 0, "%s answers", names[i]);
        CHECK(virDomainDestroy(dom) == 0, "destroy %s", names[i]);
        virDomainFree(dom);
    }
    return 0;
}

typedef struct {
    const char *name;
    int (*func)(void);
    const char *conf;   /* ROOT/etc/qemu.conf contents, or NULL */
} Case;

static const Case cases[] = {
    { "lifecycle", caseLifecycle, NULL },
    { "shutdown", caseShutdown, NULL },
    { "crash", caseCrash, NULL },
    { "panic", casePanic, NULL },
    { "reboot", caseReboot, NULL },
    { "destroy-grace", caseDestroyGrace, NULL },
    { "bad-input", caseBadInput, NULL },
    { "stuck", caseStuck, "monitor_timeout = 2\ndestroy_grace_ms = 300\n" },
    { "stats", caseStats, NULL },
    { "late-reply", caseLateReply, "monitor_timeout = 2\n" },
    { "restart", caseRestart, NULL },
    { "reconnect-stuck", caseReconnectStuck, "monitor_timeout = 2\n" },
};

static void
removeTree(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, entry, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            removeTree(child);
        else
            unlink(child);
    }
    rmdir(path);
}

static void
runCase(const Case *c)
{
    g_autofree char *tmpl = g_build_filename(g_get_tmp_dir(), "vkqemu-XXXXXX", NULL);
    const char *only = getenv("TEST_CASE");
    int rc;

    if (only && !streq0(only, c->name))
        return;
    ntests++;
    root = g_mkdtemp(tmpl);
    if (c->conf) {
        g_autofree char *etc = g_build_filename(root, "etc", NULL);
        g_autofree char *conf = g_build_filename(etc, "qemu.conf", NULL);

        g_mkdir_with_parents(etc, 0700);
        g_file_set_contents(conf, c->conf, -1, NULL);
    }
    g_mutex_lock(&evLock);
    g_ptr_array_set_size(events, 0);
    g_mutex_unlock(&evLock);

    rc = openConn() == 0 ? c->func() : -1;
    closeConn();
    killAll();
    if (rc < 0)
        failures++;
    printf("%s %d - %s\n", rc < 0 ? "not ok" : "ok", ntests, c->name);
    fflush(stdout);
    if (rc == 0)
        removeTree(root);
    else
        printf("# root kept: %s\n", root);
    root = NULL;
}

int
main(int argc, char **argv)
{
    size_t i;

    vkguest = getenv("VKGUEST");
    signal(SIGALRM, watchdog);
    alarm(HARD_TIMEOUT_S);
    if (!g_file_test("/usr/bin/qemu-system-x86_64", G_FILE_TEST_IS_EXECUTABLE) || !vkguest ||
        !g_file_test(vkguest, G_FILE_TEST_EXISTS)) {
        printf("1..0 # SKIP qemu-system-x86_64 or VKGUEST missing\n");
        return 0;
    }
    events = g_ptr_array_new_with_free_func(g_free);
    if (virEventRegisterDefaultImpl() < 0)
        return 1;
    g_thread_unref(g_thread_new("events", eventLoop, NULL));

    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        runCase(&cases[i]);
    printf("1..%d\n", ntests);
    return failures ? 1 : 0;
}
