/* QEMU driver configuration: where its files live, and qemu.conf settings. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/*
 * A QemuConfig is built once when a driver instance starts and is
 * immutable afterwards, so every thread may read it without a lock.
 *
 * The file layout is decided here and only here (docs/qemu-driver.md):
 *
 *   mode      config dir (XML)     qemu.conf              state dir        log dir
 *   embed     ROOT/etc/qemu        ROOT/etc/qemu.conf     ROOT/run/qemu    ROOT/log/qemu
 *   system    /etc/virtkit/qemu    /etc/virtkit/qemu.conf /run/virtkit/qemu /var/log/virtkit/qemu
 *   session   $XDG_CONFIG_HOME/virtkit/qemu ...           $XDG_RUNTIME_DIR/virtkit/qemu ...
 *
 * "system" takes an optional prefix (virtkitd --root DIR) that is put in
 * front of every path.
 */

typedef enum {
    QEMU_CONFIG_EMBED = 0,
    QEMU_CONFIG_SYSTEM,
    QEMU_CONFIG_SESSION,

    QEMU_CONFIG_LAST
} QemuConfigMode;

/* Defaults (libvirt waits 30 s for a job; QMP commands wait as long). */
#define QEMU_CONFIG_DEFAULT_MONITOR_TIMEOUT_MS 30000
#define QEMU_CONFIG_DEFAULT_JOB_WAIT_TIMEOUT_MS 30000
#define QEMU_CONFIG_DEFAULT_START_TIMEOUT_MS 30000
#define QEMU_CONFIG_DEFAULT_DESTROY_GRACE_MS 500
#define QEMU_CONFIG_DEFAULT_GRACEFUL_TIMEOUT_MS 10000
#define QEMU_CONFIG_DEFAULT_VNC_PORT_MIN 5900
#define QEMU_CONFIG_DEFAULT_VNC_PORT_MAX 65535
#define QEMU_CONFIG_DEFAULT_EMULATOR "/usr/bin/qemu-system-x86_64"

typedef struct {
    QemuConfigMode mode;
    char *uri;              /* "qemu:///embed?root=..." / "qemu:///system" */
    char *root;             /* embed root, or the system prefix, or NULL */

    char *configFile;       /* qemu.conf */
    char *configDir;        /* persistent definitions NAME.xml */
    char *autostartDir;     /* autostart links NAME.xml -> ../NAME.xml */
    char *stateDir;         /* status XML, monitor sockets, pidfiles */
    char *logDir;           /* NAME.log: QEMU's stdout and stderr */
    char *cacheDir;         /* capabilities cache */
    char *saveDir;          /* managed save images NAME.save */

    /* qemu.conf settings */
    int monitorTimeoutMs;   /* monitor_timeout (seconds in the file) */
    int jobWaitTimeoutMs;   /* job_wait_timeout (seconds; 0 = never wait) */
    int startTimeoutMs;     /* start_timeout (seconds) */
    int destroyGraceMs;     /* destroy_grace_ms: SIGTERM -> SIGKILL */
    int vncPortMin;         /* remote_display_port_min */
    int vncPortMax;         /* remote_display_port_max */
    char *emulator;         /* emulator: default binary */
    char *hostUUID;         /* host_uuid: this host's UUID in migration cookies, or NULL */
    char *saveImageFormat;  /* save_image_format: compressor of save images, NULL = raw */
} QemuConfig;

QemuConfig *qemuConfigNew(QemuConfigMode mode, const char *root);
void qemuConfigFree(QemuConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuConfig, qemuConfigFree);

int qemuConfigParseString(QemuConfig *cfg, const char *text, const char *origin);
int qemuConfigLoadFile(QemuConfig *cfg, const char *path);
int qemuConfigMakeDirs(const QemuConfig *cfg);
