/* QEMU binary capabilities: QMP probe, per-binary cache, capabilities XML. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A QemuCaps describes one QEMU binary: its version, machine types,
 * accelerators, CPU models, QOM types (devices, objects) and QMP
 * commands.  It is filled once by qemuCapsProbe() (a short-lived
 * "qemu -machine none" spoken to over QMP on its stdio), or loaded from
 * a JSON document (the on-disk cache, or a test fixture).  After that
 * it is immutable and reference counted, so any thread may read it
 * without a lock.
 */
typedef struct _QemuCaps QemuCaps;

/* Version numbers are major * 1000000 + minor * 1000 + micro. */
#define QEMU_CAPS_VERSION(major, minor, micro) ((major)*1000000UL + (minor)*1000UL + (micro))

/* Oldest QEMU whose command line qemu_command.c knows how to build. */
#define QEMU_CAPS_MIN_VERSION QEMU_CAPS_VERSION(6, 2, 0)

/* Default limit on a whole probe (start, queries, quit). */
#define QEMU_CAPS_PROBE_TIMEOUT_MS 30000

typedef struct {
    char *name;  /* "pc-i440fx-7.2" */
    char *alias; /* "pc", or NULL */
    unsigned int maxCpus;
    bool isDefault; /* QEMU's default machine type */
    bool deprecated;
    bool hotplugCpus;
    char *defaultCpuType; /* QOM type, e.g. "qemu64-x86_64-cpu", or NULL */
    char *defaultRamId;   /* "pc.ram", or NULL */
} QemuCapsMachine;

typedef struct {
    char *name;     /* "qemu64" */
    char *aliasOf;  /* "qemu64-v1", or NULL */
    bool usableKVM; /* no unavailable features with KVM (false without KVM) */
    bool usableTCG; /* no unavailable features with TCG */
    bool isStatic;
    bool migrationSafe;
    bool deprecated;
} QemuCapsCpuModel;

QemuCaps *qemuCapsRef(QemuCaps *caps);
void qemuCapsUnref(QemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCaps, qemuCapsUnref);

QemuCaps *qemuCapsProbe(const char *binary, int timeoutMs);
QemuCaps *qemuCapsParseJSON(const char *text, const char *origin);
QemuCaps *qemuCapsLoadFile(const char *path);
char *qemuCapsFormatJSON(const QemuCaps *caps);

/* Accessors (the returned pointers live as long as @caps). */
const char *qemuCapsGetBinary(const QemuCaps *caps);
const char *qemuCapsGetArch(const QemuCaps *caps);
unsigned long qemuCapsGetVersion(const QemuCaps *caps);
const char *qemuCapsGetPackage(const QemuCaps *caps);
size_t qemuCapsGetMachines(const QemuCaps *caps, const QemuCapsMachine **ret);
const QemuCapsMachine *qemuCapsLookupMachine(const QemuCaps *caps, const char *name);
const char *qemuCapsGetDefaultMachine(const QemuCaps *caps);
const char *qemuCapsGetCanonicalMachine(const QemuCaps *caps, const char *name);
size_t qemuCapsGetCpuModels(const QemuCaps *caps, const QemuCapsCpuModel **ret);
const QemuCapsCpuModel *qemuCapsLookupCpuModel(const QemuCaps *caps, const char *name);
bool qemuCapsHasType(const QemuCaps *caps, const char *type);
bool qemuCapsHasCommand(const QemuCaps *caps, const char *command);
bool qemuCapsHasAccel(const QemuCaps *caps, const char *accel);
bool qemuCapsKVMUsable(const QemuCaps *caps);
bool qemuCapsHostHasHWVirt(const QemuCaps *caps);
bool qemuCapsSupportsVirtType(const QemuCaps *caps, int virtType);

/* Host probes used by the cache and by the capabilities XML. */
bool qemuCapsKVMDeviceUsable(const char *path);
bool qemuCapsHostCPUHasVirt(const char *cpuinfoPath);

/*
 * The cache: one QemuCaps per binary path, in memory and (optionally)
 * as JSON files in a directory, valid while the binary's mtime, ctime and
 * size and the usability of /dev/kvm stay the same.
 */
typedef struct _QemuCapsCache QemuCapsCache;

QemuCapsCache *qemuCapsCacheNew(const char *cacheDir);
void qemuCapsCacheFree(QemuCapsCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCapsCache, qemuCapsCacheFree);
QemuCaps *qemuCapsCacheLookup(QemuCapsCache *cache, const char *binary);
unsigned int qemuCapsCacheGetProbeCount(QemuCapsCache *cache);
void qemuCapsCacheSetKVMDevice(QemuCapsCache *cache, const char *path);

/* ---- capabilities XML ---- */

typedef struct {
    unsigned int id;
    unsigned int socketId;
    unsigned int dieId;
    unsigned int coreId;
    char *siblings; /* "0,4" */
} QemuCapsHostCpu;

/* What <capabilities><host> reports (probed, or a test fixture). */
typedef struct {
    char *uuid;   /* host UUID, or NULL */
    char *arch;   /* "x86_64" */
    char *vendor; /* "Intel", "AMD", or NULL */
    bool hasSignature;
    unsigned int family;
    unsigned int model;
    unsigned int stepping;
    unsigned int sockets; /* topology of one socket: sockets per cell */
    unsigned int dies;
    unsigned int cores;
    unsigned int threads;
    bool hwVirt;      /* vmx or svm */
    char *hwVirtFlag; /* "vmx" or "svm" */
    unsigned long long memoryKiB;
    unsigned int pageSizeKiB;
    unsigned long long pages4k; /* free-standing count of base pages */
    size_t nhugePageSizes;
    unsigned int hugePageSizes[4]; /* KiB */
    size_t ncpus;
    QemuCapsHostCpu *cpus;
} QemuCapsHost;

int qemuCapsHostProbe(QemuCapsHost *ret);
void qemuCapsHostClear(QemuCapsHost *host);

char *qemuCapsFormatCapabilitiesXML(const QemuCapsHost *host, QemuCaps *const *caps, size_t ncaps);
char *qemuCapsFormatDomainCapabilitiesXML(const QemuCaps *caps, const char *machine, int virtType);
