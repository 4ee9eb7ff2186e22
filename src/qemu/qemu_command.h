/* Domain definition -> QEMU command line (pure: no I/O, no global state). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"

/*
 * qemuCommandBuild() turns a DomainDef into the argv of
 * qemu-system-x86_64 (see docs/qemu-command-line.md for every choice).
 * Everything that depends on the host or on the moment of the start
 * comes in through QemuCommandRuntime: paths of the monitor socket and
 * pidfile, ports the driver allocated, tap file descriptors it opened,
 * the accelerator, the current time.  The builder itself never opens,
 * allocates or probes anything, so the same inputs always give the same
 * argv (golden tests: tests/data/qemuxml2argv/).
 */

typedef enum {
    QEMU_ACCEL_DEFAULT = 0, /* from the domain type: 'kvm' -> kvm, 'qemu' -> tcg */
    QEMU_ACCEL_KVM,
    QEMU_ACCEL_TCG,
    QEMU_ACCEL_LAST
} QemuAccel;

/* Ports the driver allocated for one <graphics> (0 = take the XML's). */
typedef struct {
    int port;      /* vnc: TCP port (5900 + display); spice: plain port */
    int tlsPort;   /* spice */
    int websocket; /* vnc */
} QemuGraphicsRuntime;

/* File descriptors the driver opened for one <interface>. */
typedef struct {
    const int *tapfds; /* one per queue; none = no tap fd */
    size_t ntapfds;
    const int *vhostfds; /* one per queue, or none (no vhost-net) */
    size_t nvhostfds;
} QemuNetRuntime;

typedef struct {
    const char *monitorPath; /* QMP socket QEMU listens on (required unless monitorFd) */
    int monitorFd;           /* listening socket passed to QEMU, or -1 */
    const char *pidfile;     /* or NULL */
    QemuAccel accel;         /* override of the domain type */
    const char *channelDir;  /* where virtio channels without a path get theirs */
    gint64 now;              /* seconds since the epoch, for <clock offset='variable'> */
    int utcOffset;           /* host seconds east of UTC, for basis='localtime' */
    size_t ngraphics;        /* entries match def->graphics[] */
    const QemuGraphicsRuntime *graphics;
    size_t nnets; /* entries match def->nets[] */
    const QemuNetRuntime *nets;
} QemuCommandRuntime;

/* The result: run argv with env added to a clean environment, passing fds. */
typedef struct {
    char **env;  /* "NAME=value", NULL-terminated */
    char **argv; /* argv[0] is the emulator, NULL-terminated */
    int *fds;    /* descriptors the child must inherit */
    size_t nfds;
} QemuCommand;

void qemuCommandRuntimeInit(QemuCommandRuntime *rt);

QemuCommand *qemuCommandBuild(const DomainDef *def, const QemuCaps *caps,
                              const QemuCommandRuntime *rt);
void qemuCommandFree(QemuCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCommand, qemuCommandFree);
char *qemuCommandFormat(const QemuCommand *cmd);

int qemuCommandApplyDefaults(DomainDef *def, const QemuCaps *caps);
int qemuCommandPrepareDef(DomainDef *def, const QemuCaps *caps);

char *qemuCommandEscapeKeyval(const char *value);
const DomainDiskDef *qemuCommandDiskByNodeName(const DomainDef *def, const char *nodeName);
