/* The domain XML model: DomainDef and its parts; parse, validate, format. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>
#include <libvirt/libvirt.h>

#include "util/bitmap.h"
#include "util/enum.h"
#include "util/mac.h"

/*
 * Conventions.  Every enum below ends with _LAST and has a string table
 * with libvirt's spelling (xxxTypeToString / xxxTypeFromString).  Value 0
 * of "optional" enums means "not given" and is never formatted.  Strings
 * are owned by the struct that holds them; arrays are `size_t nfoos;
 * Foo **foos;` pairs freed by the owner.  Limits on counts and sizes are
 * the DOMAIN_MAX_* constants.
 */

/* Limits on untrusted input (documents are capped at 10 MiB by util/xml). */
#define DOMAIN_MAX_VCPUS 16384          /* largest <vcpu> count accepted */
#define DOMAIN_MAX_CPUSET_BITS 16384    /* host CPU numbers 0..16383, as libvirt */
#define DOMAIN_MAX_DEVICES 4096         /* per device kind */
#define DOMAIN_MAX_NAME_LEN 1024        /* characters in <name> */
#define DOMAIN_MAX_NUMA_CELLS 1024     /* guest NUMA cells */
#define DOMAIN_MAX_BOOT_DEVS 4          /* <os><boot dev=...>, extra ones ignored */
#define DOMAIN_MEMORY_MAX_KIB (G_MAXINT64 / 1024)   /* libvirt's memory ceiling */

typedef enum {
    DOMAIN_VIRT_NONE = 0,
    DOMAIN_VIRT_QEMU,
    DOMAIN_VIRT_KQEMU,
    DOMAIN_VIRT_KVM,
    DOMAIN_VIRT_XEN,
    DOMAIN_VIRT_LXC,
    DOMAIN_VIRT_UML,
    DOMAIN_VIRT_OPENVZ,
    DOMAIN_VIRT_TEST,
    DOMAIN_VIRT_VMWARE,
    DOMAIN_VIRT_HYPERV,
    DOMAIN_VIRT_VBOX,
    DOMAIN_VIRT_PHYP,
    DOMAIN_VIRT_PARALLELS,
    DOMAIN_VIRT_BHYVE,
    DOMAIN_VIRT_VZ,
    DOMAIN_VIRT_HVF,
    DOMAIN_VIRT_LAST
} DomainVirtType;
const char *domainVirtTypeToString(int type);
int domainVirtTypeFromString(const char *s);
bool domainArchIsKnown(const char *arch);

typedef enum {
    DOMAIN_OSTYPE_HVM = 0,
    DOMAIN_OSTYPE_XEN,
    DOMAIN_OSTYPE_LINUX,
    DOMAIN_OSTYPE_EXE,
    DOMAIN_OSTYPE_UML,
    DOMAIN_OSTYPE_XENPVH,
    DOMAIN_OSTYPE_LAST
} DomainOsType;
ENUM_DECL(domainOs);

/* Tri-state values: 0 = not given. */
typedef enum {
    DOMAIN_TRISTATE_BOOL_ABSENT = 0,
    DOMAIN_TRISTATE_BOOL_YES,
    DOMAIN_TRISTATE_BOOL_NO,
    DOMAIN_TRISTATE_BOOL_LAST
} DomainTristateBool;
ENUM_DECL(domainTristateBool);

typedef enum {
    DOMAIN_TRISTATE_SWITCH_ABSENT = 0,
    DOMAIN_TRISTATE_SWITCH_ON,
    DOMAIN_TRISTATE_SWITCH_OFF,
    DOMAIN_TRISTATE_SWITCH_LAST
} DomainTristateSwitch;
ENUM_DECL(domainTristateSwitch);

typedef enum {
    DOMAIN_LIFECYCLE_DESTROY = 0,
    DOMAIN_LIFECYCLE_RESTART,
    DOMAIN_LIFECYCLE_RESTART_RENAME,
    DOMAIN_LIFECYCLE_PRESERVE,
    DOMAIN_LIFECYCLE_COREDUMP_DESTROY,  /* on_crash only */
    DOMAIN_LIFECYCLE_COREDUMP_RESTART,  /* on_crash only */
    DOMAIN_LIFECYCLE_LAST
} DomainLifecycleAction;
ENUM_DECL(domainLifecycleAction);

typedef enum {
    DOMAIN_CPU_PLACEMENT_STATIC = 0,
    DOMAIN_CPU_PLACEMENT_AUTO,
    DOMAIN_CPU_PLACEMENT_LAST
} DomainCpuPlacement;
ENUM_DECL(domainCpuPlacement);

typedef enum {
    DOMAIN_BOOT_FLOPPY = 0,
    DOMAIN_BOOT_CDROM,
    DOMAIN_BOOT_DISK,
    DOMAIN_BOOT_NET,
    DOMAIN_BOOT_LAST
} DomainBootDev;
ENUM_DECL(domainBootDev);

typedef enum {
    DOMAIN_LOADER_TYPE_NONE = 0,
    DOMAIN_LOADER_TYPE_ROM,
    DOMAIN_LOADER_TYPE_PFLASH,
    DOMAIN_LOADER_TYPE_LAST
} DomainLoaderType;
ENUM_DECL(domainLoader);

typedef enum {
    DOMAIN_OS_FIRMWARE_NONE = 0,
    DOMAIN_OS_FIRMWARE_BIOS,
    DOMAIN_OS_FIRMWARE_EFI,
    DOMAIN_OS_FIRMWARE_LAST
} DomainOsFirmware;
ENUM_DECL(domainOsFirmware);

typedef enum {
    DOMAIN_SMBIOS_NONE = 0,
    DOMAIN_SMBIOS_EMULATE,
    DOMAIN_SMBIOS_HOST,
    DOMAIN_SMBIOS_SYSINFO,
    DOMAIN_SMBIOS_LAST
} DomainSmbiosMode;
ENUM_DECL(domainSmbiosMode);

typedef struct {
    char *type;                 /* "hvm", "xen", "linux", "exe", "uml", "xenpvh" */
    char *arch;                 /* libvirt's architecture name, or NULL */
    char *machine;              /* or NULL */
    int firmware;               /* DomainOsFirmware, <os firmware=...> */
    size_t nBootDevs;
    int bootDevs[DOMAIN_MAX_BOOT_DEVS];  /* DomainBootDev */
    int bootmenu;               /* DomainTristateBool */
    unsigned int bootmenuTimeout;   /* ms; only with bootmenu yes */
    bool bootmenuTimeoutSet;
    int biosUseserial;          /* DomainTristateBool */
    int biosRebootTimeout;      /* valid when biosRebootTimeoutSet */
    bool biosRebootTimeoutSet;
    int smbiosMode;             /* DomainSmbiosMode */
    char *init;                 /* exe containers */
    char *kernel;
    char *initrd;
    char *cmdline;
    char *dtb;
    char *loader;               /* path */
    int loaderType;             /* DomainLoaderType */
    int loaderReadonly;         /* DomainTristateBool */
    int loaderSecure;           /* DomainTristateBool */
    char *nvram;                /* path */
    char *nvramTemplate;
} DomainOsDef;

/* <features>, in libvirt's order (the order they are formatted in). */
typedef enum {
    DOMAIN_FEATURE_ACPI = 0,
    DOMAIN_FEATURE_APIC,
    DOMAIN_FEATURE_PAE,
    DOMAIN_FEATURE_HAP,
    DOMAIN_FEATURE_VIRIDIAN,
    DOMAIN_FEATURE_PRIVNET,
    DOMAIN_FEATURE_HYPERV,
    DOMAIN_FEATURE_KVM,
    DOMAIN_FEATURE_PVSPINLOCK,
    DOMAIN_FEATURE_CAPABILITIES,
    DOMAIN_FEATURE_PMU,
    DOMAIN_FEATURE_VMPORT,
    DOMAIN_FEATURE_GIC,
    DOMAIN_FEATURE_SMM,
    DOMAIN_FEATURE_IOAPIC,
    DOMAIN_FEATURE_HPT,
    DOMAIN_FEATURE_VMCOREINFO,
    DOMAIN_FEATURE_HTM,
    DOMAIN_FEATURE_NESTED_HV,
    DOMAIN_FEATURE_MSRS,
    DOMAIN_FEATURE_CCF_ASSIST,
    DOMAIN_FEATURE_XEN,
    DOMAIN_FEATURE_CFPC,
    DOMAIN_FEATURE_SBBC,
    DOMAIN_FEATURE_IBS,
    DOMAIN_FEATURE_TCG,
    DOMAIN_FEATURE_LAST
} DomainFeature;
ENUM_DECL(domainFeature);

typedef enum {
    DOMAIN_HYPERV_RELAXED = 0,
    DOMAIN_HYPERV_VAPIC,
    DOMAIN_HYPERV_SPINLOCKS,
    DOMAIN_HYPERV_VPINDEX,
    DOMAIN_HYPERV_RUNTIME,
    DOMAIN_HYPERV_SYNIC,
    DOMAIN_HYPERV_STIMER,
    DOMAIN_HYPERV_RESET,
    DOMAIN_HYPERV_VENDOR_ID,
    DOMAIN_HYPERV_FREQUENCIES,
    DOMAIN_HYPERV_REENLIGHTENMENT,
    DOMAIN_HYPERV_TLBFLUSH,
    DOMAIN_HYPERV_IPI,
    DOMAIN_HYPERV_EVMCS,
    DOMAIN_HYPERV_AVIC,
    DOMAIN_HYPERV_LAST
} DomainHypervFeature;
ENUM_DECL(domainHypervFeature);

typedef enum {
    DOMAIN_HYPERV_MODE_NONE = 0,
    DOMAIN_HYPERV_MODE_CUSTOM,
    DOMAIN_HYPERV_MODE_PASSTHROUGH,
    DOMAIN_HYPERV_MODE_LAST
} DomainHypervMode;
ENUM_DECL(domainHypervMode);

typedef enum {
    DOMAIN_KVM_HIDDEN = 0,
    DOMAIN_KVM_DEDICATED,
    DOMAIN_KVM_POLLCONTROL,
    DOMAIN_KVM_PVIPI,
    DOMAIN_KVM_LAST
} DomainKvmFeature;
ENUM_DECL(domainKvmFeature);

typedef enum {
    DOMAIN_GIC_VERSION_NONE = 0,
    DOMAIN_GIC_VERSION_HOST,
    DOMAIN_GIC_VERSION_2,
    DOMAIN_GIC_VERSION_3,
    DOMAIN_GIC_VERSION_LAST
} DomainGicVersion;
ENUM_DECL(domainGicVersion);

typedef enum {
    DOMAIN_IOAPIC_NONE = 0,
    DOMAIN_IOAPIC_QEMU,
    DOMAIN_IOAPIC_KVM,
    DOMAIN_IOAPIC_LAST
} DomainIoapic;
ENUM_DECL(domainIoapic);

typedef struct {
    /* DomainTristateSwitch per feature; ABSENT = not in the XML.  Features
     * without a state attribute (acpi, pae...) are ON when present. */
    int state[DOMAIN_FEATURE_LAST];
    int apicEoi;                            /* DomainTristateSwitch */
    int gicVersion;                         /* DomainGicVersion */
    int ioapicDriver;                       /* DomainIoapic */
    int hypervMode;                         /* DomainHypervMode */
    int hyperv[DOMAIN_HYPERV_LAST];         /* DomainTristateSwitch */
    unsigned int hypervSpinlocks;           /* retries, with spinlocks on */
    char *hypervVendorId;                   /* with vendor_id on */
    int kvm[DOMAIN_KVM_LAST];               /* DomainTristateSwitch */
    /* <msrs unknown='ignore'/> has a single valid value: state ON says it */
} DomainFeaturesDef;

typedef enum {
    DOMAIN_CPU_MODE_CUSTOM = 0,
    DOMAIN_CPU_MODE_HOST_MODEL,
    DOMAIN_CPU_MODE_HOST_PASSTHROUGH,
    DOMAIN_CPU_MODE_MAXIMUM,
    DOMAIN_CPU_MODE_LAST
} DomainCpuMode;
ENUM_DECL(domainCpuMode);

typedef enum {
    DOMAIN_CPU_MATCH_DEFAULT = 0,   /* not given */
    DOMAIN_CPU_MATCH_MINIMUM,
    DOMAIN_CPU_MATCH_EXACT,
    DOMAIN_CPU_MATCH_STRICT,
    DOMAIN_CPU_MATCH_LAST
} DomainCpuMatch;
ENUM_DECL(domainCpuMatch);

typedef enum {
    DOMAIN_CPU_CHECK_DEFAULT = 0,
    DOMAIN_CPU_CHECK_NONE,
    DOMAIN_CPU_CHECK_PARTIAL,
    DOMAIN_CPU_CHECK_FULL,
    DOMAIN_CPU_CHECK_LAST
} DomainCpuCheck;
ENUM_DECL(domainCpuCheck);

typedef enum {
    DOMAIN_CPU_FALLBACK_ALLOW = 0,
    DOMAIN_CPU_FALLBACK_FORBID,
    DOMAIN_CPU_FALLBACK_LAST
} DomainCpuFallback;
ENUM_DECL(domainCpuFallback);

typedef enum {
    DOMAIN_CPU_FEATURE_FORCE = 0,
    DOMAIN_CPU_FEATURE_REQUIRE,
    DOMAIN_CPU_FEATURE_OPTIONAL,
    DOMAIN_CPU_FEATURE_DISABLE,
    DOMAIN_CPU_FEATURE_FORBID,
    DOMAIN_CPU_FEATURE_LAST
} DomainCpuFeaturePolicy;
ENUM_DECL(domainCpuFeaturePolicy);

typedef enum {
    DOMAIN_CPU_CACHE_MODE_EMULATE = 0,
    DOMAIN_CPU_CACHE_MODE_PASSTHROUGH,
    DOMAIN_CPU_CACHE_MODE_DISABLE,
    DOMAIN_CPU_CACHE_MODE_LAST
} DomainCpuCacheMode;
ENUM_DECL(domainCpuCacheMode);

typedef struct {
    char *name;
    int policy;                 /* DomainCpuFeaturePolicy */
} DomainCpuFeatureDef;

typedef enum {
    DOMAIN_NUMA_MEM_ACCESS_DEFAULT = 0,
    DOMAIN_NUMA_MEM_ACCESS_SHARED,
    DOMAIN_NUMA_MEM_ACCESS_PRIVATE,
    DOMAIN_NUMA_MEM_ACCESS_LAST
} DomainNumaMemAccess;
ENUM_DECL(domainNumaMemAccess);

/* A guest NUMA cell, <cpu><numa><cell .../>. */
typedef struct {
    Bitmap *cpus;               /* or NULL */
    unsigned long long mem;     /* KiB */
    int memAccess;              /* DomainNumaMemAccess */
    int discard;                /* DomainTristateBool */
} DomainNumaCellDef;

typedef struct {
    int mode;                   /* DomainCpuMode */
    int match;                  /* DomainCpuMatch */
    int check;                  /* DomainCpuCheck */
    int migratable;             /* DomainTristateSwitch */
    char *model;
    int fallback;               /* DomainCpuFallback */
    char *vendorId;             /* <model vendor_id=...> */
    char *vendor;
    unsigned int sockets;       /* 0 = no <topology> */
    unsigned int dies;
    unsigned int cores;
    unsigned int threads;
    bool hasCache;
    int cacheLevel;             /* -1 = not given */
    int cacheMode;              /* DomainCpuCacheMode */
    size_t nfeatures;
    DomainCpuFeatureDef *features;
    size_t ncells;              /* guest NUMA cells, ids 0..ncells-1 */
    DomainNumaCellDef *cells;
} DomainCpuDef;

typedef enum {
    DOMAIN_NUMATUNE_MEM_STRICT = 0,
    DOMAIN_NUMATUNE_MEM_PREFERRED,
    DOMAIN_NUMATUNE_MEM_INTERLEAVE,
    DOMAIN_NUMATUNE_MEM_RESTRICTIVE,
    DOMAIN_NUMATUNE_MEM_LAST
} DomainNumatuneMemMode;
ENUM_DECL(domainNumatuneMemMode);

typedef enum {
    DOMAIN_NUMATUNE_PLACEMENT_DEFAULT = 0,
    DOMAIN_NUMATUNE_PLACEMENT_STATIC,
    DOMAIN_NUMATUNE_PLACEMENT_AUTO,
    DOMAIN_NUMATUNE_PLACEMENT_LAST
} DomainNumatunePlacement;
ENUM_DECL(domainNumatunePlacement);

typedef struct {
    unsigned int cellid;
    int mode;                   /* DomainNumatuneMemMode */
    Bitmap *nodeset;
} DomainNumatuneMemNode;

/* <numatune>: host NUMA placement of guest memory. */
typedef struct {
    bool hasMemory;             /* a <memory> element (given or implied) */
    int memoryMode;             /* DomainNumatuneMemMode */
    int memoryPlacement;        /* DomainNumatunePlacement */
    Bitmap *memoryNodeset;      /* with placement static */
    size_t nmemnodes;
    DomainNumatuneMemNode *memnodes;
} DomainNumatuneDef;

typedef enum {
    DOMAIN_CLOCK_OFFSET_UTC = 0,
    DOMAIN_CLOCK_OFFSET_LOCALTIME,
    DOMAIN_CLOCK_OFFSET_VARIABLE,
    DOMAIN_CLOCK_OFFSET_TIMEZONE,
    DOMAIN_CLOCK_OFFSET_ABSOLUTE,
    DOMAIN_CLOCK_OFFSET_LAST
} DomainClockOffset;
ENUM_DECL(domainClockOffset);

typedef enum {
    DOMAIN_CLOCK_BASIS_UTC = 0,
    DOMAIN_CLOCK_BASIS_LOCALTIME,
    DOMAIN_CLOCK_BASIS_LAST
} DomainClockBasis;
ENUM_DECL(domainClockBasis);

typedef enum {
    DOMAIN_TIMER_PLATFORM = 0,
    DOMAIN_TIMER_PIT,
    DOMAIN_TIMER_RTC,
    DOMAIN_TIMER_HPET,
    DOMAIN_TIMER_TSC,
    DOMAIN_TIMER_KVMCLOCK,
    DOMAIN_TIMER_HYPERVCLOCK,
    DOMAIN_TIMER_ARMVTIMER,
    DOMAIN_TIMER_LAST
} DomainTimerName;
ENUM_DECL(domainTimerName);

typedef enum {
    DOMAIN_TIMER_TICKPOLICY_NONE = 0,
    DOMAIN_TIMER_TICKPOLICY_DELAY,
    DOMAIN_TIMER_TICKPOLICY_CATCHUP,
    DOMAIN_TIMER_TICKPOLICY_MERGE,
    DOMAIN_TIMER_TICKPOLICY_DISCARD,
    DOMAIN_TIMER_TICKPOLICY_LAST
} DomainTimerTickpolicy;
ENUM_DECL(domainTimerTickpolicy);

typedef enum {
    DOMAIN_TIMER_TRACK_NONE = 0,
    DOMAIN_TIMER_TRACK_BOOT,
    DOMAIN_TIMER_TRACK_GUEST,
    DOMAIN_TIMER_TRACK_WALL,
    DOMAIN_TIMER_TRACK_REALTIME,
    DOMAIN_TIMER_TRACK_LAST
} DomainTimerTrack;
ENUM_DECL(domainTimerTrack);

typedef enum {
    DOMAIN_TIMER_MODE_NONE = 0,
    DOMAIN_TIMER_MODE_AUTO,
    DOMAIN_TIMER_MODE_NATIVE,
    DOMAIN_TIMER_MODE_EMULATE,
    DOMAIN_TIMER_MODE_PARAVIRT,
    DOMAIN_TIMER_MODE_SMPSAFE,
    DOMAIN_TIMER_MODE_LAST
} DomainTimerMode;
ENUM_DECL(domainTimerMode);

typedef struct {
    int name;                   /* DomainTimerName */
    int present;                /* DomainTristateBool */
    int tickpolicy;             /* DomainTimerTickpolicy */
    int track;                  /* DomainTimerTrack */
    unsigned long long frequency;   /* tsc, 0 = not given */
    int mode;                   /* DomainTimerMode */
    bool hasCatchup;
    unsigned long catchupThreshold;
    unsigned long catchupSlew;
    unsigned long catchupLimit;
} DomainTimerDef;

typedef struct {
    int offset;                 /* DomainClockOffset */
    bool adjustmentReset;       /* utc/localtime: adjustment='reset' */
    long long adjustment;       /* variable */
    int basis;                  /* DomainClockBasis, variable */
    char *timezone;             /* timezone */
    unsigned long long start;   /* absolute */
    size_t ntimers;
    DomainTimerDef **timers;
} DomainClockDef;

/* ---- devices: addresses and common information ---- */

typedef enum {
    DOMAIN_ADDRESS_NONE = 0,
    DOMAIN_ADDRESS_PCI,
    DOMAIN_ADDRESS_DRIVE,
    DOMAIN_ADDRESS_VIRTIO_SERIAL,
    DOMAIN_ADDRESS_CCID,
    DOMAIN_ADDRESS_USB,
    DOMAIN_ADDRESS_SPAPRVIO,
    DOMAIN_ADDRESS_VIRTIO_S390,
    DOMAIN_ADDRESS_CCW,
    DOMAIN_ADDRESS_VIRTIO_MMIO,
    DOMAIN_ADDRESS_ISA,
    DOMAIN_ADDRESS_DIMM,
    DOMAIN_ADDRESS_UNASSIGNED,
    DOMAIN_ADDRESS_LAST
} DomainAddressType;
ENUM_DECL(domainAddress);

typedef struct {
    int type;                   /* DomainAddressType */
    union {
        struct {
            unsigned int domain;
            unsigned int bus;
            unsigned int slot;
            unsigned int function;
            int multifunction;  /* DomainTristateSwitch */
        } pci;
        struct {
            unsigned int controller;
            unsigned int bus;
            unsigned int target;
            unsigned int unit;
        } drive;
        struct {
            unsigned int controller;
            unsigned int bus;
            unsigned int port;
        } vioserial;
        struct {
            unsigned int controller;
            unsigned int slot;
        } ccid;
        struct {
            unsigned int bus;
            char port[32];      /* "1" or "1.2.3" */
        } usb;
        struct {
            unsigned int iobase;
            unsigned int irq;
        } isa;
    } u;
} DomainDeviceAddress;

typedef struct {
    unsigned int bootIndex;     /* <boot order=N>, 0 = none */
    char *alias;                /* live only, or user alias "ua-..." */
    DomainDeviceAddress addr;
} DomainDeviceInfo;

/* ---- disks ---- */

typedef enum {
    DOMAIN_DISK_TYPE_FILE = 0,
    DOMAIN_DISK_TYPE_BLOCK,
    DOMAIN_DISK_TYPE_DIR,
    DOMAIN_DISK_TYPE_NETWORK,
    DOMAIN_DISK_TYPE_VOLUME,
    DOMAIN_DISK_TYPE_LAST
} DomainDiskType;
ENUM_DECL(domainDisk);

typedef enum {
    DOMAIN_DISK_DEVICE_FLOPPY = 0,
    DOMAIN_DISK_DEVICE_DISK,
    DOMAIN_DISK_DEVICE_CDROM,
    DOMAIN_DISK_DEVICE_LUN,
    DOMAIN_DISK_DEVICE_LAST
} DomainDiskDevice;
ENUM_DECL(domainDiskDevice);

typedef enum {
    DOMAIN_DISK_BUS_NONE = 0,
    DOMAIN_DISK_BUS_IDE,
    DOMAIN_DISK_BUS_FDC,
    DOMAIN_DISK_BUS_SCSI,
    DOMAIN_DISK_BUS_VIRTIO,
    DOMAIN_DISK_BUS_XEN,
    DOMAIN_DISK_BUS_USB,
    DOMAIN_DISK_BUS_UML,
    DOMAIN_DISK_BUS_SATA,
    DOMAIN_DISK_BUS_SD,
    DOMAIN_DISK_BUS_LAST
} DomainDiskBus;
ENUM_DECL(domainDiskBus);

typedef enum {
    DOMAIN_DISK_CACHE_DEFAULT = 0,
    DOMAIN_DISK_CACHE_NONE,
    DOMAIN_DISK_CACHE_WRITETHRU,
    DOMAIN_DISK_CACHE_WRITEBACK,
    DOMAIN_DISK_CACHE_DIRECTSYNC,
    DOMAIN_DISK_CACHE_UNSAFE,
    DOMAIN_DISK_CACHE_LAST
} DomainDiskCache;
ENUM_DECL(domainDiskCache);

typedef enum {
    DOMAIN_DISK_ERROR_POLICY_DEFAULT = 0,
    DOMAIN_DISK_ERROR_POLICY_STOP,
    DOMAIN_DISK_ERROR_POLICY_REPORT,
    DOMAIN_DISK_ERROR_POLICY_IGNORE,
    DOMAIN_DISK_ERROR_POLICY_ENOSPACE,
    DOMAIN_DISK_ERROR_POLICY_LAST
} DomainDiskErrorPolicy;
ENUM_DECL(domainDiskErrorPolicy);

typedef enum {
    DOMAIN_DISK_IO_DEFAULT = 0,
    DOMAIN_DISK_IO_NATIVE,
    DOMAIN_DISK_IO_THREADS,
    DOMAIN_DISK_IO_URING,
    DOMAIN_DISK_IO_LAST
} DomainDiskIo;
ENUM_DECL(domainDiskIo);

typedef enum {
    DOMAIN_DISK_DISCARD_DEFAULT = 0,
    DOMAIN_DISK_DISCARD_UNMAP,
    DOMAIN_DISK_DISCARD_IGNORE,
    DOMAIN_DISK_DISCARD_LAST
} DomainDiskDiscard;
ENUM_DECL(domainDiskDiscard);

typedef enum {
    DOMAIN_DISK_DETECT_ZEROES_DEFAULT = 0,
    DOMAIN_DISK_DETECT_ZEROES_OFF,
    DOMAIN_DISK_DETECT_ZEROES_ON,
    DOMAIN_DISK_DETECT_ZEROES_UNMAP,
    DOMAIN_DISK_DETECT_ZEROES_LAST
} DomainDiskDetectZeroes;
ENUM_DECL(domainDiskDetectZeroes);

typedef enum {
    DOMAIN_DISK_TRAY_CLOSED = 0,
    DOMAIN_DISK_TRAY_OPEN,
    DOMAIN_DISK_TRAY_LAST
} DomainDiskTray;
ENUM_DECL(domainDiskTray);

typedef enum {
    DOMAIN_STARTUP_POLICY_DEFAULT = 0,
    DOMAIN_STARTUP_POLICY_MANDATORY,
    DOMAIN_STARTUP_POLICY_REQUISITE,
    DOMAIN_STARTUP_POLICY_OPTIONAL,
    DOMAIN_STARTUP_POLICY_LAST
} DomainStartupPolicy;
ENUM_DECL(domainStartupPolicy);

typedef enum {
    DOMAIN_DISK_PROTOCOL_NONE = 0,
    DOMAIN_DISK_PROTOCOL_NBD,
    DOMAIN_DISK_PROTOCOL_RBD,
    DOMAIN_DISK_PROTOCOL_SHEEPDOG,
    DOMAIN_DISK_PROTOCOL_GLUSTER,
    DOMAIN_DISK_PROTOCOL_ISCSI,
    DOMAIN_DISK_PROTOCOL_HTTP,
    DOMAIN_DISK_PROTOCOL_HTTPS,
    DOMAIN_DISK_PROTOCOL_FTP,
    DOMAIN_DISK_PROTOCOL_FTPS,
    DOMAIN_DISK_PROTOCOL_TFTP,
    DOMAIN_DISK_PROTOCOL_SSH,
    DOMAIN_DISK_PROTOCOL_VXHS,
    DOMAIN_DISK_PROTOCOL_NFS,
    DOMAIN_DISK_PROTOCOL_LAST
} DomainDiskProtocol;
ENUM_DECL(domainDiskProtocol);

typedef enum {
    DOMAIN_DISK_TRANSPORT_TCP = 0,
    DOMAIN_DISK_TRANSPORT_UNIX,
    DOMAIN_DISK_TRANSPORT_RDMA,
    DOMAIN_DISK_TRANSPORT_LAST
} DomainDiskTransport;
ENUM_DECL(domainDiskTransport);

typedef struct {
    char *name;
    char *port;
    int transport;              /* DomainDiskTransport */
    bool transportSet;
    char *socket;
} DomainDiskHost;

typedef struct {
    int type;                   /* DomainDiskType */
    int device;                 /* DomainDiskDevice */
    char *src;                  /* file/dev/dir path, network name; NULL = empty */
    bool hasSource;             /* a <source> element was present */
    int protocol;               /* DomainDiskProtocol, network */
    size_t nhosts;
    DomainDiskHost *hosts;
    char *srcPool;              /* volume */
    char *srcVolume;
    int startupPolicy;          /* DomainStartupPolicy */
    char *driverName;
    char *driverType;           /* "raw", "qcow2" ... */
    int cache;                  /* DomainDiskCache */
    int errorPolicy;            /* DomainDiskErrorPolicy */
    int rerrorPolicy;           /* DomainDiskErrorPolicy */
    int io;                     /* DomainDiskIo */
    int ioeventfd;              /* DomainTristateSwitch */
    int eventIdx;               /* DomainTristateSwitch */
    int copyOnRead;             /* DomainTristateSwitch */
    int discard;                /* DomainDiskDiscard */
    unsigned int iothread;
    int detectZeroes;           /* DomainDiskDetectZeroes */
    unsigned int queues;
    char *dst;                  /* target dev, e.g. "vda" */
    int bus;                    /* DomainDiskBus */
    int tray;                   /* DomainDiskTray */
    bool traySet;
    int removable;              /* DomainTristateSwitch */
    bool readonly;
    bool shareable;
    bool transient;
    char *serial;
    char *wwn;
    char *vendor;
    char *product;
    DomainDeviceInfo info;
} DomainDiskDef;

/* ---- controllers ---- */

typedef enum {
    DOMAIN_CONTROLLER_TYPE_IDE = 0,
    DOMAIN_CONTROLLER_TYPE_FDC,
    DOMAIN_CONTROLLER_TYPE_SCSI,
    DOMAIN_CONTROLLER_TYPE_SATA,
    DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL,
    DOMAIN_CONTROLLER_TYPE_CCID,
    DOMAIN_CONTROLLER_TYPE_XENBUS,
    DOMAIN_CONTROLLER_TYPE_USB,
    DOMAIN_CONTROLLER_TYPE_PCI,
    DOMAIN_CONTROLLER_TYPE_ISA,
    DOMAIN_CONTROLLER_TYPE_LAST
} DomainControllerType;
ENUM_DECL(domainController);

typedef struct {
    int type;                   /* DomainControllerType */
    int idx;                    /* index='N' */
    char *model;                /* model='...', validated per type */
    int ports;                  /* -1 = not given */
    int vectors;                /* -1 = not given */
    unsigned int queues;        /* <driver queues=...> */
    unsigned int iothread;      /* <driver iothread=...> */
    bool hasMaster;
    unsigned int masterStartport;   /* usb companion <master startport> */
    char *modelName;            /* pci <model name=...> */
    int targetChassisNr;        /* pci <target>, -1 = not given */
    int targetChassis;
    int targetPort;
    int targetBusNr;
    int targetIndex;
    int targetHotplug;          /* DomainTristateSwitch */
    DomainDeviceInfo info;
} DomainControllerDef;

/* ---- network interfaces ---- */

typedef enum {
    DOMAIN_NET_TYPE_USER = 0,
    DOMAIN_NET_TYPE_ETHERNET,
    DOMAIN_NET_TYPE_VHOSTUSER,
    DOMAIN_NET_TYPE_SERVER,
    DOMAIN_NET_TYPE_CLIENT,
    DOMAIN_NET_TYPE_MCAST,
    DOMAIN_NET_TYPE_NETWORK,
    DOMAIN_NET_TYPE_BRIDGE,
    DOMAIN_NET_TYPE_INTERNAL,
    DOMAIN_NET_TYPE_DIRECT,
    DOMAIN_NET_TYPE_HOSTDEV,
    DOMAIN_NET_TYPE_UDP,
    DOMAIN_NET_TYPE_VDPA,
    DOMAIN_NET_TYPE_NULL,
    DOMAIN_NET_TYPE_VDS,
    DOMAIN_NET_TYPE_LAST
} DomainNetType;
ENUM_DECL(domainNet);

typedef enum {
    DOMAIN_NET_DIRECT_VEPA = 0,
    DOMAIN_NET_DIRECT_PRIVATE,
    DOMAIN_NET_DIRECT_BRIDGE,
    DOMAIN_NET_DIRECT_PASSTHROUGH,
    DOMAIN_NET_DIRECT_LAST
} DomainNetDirectMode;
ENUM_DECL(domainNetDirectMode);

typedef enum {
    DOMAIN_NET_LINK_DEFAULT = 0,
    DOMAIN_NET_LINK_UP,
    DOMAIN_NET_LINK_DOWN,
    DOMAIN_NET_LINK_LAST
} DomainNetLinkState;
ENUM_DECL(domainNetLinkState);

typedef struct {
    int type;                   /* DomainNetType */
    MacAddr mac;
    char *network;              /* network */
    char *portgroup;            /* network */
    char *bridge;               /* bridge */
    char *dev;                  /* direct: host device */
    int directMode;             /* DomainNetDirectMode */
    char *vhostPath;            /* vhostuser: unix socket */
    bool vhostServer;           /* vhostuser: mode='server' */
    char *sockAddress;          /* server/client/mcast/udp */
    unsigned int sockPort;
    char *localAddress;         /* udp <local> */
    unsigned int localPort;
    char *ifname;               /* <target dev>; NULL = generated by the driver */
    int managedTap;             /* DomainTristateBool, ethernet <target managed> */
    char *script;
    char *downscript;
    char *model;
    char *driverName;
    unsigned int driverQueues;
    int linkState;              /* DomainNetLinkState */
    unsigned int mtu;
    DomainDeviceInfo info;
} DomainNetDef;

/* ---- character devices: serial, console, channel ---- */

typedef enum {
    DOMAIN_CHR_DEVICE_SERIAL = 0,
    DOMAIN_CHR_DEVICE_PARALLEL,
    DOMAIN_CHR_DEVICE_CONSOLE,
    DOMAIN_CHR_DEVICE_CHANNEL,
    DOMAIN_CHR_DEVICE_LAST
} DomainChrDeviceType;
ENUM_DECL(domainChrDevice);

typedef enum {
    DOMAIN_CHR_TYPE_NULL = 0,
    DOMAIN_CHR_TYPE_VC,
    DOMAIN_CHR_TYPE_PTY,
    DOMAIN_CHR_TYPE_DEV,
    DOMAIN_CHR_TYPE_FILE,
    DOMAIN_CHR_TYPE_PIPE,
    DOMAIN_CHR_TYPE_STDIO,
    DOMAIN_CHR_TYPE_UDP,
    DOMAIN_CHR_TYPE_TCP,
    DOMAIN_CHR_TYPE_UNIX,
    DOMAIN_CHR_TYPE_SPICEVMC,
    DOMAIN_CHR_TYPE_SPICEPORT,
    DOMAIN_CHR_TYPE_NMDM,
    DOMAIN_CHR_TYPE_QEMU_VDAGENT,
    DOMAIN_CHR_TYPE_DBUS,
    DOMAIN_CHR_TYPE_LAST
} DomainChrType;
ENUM_DECL(domainChr);

typedef enum {
    DOMAIN_CHR_TCP_PROTOCOL_RAW = 0,
    DOMAIN_CHR_TCP_PROTOCOL_TELNET,
    DOMAIN_CHR_TCP_PROTOCOL_TELNETS,
    DOMAIN_CHR_TCP_PROTOCOL_TLS,
    DOMAIN_CHR_TCP_PROTOCOL_LAST
} DomainChrTcpProtocol;
ENUM_DECL(domainChrTcpProtocol);

typedef enum {
    DOMAIN_CHR_SERIAL_TARGET_NONE = 0,
    DOMAIN_CHR_SERIAL_TARGET_ISA,
    DOMAIN_CHR_SERIAL_TARGET_USB,
    DOMAIN_CHR_SERIAL_TARGET_PCI,
    DOMAIN_CHR_SERIAL_TARGET_SPAPR_VIO,
    DOMAIN_CHR_SERIAL_TARGET_SYSTEM,
    DOMAIN_CHR_SERIAL_TARGET_SCLP,
    DOMAIN_CHR_SERIAL_TARGET_ISA_DEBUG,
    DOMAIN_CHR_SERIAL_TARGET_LAST
} DomainChrSerialTargetType;
ENUM_DECL(domainChrSerialTarget);

typedef enum {
    DOMAIN_CHR_CONSOLE_TARGET_NONE = 0,
    DOMAIN_CHR_CONSOLE_TARGET_SERIAL,
    DOMAIN_CHR_CONSOLE_TARGET_XEN,
    DOMAIN_CHR_CONSOLE_TARGET_UML,
    DOMAIN_CHR_CONSOLE_TARGET_VIRTIO,
    DOMAIN_CHR_CONSOLE_TARGET_LXC,
    DOMAIN_CHR_CONSOLE_TARGET_OPENVZ,
    DOMAIN_CHR_CONSOLE_TARGET_SCLP,
    DOMAIN_CHR_CONSOLE_TARGET_SCLPLM,
    DOMAIN_CHR_CONSOLE_TARGET_LAST
} DomainChrConsoleTargetType;
ENUM_DECL(domainChrConsoleTarget);

typedef enum {
    DOMAIN_CHR_CHANNEL_TARGET_NONE = 0,
    DOMAIN_CHR_CHANNEL_TARGET_GUESTFWD,
    DOMAIN_CHR_CHANNEL_TARGET_VIRTIO,
    DOMAIN_CHR_CHANNEL_TARGET_XEN,
    DOMAIN_CHR_CHANNEL_TARGET_LAST
} DomainChrChannelTargetType;
ENUM_DECL(domainChrChannelTarget);

typedef enum {
    DOMAIN_CHR_CHANNEL_STATE_DEFAULT = 0,
    DOMAIN_CHR_CHANNEL_STATE_CONNECTED,
    DOMAIN_CHR_CHANNEL_STATE_DISCONNECTED,
    DOMAIN_CHR_CHANNEL_STATE_LAST
} DomainChrChannelState;
ENUM_DECL(domainChrChannelState);

typedef struct {
    int type;                   /* DomainChrType */
    char *path;                 /* dev, file, pipe, unix, pty (live) */
    int append;                 /* DomainTristateSwitch, file */
    bool listen;                /* tcp/unix: mode='bind' */
    char *host;                 /* tcp; udp connect side */
    char *service;
    char *bindHost;             /* udp bind side */
    char *bindService;
    int protocol;               /* DomainChrTcpProtocol, tcp */
    bool protocolSet;
    char *channel;              /* spiceport <source channel> */
} DomainChrSourceDef;

typedef struct {
    int deviceType;             /* DomainChrDeviceType */
    DomainChrSourceDef source;
    int targetType;             /* per deviceType: the *TargetType enums */
    int targetPort;             /* -1 = not given */
    char *targetModel;          /* serial <target><model name=...> */
    char *targetName;           /* virtio channel name */
    char *targetAddr;           /* guestfwd address */
    int targetChannelState;     /* DomainChrChannelState, live only */
    DomainDeviceInfo info;
} DomainChrDef;

/* ---- graphics ---- */

typedef enum {
    DOMAIN_GRAPHICS_TYPE_SDL = 0,
    DOMAIN_GRAPHICS_TYPE_VNC,
    DOMAIN_GRAPHICS_TYPE_RDP,
    DOMAIN_GRAPHICS_TYPE_DESKTOP,
    DOMAIN_GRAPHICS_TYPE_SPICE,
    DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS,
    DOMAIN_GRAPHICS_TYPE_DBUS,
    DOMAIN_GRAPHICS_TYPE_LAST
} DomainGraphicsType;
ENUM_DECL(domainGraphics);

typedef enum {
    DOMAIN_GRAPHICS_LISTEN_NONE = 0,
    DOMAIN_GRAPHICS_LISTEN_ADDRESS,
    DOMAIN_GRAPHICS_LISTEN_NETWORK,
    DOMAIN_GRAPHICS_LISTEN_SOCKET,
    DOMAIN_GRAPHICS_LISTEN_LAST
} DomainGraphicsListenType;
ENUM_DECL(domainGraphicsListen);

typedef struct {
    int type;                   /* DomainGraphicsListenType */
    char *address;
    char *network;
    char *socket;
    bool fromConfig;            /* network: address resolved at start (live only) */
} DomainGraphicsListenDef;

/* One of spice's single-attribute children, e.g. <image compression='off'/>. */
typedef struct {
    int kind;                   /* index in the spice child table */
    char *value;
    char *extra;                /* <channel name=...> and <gl rendernode=...> */
} DomainGraphicsSpiceOpt;

typedef struct {
    int type;                   /* DomainGraphicsType */
    int port;                   /* vnc, spice, rdp; 0 = none */
    int tlsPort;                /* spice */
    bool autoport;
    int websocket;              /* vnc, 0 = none */
    char *keymap;
    char *passwd;               /* formatted only with DOMAIN_DEF_FORMAT_SECURE */
    char *passwdValidTo;
    char *connected;            /* spice: keep/disconnect/fail */
    char *sharePolicy;          /* vnc */
    char *defaultMode;          /* spice */
    char *display;              /* sdl, desktop */
    char *xauth;                /* sdl */
    int fullscreen;             /* DomainTristateBool, sdl/desktop */
    int multiUser;              /* DomainTristateBool, rdp */
    int replaceUser;            /* DomainTristateBool, rdp */
    char *rendernode;           /* egl-headless <gl rendernode> */
    size_t nListens;
    DomainGraphicsListenDef *listens;
    size_t nSpiceOpts;
    DomainGraphicsSpiceOpt *spiceOpts;
} DomainGraphicsDef;

/* ---- video, input, memballoon, rng, watchdog ---- */

typedef enum {
    DOMAIN_VIDEO_TYPE_DEFAULT = 0,
    DOMAIN_VIDEO_TYPE_VGA,
    DOMAIN_VIDEO_TYPE_CIRRUS,
    DOMAIN_VIDEO_TYPE_VMVGA,
    DOMAIN_VIDEO_TYPE_XEN,
    DOMAIN_VIDEO_TYPE_VBOX,
    DOMAIN_VIDEO_TYPE_QXL,
    DOMAIN_VIDEO_TYPE_PARALLELS,
    DOMAIN_VIDEO_TYPE_VIRTIO,
    DOMAIN_VIDEO_TYPE_GOP,
    DOMAIN_VIDEO_TYPE_NONE,
    DOMAIN_VIDEO_TYPE_BOCHS,
    DOMAIN_VIDEO_TYPE_RAMFB,
    DOMAIN_VIDEO_TYPE_LAST
} DomainVideoType;
ENUM_DECL(domainVideo);

typedef struct {
    int type;                   /* DomainVideoType */
    unsigned int ram;           /* KiB, qxl */
    unsigned int vram;          /* KiB */
    unsigned int vram64;        /* KiB, qxl */
    unsigned int vgamem;        /* KiB, qxl */
    unsigned int heads;
    bool primary;
    int accel3d;                /* DomainTristateBool */
    int accel2d;                /* DomainTristateBool */
    DomainDeviceInfo info;
} DomainVideoDef;

typedef enum {
    DOMAIN_INPUT_TYPE_MOUSE = 0,
    DOMAIN_INPUT_TYPE_TABLET,
    DOMAIN_INPUT_TYPE_KBD,
    DOMAIN_INPUT_TYPE_PASSTHROUGH,
    DOMAIN_INPUT_TYPE_EVDEV,
    DOMAIN_INPUT_TYPE_LAST
} DomainInputType;
ENUM_DECL(domainInput);

typedef enum {
    DOMAIN_INPUT_BUS_DEFAULT = 0,
    DOMAIN_INPUT_BUS_PS2,
    DOMAIN_INPUT_BUS_USB,
    DOMAIN_INPUT_BUS_XEN,
    DOMAIN_INPUT_BUS_PARALLELS,
    DOMAIN_INPUT_BUS_VIRTIO,
    DOMAIN_INPUT_BUS_NONE,
    DOMAIN_INPUT_BUS_LAST
} DomainInputBus;
ENUM_DECL(domainInputBus);

typedef struct {
    int type;                   /* DomainInputType */
    int bus;                    /* DomainInputBus */
    char *evdev;                /* passthrough: <source evdev=...>; evdev: <source dev=...> */
    char *evdevGrab;            /* evdev: <source grab=...> */
    char *evdevRepeat;          /* evdev: <source repeat=...> */
    char *evdevGrabToggle;      /* evdev: <source grabToggle=...> */
    DomainDeviceInfo info;
} DomainInputDef;

typedef enum {
    DOMAIN_MEMBALLOON_MODEL_VIRTIO = 0,
    DOMAIN_MEMBALLOON_MODEL_XEN,
    DOMAIN_MEMBALLOON_MODEL_NONE,
    DOMAIN_MEMBALLOON_MODEL_VIRTIO_TRANSITIONAL,
    DOMAIN_MEMBALLOON_MODEL_VIRTIO_NON_TRANSITIONAL,
    DOMAIN_MEMBALLOON_MODEL_LAST
} DomainMemballoonModel;
ENUM_DECL(domainMemballoonModel);

typedef struct {
    int model;                  /* DomainMemballoonModel */
    unsigned int period;        /* <stats period=...>, 0 = none */
    int autodeflate;            /* DomainTristateSwitch */
    int freePageReporting;      /* DomainTristateSwitch */
    DomainDeviceInfo info;
} DomainMemballoonDef;

typedef enum {
    DOMAIN_RNG_MODEL_VIRTIO = 0,
    DOMAIN_RNG_MODEL_VIRTIO_TRANSITIONAL,
    DOMAIN_RNG_MODEL_VIRTIO_NON_TRANSITIONAL,
    DOMAIN_RNG_MODEL_LAST
} DomainRngModel;
ENUM_DECL(domainRngModel);

typedef enum {
    DOMAIN_RNG_BACKEND_RANDOM = 0,
    DOMAIN_RNG_BACKEND_EGD,
    DOMAIN_RNG_BACKEND_BUILTIN,
    DOMAIN_RNG_BACKEND_LAST
} DomainRngBackend;
ENUM_DECL(domainRngBackend);

typedef struct {
    int model;                  /* DomainRngModel */
    int backend;                /* DomainRngBackend */
    char *randomFile;           /* random: source device */
    DomainChrSourceDef *egd;    /* egd: chardev source */
    unsigned int rateBytes;     /* <rate bytes=...>, 0 = none */
    unsigned int ratePeriod;
    DomainDeviceInfo info;
} DomainRngDef;

typedef enum {
    DOMAIN_WATCHDOG_MODEL_I6300ESB = 0,
    DOMAIN_WATCHDOG_MODEL_IB700,
    DOMAIN_WATCHDOG_MODEL_DIAG288,
    DOMAIN_WATCHDOG_MODEL_LAST
} DomainWatchdogModel;
ENUM_DECL(domainWatchdogModel);

typedef enum {
    DOMAIN_WATCHDOG_ACTION_RESET = 0,
    DOMAIN_WATCHDOG_ACTION_SHUTDOWN,
    DOMAIN_WATCHDOG_ACTION_POWEROFF,
    DOMAIN_WATCHDOG_ACTION_PAUSE,
    DOMAIN_WATCHDOG_ACTION_DUMP,
    DOMAIN_WATCHDOG_ACTION_NONE,
    DOMAIN_WATCHDOG_ACTION_INJECTNMI,
    DOMAIN_WATCHDOG_ACTION_LAST
} DomainWatchdogAction;
ENUM_DECL(domainWatchdogAction);

typedef struct {
    int model;                  /* DomainWatchdogModel */
    int action;                 /* DomainWatchdogAction */
    DomainDeviceInfo info;
} DomainWatchdogDef;

/*
 * An element libvirt knows but this model does not interpret (e.g.
 * <cputune>, <seclabel>, <hostdev>, <sound>): kept as it came, written
 * back at libvirt's position for that element, so nothing is lost.
 */
typedef struct {
    char *name;                 /* "cputune"; devices are "devices/hostdev" */
    char *xml;                  /* the element re-serialised, unindented */
    bool hasBoot;               /* it has a <boot order=.../> child */
} DomainRawDef;

/* ---- the domain ---- */

typedef struct _DomainDef DomainDef;
struct _DomainDef {
    int virtType;               /* DomainVirtType */
    int id;                     /* -1 when inactive */
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    bool uuidGenerated;         /* the XML named no uuid: made up when parsed */
    char *title;
    char *description;
    char *metadata;             /* the <metadata> element, serialised by libxml2
                                 * (one child per namespace URI, nothing else),
                                 * or NULL when absent */

    struct {
        unsigned long long total;   /* <memory>, KiB */
        unsigned long long current; /* <currentMemory>, KiB */
        unsigned long long max;     /* <maxMemory>, KiB, 0 if absent */
        unsigned int slots;
    } mem;

    unsigned int maxvcpus;      /* <vcpu>N</vcpu> */
    unsigned int vcpus;         /* current='M' */
    int placement;              /* DomainCpuPlacement */
    Bitmap *cpuset;             /* <vcpu cpuset=...>, or NULL */
    DomainNumatuneDef numatune;

    DomainOsDef os;

    int onPoweroff;             /* DomainLifecycleAction */
    int onReboot;
    int onCrash;

    DomainFeaturesDef features;
    DomainCpuDef *cpu;          /* or NULL */
    DomainClockDef clock;

    char *emulator;
    size_t ndisks;
    DomainDiskDef **disks;
    size_t ncontrollers;
    DomainControllerDef **controllers;
    size_t nnets;
    DomainNetDef **nets;
    size_t nserials;
    DomainChrDef **serials;
    size_t nparallels;
    DomainChrDef **parallels;
    size_t nconsoles;
    DomainChrDef **consoles;
    size_t nchannels;
    DomainChrDef **channels;
    size_t ninputs;
    DomainInputDef **inputs;
    size_t ngraphics;
    DomainGraphicsDef **graphics;
    size_t nvideos;
    DomainVideoDef **videos;
    DomainWatchdogDef *watchdog;    /* or NULL */
    DomainMemballoonDef *memballoon;    /* or NULL */
    size_t nrngs;
    DomainRngDef **rngs;

    size_t nraws;               /* uninterpreted elements, document order */
    DomainRawDef **raws;
};

/* Parse flags. */
typedef enum {
    /* The persistent definition: ignore live-only data (id, allocated
     * ports, pty paths, aliases, channel state). */
    DOMAIN_DEF_PARSE_INACTIVE = 1 << 0,
    /* Check the document against the elements and attributes this model
     * knows, refusing anything else (VIR_DOMAIN_DEFINE_VALIDATE). */
    DOMAIN_DEF_PARSE_VALIDATE = 1 << 1,
    /* Keep disks and controllers in document order instead of libvirt's
     * sorted insertion (used by domainDefCopy: a copy keeps the order). */
    DOMAIN_DEF_PARSE_KEEP_ORDER = 1 << 2,
} DomainDefParseFlags;

/* Format flags. */
typedef enum {
    DOMAIN_DEF_FORMAT_SECURE = 1 << 0,     /* include passwords */
    DOMAIN_DEF_FORMAT_INACTIVE = 1 << 1,   /* persistent form, no live data */
} DomainDefFormatFlags;

DomainDef *domainDefNew(void);
void domainDefFree(DomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainDef, domainDefFree);

DomainDef *domainDefParseString(const char *xml, unsigned int flags);
DomainDef *domainDefParseFile(const char *path, unsigned int flags);
DomainDef *domainDefParseNode(xmlDocPtr doc, xmlNodePtr root, unsigned int flags);
char *domainDefFormat(const DomainDef *def, unsigned int flags);
DomainDef *domainDefCopy(const DomainDef *def, unsigned int flags);

bool domainDefIsABIStable(const DomainDef *a, const DomainDef *b);
int domainDefCheckABIStability(const DomainDef *src, const DomainDef *dst);
int domainDefCheckPersistXML(const DomainDef *guest, const char *xml);

/* Helpers for drivers. */
int domainDefValidateName(const char *name);
bool domainDefHasGraphicsPort(const DomainDef *def);
DomainDiskDef *domainDiskByTarget(const DomainDef *def, const char *dst);
DomainNetDef *domainNetByMAC(const DomainDef *def, const MacAddr *mac);
DomainChrDef *domainDefGetConsole(const DomainDef *def, size_t idx);

/* Device lifetimes (used by drivers that add or remove devices). */
void domainDiskDefFree(DomainDiskDef *disk);
void domainControllerDefFree(DomainControllerDef *ctrl);
void domainNetDefFree(DomainNetDef *net);
void domainChrDefFree(DomainChrDef *chr);
void domainGraphicsDefFree(DomainGraphicsDef *gr);
void domainVideoDefFree(DomainVideoDef *video);
void domainInputDefFree(DomainInputDef *input);
void domainMemballoonDefFree(DomainMemballoonDef *balloon);
void domainRngDefFree(DomainRngDef *rng);
void domainWatchdogDefFree(DomainWatchdogDef *wd);
void domainCpuDefFree(DomainCpuDef *cpu);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainDiskDef, domainDiskDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainControllerDef, domainControllerDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainNetDef, domainNetDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainChrDef, domainChrDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainGraphicsDef, domainGraphicsDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainVideoDef, domainVideoDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainInputDef, domainInputDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainMemballoonDef, domainMemballoonDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainRngDef, domainRngDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainWatchdogDef, domainWatchdogDefFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainCpuDef, domainCpuDefFree);
