/* QEMU binary capabilities: QMP probe, per-binary cache, capabilities XML. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <glib-unix.h>

#define ERR_DOMAIN VIR_FROM_QEMU
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/thread.h"
#include "util/xmlwriter.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"

LOG_INIT("qemu.capabilities");

/* Bumped whenever the JSON layout or the probe changes meaning. */
#define QEMU_CAPS_FORMAT 1

/* Largest QMP reply accepted from a probed binary. */
#define QEMU_CAPS_MAX_REPLY (16 * 1024 * 1024)

#define QEMU_CAPS_KVM_DEVICE "/dev/kvm"

struct _QemuCaps {
    gint refs; /* atomic */
    /* everything below is immutable once the object is published */
    char *binary;
    int64_t binaryMtime; /* ns since the epoch */
    int64_t binaryCtime;
    int64_t binarySize;
    int64_t probeTime; /* seconds since the epoch */
    unsigned long version;
    char *package;
    char *arch;
    bool kvmDevice;  /* /dev/kvm opened and answered at probe time */
    bool kvmPresent; /* query-kvm */
    bool kvmEnabled;
    bool hostHWVirt;
    size_t nmachines;
    QemuCapsMachine *machines; /* default first, then natural order */
    size_t ncpuModels;
    QemuCapsCpuModel *cpuModels; /* sorted by name */
    char **types;                /* sorted QOM type names */
    char **commands;             /* sorted QMP command names */
    char **accels;               /* "kvm", "tcg" ... */
    GHashTable *typeSet;         /* name -> name, borrowed from types */
    GHashTable *commandSet;
};

static QemuCaps *
qemuCapsNew(void)
{
    QemuCaps *caps = g_new0(QemuCaps, 1);

    caps->refs = 1;
    return caps;
}

/**
 * qemuCapsRef:
 * @caps: capabilities
 *
 * Returns: @caps with one more reference.
 */
QemuCaps *
qemuCapsRef(QemuCaps *caps)
{
    g_atomic_int_inc(&caps->refs);
    return caps;
}

/**
 * qemuCapsUnref:
 * @caps: capabilities, or NULL
 *
 * Drops one reference; the last one frees the object.
 */
void
qemuCapsUnref(QemuCaps *caps)
{
    size_t i;

    if (!caps || !g_atomic_int_dec_and_test(&caps->refs))
        return;
    g_free(caps->binary);
    g_free(caps->package);
    g_free(caps->arch);
    for (i = 0; i < caps->nmachines; i++) {
        g_free(caps->machines[i].name);
        g_free(caps->machines[i].alias);
        g_free(caps->machines[i].defaultCpuType);
        g_free(caps->machines[i].defaultRamId);
    }
    g_free(caps->machines);
    for (i = 0; i < caps->ncpuModels; i++) {
        g_free(caps->cpuModels[i].name);
        g_free(caps->cpuModels[i].aliasOf);
    }
    g_free(caps->cpuModels);
    if (caps->typeSet)
        g_hash_table_unref(caps->typeSet);
    if (caps->commandSet)
        g_hash_table_unref(caps->commandSet);
    g_strfreev(caps->types);
    g_strfreev(caps->commands);
    g_strfreev(caps->accels);
    g_free(caps);
}

/* ------------------------------------------------------------------ */
/* Ordering and lookup tables                                          */

static int
qemuCapsStrPtrCmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
qemuCapsMachineCmp(const void *a, const void *b)
{
    const QemuCapsMachine *ma = a;
    const QemuCapsMachine *mb = b;

    if (ma->isDefault != mb->isDefault)
        return ma->isDefault ? -1 : 1;
    return strverscmp(ma->name, mb->name);
}

static int
qemuCapsCpuModelCmp(const void *a, const void *b)
{
    const QemuCapsCpuModel *ma = a;
    const QemuCapsCpuModel *mb = b;

    return strverscmp(ma->name, mb->name);
}

static GHashTable *
qemuCapsBuildSet(char **list)
{
    GHashTable *set = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i;

    for (i = 0; list && list[i]; i++)
        g_hash_table_add(set, list[i]);
    return set;
}

/* Sorts the lists and builds the lookup sets: the last step of filling. */
static void
qemuCapsFinish(QemuCaps *caps)
{
    if (!caps->types)
        caps->types = g_new0(char *, 1);
    if (!caps->commands)
        caps->commands = g_new0(char *, 1);
    if (!caps->accels)
        caps->accels = g_new0(char *, 1);
    qsort(caps->types, g_strv_length(caps->types), sizeof(char *), qemuCapsStrPtrCmp);
    qsort(caps->commands, g_strv_length(caps->commands), sizeof(char *), qemuCapsStrPtrCmp);
    qsort(caps->accels, g_strv_length(caps->accels), sizeof(char *), qemuCapsStrPtrCmp);
    if (caps->nmachines)
        qsort(caps->machines, caps->nmachines, sizeof(caps->machines[0]), qemuCapsMachineCmp);
    if (caps->ncpuModels)
        qsort(caps->cpuModels, caps->ncpuModels, sizeof(caps->cpuModels[0]), qemuCapsCpuModelCmp);
    caps->typeSet = qemuCapsBuildSet(caps->types);
    caps->commandSet = qemuCapsBuildSet(caps->commands);
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */

/**
 * qemuCapsGetBinary:
 * @caps: capabilities
 *
 * Returns: the path of the probed binary.
 */
const char *
qemuCapsGetBinary(const QemuCaps *caps)
{
    return caps->binary;
}

/**
 * qemuCapsGetArch:
 * @caps: capabilities
 *
 * Returns: the guest architecture of the binary, libvirt's spelling
 * ("x86_64").
 */
const char *
qemuCapsGetArch(const QemuCaps *caps)
{
    return caps->arch;
}

/**
 * qemuCapsGetVersion:
 * @caps: capabilities
 *
 * Returns: major * 1000000 + minor * 1000 + micro.
 */
unsigned long
qemuCapsGetVersion(const QemuCaps *caps)
{
    return caps->version;
}

/**
 * qemuCapsGetPackage:
 * @caps: capabilities
 *
 * Returns: the distribution's package string ("Debian 1:7.2+dfsg-7..."),
 * possibly empty, never NULL.
 */
const char *
qemuCapsGetPackage(const QemuCaps *caps)
{
    return caps->package ? caps->package : "";
}

/**
 * qemuCapsGetMachines:
 * @caps: capabilities
 * @ret: set to the machine array (borrowed)
 *
 * Returns: the number of machine types, the default first.
 */
size_t
qemuCapsGetMachines(const QemuCaps *caps, const QemuCapsMachine **ret)
{
    *ret = caps->machines;
    return caps->nmachines;
}

/**
 * qemuCapsLookupMachine:
 * @caps: capabilities
 * @name: a machine type name or alias ("pc")
 *
 * Returns: the machine (borrowed), or NULL when the binary has none by
 * that name.
 */
const QemuCapsMachine *
qemuCapsLookupMachine(const QemuCaps *caps, const char *name)
{
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < caps->nmachines; i++) {
        if (streq(caps->machines[i].name, name))
            return &caps->machines[i];
    }
    for (i = 0; i < caps->nmachines; i++) {
        if (streq(caps->machines[i].alias, name))
            return &caps->machines[i];
    }
    return NULL;
}

/**
 * qemuCapsGetDefaultMachine:
 * @caps: capabilities
 *
 * Returns: the binary's default machine type name, or NULL if it has none.
 */
const char *
qemuCapsGetDefaultMachine(const QemuCaps *caps)
{
    size_t i;

    for (i = 0; i < caps->nmachines; i++) {
        if (caps->machines[i].isDefault)
            return caps->machines[i].name;
    }
    return NULL;
}

/**
 * qemuCapsGetCanonicalMachine:
 * @caps: capabilities
 * @name: a machine type name or alias
 *
 * Returns: the versioned name an alias stands for ("pc" gives
 * "pc-i440fx-7.2"), @name itself for a plain machine type, NULL when the
 * binary does not know @name.
 */
const char *
qemuCapsGetCanonicalMachine(const QemuCaps *caps, const char *name)
{
    const QemuCapsMachine *m = qemuCapsLookupMachine(caps, name);

    return m ? m->name : NULL;
}

/**
 * qemuCapsGetCpuModels:
 * @caps: capabilities
 * @ret: set to the CPU model array (borrowed)
 *
 * Returns: the number of CPU models, sorted by name.
 */
size_t
qemuCapsGetCpuModels(const QemuCaps *caps, const QemuCapsCpuModel **ret)
{
    *ret = caps->cpuModels;
    return caps->ncpuModels;
}

/**
 * qemuCapsLookupCpuModel:
 * @caps: capabilities
 * @name: a CPU model name ("Haswell", "qemu64")
 *
 * Returns: the model (borrowed), or NULL.
 */
const QemuCapsCpuModel *
qemuCapsLookupCpuModel(const QemuCaps *caps, const char *name)
{
    size_t i;

    for (i = 0; i < caps->ncpuModels; i++) {
        if (streq(caps->cpuModels[i].name, name))
            return &caps->cpuModels[i];
    }
    return NULL;
}

/**
 * qemuCapsHasType:
 * @caps: capabilities
 * @type: a QOM type name: a device ("virtio-net-pci") or an object
 *        ("memory-backend-ram")
 *
 * Returns: whether the binary has that (non-abstract) type.
 */
bool
qemuCapsHasType(const QemuCaps *caps, const char *type)
{
    return type && g_hash_table_contains(caps->typeSet, type);
}

/**
 * qemuCapsHasCommand:
 * @caps: capabilities
 * @command: a QMP command name
 *
 * Returns: whether the binary has it.
 */
bool
qemuCapsHasCommand(const QemuCaps *caps, const char *command)
{
    return command && g_hash_table_contains(caps->commandSet, command);
}

/**
 * qemuCapsHasAccel:
 * @caps: capabilities
 * @accel: "kvm" or "tcg"
 *
 * Returns: whether the binary was built with that accelerator (not
 * whether it can be used on this host: see qemuCapsKVMUsable()).
 */
bool
qemuCapsHasAccel(const QemuCaps *caps, const char *accel)
{
    return accel && g_strv_contains((const char *const *)caps->accels, accel);
}

/**
 * qemuCapsKVMUsable:
 * @caps: capabilities
 *
 * KVM counts as usable only when, at probe time, /dev/kvm opened and
 * answered KVM_GET_API_VERSION, and QEMU, started with the kvm
 * accelerator, said in query-kvm that KVM was enabled.
 *
 * Returns: whether guests of type 'kvm' can run.
 */
bool
qemuCapsKVMUsable(const QemuCaps *caps)
{
    return caps->kvmDevice && caps->kvmPresent && caps->kvmEnabled;
}

/**
 * qemuCapsHostHasHWVirt:
 * @caps: capabilities
 *
 * Whether the host CPU advertises hardware virtualization (vmx or svm
 * in /proc/cpuinfo) at probe time.  A /dev/kvm without it (a nested or
 * software KVM) works but can be much slower than one would expect
 * from KVM; the driver may use this to prefer TCG.
 *
 * Returns: true when vmx or svm was present.
 */
bool
qemuCapsHostHasHWVirt(const QemuCaps *caps)
{
    return caps->hostHWVirt;
}

/**
 * qemuCapsSupportsVirtType:
 * @caps: capabilities
 * @virtType: DomainVirtType
 *
 * Returns: true for 'qemu' when the binary has TCG and for 'kvm' when KVM
 * is usable, false for anything else.
 */
bool
qemuCapsSupportsVirtType(const QemuCaps *caps, int virtType)
{
    switch (virtType) {
    case DOMAIN_VIRT_QEMU:
        return qemuCapsHasAccel(caps, "tcg");
    case DOMAIN_VIRT_KVM:
        return qemuCapsKVMUsable(caps);
    default:
        return false;
    }
}

/* ------------------------------------------------------------------ */
/* Host probes                                                         */

/**
 * qemuCapsKVMDeviceUsable:
 * @path: the KVM device, normally "/dev/kvm"
 *
 * Opens @path and asks KVM_GET_API_VERSION; only the stable API (12)
 * counts.
 *
 * Returns: whether KVM answered.
 */
bool
qemuCapsKVMDeviceUsable(const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    int api;

    if (fd < 0) {
        LOG_DEBUG("cannot open %s: %s", path, g_strerror(errno));
        return false;
    }
    api = ioctl(fd, KVM_GET_API_VERSION, 0);
    close(fd);
    LOG_DEBUG("%s: KVM API version %d", path, api);
    return api == KVM_API_VERSION;
}

/**
 * qemuCapsHostCPUHasVirt:
 * @cpuinfoPath: normally "/proc/cpuinfo"
 *
 * Returns: whether the first CPU's flags include vmx or svm.
 */
bool
qemuCapsHostCPUHasVirt(const char *cpuinfoPath)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents(cpuinfoPath, &text, NULL, NULL))
        return false;
    lines = g_strsplit(text, "\n", 0);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) flags = NULL;
        const char *colon;

        if (!strPrefix(lines[i], "flags") || !(colon = strchr(lines[i], ':')))
            continue;
        flags = g_strsplit(colon + 1, " ", 0);
        return g_strv_contains((const char *const *)flags, "vmx") ||
               g_strv_contains((const char *const *)flags, "svm");
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* The probe: a minimal synchronous QMP exchange on QEMU's stdio       */

typedef struct {
    const char *binary;
    GPid pid;
    int sock;        /* our end of the socketpair that is QEMU's stdin and stdout */
    int err;         /* QEMU's stderr */
    GString *buf;    /* unread stdout */
    GString *errBuf; /* stderr, kept for error messages */
    gint64 deadline; /* monotonic, us */
    unsigned int nextId;
} QemuCapsProbe;

static void
qemuCapsProbeReadErr(QemuCapsProbe *p)
{
    char chunk[4096];
    ssize_t got;

    while ((got = read(p->err, chunk, sizeof(chunk))) > 0) {
        if (p->errBuf->len < 64 * 1024)
            g_string_append_len(p->errBuf, chunk, got);
    }
}

/* The last line of what QEMU wrote on stderr, for error messages. */
static const char *
qemuCapsProbeErrText(QemuCapsProbe *p)
{
    g_strstrip(p->errBuf->str);
    p->errBuf->len = strlen(p->errBuf->str);
    return p->errBuf->len ? p->errBuf->str : _("no error output");
}

/* Reads one line from QEMU's stdout, waiting until the deadline. */
static char *
qemuCapsProbeReadLine(QemuCapsProbe *p)
{
    for (;;) {
        struct pollfd fds[2];
        char *nl = memchr(p->buf->str, '\n', p->buf->len);
        gint64 left;
        char chunk[65536];
        ssize_t got;
        int rc;

        if (nl) {
            size_t len = nl - p->buf->str;
            char *line = g_strndup(p->buf->str, len);

            g_string_erase(p->buf, 0, len + 1);
            return line;
        }
        if (p->buf->len > QEMU_CAPS_MAX_REPLY) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("QMP reply from '%1$s' is larger than %2$d bytes"), p->binary,
                        QEMU_CAPS_MAX_REPLY);
            return NULL;
        }
        left = (p->deadline - g_get_monotonic_time()) / 1000;
        if (left <= 0) {
            reportError(VIR_ERR_OPERATION_TIMEOUT, _("timed out probing capabilities of '%1$s'"),
                        p->binary);
            return NULL;
        }
        fds[0].fd = p->sock;
        fds[0].events = POLLIN;
        fds[1].fd = p->err;
        fds[1].events = POLLIN;
        rc = poll(fds, 2, (int)MIN(left, 1000));
        if (rc < 0 && errno != EINTR) {
            reportSystemError(errno, "%s", _("poll on QEMU's stdout failed"));
            return NULL;
        }
        if (rc <= 0)
            continue;
        if (fds[1].revents)
            qemuCapsProbeReadErr(p);
        if (!fds[0].revents)
            continue;
        got = read(p->sock, chunk, sizeof(chunk));
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got <= 0) {
            qemuCapsProbeReadErr(p);
            reportError(VIR_ERR_INTERNAL_ERROR, _("QEMU binary '%1$s' exited while probing: %2$s"),
                        p->binary, qemuCapsProbeErrText(p));
            return NULL;
        }
        g_string_append_len(p->buf, chunk, got);
    }
}

/* Reads lines until a JSON object that is not an event. */
static json_object *
qemuCapsProbeReadMessage(QemuCapsProbe *p)
{
    for (;;) {
        g_autofree char *line = qemuCapsProbeReadLine(p);
        g_autoptr(json_object) msg = NULL;
        g_autofree char *reason = NULL;

        if (!line)
            return NULL;
        g_strstrip(line);
        if (!line[0])
            continue;
        if (!(msg = jsonParseDetail(line, strlen(line), &reason)) ||
            !json_object_is_type(msg, json_type_object)) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("unexpected output from QEMU binary '%1$s': %2$s"), p->binary,
                        reason ? reason : line);
            return NULL;
        }
        if (jsonGetString(msg, "event"))
            continue;
        return g_steal_pointer(&msg);
    }
}

static int
qemuCapsProbeWrite(QemuCapsProbe *p, const char *text)
{
    size_t len = strlen(text);
    size_t done = 0;

    while (done < len) {
        /* MSG_NOSIGNAL: a QEMU that died must not raise SIGPIPE in the daemon */
        ssize_t wrote = send(p->sock, text + done, len - done, MSG_NOSIGNAL);

        if (wrote < 0) {
            if (errno == EINTR)
                continue;
            reportSystemError(errno, _("cannot write to QEMU binary '%1$s'"), p->binary);
            return -1;
        }
        done += wrote;
    }
    return 0;
}

/*
 * Runs one command and returns the "return" member of its reply (a new
 * reference).  Takes ownership of @args.
 */
static json_object *
qemuCapsProbeCommand(QemuCapsProbe *p, const char *command, json_object *args)
{
    g_autoptr(json_object) cmd = json_object_new_object();
    g_autoptr(json_object) reply = NULL;
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;
    unsigned int id = ++p->nextId;
    json_object *ret;
    json_object *err;
    int64_t replyId;

    json_object_object_add(cmd, "execute", json_object_new_string(command));
    if (args)
        json_object_object_add(cmd, "arguments", args);
    json_object_object_add(cmd, "id", json_object_new_int64(id));
    text = jsonFormat(cmd);
    LOG_DEBUG("probe %s: send %s", p->binary, text);
    line = g_strdup_printf("%s\n", text);
    if (qemuCapsProbeWrite(p, line) < 0)
        return NULL;
    if (!(reply = qemuCapsProbeReadMessage(p)))
        return NULL;
    if (jsonGetInt64(reply, "id", &replyId) < 0 || replyId != id) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("unexpected reply to '%1$s' from QEMU binary '%2$s'"),
                    command, p->binary);
        return NULL;
    }
    if ((err = jsonGetObject(reply, "error"))) {
        const char *desc = jsonGetString(err, "desc");

        reportError(VIR_ERR_INTERNAL_ERROR, _("QEMU binary '%1$s' failed '%2$s': %3$s"), p->binary,
                    command, desc ? desc : _("unknown error"));
        return NULL;
    }
    if (!json_object_object_get_ex(reply, "return", &ret)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("reply to '%1$s' from QEMU binary '%2$s' has no result"), command, p->binary);
        return NULL;
    }
    return json_object_get(ret);
}

static int
qemuCapsProbeStart(QemuCapsProbe *p, bool tryKVM)
{
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *path = g_getenv("PATH");
    g_autofree char *envPath = g_strdup_printf("PATH=%s", path ? path : "/usr/bin:/bin");
    const char *envp[] = {"LC_ALL=C", envPath, "HOME=/", NULL};
    int pair[2];

    g_ptr_array_add(argv, (char *)p->binary);
    g_ptr_array_add(argv, (char *)"-machine");
    g_ptr_array_add(argv, (char *)"none");
    if (tryKVM) {
        /* QEMU falls back to the next -accel when KVM cannot start */
        g_ptr_array_add(argv, (char *)"-accel");
        g_ptr_array_add(argv, (char *)"kvm");
    }
    g_ptr_array_add(argv, (char *)"-accel");
    g_ptr_array_add(argv, (char *)"tcg");
    g_ptr_array_add(argv, (char *)"-no-user-config");
    g_ptr_array_add(argv, (char *)"-nodefaults");
    g_ptr_array_add(argv, (char *)"-display");
    g_ptr_array_add(argv, (char *)"none");
    g_ptr_array_add(argv, (char *)"-qmp");
    g_ptr_array_add(argv, (char *)"stdio");
    g_ptr_array_add(argv, NULL);

    /* a socketpair rather than pipes, so that writes can use MSG_NOSIGNAL */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        reportSystemError(errno, "%s", _("cannot create a socket pair"));
        return -1;
    }
    if (!g_spawn_async_with_pipes_and_fds(
            NULL, (const char *const *)argv->pdata, (const char *const *)envp,
            G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES, NULL, NULL, pair[1], pair[1], -1,
            NULL, NULL, 0, &p->pid, NULL, NULL, &p->err, &gerr)) {
        close(pair[0]);
        close(pair[1]);
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot run QEMU binary '%1$s': %2$s"), p->binary,
                    gerr->message);
        return -1;
    }
    close(pair[1]);
    p->sock = pair[0];
    g_unix_set_fd_nonblocking(p->sock, TRUE, NULL);
    g_unix_set_fd_nonblocking(p->err, TRUE, NULL);
    return 0;
}

/* Ends the probe process in every case: quit if it listens, else kill. */
static void
qemuCapsProbeStop(QemuCapsProbe *p, bool sendQuit)
{
    gint64 until;
    int status;

    if (p->sock >= 0 && sendQuit && send(p->sock, "{\"execute\":\"quit\"}\n", 19, MSG_NOSIGNAL) < 0)
        LOG_DEBUG("cannot send quit to %s: %s", p->binary, g_strerror(errno));
    if (p->pid > 0) {
        until = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
        for (;;) {
            pid_t r = waitpid(p->pid, &status, WNOHANG);

            if (r == p->pid || (r < 0 && errno != EINTR))
                break;
            if (g_get_monotonic_time() >= until) {
                kill(p->pid, SIGKILL);
                while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
                    ;
                break;
            }
            g_usleep(2000);
        }
        p->pid = 0;
    }
    if (p->sock >= 0)
        close(p->sock);
    if (p->err >= 0)
        close(p->err);
    p->sock = p->err = -1;
}

/* Accepts only arrays; reports which reply was malformed. */
static json_object *
qemuCapsExpectArray(QemuCapsProbe *p, json_object *val, const char *command)
{
    if (!val || !json_object_is_type(val, json_type_array)) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("malformed reply to '%1$s' from QEMU binary '%2$s'"),
                    command, p->binary);
        return NULL;
    }
    return val;
}

static int
qemuCapsFillVersion(QemuCaps *caps, QemuCapsProbe *p, json_object *ret)
{
    json_object *qemu = jsonGetObject(ret, "qemu");
    unsigned int major;
    unsigned int minor;
    unsigned int micro;

    if (jsonGetUInt(qemu, "major", &major) < 0 || jsonGetUInt(qemu, "minor", &minor) < 0 ||
        jsonGetUInt(qemu, "micro", &micro) < 0 || minor > 999 || micro > 999) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("malformed reply to '%1$s' from QEMU binary '%2$s'"),
                    "query-version", p->binary);
        return -1;
    }
    caps->version = QEMU_CAPS_VERSION(major, minor, micro);
    caps->package = g_strdup(jsonGetString(ret, "package"));
    return 0;
}

static int
qemuCapsFillMachines(QemuCaps *caps, QemuCapsProbe *p, json_object *ret)
{
    size_t n;
    size_t i;

    if (!qemuCapsExpectArray(p, ret, "query-machines"))
        return -1;
    n = json_object_array_length(ret);
    caps->machines = g_new0(QemuCapsMachine, n);
    for (i = 0; i < n; i++) {
        json_object *m = json_object_array_get_idx(ret, i);
        QemuCapsMachine *mach = &caps->machines[caps->nmachines];
        const char *name = jsonGetString(m, "name");

        if (!name)
            continue;
        mach->name = g_strdup(name);
        mach->alias = g_strdup(jsonGetString(m, "alias"));
        if (jsonGetUInt(m, "cpu-max", &mach->maxCpus) < 0)
            mach->maxCpus = 1;
        (void)jsonGetBool(m, "is-default", &mach->isDefault);
        (void)jsonGetBool(m, "deprecated", &mach->deprecated);
        (void)jsonGetBool(m, "hotpluggable-cpus", &mach->hotplugCpus);
        mach->defaultCpuType = g_strdup(jsonGetString(m, "default-cpu-type"));
        mach->defaultRamId = g_strdup(jsonGetString(m, "default-ram-id"));
        caps->nmachines++;
    }
    return 0;
}

/* Records which models have no unavailable features under @kvm or TCG. */
static int
qemuCapsFillCpuModels(QemuCaps *caps, QemuCapsProbe *p, json_object *ret, bool kvm)
{
    size_t n;
    size_t i;
    size_t k;

    if (!qemuCapsExpectArray(p, ret, "query-cpu-definitions"))
        return -1;
    n = json_object_array_length(ret);
    if (!caps->cpuModels)
        caps->cpuModels = g_new0(QemuCapsCpuModel, n);
    for (i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(ret, i);
        json_object *unavail = jsonGetArray(c, "unavailable-features");
        const char *name = jsonGetString(c, "name");
        bool usable = !unavail || json_object_array_length(unavail) == 0;
        QemuCapsCpuModel *model = NULL;

        if (!name)
            continue;
        for (k = 0; k < caps->ncpuModels && !model; k++) {
            if (streq(caps->cpuModels[k].name, name))
                model = &caps->cpuModels[k];
        }
        if (!model) {
            if (caps->ncpuModels >= n)
                continue; /* only in the second probe: ignore */
            model = &caps->cpuModels[caps->ncpuModels++];
            model->name = g_strdup(name);
            model->aliasOf = g_strdup(jsonGetString(c, "alias-of"));
            (void)jsonGetBool(c, "static", &model->isStatic);
            (void)jsonGetBool(c, "migration-safe", &model->migrationSafe);
            (void)jsonGetBool(c, "deprecated", &model->deprecated);
        }
        if (kvm)
            model->usableKVM = usable;
        else
            model->usableTCG = usable;
    }
    return 0;
}

/* Collects the "name" member of every element of an array reply. */
static char **
qemuCapsNameList(QemuCapsProbe *p, json_object *ret, const char *command)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    size_t i;

    if (!qemuCapsExpectArray(p, ret, command))
        return NULL;
    for (i = 0; i < json_object_array_length(ret); i++) {
        const char *name = jsonGetString(json_object_array_get_idx(ret, i), "name");

        if (name)
            g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

/* Accelerators are the QOM types "<name>-accel". */
static char **
qemuCapsAccelsFromTypes(char **types)
{
    g_autoptr(GPtrArray) accels = g_ptr_array_new();
    size_t i;

    for (i = 0; types[i]; i++) {
        if (g_str_has_suffix(types[i], "-accel") && strlen(types[i]) > strlen("-accel"))
            g_ptr_array_add(accels, g_strndup(types[i], strlen(types[i]) - strlen("-accel")));
    }
    g_ptr_array_add(accels, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&accels), FALSE);
}

static int
qemuCapsProbeQueries(QemuCaps *caps, QemuCapsProbe *p)
{
    g_autoptr(json_object) greeting = NULL;
    g_autoptr(json_object) ret = NULL;
    json_object *args;

    if (!(greeting = qemuCapsProbeReadMessage(p)))
        return -1;
    if (!jsonGetObject(greeting, "QMP")) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("QEMU binary '%1$s' did not greet with QMP"),
                    p->binary);
        return -1;
    }
#define QEMU_CAPS_RUN(cmd, args)                                                                   \
    do {                                                                                           \
        json_object_put(ret);                                                                      \
        if (!(ret = qemuCapsProbeCommand(p, (cmd), (args))))                                       \
            return -1;                                                                             \
    } while (0)

    QEMU_CAPS_RUN("qmp_capabilities", NULL);
    QEMU_CAPS_RUN("query-commands", NULL);
    if (!(caps->commands = qemuCapsNameList(p, ret, "query-commands")))
        return -1;
    caps->commandSet = qemuCapsBuildSet(caps->commands);

    QEMU_CAPS_RUN("query-version", NULL);
    if (qemuCapsFillVersion(caps, p, ret) < 0)
        return -1;
    QEMU_CAPS_RUN("query-target", NULL);
    caps->arch = g_strdup(jsonGetString(ret, "arch"));
    if (!caps->arch) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("malformed reply to '%1$s' from QEMU binary '%2$s'"),
                    "query-target", p->binary);
        return -1;
    }
    QEMU_CAPS_RUN("query-kvm", NULL);
    (void)jsonGetBool(ret, "present", &caps->kvmPresent);
    (void)jsonGetBool(ret, "enabled", &caps->kvmEnabled);
    QEMU_CAPS_RUN("query-machines", NULL);
    if (qemuCapsFillMachines(caps, p, ret) < 0)
        return -1;
    if (qemuCapsHasCommand(caps, "query-cpu-definitions")) {
        QEMU_CAPS_RUN("query-cpu-definitions", NULL);
        if (qemuCapsFillCpuModels(caps, p, ret, caps->kvmEnabled) < 0)
            return -1;
    }
    args = json_object_new_object();
    json_object_object_add(args, "abstract", json_object_new_boolean(false));
    QEMU_CAPS_RUN("qom-list-types", args);
    if (!(caps->types = qemuCapsNameList(p, ret, "qom-list-types")))
        return -1;
    caps->accels = qemuCapsAccelsFromTypes(caps->types);
#undef QEMU_CAPS_RUN
    /* Built again by qemuCapsFinish() once the lists are sorted. */
    g_hash_table_unref(caps->commandSet);
    caps->commandSet = NULL;
    return 0;
}

/* With KVM enabled in the first probe: which CPU models TCG can run. */
static int
qemuCapsProbeTCGModels(QemuCaps *caps, QemuCapsProbe *p)
{
    g_autoptr(json_object) greeting = NULL;
    g_autoptr(json_object) ret = NULL;

    if (!(greeting = qemuCapsProbeReadMessage(p)))
        return -1;
    if (!(ret = qemuCapsProbeCommand(p, "qmp_capabilities", NULL)))
        return -1;
    json_object_put(g_steal_pointer(&ret));
    if (!(ret = qemuCapsProbeCommand(p, "query-cpu-definitions", NULL)))
        return -1;
    return qemuCapsFillCpuModels(caps, p, ret, false);
}

static int
qemuCapsRunProbe(QemuCaps *caps, const char *binary, gint64 deadline, bool kvm,
                 int (*queries)(QemuCaps *caps, QemuCapsProbe *p))
{
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autoptr(GString) errBuf = g_string_new(NULL);
    QemuCapsProbe p = {
        .binary = binary,
        .sock = -1,
        .err = -1,
        .buf = buf,
        .errBuf = errBuf,
        .deadline = deadline,
    };
    int rc;

    if (qemuCapsProbeStart(&p, kvm) < 0)
        return -1;
    rc = queries(caps, &p);
    qemuCapsProbeStop(&p, rc == 0);
    return rc;
}

static int
qemuCapsStatBinary(const char *binary, QemuCaps *caps)
{
    struct stat sb;

    if (stat(binary, &sb) < 0) {
        reportSystemError(errno, _("Cannot check QEMU binary '%1$s'"), binary);
        return -1;
    }
    if (!S_ISREG(sb.st_mode) || access(binary, X_OK) < 0) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("QEMU binary '%1$s' is not executable"), binary);
        return -1;
    }
    caps->binaryMtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    caps->binaryCtime = (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec;
    caps->binarySize = sb.st_size;
    return 0;
}

static QemuCaps *
qemuCapsProbeInternal(const char *binary, int timeoutMs, const char *kvmPath)
{
    g_autoptr(QemuCaps) caps = qemuCapsNew();
    gint64 start = g_get_monotonic_time();
    gint64 deadline;

    if (qemuCapsStatBinary(binary, caps) < 0)
        return NULL;
    caps->binary = g_strdup(binary);
    caps->probeTime = (int64_t)time(NULL);
    caps->kvmDevice = qemuCapsKVMDeviceUsable(kvmPath);
    caps->hostHWVirt = qemuCapsHostCPUHasVirt("/proc/cpuinfo");
    deadline = start + (gint64)(timeoutMs > 0 ? timeoutMs : QEMU_CAPS_PROBE_TIMEOUT_MS) * 1000;

    if (qemuCapsRunProbe(caps, binary, deadline, caps->kvmDevice, qemuCapsProbeQueries) < 0)
        return NULL;
    if (caps->version < QEMU_CAPS_MIN_VERSION) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("QEMU version >= %1$lu is required, but binary '%2$s' is version %3$lu"),
                    (unsigned long)QEMU_CAPS_MIN_VERSION, binary, caps->version);
        return NULL;
    }
    /* CPU model usability differs between KVM and TCG: ask TCG too */
    if (caps->kvmEnabled && caps->ncpuModels > 0 &&
        qemuCapsRunProbe(caps, binary, deadline, false, qemuCapsProbeTCGModels) < 0)
        return NULL;
    qemuCapsFinish(caps);
    LOG_DEBUG("probed %s: version %lu, %zu machines, %u types, kvm %s, in %lld ms", binary,
              caps->version, caps->nmachines, g_strv_length(caps->types),
              qemuCapsKVMUsable(caps) ? "usable" : "not usable",
              (long long)((g_get_monotonic_time() - start) / 1000));
    return g_steal_pointer(&caps);
}

/**
 * qemuCapsProbe:
 * @binary: path of a QEMU system emulator
 * @timeoutMs: limit for the whole probe, <= 0 for the default (30 s)
 *
 * Starts @binary with "-machine none", no devices and a QMP monitor on
 * its stdio, asks query-commands, query-version, query-target,
 * query-kvm, query-machines, query-cpu-definitions and qom-list-types,
 * and quits it.  When /dev/kvm is usable the binary is started with the
 * kvm accelerator (falling back to tcg), so that query-kvm tells whether
 * QEMU itself can use KVM.  The process is always reaped before return.
 *
 * Returns: new capabilities (caller owns the reference), or NULL with an
 * error (binary missing, too old, exiting early, timeout).
 */
QemuCaps *
qemuCapsProbe(const char *binary, int timeoutMs)
{
    return qemuCapsProbeInternal(binary, timeoutMs, QEMU_CAPS_KVM_DEVICE);
}

/* ------------------------------------------------------------------ */
/* JSON form (cache files and test fixtures)                           */

static json_object *
qemuCapsStrvToJSON(char **list)
{
    json_object *arr = json_object_new_array();
    size_t i;

    for (i = 0; list && list[i]; i++)
        json_object_array_add(arr, json_object_new_string(list[i]));
    return arr;
}

static void
qemuCapsAddString(json_object *obj, const char *key, const char *value)
{
    if (value)
        json_object_object_add(obj, key, json_object_new_string(value));
}

/**
 * qemuCapsFormatJSON:
 * @caps: capabilities
 *
 * Formats @caps as the JSON document qemuCapsParseJSON() reads back: one
 * member per line, lists sorted, so that fixtures diff well.
 *
 * Returns: the document (caller owns it).
 */
char *
qemuCapsFormatJSON(const QemuCaps *caps)
{
    g_autoptr(json_object) obj = json_object_new_object();
    json_object *kvm = json_object_new_object();
    json_object *machines = json_object_new_array();
    json_object *models = json_object_new_array();
    size_t i;

    json_object_object_add(obj, "format", json_object_new_int(QEMU_CAPS_FORMAT));
    qemuCapsAddString(obj, "binary", caps->binary);
    json_object_object_add(obj, "binaryMtime", json_object_new_int64(caps->binaryMtime));
    json_object_object_add(obj, "binaryCtime", json_object_new_int64(caps->binaryCtime));
    json_object_object_add(obj, "binarySize", json_object_new_int64(caps->binarySize));
    json_object_object_add(obj, "probeTime", json_object_new_int64(caps->probeTime));
    json_object_object_add(obj, "version", json_object_new_int64((int64_t)caps->version));
    qemuCapsAddString(obj, "package", caps->package);
    qemuCapsAddString(obj, "arch", caps->arch);
    json_object_object_add(kvm, "device", json_object_new_boolean(caps->kvmDevice));
    json_object_object_add(kvm, "present", json_object_new_boolean(caps->kvmPresent));
    json_object_object_add(kvm, "enabled", json_object_new_boolean(caps->kvmEnabled));
    json_object_object_add(obj, "kvm", kvm);
    json_object_object_add(obj, "hostHWVirt", json_object_new_boolean(caps->hostHWVirt));
    json_object_object_add(obj, "accels", qemuCapsStrvToJSON(caps->accels));
    for (i = 0; i < caps->nmachines; i++) {
        const QemuCapsMachine *m = &caps->machines[i];
        json_object *jm = json_object_new_object();

        qemuCapsAddString(jm, "name", m->name);
        qemuCapsAddString(jm, "alias", m->alias);
        json_object_object_add(jm, "maxCpus", json_object_new_int64(m->maxCpus));
        if (m->isDefault)
            json_object_object_add(jm, "default", json_object_new_boolean(true));
        if (m->deprecated)
            json_object_object_add(jm, "deprecated", json_object_new_boolean(true));
        json_object_object_add(jm, "hotplugCpus", json_object_new_boolean(m->hotplugCpus));
        qemuCapsAddString(jm, "defaultCpuType", m->defaultCpuType);
        qemuCapsAddString(jm, "defaultRamId", m->defaultRamId);
        json_object_array_add(machines, jm);
    }
    json_object_object_add(obj, "machines", machines);
    for (i = 0; i < caps->ncpuModels; i++) {
        const QemuCapsCpuModel *c = &caps->cpuModels[i];
        json_object *jc = json_object_new_object();

        qemuCapsAddString(jc, "name", c->name);
        qemuCapsAddString(jc, "aliasOf", c->aliasOf);
        json_object_object_add(jc, "usableKVM", json_object_new_boolean(c->usableKVM));
        json_object_object_add(jc, "usableTCG", json_object_new_boolean(c->usableTCG));
        json_object_object_add(jc, "static", json_object_new_boolean(c->isStatic));
        json_object_object_add(jc, "migrationSafe", json_object_new_boolean(c->migrationSafe));
        if (c->deprecated)
            json_object_object_add(jc, "deprecated", json_object_new_boolean(true));
        json_object_array_add(models, jc);
    }
    json_object_object_add(obj, "cpuModels", models);
    json_object_object_add(obj, "commands", qemuCapsStrvToJSON(caps->commands));
    json_object_object_add(obj, "types", qemuCapsStrvToJSON(caps->types));

    return g_strdup_printf("%s\n", json_object_to_json_string_ext(
                                       obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                JSON_C_TO_STRING_NOSLASHESCAPE));
}

static char **
qemuCapsStrvFromJSON(json_object *arr)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    size_t i;

    if (!arr)
        return NULL;
    for (i = 0; i < json_object_array_length(arr); i++) {
        json_object *v = json_object_array_get_idx(arr, i);

        if (!json_object_is_type(v, json_type_string))
            return NULL;
        g_ptr_array_add(list, g_strdup(json_object_get_string(v)));
    }
    g_ptr_array_add(list, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&list), FALSE);
}

static int
qemuCapsParseInvalid(const char *origin, const char *what)
{
    reportError(VIR_ERR_INTERNAL_ERROR, _("invalid QEMU capabilities document '%1$s': bad '%2$s'"),
                origin, what);
    return -1;
}

static int
qemuCapsParseMembers(QemuCaps *caps, json_object *obj, const char *origin)
{
    json_object *kvm = jsonGetObject(obj, "kvm");
    json_object *arr;
    uint64_t version;
    int format;
    size_t i;

    if (jsonGetInt(obj, "format", &format) < 0 || format != QEMU_CAPS_FORMAT)
        return qemuCapsParseInvalid(origin, "format");
    caps->binary = g_strdup(jsonGetString(obj, "binary"));
    if (!caps->binary)
        return qemuCapsParseInvalid(origin, "binary");
    (void)jsonGetInt64(obj, "binaryMtime", &caps->binaryMtime);
    (void)jsonGetInt64(obj, "binaryCtime", &caps->binaryCtime);
    (void)jsonGetInt64(obj, "binarySize", &caps->binarySize);
    (void)jsonGetInt64(obj, "probeTime", &caps->probeTime);
    if (jsonGetUInt64(obj, "version", &version) < 0 || version > G_MAXUINT32)
        return qemuCapsParseInvalid(origin, "version");
    caps->version = (unsigned long)version;
    caps->package = g_strdup(jsonGetString(obj, "package"));
    if (!(caps->arch = g_strdup(jsonGetString(obj, "arch"))))
        return qemuCapsParseInvalid(origin, "arch");
    if (!kvm)
        return qemuCapsParseInvalid(origin, "kvm");
    (void)jsonGetBool(kvm, "device", &caps->kvmDevice);
    (void)jsonGetBool(kvm, "present", &caps->kvmPresent);
    (void)jsonGetBool(kvm, "enabled", &caps->kvmEnabled);
    (void)jsonGetBool(obj, "hostHWVirt", &caps->hostHWVirt);

    if (!(caps->accels = qemuCapsStrvFromJSON(jsonGetArray(obj, "accels"))))
        return qemuCapsParseInvalid(origin, "accels");
    if (!(caps->commands = qemuCapsStrvFromJSON(jsonGetArray(obj, "commands"))))
        return qemuCapsParseInvalid(origin, "commands");
    if (!(caps->types = qemuCapsStrvFromJSON(jsonGetArray(obj, "types"))))
        return qemuCapsParseInvalid(origin, "types");

    if (!(arr = jsonGetArray(obj, "machines")))
        return qemuCapsParseInvalid(origin, "machines");
    caps->machines = g_new0(QemuCapsMachine, json_object_array_length(arr));
    for (i = 0; i < json_object_array_length(arr); i++) {
        json_object *jm = json_object_array_get_idx(arr, i);
        QemuCapsMachine *m = &caps->machines[caps->nmachines];

        if (!(m->name = g_strdup(jsonGetString(jm, "name"))))
            return qemuCapsParseInvalid(origin, "machines");
        caps->nmachines++;
        m->alias = g_strdup(jsonGetString(jm, "alias"));
        if (jsonGetUInt(jm, "maxCpus", &m->maxCpus) < 0)
            return qemuCapsParseInvalid(origin, "maxCpus");
        (void)jsonGetBool(jm, "default", &m->isDefault);
        (void)jsonGetBool(jm, "deprecated", &m->deprecated);
        (void)jsonGetBool(jm, "hotplugCpus", &m->hotplugCpus);
        m->defaultCpuType = g_strdup(jsonGetString(jm, "defaultCpuType"));
        m->defaultRamId = g_strdup(jsonGetString(jm, "defaultRamId"));
    }

    if (!(arr = jsonGetArray(obj, "cpuModels")))
        return qemuCapsParseInvalid(origin, "cpuModels");
    caps->cpuModels = g_new0(QemuCapsCpuModel, json_object_array_length(arr));
    for (i = 0; i < json_object_array_length(arr); i++) {
        json_object *jc = json_object_array_get_idx(arr, i);
        QemuCapsCpuModel *c = &caps->cpuModels[caps->ncpuModels];

        if (!(c->name = g_strdup(jsonGetString(jc, "name"))))
            return qemuCapsParseInvalid(origin, "cpuModels");
        caps->ncpuModels++;
        c->aliasOf = g_strdup(jsonGetString(jc, "aliasOf"));
        (void)jsonGetBool(jc, "usableKVM", &c->usableKVM);
        (void)jsonGetBool(jc, "usableTCG", &c->usableTCG);
        (void)jsonGetBool(jc, "static", &c->isStatic);
        (void)jsonGetBool(jc, "migrationSafe", &c->migrationSafe);
        (void)jsonGetBool(jc, "deprecated", &c->deprecated);
    }
    return 0;
}

/**
 * qemuCapsParseJSON:
 * @text: a document written by qemuCapsFormatJSON()
 * @origin: where it came from, for error messages
 *
 * Returns: new capabilities (caller owns the reference), or NULL with
 * VIR_ERR_INTERNAL_ERROR when the document is malformed or of another
 * format version.
 */
QemuCaps *
qemuCapsParseJSON(const char *text, const char *origin)
{
    g_autoptr(QemuCaps) caps = qemuCapsNew();
    g_autoptr(json_object) obj = NULL;
    g_autofree char *reason = NULL;

    if (!(obj = jsonParseDetail(text, strlen(text), &reason)) ||
        !json_object_is_type(obj, json_type_object)) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("invalid QEMU capabilities document '%1$s': %2$s"),
                    origin, reason ? reason : _("not an object"));
        return NULL;
    }
    if (qemuCapsParseMembers(caps, obj, origin) < 0)
        return NULL;
    qemuCapsFinish(caps);
    return g_steal_pointer(&caps);
}

/**
 * qemuCapsLoadFile:
 * @path: a file written from qemuCapsFormatJSON()
 *
 * Returns: new capabilities (caller owns the reference), or NULL with an
 * error.
 */
QemuCaps *
qemuCapsLoadFile(const char *path)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) gerr = NULL;

    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot read QEMU capabilities '%1$s': %2$s"), path,
                    gerr->message);
        return NULL;
    }
    return qemuCapsParseJSON(text, path);
}

/* ------------------------------------------------------------------ */
/* The cache                                                           */

struct _QemuCapsCache {
    Mutex lock;
    char *dir;           /* immutable; NULL = memory only */
    char *kvmPath;       /* protected by lock */
    GHashTable *entries; /* binary -> QemuCaps (a reference); protected by lock */
    unsigned int probes; /* protected by lock */
};

/**
 * qemuCapsCacheNew:
 * @cacheDir: directory for the JSON cache files (created on first
 *            write), or NULL to cache in memory only
 *
 * Returns: a new, empty cache (caller owns it).
 */
QemuCapsCache *
qemuCapsCacheNew(const char *cacheDir)
{
    QemuCapsCache *cache = g_new0(QemuCapsCache, 1);

    mutexInit(&cache->lock);
    cache->dir = g_strdup(cacheDir);
    cache->kvmPath = g_strdup(QEMU_CAPS_KVM_DEVICE);
    cache->entries =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)qemuCapsUnref);
    return cache;
}

/**
 * qemuCapsCacheFree:
 * @cache: a cache, or NULL
 *
 * Drops the cache's references; capabilities still referenced elsewhere
 * stay valid.
 */
void
qemuCapsCacheFree(QemuCapsCache *cache)
{
    if (!cache)
        return;
    g_hash_table_unref(cache->entries);
    g_free(cache->dir);
    g_free(cache->kvmPath);
    mutexClear(&cache->lock);
    g_free(cache);
}

/**
 * qemuCapsCacheSetKVMDevice:
 * @cache: a cache
 * @path: the KVM device to check instead of /dev/kvm (tests)
 */
void
qemuCapsCacheSetKVMDevice(QemuCapsCache *cache, const char *path)
{
    mutexLock(&cache->lock);
    g_free(cache->kvmPath);
    cache->kvmPath = g_strdup(path);
    mutexUnlock(&cache->lock);
}

/**
 * qemuCapsCacheGetProbeCount:
 * @cache: a cache
 *
 * Returns: how many times the cache had to start a binary.
 */
unsigned int
qemuCapsCacheGetProbeCount(QemuCapsCache *cache)
{
    unsigned int n;

    mutexLock(&cache->lock);
    n = cache->probes;
    mutexUnlock(&cache->lock);
    return n;
}

static bool
qemuCapsIsValid(const QemuCaps *caps, const char *binary, const QemuCaps *now, bool kvmNow)
{
    return streq(caps->binary, binary) && caps->binaryMtime == now->binaryMtime &&
           caps->binaryCtime == now->binaryCtime && caps->binarySize == now->binarySize &&
           caps->kvmDevice == kvmNow;
}

static char *
qemuCapsCacheFile(QemuCapsCache *cache, const char *binary)
{
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
    g_autofree char *name = g_strdup_printf("%s.json", sum);

    return g_build_filename(cache->dir, name, NULL);
}

static void
qemuCapsCacheSave(QemuCapsCache *cache, const QemuCaps *caps)
{
    g_autofree char *path = qemuCapsCacheFile(cache, caps->binary);
    g_autofree char *text = qemuCapsFormatJSON(caps);
    g_autoptr(GError) gerr = NULL;

    if (g_mkdir_with_parents(cache->dir, 0755) < 0) {
        LOG_WARN("cannot create capabilities cache directory %s: %s, ignoring", cache->dir,
                 g_strerror(errno));
        return;
    }
    /* g_file_set_contents writes a temporary file and renames it */
    if (!g_file_set_contents(path, text, -1, &gerr))
        LOG_WARN("cannot write capabilities cache %s: %s, ignoring", path, gerr->message);
}

static QemuCaps *
qemuCapsCacheLoad(QemuCapsCache *cache, const char *binary, const QemuCaps *now, bool kvmNow)
{
    g_autofree char *path = qemuCapsCacheFile(cache, binary);
    g_autofree char *text = NULL;
    g_autoptr(QemuCaps) caps = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    if (!(caps = qemuCapsParseJSON(text, path))) {
        LOG_DEBUG("ignoring capabilities cache %s: %s", path, errorGetSlot()->message);
        errorReset();
        return NULL;
    }
    if (!qemuCapsIsValid(caps, binary, now, kvmNow)) {
        LOG_DEBUG("capabilities cache %s is stale", path);
        return NULL;
    }
    return g_steal_pointer(&caps);
}

/**
 * qemuCapsCacheLookup:
 * @cache: a cache
 * @binary: path of a QEMU binary
 *
 * Returns the capabilities of @binary: from memory when the binary (its
 * mtime, ctime and size) and the usability of /dev/kvm are unchanged
 * since they were probed, else from the cache directory under the same
 * condition, else by probing it (and saving the result).  A probe runs
 * with the cache lock held, so that concurrent lookups probe once.
 *
 * Returns: a new reference (caller owns it), or NULL with an error.
 */
QemuCaps *
qemuCapsCacheLookup(QemuCapsCache *cache, const char *binary)
{
    g_autoptr(QemuCaps) now = qemuCapsNew();
    QemuCaps *caps;
    bool kvmNow;

    if (qemuCapsStatBinary(binary, now) < 0)
        return NULL;

    mutexLock(&cache->lock);
    kvmNow = qemuCapsKVMDeviceUsable(cache->kvmPath);
    caps = g_hash_table_lookup(cache->entries, binary);
    if (caps && qemuCapsIsValid(caps, binary, now, kvmNow)) {
        qemuCapsRef(caps);
        mutexUnlock(&cache->lock);
        return caps;
    }
    caps = NULL;
    if (cache->dir)
        caps = qemuCapsCacheLoad(cache, binary, now, kvmNow);
    if (!caps) {
        cache->probes++;
        if (!(caps = qemuCapsProbeInternal(binary, 0, cache->kvmPath))) {
            mutexUnlock(&cache->lock);
            return NULL;
        }
        if (cache->dir)
            qemuCapsCacheSave(cache, caps);
    }
    g_hash_table_replace(cache->entries, g_strdup(binary), qemuCapsRef(caps));
    mutexUnlock(&cache->lock);
    return caps;
}

/* ------------------------------------------------------------------ */
/* Host information                                                    */

/**
 * qemuCapsHostClear:
 * @host: host information
 *
 * Frees what @host holds and zeroes it.
 */
void
qemuCapsHostClear(QemuCapsHost *host)
{
    size_t i;

    g_free(host->uuid);
    g_free(host->arch);
    g_free(host->vendor);
    g_free(host->hwVirtFlag);
    for (i = 0; i < host->ncpus; i++)
        g_free(host->cpus[i].siblings);
    g_free(host->cpus);
    memset(host, 0, sizeof(*host));
}

static char *
qemuCapsHostReadSysfs(const char *fmt, unsigned int cpu, const char *leaf)
{
    g_autofree char *path = g_strdup_printf(fmt, cpu, leaf);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    return g_strstrip(text);
}

static unsigned int
qemuCapsHostReadSysfsUInt(unsigned int cpu, const char *leaf)
{
    g_autofree char *text =
        qemuCapsHostReadSysfs("/sys/devices/system/cpu/cpu%u/topology/%s", cpu, leaf);
    unsigned int v = 0;

    if (!text || strParseUInt(text, 10, &v) < 0)
        return 0;
    return v;
}

static void
qemuCapsHostProbeCpuinfo(QemuCapsHost *host)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL))
        return;
    lines = g_strsplit(text, "\n", 0);
    for (i = 0; lines[i] && lines[i][0]; i++) {
        g_auto(GStrv) kv = g_strsplit(lines[i], ":", 2);
        const char *key;
        const char *val;

        if (!kv[0] || !kv[1])
            continue;
        key = g_strstrip(kv[0]);
        val = g_strstrip(kv[1]);
        if (streq(key, "vendor_id")) {
            if (streq(val, "GenuineIntel"))
                host->vendor = g_strdup("Intel");
            else if (streq(val, "AuthenticAMD"))
                host->vendor = g_strdup("AMD");
            else if (streq(val, "HygonGenuine"))
                host->vendor = g_strdup("Hygon");
        } else if (streq(key, "cpu family")) {
            host->hasSignature = strParseUInt(val, 10, &host->family) == 0;
        } else if (streq(key, "model")) {
            (void)strParseUInt(val, 10, &host->model);
        } else if (streq(key, "stepping")) {
            (void)strParseUInt(val, 10, &host->stepping);
        } else if (streq(key, "flags")) {
            g_auto(GStrv) flags = g_strsplit(val, " ", 0);

            if (g_strv_contains((const char *const *)flags, "vmx"))
                host->hwVirtFlag = g_strdup("vmx");
            else if (g_strv_contains((const char *const *)flags, "svm"))
                host->hwVirtFlag = g_strdup("svm");
            host->hwVirt = host->hwVirtFlag != NULL;
        }
    }
}

static void
qemuCapsHostProbeUUID(QemuCapsHost *host)
{
    g_autofree char *text = NULL;

    if (g_file_get_contents("/sys/class/dmi/id/product_uuid", &text, NULL, NULL)) {
        g_strstrip(text);
        if (strlen(text) == 36) {
            host->uuid = g_ascii_strdown(text, -1);
            return;
        }
    }
    g_clear_pointer(&text, g_free);
    if (g_file_get_contents("/etc/machine-id", &text, NULL, NULL)) {
        g_strstrip(text);
        if (strlen(text) == 32)
            host->uuid = g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", text, text + 8, text + 12,
                                         text + 16, text + 20);
    }
}

static int
qemuCapsHostUIntCmp(const void *a, const void *b)
{
    unsigned int ua = *(const unsigned int *)a;
    unsigned int ub = *(const unsigned int *)b;

    return ua < ub ? -1 : ua > ub;
}

static void
qemuCapsHostProbeMemory(QemuCapsHost *host)
{
    g_autofree char *text = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *name;
    char *pos;

    if (g_file_get_contents("/proc/meminfo", &text, NULL, NULL) &&
        (pos = strstr(text, "MemTotal:"))) {
        uint64_t kib = 0;
        char *end = NULL;

        pos += strlen("MemTotal:");
        while (*pos == ' ')
            pos++;
        if (strParseUInt64Prefix(pos, 10, &kib, &end) == 0)
            host->memoryKiB = kib;
    }
    host->pageSizeKiB = (unsigned int)(sysconf(_SC_PAGESIZE) / 1024);
    host->pages4k = host->pageSizeKiB ? host->memoryKiB / host->pageSizeKiB : 0;
    if (!(dir = g_dir_open("/sys/kernel/mm/hugepages", 0, NULL)))
        return;
    while ((name = g_dir_read_name(dir)) &&
           host->nhugePageSizes < G_N_ELEMENTS(host->hugePageSizes)) {
        unsigned int size;
        g_autofree char *num = NULL;

        if (!strPrefix(name, "hugepages-") || !g_str_has_suffix(name, "kB"))
            continue;
        num = g_strndup(name + strlen("hugepages-"),
                        strlen(name) - strlen("hugepages-") - strlen("kB"));
        if (strParseUInt(num, 10, &size) == 0)
            host->hugePageSizes[host->nhugePageSizes++] = size;
    }
    qsort(host->hugePageSizes, host->nhugePageSizes, sizeof(unsigned int), qemuCapsHostUIntCmp);
}

static void
qemuCapsHostProbeCpus(QemuCapsHost *host)
{
    g_autofree char *online = NULL;
    g_autoptr(GHashTable) sockets = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GHashTable) dies = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GHashTable) cores = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GArray) cpus = g_array_new(FALSE, TRUE, sizeof(QemuCapsHostCpu));
    g_auto(GStrv) ranges = NULL;
    unsigned int threads = 0;
    size_t i;

    if (!g_file_get_contents("/sys/devices/system/cpu/online", &online, NULL, NULL))
        online = g_strdup_printf("0-%ld", MAX(sysconf(_SC_NPROCESSORS_ONLN), 1L) - 1);
    ranges = g_strsplit(g_strstrip(online), ",", 0);
    for (i = 0; ranges[i]; i++) {
        g_auto(GStrv) ends = g_strsplit(ranges[i], "-", 2);
        unsigned int lo;
        unsigned int hi;
        unsigned int cpu;

        if (strParseUInt(ends[0], 10, &lo) < 0)
            continue;
        hi = lo;
        if (ends[1] && strParseUInt(ends[1], 10, &hi) < 0)
            continue;
        for (cpu = lo; cpu <= hi && cpu < 16384; cpu++) {
            QemuCapsHostCpu c = {.id = cpu};
            unsigned int coreKey;

            c.socketId = qemuCapsHostReadSysfsUInt(cpu, "physical_package_id");
            c.dieId = qemuCapsHostReadSysfsUInt(cpu, "die_id");
            c.coreId = qemuCapsHostReadSysfsUInt(cpu, "core_id");
            c.siblings = qemuCapsHostReadSysfs("/sys/devices/system/cpu/cpu%u/topology/%s", cpu,
                                               "thread_siblings_list");
            if (!c.siblings)
                c.siblings = g_strdup_printf("%u", cpu);
            g_hash_table_add(sockets, GUINT_TO_POINTER(c.socketId + 1));
            if (c.socketId == 0) {
                g_hash_table_add(dies, GUINT_TO_POINTER(c.dieId + 1));
                coreKey = (c.dieId << 16) + c.coreId + 1;
                g_hash_table_add(cores, GUINT_TO_POINTER(coreKey));
            }
            if (cpus->len == 0) {
                g_auto(GStrv) sib = g_strsplit(c.siblings, ",", 0);
                size_t k;

                for (k = 0; sib[k]; k++) {
                    g_auto(GStrv) r = g_strsplit(sib[k], "-", 2);
                    unsigned int a;
                    unsigned int b;

                    if (strParseUInt(r[0], 10, &a) < 0)
                        continue;
                    b = a;
                    if (r[1] && strParseUInt(r[1], 10, &b) < 0)
                        continue;
                    threads += b >= a ? b - a + 1 : 1;
                }
            }
            g_array_append_val(cpus, c);
        }
    }
    host->ncpus = cpus->len;
    host->cpus = (QemuCapsHostCpu *)(void *)g_array_free(g_steal_pointer(&cpus), FALSE);
    host->sockets = MAX(g_hash_table_size(sockets), 1);
    host->dies = MAX(g_hash_table_size(dies), 1);
    host->threads = MAX(threads, 1);
    host->cores = MAX(g_hash_table_size(cores) / host->dies, 1);
}

/**
 * qemuCapsHostProbe:
 * @ret: filled with this host's data (clear it with qemuCapsHostClear)
 *
 * Reads the host UUID (SMBIOS, else /etc/machine-id), the CPU vendor,
 * signature, topology and virtualization flag (/proc/cpuinfo, sysfs)
 * and the memory size and page sizes.  Missing sources leave fields
 * empty.
 *
 * Returns: 0 (never fails).
 */
int
qemuCapsHostProbe(QemuCapsHost *ret)
{
    struct utsname uts;

    memset(ret, 0, sizeof(*ret));
    ret->arch = g_strdup(uname(&uts) == 0 ? uts.machine : "x86_64");
    qemuCapsHostProbeUUID(ret);
    qemuCapsHostProbeCpuinfo(ret);
    qemuCapsHostProbeMemory(ret);
    qemuCapsHostProbeCpus(ret);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Capabilities XML                                                    */

static void
qemuCapsFormatHost(XmlWriter *w, const QemuCapsHost *host)
{
    size_t i;

    xmlWriterAdd(w, "<host>\n");
    xmlWriterAdjustIndent(w, 2);
    xmlWriterEscape(w, "<uuid>%s</uuid>\n", host->uuid);
    xmlWriterAdd(w, "<cpu>\n");
    xmlWriterAdjustIndent(w, 2);
    xmlWriterEscape(w, "<arch>%s</arch>\n", host->arch ? host->arch : "x86_64");
    if (host->hwVirt) {
        xmlWriterAdd(w, "<features>\n");
        xmlWriterEscape(w, "  <%s/>\n", host->hwVirtFlag);
        xmlWriterAdd(w, "</features>\n");
    }
    xmlWriterEscape(w, "<vendor>%s</vendor>\n", host->vendor);
    if (host->hasSignature)
        xmlWriterAdd(w, "<signature family='%u' model='%u' stepping='%u'/>\n", host->family,
                     host->model, host->stepping);
    xmlWriterAdd(w, "<topology sockets='%u' dies='%u' cores='%u' threads='%u'/>\n",
                 host->sockets ? host->sockets : 1, host->dies ? host->dies : 1,
                 host->cores ? host->cores : 1, host->threads ? host->threads : 1);
    xmlWriterAdd(w, "<pages unit='KiB' size='%u'/>\n", host->pageSizeKiB ? host->pageSizeKiB : 4);
    for (i = 0; i < host->nhugePageSizes; i++)
        xmlWriterAdd(w, "<pages unit='KiB' size='%u'/>\n", host->hugePageSizes[i]);
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</cpu>\n");
    xmlWriterAdd(w, "<power_management/>\n");
    xmlWriterAdd(w, "<iommu support='no'/>\n");
    xmlWriterAdd(w, "<migration_features>\n");
    xmlWriterAdd(w, "  <live/>\n");
    xmlWriterAdd(w, "  <uri_transports>\n");
    xmlWriterAdd(w, "    <uri_transport>tcp</uri_transport>\n");
    xmlWriterAdd(w, "  </uri_transports>\n");
    xmlWriterAdd(w, "</migration_features>\n");
    xmlWriterAdd(w, "<topology>\n");
    xmlWriterAdjustIndent(w, 2);
    xmlWriterAdd(w, "<cells num='1'>\n");
    xmlWriterAdjustIndent(w, 2);
    xmlWriterAdd(w, "<cell id='0'>\n");
    xmlWriterAdjustIndent(w, 2);
    xmlWriterAdd(w, "<memory unit='KiB'>%llu</memory>\n", host->memoryKiB);
    xmlWriterAdd(w, "<pages unit='KiB' size='%u'>%llu</pages>\n",
                 host->pageSizeKiB ? host->pageSizeKiB : 4, host->pages4k);
    for (i = 0; i < host->nhugePageSizes; i++)
        xmlWriterAdd(w, "<pages unit='KiB' size='%u'>0</pages>\n", host->hugePageSizes[i]);
    xmlWriterAdd(w, "<distances>\n");
    xmlWriterAdd(w, "  <sibling id='0' value='10'/>\n");
    xmlWriterAdd(w, "</distances>\n");
    xmlWriterAdd(w, "<cpus num='%zu'>\n", host->ncpus);
    for (i = 0; i < host->ncpus; i++) {
        const QemuCapsHostCpu *c = &host->cpus[i];

        xmlWriterAdd(w, "  <cpu id='%u' socket_id='%u' die_id='%u' core_id='%u' ", c->id,
                     c->socketId, c->dieId, c->coreId);
        xmlWriterEscape(w, "siblings='%s'/>\n", c->siblings ? c->siblings : "");
    }
    xmlWriterAdd(w, "</cpus>\n");
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</cell>\n");
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</cells>\n");
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</topology>\n");
    xmlWriterAdd(w, "<secmodel>\n");
    xmlWriterAdd(w, "  <model>none</model>\n");
    xmlWriterAdd(w, "  <doi>0</doi>\n");
    xmlWriterAdd(w, "</secmodel>\n");
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</host>\n");
}

static unsigned int
qemuCapsArchWordsize(const char *arch)
{
    if (streq(arch, "i686") || streq(arch, "arm") || streq(arch, "ppc"))
        return 32;
    return 64;
}

static void
qemuCapsFormatMachine(XmlWriter *w, const QemuCapsMachine *m, const char *name,
                      const char *canonical)
{
    xmlWriterAdd(w, "<machine");
    if (canonical)
        xmlWriterEscape(w, " canonical='%s'", canonical);
    xmlWriterAdd(w, " maxCpus='%u'", m->maxCpus);
    if (m->deprecated)
        xmlWriterAdd(w, " deprecated='yes'");
    xmlWriterEscape(w, ">%s</machine>\n", name);
}

static void
qemuCapsFormatGuest(XmlWriter *w, const QemuCaps *caps)
{
    const char *arch = streq(caps->arch, "i386") ? "i686" : caps->arch;
    size_t i;

    xmlWriterAdd(w, "<guest>\n");
    xmlWriterAdjustIndent(w, 2);
    xmlWriterAdd(w, "<os_type>hvm</os_type>\n");
    xmlWriterEscape(w, "<arch name='%s'>\n", arch);
    xmlWriterAdjustIndent(w, 2);
    xmlWriterAdd(w, "<wordsize>%u</wordsize>\n", qemuCapsArchWordsize(arch));
    xmlWriterEscape(w, "<emulator>%s</emulator>\n", caps->binary);
    for (i = 0; i < caps->nmachines; i++) {
        const QemuCapsMachine *m = &caps->machines[i];

        if (streq(m->name, "none"))
            continue;
        qemuCapsFormatMachine(w, m, m->name, NULL);
        if (m->alias)
            qemuCapsFormatMachine(w, m, m->alias, m->name);
    }
    if (qemuCapsHasAccel(caps, "tcg"))
        xmlWriterAdd(w, "<domain type='qemu'/>\n");
    if (qemuCapsKVMUsable(caps))
        xmlWriterAdd(w, "<domain type='kvm'/>\n");
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</arch>\n");
    xmlWriterAdd(w, "<features>\n");
    xmlWriterAdjustIndent(w, 2);
    if (streq(arch, "i686")) {
        xmlWriterAdd(w, "<pae/>\n");
        xmlWriterAdd(w, "<nonpae/>\n");
    }
    xmlWriterAdd(w, "<acpi default='on' toggle='yes'/>\n");
    xmlWriterAdd(w, "<apic default='on' toggle='no'/>\n");
    xmlWriterAdd(w, "<cpuselection/>\n");
    xmlWriterAdd(w, "<deviceboot/>\n");
    xmlWriterAdd(w, "<disksnapshot default='on' toggle='no'/>\n");
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</features>\n");
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</guest>\n");
}

/**
 * qemuCapsFormatCapabilitiesXML:
 * @host: the host part
 * @caps: one entry per QEMU binary (each becomes a <guest>)
 * @ncaps: number of entries
 *
 * Formats the document virConnectGetCapabilities() returns for the QEMU
 * driver, in libvirt's layout: <host> (uuid, cpu, power management,
 * migration, NUMA topology, security model) and one <guest> per binary
 * with its machine types (aliases with canonical='...') and the domain
 * types it can run: 'qemu' with TCG, 'kvm' only when KVM is usable.
 *
 * Returns: the XML (caller owns it).
 */
char *
qemuCapsFormatCapabilitiesXML(const QemuCapsHost *host, QemuCaps *const *caps, size_t ncaps)
{
    XmlWriter w;
    size_t i;

    xmlWriterInit(&w, 0);
    xmlWriterAdd(&w, "<capabilities>\n\n");
    xmlWriterAdjustIndent(&w, 2);
    qemuCapsFormatHost(&w, host);
    for (i = 0; i < ncaps; i++) {
        g_string_append_c(w.str, '\n');
        qemuCapsFormatGuest(&w, caps[i]);
    }
    xmlWriterAdjustIndent(&w, -2);
    xmlWriterAdd(&w, "\n</capabilities>\n");
    return xmlWriterSteal(&w);
}

/* ---- domain capabilities ---- */

static void
qemuCapsFormatEnum(XmlWriter *w, const char *name, const char *const *values, size_t nvalues)
{
    size_t i;

    xmlWriterEscape(w, "<enum name='%s'>\n", name);
    for (i = 0; i < nvalues; i++)
        xmlWriterEscape(w, "  <value>%s</value>\n", values[i]);
    xmlWriterAdd(w, "</enum>\n");
}

/* Adds the values of @table whose QOM type (if any) the binary has. */
typedef struct {
    const char *value;
    const char *type; /* required QOM type, or NULL */
} QemuCapsEnumValue;

static void
qemuCapsFormatEnumIf(XmlWriter *w, const QemuCaps *caps, const char *name,
                     const QemuCapsEnumValue *table, size_t n)
{
    g_autofree const char **values = g_new0(const char *, n);
    size_t nvalues = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!table[i].type || qemuCapsHasType(caps, table[i].type))
            values[nvalues++] = table[i].value;
    }
    qemuCapsFormatEnum(w, name, values, nvalues);
}

static void
qemuCapsFormatDomCapsCpu(XmlWriter *w, const QemuCaps *caps, int virtType)
{
    bool kvm = virtType == DOMAIN_VIRT_KVM;
    static const char *const onOff[] = {"on", "off"};
    size_t i;

    xmlWriterAdd(w, "<cpu>\n");
    xmlWriterAdjustIndent(w, 2);
    if (kvm) {
        xmlWriterAdd(w, "<mode name='host-passthrough' supported='yes'>\n");
        xmlWriterAdjustIndent(w, 2);
        qemuCapsFormatEnum(w, "hostPassthroughMigratable", onOff, 2);
        xmlWriterAdjustIndent(w, -2);
        xmlWriterAdd(w, "</mode>\n");
    } else {
        xmlWriterAdd(w, "<mode name='host-passthrough' supported='no'/>\n");
    }
    xmlWriterAdd(w, "<mode name='maximum' supported='yes'>\n");
    xmlWriterAdjustIndent(w, 2);
    qemuCapsFormatEnum(w, "maximumMigratable", onOff, 2);
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</mode>\n");
    /* host-model is "-cpu host,migratable=on": KVM only, no model listed */
    xmlWriterAdd(w, "<mode name='host-model' supported='%s'/>\n", kvm ? "yes" : "no");
    xmlWriterAdd(w, "<mode name='custom' supported='yes'>\n");
    xmlWriterAdjustIndent(w, 2);
    for (i = 0; i < caps->ncpuModels; i++) {
        const QemuCapsCpuModel *c = &caps->cpuModels[i];

        if (streq(c->name, "host") || streq(c->name, "max") || streq(c->name, "base"))
            continue;
        xmlWriterAdd(w, "<model usable='%s'", (kvm ? c->usableKVM : c->usableTCG) ? "yes" : "no");
        if (c->deprecated)
            xmlWriterAdd(w, " deprecated='yes'");
        xmlWriterEscape(w, ">%s</model>\n", c->name);
    }
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</mode>\n");
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</cpu>\n");
}

static void
qemuCapsFormatDomCapsDevices(XmlWriter *w, const QemuCaps *caps, bool q35)
{
    static const char *const diskDevices[] = {"disk", "cdrom", "floppy"};
    static const char *const diskDevicesQ35[] = {"disk", "cdrom"};
    /* pc has PIIX3's IDE and an ISA floppy controller, q35 has neither */
    static const QemuCapsEnumValue diskBuses[] = {
        {"ide", NULL},          {"fdc", NULL},         {"scsi", NULL}, {"virtio", "virtio-blk-pci"},
        {"usb", "usb-storage"}, {"sata", "ich9-ahci"},
    };
    static const QemuCapsEnumValue diskBusesQ35[] = {
        {"scsi", NULL},
        {"virtio", "virtio-blk-pci"},
        {"usb", "usb-storage"},
        {"sata", NULL},
    };
    static const QemuCapsEnumValue graphics[] = {
        {"vnc", NULL},
        {"spice", "qxl-vga"},
    };
    static const QemuCapsEnumValue videos[] = {
        {"vga", "VGA"},
        {"cirrus", "cirrus-vga"},
        {"vmvga", "vmware-svga"},
        {"qxl", "qxl-vga"},
        {"virtio", "virtio-vga"},
        {"none", NULL},
        {"bochs", "bochs-display"},
        {"ramfb", "ramfb"},
    };
    static const QemuCapsEnumValue rngModels[] = {
        {"virtio", "virtio-rng-pci"},
        {"virtio-transitional", "virtio-rng-pci-transitional"},
        {"virtio-non-transitional", "virtio-rng-pci-non-transitional"},
    };
    static const QemuCapsEnumValue channelTypes[] = {
        {"pty", NULL},
        {"unix", NULL},
        {"spicevmc", "qxl-vga"},
    };
    static const QemuCapsEnumValue rngBackends[] = {
        {"random", "rng-random"},
        {"egd", "rng-egd"},
        {"builtin", "rng-builtin"},
    };

    xmlWriterAdd(w, "<devices>\n");
    xmlWriterAdjustIndent(w, 2);
    xmlWriterAdd(w, "<disk supported='yes'>\n");
    xmlWriterAdjustIndent(w, 2);
    if (q35) {
        qemuCapsFormatEnum(w, "diskDevice", diskDevicesQ35, G_N_ELEMENTS(diskDevicesQ35));
        qemuCapsFormatEnumIf(w, caps, "bus", diskBusesQ35, G_N_ELEMENTS(diskBusesQ35));
    } else {
        qemuCapsFormatEnum(w, "diskDevice", diskDevices, G_N_ELEMENTS(diskDevices));
        qemuCapsFormatEnumIf(w, caps, "bus", diskBuses, G_N_ELEMENTS(diskBuses));
    }
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</disk>\n");
    xmlWriterAdd(w, "<graphics supported='yes'>\n");
    xmlWriterAdjustIndent(w, 2);
    qemuCapsFormatEnumIf(w, caps, "type", graphics, G_N_ELEMENTS(graphics));
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</graphics>\n");
    xmlWriterAdd(w, "<video supported='yes'>\n");
    xmlWriterAdjustIndent(w, 2);
    qemuCapsFormatEnumIf(w, caps, "modelType", videos, G_N_ELEMENTS(videos));
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</video>\n");
    xmlWriterAdd(w, "<hostdev supported='no'/>\n");
    xmlWriterAdd(w, "<rng supported='yes'>\n");
    xmlWriterAdjustIndent(w, 2);
    qemuCapsFormatEnumIf(w, caps, "model", rngModels, G_N_ELEMENTS(rngModels));
    qemuCapsFormatEnumIf(w, caps, "backendModel", rngBackends, G_N_ELEMENTS(rngBackends));
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</rng>\n");
    /* <channel> (virtio-serial ports): the chardev backends it may use */
    if (qemuCapsHasType(caps, "virtio-serial-pci")) {
        xmlWriterAdd(w, "<channel supported='yes'>\n");
        xmlWriterAdjustIndent(w, 2);
        qemuCapsFormatEnumIf(w, caps, "type", channelTypes, G_N_ELEMENTS(channelTypes));
        xmlWriterAdjustIndent(w, -2);
        xmlWriterAdd(w, "</channel>\n");
    } else {
        xmlWriterAdd(w, "<channel supported='no'/>\n");
    }
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</devices>\n");
}

/**
 * qemuCapsFormatDomainCapabilitiesXML:
 * @caps: capabilities of the emulator
 * @machine: machine type or alias, NULL for the default
 * @virtType: DOMAIN_VIRT_QEMU or DOMAIN_VIRT_KVM
 *
 * Formats the <domainCapabilities> document (libvirt's layout) for one
 * emulator, machine type and virtualization type: what the command-line
 * builder can start, filtered by what the binary has.
 *
 * Returns: the XML (caller owns it), or NULL with
 * VIR_ERR_CONFIG_UNSUPPORTED (unknown machine) or VIR_ERR_INVALID_ARG
 * (virtualization type not available).
 */
char *
qemuCapsFormatDomainCapabilitiesXML(const QemuCaps *caps, const char *machine, int virtType)
{
    const QemuCapsMachine *m;
    XmlWriter w;

    if (!machine)
        machine = qemuCapsGetDefaultMachine(caps);
    if (!(m = qemuCapsLookupMachine(caps, machine))) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("the machine '%1$s' is not supported by emulator '%2$s'"),
                    machine ? machine : "", caps->binary);
        return NULL;
    }
    /* libvirt describes any machine; we only those qemu_command.c builds */
    if (!(strPrefix(m->name, "pc-i440fx-") || strPrefix(m->name, "pc-q35-"))) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("machine type '%1$s' is not supported by this QEMU driver"), m->name);
        return NULL;
    }
    if (virtType != DOMAIN_VIRT_QEMU && virtType != DOMAIN_VIRT_KVM) {
        reportError(VIR_ERR_INVALID_ARG, _("Emulator '%1$s' does not support virt type '%2$s'"),
                    caps->binary, domainVirtTypeToString(virtType));
        return NULL;
    }
    if (!qemuCapsSupportsVirtType(caps, virtType)) {
        reportError(VIR_ERR_INVALID_ARG, _("KVM is not supported by '%1$s' on this host"),
                    caps->binary);
        return NULL;
    }

    xmlWriterInit(&w, 0);
    xmlWriterAdd(&w, "<domainCapabilities>\n");
    xmlWriterAdjustIndent(&w, 2);
    xmlWriterEscape(&w, "<path>%s</path>\n", caps->binary);
    xmlWriterEscape(&w, "<domain>%s</domain>\n", domainVirtTypeToString(virtType));
    xmlWriterEscape(&w, "<machine>%s</machine>\n", m->name);
    xmlWriterEscape(&w, "<arch>%s</arch>\n", caps->arch);
    xmlWriterAdd(&w, "<vcpu max='%u'/>\n", m->maxCpus);
    xmlWriterAdd(&w, "<iothreads supported='no'/>\n");
    xmlWriterAdd(&w, "<os supported='yes'>\n");
    xmlWriterAdjustIndent(&w, 2);
    /* no firmware auto-selection (<os firmware='efi'>): an empty enum, as
     * libvirt prints when it finds no firmware descriptors */
    xmlWriterAdd(&w, "<enum name='firmware'/>\n");
    xmlWriterAdd(&w, "<loader supported='yes'>\n");
    xmlWriterAdjustIndent(&w, 2);
    {
        static const char *const types[] = {"rom", "pflash"};
        static const char *const yesNo[] = {"yes", "no"};
        static const char *const no[] = {"no"};

        qemuCapsFormatEnum(&w, "type", types, 2);
        qemuCapsFormatEnum(&w, "readonly", yesNo, 2);
        qemuCapsFormatEnum(&w, "secure", no, 1);
    }
    xmlWriterAdjustIndent(&w, -2);
    xmlWriterAdd(&w, "</loader>\n");
    xmlWriterAdjustIndent(&w, -2);
    xmlWriterAdd(&w, "</os>\n");
    qemuCapsFormatDomCapsCpu(&w, caps, virtType);
    qemuCapsFormatDomCapsDevices(&w, caps, strPrefix(m->name, "pc-q35") || streq(m->name, "q35"));
    xmlWriterAdd(&w, "<features>\n");
    xmlWriterAdd(&w, "  <gic supported='no'/>\n");
    xmlWriterAdd(&w, "  <vmcoreinfo supported='%s'/>\n",
                 qemuCapsHasType(caps, "vmcoreinfo") ? "yes" : "no");
    xmlWriterAdd(&w, "  <genid supported='no'/>\n");
    xmlWriterAdd(&w, "  <sev supported='no'/>\n");
    xmlWriterAdd(&w, "  <sgx supported='no'/>\n");
    xmlWriterAdd(&w, "</features>\n");
    xmlWriterAdjustIndent(&w, -2);
    xmlWriterAdd(&w, "</domainCapabilities>\n");
    return xmlWriterSteal(&w);
}
