/* libvirt-host.h: connections, host information and authentication. */

/*
 * Part of virtkit's libvirt-compatible public API (libvirt 9.0.0 level).
 * Names, values and prototypes follow libvirt; see include/libvirt/README.md.
 * Included through <libvirt/libvirt.h> only.
 */

#ifndef LIBVIRT_HOST_H
#define LIBVIRT_HOST_H

#ifndef __VIR_LIBVIRT_H_INCLUDES__
# error "include <libvirt/libvirt.h> instead of this file"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handles: a connection to a hypervisor driver, a data stream. */
typedef struct _virConnect virConnect;
typedef virConnect *virConnectPtr;
typedef struct _virStream virStream;
typedef virStream *virStreamPtr;

/* BEGIN GENERATED macros: scripts/gen-public-enums.py */
/* Identity parameters for virConnectSetIdentity() */
#define VIR_CONNECT_IDENTITY_GROUP_NAME              "group-name"
#define VIR_CONNECT_IDENTITY_PROCESS_ID              "process-id"
#define VIR_CONNECT_IDENTITY_PROCESS_TIME            "process-time"
#define VIR_CONNECT_IDENTITY_SASL_USER_NAME          "sasl-user-name"
#define VIR_CONNECT_IDENTITY_SELINUX_CONTEXT         "selinux-context"
#define VIR_CONNECT_IDENTITY_UNIX_GROUP_ID           "unix-group-id"
#define VIR_CONNECT_IDENTITY_UNIX_USER_ID            "unix-user-id"
#define VIR_CONNECT_IDENTITY_USER_NAME               "user-name"
#define VIR_CONNECT_IDENTITY_X509_DISTINGUISHED_NAME "x509-distinguished-name"

/* Host CPU statistics fields */
#define VIR_NODE_CPU_STATS_FIELD_LENGTH 80
#define VIR_NODE_CPU_STATS_IDLE         "idle"
#define VIR_NODE_CPU_STATS_INTR         "intr"
#define VIR_NODE_CPU_STATS_IOWAIT       "iowait"
#define VIR_NODE_CPU_STATS_KERNEL       "kernel"
#define VIR_NODE_CPU_STATS_USER         "user"
#define VIR_NODE_CPU_STATS_UTILIZATION  "utilization"

/* Host memory statistics and tuning fields */
#define VIR_NODE_MEMORY_SHARED_FULL_SCANS         "shm_full_scans"
#define VIR_NODE_MEMORY_SHARED_MERGE_ACROSS_NODES "shm_merge_across_nodes"
#define VIR_NODE_MEMORY_SHARED_PAGES_SHARED       "shm_pages_shared"
#define VIR_NODE_MEMORY_SHARED_PAGES_SHARING      "shm_pages_sharing"
#define VIR_NODE_MEMORY_SHARED_PAGES_TO_SCAN      "shm_pages_to_scan"
#define VIR_NODE_MEMORY_SHARED_PAGES_UNSHARED     "shm_pages_unshared"
#define VIR_NODE_MEMORY_SHARED_PAGES_VOLATILE     "shm_pages_volatile"
#define VIR_NODE_MEMORY_SHARED_SLEEP_MILLISECS    "shm_sleep_millisecs"
#define VIR_NODE_MEMORY_STATS_BUFFERS             "buffers"
#define VIR_NODE_MEMORY_STATS_CACHED              "cached"
#define VIR_NODE_MEMORY_STATS_FIELD_LENGTH        80
#define VIR_NODE_MEMORY_STATS_FREE                "free"
#define VIR_NODE_MEMORY_STATS_TOTAL               "total"

/* Host SEV capability fields */
#define VIR_NODE_SEV_CBITPOS           "cbitpos"
#define VIR_NODE_SEV_CERT_CHAIN        "cert-chain"
#define VIR_NODE_SEV_CPU0_ID           "cpu0-id"
#define VIR_NODE_SEV_MAX_ES_GUESTS     "max-es-guests"
#define VIR_NODE_SEV_MAX_GUESTS        "max-guests"
#define VIR_NODE_SEV_PDH               "pdh"
#define VIR_NODE_SEV_REDUCED_PHYS_BITS "reduced-phys-bits"

/* Security label buffer sizes */
#define VIR_SECURITY_DOI_BUFLEN   (256 + 1)
#define VIR_SECURITY_LABEL_BUFLEN (4096 + 1)
#define VIR_SECURITY_MODEL_BUFLEN (256 + 1)

/* UUID buffer sizes */
#define VIR_UUID_BUFLEN        (16)
#define VIR_UUID_STRING_BUFLEN (36+1)
/* END GENERATED macros */

/* Upper bound of host CPUs described by a virNodeInfo. */
#define VIR_NODEINFO_MAXCPUS(nodeinfo) \
    ((nodeinfo).nodes * (nodeinfo).sockets * \
     (nodeinfo).cores * (nodeinfo).threads)

/* BEGIN GENERATED enums: scripts/gen-public-enums.py */
/* Result of a host/guest CPU comparison */
typedef enum {
    VIR_CPU_COMPARE_ERROR        = -1,
    VIR_CPU_COMPARE_INCOMPATIBLE = 0,
    VIR_CPU_COMPARE_IDENTICAL    = 1,
    VIR_CPU_COMPARE_SUPERSET     = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_CPU_COMPARE_LAST         = 3,
#endif
} virCPUCompareResult;

/* Flags for virConnectBaselineCPU() */
typedef enum {
    VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES = 1 << 0,
    VIR_CONNECT_BASELINE_CPU_MIGRATABLE      = 1 << 1,
} virConnectBaselineCPUFlags;

/* Flags for virConnectCompareCPU() */
typedef enum {
    VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE = 1 << 0,
    VIR_CONNECT_COMPARE_CPU_VALIDATE_XML      = 1 << 1,
} virConnectCompareCPUFlags;

/* Kinds of credential an auth callback may be asked for */
typedef enum {
    VIR_CRED_USERNAME     = 1,
    VIR_CRED_AUTHNAME     = 2,
    VIR_CRED_LANGUAGE     = 3,
    VIR_CRED_CNONCE       = 4,
    VIR_CRED_PASSPHRASE   = 5,
    VIR_CRED_ECHOPROMPT   = 6,
    VIR_CRED_NOECHOPROMPT = 7,
    VIR_CRED_REALM        = 8,
    VIR_CRED_EXTERNAL     = 9,
#ifdef VIR_ENUM_SENTINELS
    VIR_CRED_LAST         = 10,
#endif
} virConnectCredentialType;

/* Flags for virConnectOpenAuth() */
typedef enum {
    VIR_CONNECT_RO         = 1 << 0,
    VIR_CONNECT_NO_ALIASES = 1 << 1,
} virConnectFlags;

/* Flags for virNodeAllocPages() */
typedef enum {
    VIR_NODE_ALLOC_PAGES_ADD = 0,
    VIR_NODE_ALLOC_PAGES_SET = 1 << 0,
} virNodeAllocPagesFlags;

/* Special CPU number: all CPUs together */
typedef enum {
    VIR_NODE_CPU_STATS_ALL_CPUS = -1,
} virNodeGetCPUStatsAllCPUs;

/* Special cell number: all NUMA cells together */
typedef enum {
    VIR_NODE_MEMORY_STATS_ALL_CELLS = -1,
} virNodeGetMemoryStatsAllCells;

/* Host power-management suspend targets */
typedef enum {
    VIR_NODE_SUSPEND_TARGET_MEM    = 0,
    VIR_NODE_SUSPEND_TARGET_DISK   = 1,
    VIR_NODE_SUSPEND_TARGET_HYBRID = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_NODE_SUSPEND_TARGET_LAST   = 3,
#endif
} virNodeSuspendTarget;
/* END GENERATED enums */

/* Security label of a running domain (virDomainGetSecurityLabel). */
typedef struct _virSecurityLabel virSecurityLabel;
typedef virSecurityLabel *virSecurityLabelPtr;

struct _virSecurityLabel {
    char label[VIR_SECURITY_LABEL_BUFLEN];  /* NUL-terminated */
    int enforcing;                          /* 1 enforcing, 0 permissive */
};

/* The host's security driver (virNodeGetSecurityModel). */
typedef struct _virSecurityModel virSecurityModel;
typedef virSecurityModel *virSecurityModelPtr;

struct _virSecurityModel {
    char model[VIR_SECURITY_MODEL_BUFLEN];  /* e.g. "selinux", "none" */
    char doi[VIR_SECURITY_DOI_BUFLEN];      /* domain of interpretation */
};

/* Basic host facts (virNodeGetInfo). */
typedef struct _virNodeInfo virNodeInfo;
typedef virNodeInfo *virNodeInfoPtr;

struct _virNodeInfo {
    char model[32];         /* CPU model name */
    unsigned long memory;   /* KiB */
    unsigned int cpus;      /* active CPUs */
    unsigned int mhz;       /* CPU frequency */
    unsigned int nodes;     /* NUMA cells (1 when unknown) */
    unsigned int sockets;   /* per NUMA cell */
    unsigned int cores;     /* per socket */
    unsigned int threads;   /* per core */
};

/* One host CPU statistic (virNodeGetCPUStats). */
typedef struct _virNodeCPUStats virNodeCPUStats;
typedef virNodeCPUStats *virNodeCPUStatsPtr;

struct _virNodeCPUStats {
    char field[VIR_NODE_CPU_STATS_FIELD_LENGTH];
    unsigned long long value;
};

/* One host memory statistic (virNodeGetMemoryStats). */
typedef struct _virNodeMemoryStats virNodeMemoryStats;
typedef virNodeMemoryStats *virNodeMemoryStatsPtr;

struct _virNodeMemoryStats {
    char field[VIR_NODE_MEMORY_STATS_FIELD_LENGTH];
    unsigned long long value;
};

/* One credential requested by a driver during authentication. */
typedef struct _virConnectCredential virConnectCredential;
typedef virConnectCredential *virConnectCredentialPtr;

struct _virConnectCredential {
    int type;               /* virConnectCredentialType */
    const char *prompt;     /* text to show the user */
    const char *challenge;  /* extra challenge data, may be NULL */
    const char *defresult;  /* suggested answer, may be NULL */
    char *result;           /* answer, allocated by the callback */
    unsigned int resultlen; /* length of result */
};

/* BEGIN GENERATED callbacks: scripts/gen-public-enums.py */
/* Asks the application for credentials */
typedef int (*virConnectAuthCallbackPtr)(virConnectCredentialPtr cred,
                                         unsigned int ncred,
                                         void *cbdata);

/* Told when a connection closes unexpectedly */
typedef void (*virConnectCloseFunc)(virConnectPtr conn,
                                    int reason,
                                    void *opaque);
/* END GENERATED callbacks */

/* What virConnectOpenAuth() may ask for, and how. */
typedef struct _virConnectAuth virConnectAuth;
typedef virConnectAuth *virConnectAuthPtr;

struct _virConnectAuth {
    int *credtype;                  /* virConnectCredentialType list */
    unsigned int ncredtype;
    virConnectAuthCallbackPtr cb;   /* called with the requested credentials */
    void *cbdata;                   /* passed to cb */
};

/* Ready-made authentication that prompts on the terminal. */
VIR_EXPORT_VAR virConnectAuthPtr virConnectAuthPtrDefault;

/* Library */
int virGetVersion(unsigned long *libVer,
                  const char *type,
                  unsigned long *typeVer);
int virInitialize(void);

/* Opening and closing connections */
virConnectPtr virConnectOpen(const char *name);
virConnectPtr virConnectOpenReadOnly(const char *name);
virConnectPtr virConnectOpenAuth(const char *name,
                                 virConnectAuthPtr auth,
                                 unsigned int flags);
int virConnectRef(virConnectPtr conn);
int virConnectClose(virConnectPtr conn);

/* Close notification */
int virConnectRegisterCloseCallback(virConnectPtr conn,
                                    virConnectCloseFunc cb,
                                    void *opaque,
                                    virFreeCallback freecb);
int virConnectUnregisterCloseCallback(virConnectPtr conn,
                                      virConnectCloseFunc cb);

/* Connection properties */
const char *virConnectGetType(virConnectPtr conn);
int virConnectGetVersion(virConnectPtr conn,
                         unsigned long *hvVer);
int virConnectGetLibVersion(virConnectPtr conn,
                            unsigned long *libVer);
char *virConnectGetHostname(virConnectPtr conn);
char *virConnectGetURI(virConnectPtr conn);
char *virConnectGetCapabilities(virConnectPtr conn);
int virConnectGetMaxVcpus(virConnectPtr conn,
                          const char *type);
int virConnectIsAlive(virConnectPtr conn);
int virConnectIsSecure(virConnectPtr conn);
int virConnectIsEncrypted(virConnectPtr conn);
int virConnectSetKeepAlive(virConnectPtr conn,
                           int interval,
                           unsigned int count);

/* Host information */
int virNodeGetInfo(virConnectPtr conn,
                   virNodeInfoPtr info);
int virNodeGetCPUMap(virConnectPtr conn,
                     unsigned char **cpumap,
                     unsigned int *online,
                     unsigned int flags);
int virNodeGetSecurityModel(virConnectPtr conn,
                            virSecurityModelPtr secmodel);
unsigned long long virNodeGetFreeMemory(virConnectPtr conn);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_HOST_H */
