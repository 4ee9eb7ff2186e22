/* libvirt-domain.h: domains (guests): lifecycle, queries, jobs and events. */

/*
 * Part of virtkit's libvirt-compatible public API (libvirt 9.0.0 level).
 * Names, values and prototypes follow libvirt; see include/libvirt/README.md.
 * Included through <libvirt/libvirt.h> only.
 */

#ifndef LIBVIRT_DOMAIN_H
#define LIBVIRT_DOMAIN_H

#ifndef __VIR_LIBVIRT_H_INCLUDES__
# error "include <libvirt/libvirt.h> instead of this file"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handle of a domain. */
typedef struct _virDomain virDomain;
typedef virDomain *virDomainPtr;

/* BEGIN GENERATED macros: scripts/gen-public-enums.py */
/* Interface bandwidth parameters */
#define VIR_DOMAIN_BANDWIDTH_IN_AVERAGE  "inbound.average"
#define VIR_DOMAIN_BANDWIDTH_IN_BURST    "inbound.burst"
#define VIR_DOMAIN_BANDWIDTH_IN_FLOOR    "inbound.floor"
#define VIR_DOMAIN_BANDWIDTH_IN_PEAK     "inbound.peak"
#define VIR_DOMAIN_BANDWIDTH_OUT_AVERAGE "outbound.average"
#define VIR_DOMAIN_BANDWIDTH_OUT_BURST   "outbound.burst"
#define VIR_DOMAIN_BANDWIDTH_OUT_PEAK    "outbound.peak"

/* Block I/O tuning parameters */
#define VIR_DOMAIN_BLKIO_DEVICE_READ_BPS   "device_read_bytes_sec"
#define VIR_DOMAIN_BLKIO_DEVICE_READ_IOPS  "device_read_iops_sec"
#define VIR_DOMAIN_BLKIO_DEVICE_WEIGHT     "device_weight"
#define VIR_DOMAIN_BLKIO_DEVICE_WRITE_BPS  "device_write_bytes_sec"
#define VIR_DOMAIN_BLKIO_DEVICE_WRITE_IOPS "device_write_iops_sec"
#define VIR_DOMAIN_BLKIO_FIELD_LENGTH      VIR_TYPED_PARAM_FIELD_LENGTH
#define VIR_DOMAIN_BLKIO_WEIGHT            "weight"

/* Block copy parameters */
#define VIR_DOMAIN_BLOCK_COPY_BANDWIDTH   "bandwidth"
#define VIR_DOMAIN_BLOCK_COPY_BUF_SIZE    "buf-size"
#define VIR_DOMAIN_BLOCK_COPY_GRANULARITY "granularity"

/* Per-disk I/O throttling parameters */
#define VIR_DOMAIN_BLOCK_IOTUNE_GROUP_NAME                 "group_name"
#define VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC             "read_bytes_sec"
#define VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC_MAX         "read_bytes_sec_max"
#define VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC_MAX_LENGTH  "read_bytes_sec_max_length"
#define VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC              "read_iops_sec"
#define VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC_MAX          "read_iops_sec_max"
#define VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC_MAX_LENGTH   "read_iops_sec_max_length"
#define VIR_DOMAIN_BLOCK_IOTUNE_SIZE_IOPS_SEC              "size_iops_sec"
#define VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC            "total_bytes_sec"
#define VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC_MAX        "total_bytes_sec_max"
#define VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH "total_bytes_sec_max_length"
#define VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC             "total_iops_sec"
#define VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC_MAX         "total_iops_sec_max"
#define VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH  "total_iops_sec_max_length"
#define VIR_DOMAIN_BLOCK_IOTUNE_WRITE_BYTES_SEC            "write_bytes_sec"
#define VIR_DOMAIN_BLOCK_IOTUNE_WRITE_BYTES_SEC_MAX        "write_bytes_sec_max"
#define VIR_DOMAIN_BLOCK_IOTUNE_WRITE_BYTES_SEC_MAX_LENGTH "write_bytes_sec_max_length"
#define VIR_DOMAIN_BLOCK_IOTUNE_WRITE_IOPS_SEC             "write_iops_sec"
#define VIR_DOMAIN_BLOCK_IOTUNE_WRITE_IOPS_SEC_MAX         "write_iops_sec_max"
#define VIR_DOMAIN_BLOCK_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH  "write_iops_sec_max_length"

/* Block statistics fields */
#define VIR_DOMAIN_BLOCK_STATS_ERRS              "errs"
#define VIR_DOMAIN_BLOCK_STATS_FIELD_LENGTH      VIR_TYPED_PARAM_FIELD_LENGTH
#define VIR_DOMAIN_BLOCK_STATS_FLUSH_REQ         "flush_operations"
#define VIR_DOMAIN_BLOCK_STATS_FLUSH_TOTAL_TIMES "flush_total_times"
#define VIR_DOMAIN_BLOCK_STATS_READ_BYTES        "rd_bytes"
#define VIR_DOMAIN_BLOCK_STATS_READ_REQ          "rd_operations"
#define VIR_DOMAIN_BLOCK_STATS_READ_TOTAL_TIMES  "rd_total_times"
#define VIR_DOMAIN_BLOCK_STATS_WRITE_BYTES       "wr_bytes"
#define VIR_DOMAIN_BLOCK_STATS_WRITE_REQ         "wr_operations"
#define VIR_DOMAIN_BLOCK_STATS_WRITE_TOTAL_TIMES "wr_total_times"

/* CPU statistics fields */
#define VIR_DOMAIN_CPU_STATS_CPUTIME    "cpu_time"
#define VIR_DOMAIN_CPU_STATS_SYSTEMTIME "system_time"
#define VIR_DOMAIN_CPU_STATS_USERTIME   "user_time"
#define VIR_DOMAIN_CPU_STATS_VCPUTIME   "vcpu_time"

/* IOThread tuning parameters */
#define VIR_DOMAIN_IOTHREAD_POLL_GROW       "poll_grow"
#define VIR_DOMAIN_IOTHREAD_POLL_MAX_NS     "poll_max_ns"
#define VIR_DOMAIN_IOTHREAD_POLL_SHRINK     "poll_shrink"
#define VIR_DOMAIN_IOTHREAD_THREAD_POOL_MAX "thread_pool_max"
#define VIR_DOMAIN_IOTHREAD_THREAD_POOL_MIN "thread_pool_min"

/* Job statistics fields (virDomainGetJobStats) */
#define VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE   "auto_converge_throttle"
#define VIR_DOMAIN_JOB_COMPRESSION_BYTES        "compression_bytes"
#define VIR_DOMAIN_JOB_COMPRESSION_CACHE        "compression_cache"
#define VIR_DOMAIN_JOB_COMPRESSION_CACHE_MISSES "compression_cache_misses"
#define VIR_DOMAIN_JOB_COMPRESSION_OVERFLOW     "compression_overflow"
#define VIR_DOMAIN_JOB_COMPRESSION_PAGES        "compression_pages"
#define VIR_DOMAIN_JOB_DATA_PROCESSED           "data_processed"
#define VIR_DOMAIN_JOB_DATA_REMAINING           "data_remaining"
#define VIR_DOMAIN_JOB_DATA_TOTAL               "data_total"
#define VIR_DOMAIN_JOB_DISK_BPS                 "disk_bps"
#define VIR_DOMAIN_JOB_DISK_PROCESSED           "disk_processed"
#define VIR_DOMAIN_JOB_DISK_REMAINING           "disk_remaining"
#define VIR_DOMAIN_JOB_DISK_TEMP_TOTAL          "disk_temp_total"
#define VIR_DOMAIN_JOB_DISK_TEMP_USED           "disk_temp_used"
#define VIR_DOMAIN_JOB_DISK_TOTAL               "disk_total"
#define VIR_DOMAIN_JOB_DOWNTIME                 "downtime"
#define VIR_DOMAIN_JOB_DOWNTIME_NET             "downtime_net"
#define VIR_DOMAIN_JOB_ERRMSG                   "errmsg"
#define VIR_DOMAIN_JOB_MEMORY_BPS               "memory_bps"
#define VIR_DOMAIN_JOB_MEMORY_CONSTANT          "memory_constant"
#define VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE        "memory_dirty_rate"
#define VIR_DOMAIN_JOB_MEMORY_ITERATION         "memory_iteration"
#define VIR_DOMAIN_JOB_MEMORY_NORMAL            "memory_normal"
#define VIR_DOMAIN_JOB_MEMORY_NORMAL_BYTES      "memory_normal_bytes"
#define VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE         "memory_page_size"
#define VIR_DOMAIN_JOB_MEMORY_POSTCOPY_REQS     "memory_postcopy_requests"
#define VIR_DOMAIN_JOB_MEMORY_PROCESSED         "memory_processed"
#define VIR_DOMAIN_JOB_MEMORY_REMAINING         "memory_remaining"
#define VIR_DOMAIN_JOB_MEMORY_TOTAL             "memory_total"
#define VIR_DOMAIN_JOB_OPERATION                "operation"
#define VIR_DOMAIN_JOB_SETUP_TIME               "setup_time"
#define VIR_DOMAIN_JOB_SUCCESS                  "success"
#define VIR_DOMAIN_JOB_TIME_ELAPSED             "time_elapsed"
#define VIR_DOMAIN_JOB_TIME_ELAPSED_NET         "time_elapsed_net"
#define VIR_DOMAIN_JOB_TIME_REMAINING           "time_remaining"

/* Launch security parameters */
#define VIR_DOMAIN_LAUNCH_SECURITY_SEV_API_MAJOR          "sev-api-major"
#define VIR_DOMAIN_LAUNCH_SECURITY_SEV_API_MINOR          "sev-api-minor"
#define VIR_DOMAIN_LAUNCH_SECURITY_SEV_BUILD_ID           "sev-build-id"
#define VIR_DOMAIN_LAUNCH_SECURITY_SEV_MEASUREMENT        "sev-measurement"
#define VIR_DOMAIN_LAUNCH_SECURITY_SEV_POLICY             "sev-policy"
#define VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET             "sev-secret"
#define VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET_HEADER      "sev-secret-header"
#define VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET_SET_ADDRESS "sev-secret-set-address"

/* Memory tuning parameters */
#define VIR_DOMAIN_MEMORY_FIELD_LENGTH    VIR_TYPED_PARAM_FIELD_LENGTH
#define VIR_DOMAIN_MEMORY_HARD_LIMIT      "hard_limit"
#define VIR_DOMAIN_MEMORY_MIN_GUARANTEE   "min_guarantee"
#define VIR_DOMAIN_MEMORY_PARAM_UNLIMITED 9007199254740991LL
#define VIR_DOMAIN_MEMORY_SOFT_LIMIT      "soft_limit"
#define VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT "swap_hard_limit"

/* NUMA tuning parameters */
#define VIR_DOMAIN_NUMA_MODE    "numa_mode"
#define VIR_DOMAIN_NUMA_NODESET "numa_nodeset"

/* Save / restore parameters */
#define VIR_DOMAIN_SAVE_PARAM_DXML "dxml"
#define VIR_DOMAIN_SAVE_PARAM_FILE "file"

/* Scheduler parameters */
#define VIR_DOMAIN_SCHEDULER_CAP             "cap"
#define VIR_DOMAIN_SCHEDULER_CPU_SHARES      "cpu_shares"
#define VIR_DOMAIN_SCHEDULER_EMULATOR_PERIOD "emulator_period"
#define VIR_DOMAIN_SCHEDULER_EMULATOR_QUOTA  "emulator_quota"
#define VIR_DOMAIN_SCHEDULER_GLOBAL_PERIOD   "global_period"
#define VIR_DOMAIN_SCHEDULER_GLOBAL_QUOTA    "global_quota"
#define VIR_DOMAIN_SCHEDULER_IOTHREAD_PERIOD "iothread_period"
#define VIR_DOMAIN_SCHEDULER_IOTHREAD_QUOTA  "iothread_quota"
#define VIR_DOMAIN_SCHEDULER_LIMIT           "limit"
#define VIR_DOMAIN_SCHEDULER_RESERVATION     "reservation"
#define VIR_DOMAIN_SCHEDULER_SHARES          "shares"
#define VIR_DOMAIN_SCHEDULER_VCPU_PERIOD     "vcpu_period"
#define VIR_DOMAIN_SCHEDULER_VCPU_QUOTA      "vcpu_quota"
#define VIR_DOMAIN_SCHEDULER_WEIGHT          "weight"

/* Limits of virDomainSendKey() */
#define VIR_DOMAIN_SEND_KEY_MAX_KEYS 16

/* Fields of the tunable event */
#define VIR_DOMAIN_TUNABLE_BLKDEV_DISK                       "blkdeviotune.disk"
#define VIR_DOMAIN_TUNABLE_BLKDEV_GROUP_NAME                 "blkdeviotune.group_name"
#define VIR_DOMAIN_TUNABLE_BLKDEV_READ_BYTES_SEC             "blkdeviotune.read_bytes_sec"
#define VIR_DOMAIN_TUNABLE_BLKDEV_READ_BYTES_SEC_MAX         "blkdeviotune.read_bytes_sec_max"
#define VIR_DOMAIN_TUNABLE_BLKDEV_READ_BYTES_SEC_MAX_LENGTH  "blkdeviotune.read_bytes_sec_max_length"
#define VIR_DOMAIN_TUNABLE_BLKDEV_READ_IOPS_SEC              "blkdeviotune.read_iops_sec"
#define VIR_DOMAIN_TUNABLE_BLKDEV_READ_IOPS_SEC_MAX          "blkdeviotune.read_iops_sec_max"
#define VIR_DOMAIN_TUNABLE_BLKDEV_READ_IOPS_SEC_MAX_LENGTH   "blkdeviotune.read_iops_sec_max_length"
#define VIR_DOMAIN_TUNABLE_BLKDEV_SIZE_IOPS_SEC              "blkdeviotune.size_iops_sec"
#define VIR_DOMAIN_TUNABLE_BLKDEV_TOTAL_BYTES_SEC            "blkdeviotune.total_bytes_sec"
#define VIR_DOMAIN_TUNABLE_BLKDEV_TOTAL_BYTES_SEC_MAX        "blkdeviotune.total_bytes_sec_max"
#define VIR_DOMAIN_TUNABLE_BLKDEV_TOTAL_BYTES_SEC_MAX_LENGTH "blkdeviotune.total_bytes_sec_max_length"
#define VIR_DOMAIN_TUNABLE_BLKDEV_TOTAL_IOPS_SEC             "blkdeviotune.total_iops_sec"
#define VIR_DOMAIN_TUNABLE_BLKDEV_TOTAL_IOPS_SEC_MAX         "blkdeviotune.total_iops_sec_max"
#define VIR_DOMAIN_TUNABLE_BLKDEV_TOTAL_IOPS_SEC_MAX_LENGTH  "blkdeviotune.total_iops_sec_max_length"
#define VIR_DOMAIN_TUNABLE_BLKDEV_WRITE_BYTES_SEC            "blkdeviotune.write_bytes_sec"
#define VIR_DOMAIN_TUNABLE_BLKDEV_WRITE_BYTES_SEC_MAX        "blkdeviotune.write_bytes_sec_max"
#define VIR_DOMAIN_TUNABLE_BLKDEV_WRITE_BYTES_SEC_MAX_LENGTH "blkdeviotune.write_bytes_sec_max_length"
#define VIR_DOMAIN_TUNABLE_BLKDEV_WRITE_IOPS_SEC             "blkdeviotune.write_iops_sec"
#define VIR_DOMAIN_TUNABLE_BLKDEV_WRITE_IOPS_SEC_MAX         "blkdeviotune.write_iops_sec_max"
#define VIR_DOMAIN_TUNABLE_BLKDEV_WRITE_IOPS_SEC_MAX_LENGTH  "blkdeviotune.write_iops_sec_max_length"
#define VIR_DOMAIN_TUNABLE_CPU_CPU_SHARES                    "cputune.cpu_shares"
#define VIR_DOMAIN_TUNABLE_CPU_EMULATORPIN                   "cputune.emulatorpin"
#define VIR_DOMAIN_TUNABLE_CPU_EMULATOR_PERIOD               "cputune.emulator_period"
#define VIR_DOMAIN_TUNABLE_CPU_EMULATOR_QUOTA                "cputune.emulator_quota"
#define VIR_DOMAIN_TUNABLE_CPU_GLOBAL_PERIOD                 "cputune.global_period"
#define VIR_DOMAIN_TUNABLE_CPU_GLOBAL_QUOTA                  "cputune.global_quota"
#define VIR_DOMAIN_TUNABLE_CPU_IOTHREADSPIN                  "cputune.iothreadpin%u"
#define VIR_DOMAIN_TUNABLE_CPU_IOTHREAD_PERIOD               "cputune.iothread_period"
#define VIR_DOMAIN_TUNABLE_CPU_IOTHREAD_QUOTA                "cputune.iothread_quota"
#define VIR_DOMAIN_TUNABLE_CPU_VCPUPIN                       "cputune.vcpupin%u"
#define VIR_DOMAIN_TUNABLE_CPU_VCPU_PERIOD                   "cputune.vcpu_period"
#define VIR_DOMAIN_TUNABLE_CPU_VCPU_QUOTA                    "cputune.vcpu_quota"

/* Migration parameters */
#define VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT  "auto_converge.increment"
#define VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL    "auto_converge.initial"
#define VIR_MIGRATE_PARAM_BANDWIDTH                "bandwidth"
#define VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY       "bandwidth.postcopy"
#define VIR_MIGRATE_PARAM_COMPRESSION              "compression"
#define VIR_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS  "compression.mt.dthreads"
#define VIR_MIGRATE_PARAM_COMPRESSION_MT_LEVEL     "compression.mt.level"
#define VIR_MIGRATE_PARAM_COMPRESSION_MT_THREADS   "compression.mt.threads"
#define VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE "compression.xbzrle.cache"
#define VIR_MIGRATE_PARAM_DEST_NAME                "destination_name"
#define VIR_MIGRATE_PARAM_DEST_XML                 "destination_xml"
#define VIR_MIGRATE_PARAM_DISKS_PORT               "disks_port"
#define VIR_MIGRATE_PARAM_DISKS_URI                "disks_uri"
#define VIR_MIGRATE_PARAM_GRAPHICS_URI             "graphics_uri"
#define VIR_MIGRATE_PARAM_LISTEN_ADDRESS           "listen_address"
#define VIR_MIGRATE_PARAM_MIGRATE_DISKS            "migrate_disks"
#define VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS     "parallel.connections"
#define VIR_MIGRATE_PARAM_PERSIST_XML              "persistent_xml"
#define VIR_MIGRATE_PARAM_TLS_DESTINATION          "tls.destination"
#define VIR_MIGRATE_PARAM_URI                      "migrate_uri"

/* Perf event names */
#define VIR_PERF_PARAM_ALIGNMENT_FAULTS        "alignment_faults"
#define VIR_PERF_PARAM_BRANCH_INSTRUCTIONS     "branch_instructions"
#define VIR_PERF_PARAM_BRANCH_MISSES           "branch_misses"
#define VIR_PERF_PARAM_BUS_CYCLES              "bus_cycles"
#define VIR_PERF_PARAM_CACHE_MISSES            "cache_misses"
#define VIR_PERF_PARAM_CACHE_REFERENCES        "cache_references"
#define VIR_PERF_PARAM_CMT                     "cmt"
#define VIR_PERF_PARAM_CONTEXT_SWITCHES        "context_switches"
#define VIR_PERF_PARAM_CPU_CLOCK               "cpu_clock"
#define VIR_PERF_PARAM_CPU_CYCLES              "cpu_cycles"
#define VIR_PERF_PARAM_CPU_MIGRATIONS          "cpu_migrations"
#define VIR_PERF_PARAM_EMULATION_FAULTS        "emulation_faults"
#define VIR_PERF_PARAM_INSTRUCTIONS            "instructions"
#define VIR_PERF_PARAM_MBML                    "mbml"
#define VIR_PERF_PARAM_MBMT                    "mbmt"
#define VIR_PERF_PARAM_PAGE_FAULTS             "page_faults"
#define VIR_PERF_PARAM_PAGE_FAULTS_MAJ         "page_faults_maj"
#define VIR_PERF_PARAM_PAGE_FAULTS_MIN         "page_faults_min"
#define VIR_PERF_PARAM_REF_CPU_CYCLES          "ref_cpu_cycles"
#define VIR_PERF_PARAM_STALLED_CYCLES_BACKEND  "stalled_cycles_backend"
#define VIR_PERF_PARAM_STALLED_CYCLES_FRONTEND "stalled_cycles_frontend"
#define VIR_PERF_PARAM_TASK_CLOCK              "task_clock"

/* Other constants */
#define VIR_DOMAIN_SCHED_FIELD_LENGTH VIR_TYPED_PARAM_FIELD_LENGTH
#define VIR_KEYCODE_SET_RFB           VIR_KEYCODE_SET_QNUM
/* END GENERATED macros */

/* CPU bitmaps: one bit per host CPU, 8 per byte, lowest CPU first.
 * cpumaps holds one map of maplen bytes per vCPU. */
#define VIR_CPU_MAPLEN(cpu) (((cpu) + 7) / 8)
#define VIR_USE_CPU(cpumap, cpu) ((cpumap)[(cpu) / 8] |= (1 << ((cpu) % 8)))
#define VIR_UNUSE_CPU(cpumap, cpu) \
    ((cpumap)[(cpu) / 8] &= ~(1 << ((cpu) % 8)))
#define VIR_CPU_USED(cpumap, cpu) ((cpumap)[(cpu) / 8] & (1 << ((cpu) % 8)))
#define VIR_GET_CPUMAP(cpumaps, maplen, vcpu) \
    (&((cpumaps)[(vcpu) * (maplen)]))
#define VIR_CPU_USABLE(cpumaps, maplen, vcpu, cpu) \
    VIR_CPU_USED(VIR_GET_CPUMAP(cpumaps, maplen, vcpu), cpu)
#define VIR_COPY_CPUMAP(cpumaps, maplen, vcpu, cpumap) \
    memcpy(cpumap, VIR_GET_CPUMAP(cpumaps, maplen, vcpu), maplen)

/* BEGIN GENERATED enums: scripts/gen-public-enums.py */
/* Old names for typed parameter types (blkio tuning) */
typedef enum {
    VIR_DOMAIN_BLKIO_PARAM_INT     = VIR_TYPED_PARAM_INT,
    VIR_DOMAIN_BLKIO_PARAM_UINT    = VIR_TYPED_PARAM_UINT,
    VIR_DOMAIN_BLKIO_PARAM_LLONG   = VIR_TYPED_PARAM_LLONG,
    VIR_DOMAIN_BLKIO_PARAM_ULLONG  = VIR_TYPED_PARAM_ULLONG,
    VIR_DOMAIN_BLKIO_PARAM_DOUBLE  = VIR_TYPED_PARAM_DOUBLE,
    VIR_DOMAIN_BLKIO_PARAM_BOOLEAN = VIR_TYPED_PARAM_BOOLEAN,
} virBlkioParameterType;

/* Why the guest agent state changed */
typedef enum {
    VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_UNKNOWN        = 0,
    VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_DOMAIN_STARTED = 1,
    VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL        = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_LAST           = 3,
#endif
} virConnectDomainEventAgentLifecycleReason;

/* Guest agent connection states */
typedef enum {
    VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED    = 1,
    VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_LAST         = 3,
#endif
} virConnectDomainEventAgentLifecycleState;

/* Block job event status */
typedef enum {
    VIR_DOMAIN_BLOCK_JOB_COMPLETED = 0,
    VIR_DOMAIN_BLOCK_JOB_FAILED    = 1,
    VIR_DOMAIN_BLOCK_JOB_CANCELED  = 2,
    VIR_DOMAIN_BLOCK_JOB_READY     = 3,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_BLOCK_JOB_LAST      = 4,
#endif
} virConnectDomainEventBlockJobStatus;

/* Why a disk's media changed */
typedef enum {
    VIR_DOMAIN_EVENT_DISK_CHANGE_MISSING_ON_START = 0,
    VIR_DOMAIN_EVENT_DISK_DROP_MISSING_ON_START   = 1,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_DISK_CHANGE_LAST             = 2,
#endif
} virConnectDomainEventDiskChangeReason;

/* Filters for virConnectListAllDomains() */
typedef enum {
    VIR_CONNECT_LIST_DOMAINS_ACTIVE         = 1 << 0,
    VIR_CONNECT_LIST_DOMAINS_INACTIVE       = 1 << 1,
    VIR_CONNECT_LIST_DOMAINS_PERSISTENT     = 1 << 2,
    VIR_CONNECT_LIST_DOMAINS_TRANSIENT      = 1 << 3,
    VIR_CONNECT_LIST_DOMAINS_RUNNING        = 1 << 4,
    VIR_CONNECT_LIST_DOMAINS_PAUSED         = 1 << 5,
    VIR_CONNECT_LIST_DOMAINS_SHUTOFF        = 1 << 6,
    VIR_CONNECT_LIST_DOMAINS_OTHER          = 1 << 7,
    VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE    = 1 << 8,
    VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE = 1 << 9,
    VIR_CONNECT_LIST_DOMAINS_AUTOSTART      = 1 << 10,
    VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART   = 1 << 11,
    VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT   = 1 << 12,
    VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT    = 1 << 13,
    VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT = 1 << 14,
    VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT  = 1 << 15,
} virConnectListAllDomainsFlags;

/* Flags for virConnectGetAllDomainStats() */
typedef enum {
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE        = VIR_CONNECT_LIST_DOMAINS_ACTIVE,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE      = VIR_CONNECT_LIST_DOMAINS_INACTIVE,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT    = VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT     = VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING       = VIR_CONNECT_LIST_DOMAINS_RUNNING,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED        = VIR_CONNECT_LIST_DOMAINS_PAUSED,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF       = VIR_CONNECT_LIST_DOMAINS_SHUTOFF,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER         = VIR_CONNECT_LIST_DOMAINS_OTHER,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT        = 1 << 29,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING       = 1 << 30,
    VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS = 1U << 31,
} virConnectGetAllDomainStatsFlags;

/* Flags for virDomainAbortJobFlags() */
typedef enum {
    VIR_DOMAIN_ABORT_JOB_POSTCOPY = 1 << 0,
} virDomainAbortJobFlagsValues;

/* Special guest agent timeout values */
typedef enum {
    VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK   = -2,
    VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_DEFAULT = -1,
    VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_NOWAIT  = 0,
} virDomainAgentResponseTimeoutValues;

/* Flags for virDomainAuthorizedSSHKeysSet() */
typedef enum {
    VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND = 1 << 0,
    VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE = 1 << 1,
} virDomainAuthorizedSSHKeysSetFlags;

/* Flags for virDomainBackupBegin() */
typedef enum {
    VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL = 1 << 0,
} virDomainBackupBeginFlags;

/* Flags for virDomainBlockCommit() */
typedef enum {
    VIR_DOMAIN_BLOCK_COMMIT_SHALLOW         = 1 << 0,
    VIR_DOMAIN_BLOCK_COMMIT_DELETE          = 1 << 1,
    VIR_DOMAIN_BLOCK_COMMIT_ACTIVE          = 1 << 2,
    VIR_DOMAIN_BLOCK_COMMIT_RELATIVE        = 1 << 3,
    VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES = 1 << 4,
} virDomainBlockCommitFlags;

/* Flags for virDomainBlockCopy() */
typedef enum {
    VIR_DOMAIN_BLOCK_COPY_SHALLOW            = 1 << 0,
    VIR_DOMAIN_BLOCK_COPY_REUSE_EXT          = 1 << 1,
    VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB      = 1 << 2,
    VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES = 1 << 3,
} virDomainBlockCopyFlags;

/* Flags for virDomainBlockJobAbort() */
typedef enum {
    VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC = 1 << 0,
    VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT = 1 << 1,
} virDomainBlockJobAbortFlags;

/* Flags for virDomainGetBlockJobInfo() */
typedef enum {
    VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES = 1 << 0,
} virDomainBlockJobInfoFlags;

/* Flags for virDomainBlockJobSetSpeed() */
typedef enum {
    VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES = 1 << 0,
} virDomainBlockJobSetSpeedFlags;

/* Kinds of block job */
typedef enum {
    VIR_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN       = 0,
    VIR_DOMAIN_BLOCK_JOB_TYPE_PULL          = 1,
    VIR_DOMAIN_BLOCK_JOB_TYPE_COPY          = 2,
    VIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT        = 3,
    VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT = 4,
    VIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP        = 5,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_BLOCK_JOB_TYPE_LAST          = 6,
#endif
} virDomainBlockJobType;

/* Flags for virDomainBlockPull() */
typedef enum {
    VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES = 1 << 6,
} virDomainBlockPullFlags;

/* Flags for virDomainBlockRebase() */
typedef enum {
    VIR_DOMAIN_BLOCK_REBASE_SHALLOW         = 1 << 0,
    VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT       = 1 << 1,
    VIR_DOMAIN_BLOCK_REBASE_COPY_RAW        = 1 << 2,
    VIR_DOMAIN_BLOCK_REBASE_COPY            = 1 << 3,
    VIR_DOMAIN_BLOCK_REBASE_RELATIVE        = 1 << 4,
    VIR_DOMAIN_BLOCK_REBASE_COPY_DEV        = 1 << 5,
    VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES = 1 << 6,
} virDomainBlockRebaseFlags;

/* Flags for virDomainBlockResize() */
typedef enum {
    VIR_DOMAIN_BLOCK_RESIZE_BYTES = 1 << 0,
} virDomainBlockResizeFlags;

/* Reasons for VIR_DOMAIN_BLOCKED */
typedef enum {
    VIR_DOMAIN_BLOCKED_UNKNOWN = 0,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_BLOCKED_LAST    = 1,
#endif
} virDomainBlockedReason;

/* Flags for virDomainOpenChannel() */
typedef enum {
    VIR_DOMAIN_CHANNEL_FORCE = 1 << 0,
} virDomainChannelFlags;

/* Flags for virDomainOpenConsole() */
typedef enum {
    VIR_DOMAIN_CONSOLE_FORCE = 1 << 0,
    VIR_DOMAIN_CONSOLE_SAFE  = 1 << 1,
} virDomainConsoleFlags;

/* Why the control interface is in error */
typedef enum {
    VIR_DOMAIN_CONTROL_ERROR_REASON_NONE     = 0,
    VIR_DOMAIN_CONTROL_ERROR_REASON_UNKNOWN  = 1,
    VIR_DOMAIN_CONTROL_ERROR_REASON_MONITOR  = 2,
    VIR_DOMAIN_CONTROL_ERROR_REASON_INTERNAL = 3,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_CONTROL_ERROR_REASON_LAST     = 4,
#endif
} virDomainControlErrorReason;

/* State of the domain's control interface */
typedef enum {
    VIR_DOMAIN_CONTROL_OK       = 0,
    VIR_DOMAIN_CONTROL_JOB      = 1,
    VIR_DOMAIN_CONTROL_OCCUPIED = 2,
    VIR_DOMAIN_CONTROL_ERROR    = 3,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_CONTROL_LAST     = 4,
#endif
} virDomainControlState;

/* Flags for virDomainCoreDump() */
typedef enum {
    VIR_DUMP_CRASH        = 1 << 0,
    VIR_DUMP_LIVE         = 1 << 1,
    VIR_DUMP_BYPASS_CACHE = 1 << 2,
    VIR_DUMP_RESET        = 1 << 3,
    VIR_DUMP_MEMORY_ONLY  = 1 << 4,
} virDomainCoreDumpFlags;

/* Formats for virDomainCoreDumpWithFormat() */
typedef enum {
    VIR_DOMAIN_CORE_DUMP_FORMAT_RAW          = 0,
    VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB   = 1,
    VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO    = 2,
    VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY = 3,
    VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP      = 4,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_CORE_DUMP_FORMAT_LAST         = 5,
#endif
} virDomainCoreDumpFormat;

/* Reasons for VIR_DOMAIN_CRASHED */
typedef enum {
    VIR_DOMAIN_CRASHED_UNKNOWN  = 0,
    VIR_DOMAIN_CRASHED_PANICKED = 1,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_CRASHED_LAST     = 2,
#endif
} virDomainCrashedReason;

/* Flags for starting a domain (create / create-xml) */
typedef enum {
    VIR_DOMAIN_NONE               = 0,
    VIR_DOMAIN_START_PAUSED       = 1 << 0,
    VIR_DOMAIN_START_AUTODESTROY  = 1 << 1,
    VIR_DOMAIN_START_BYPASS_CACHE = 1 << 2,
    VIR_DOMAIN_START_FORCE_BOOT   = 1 << 3,
    VIR_DOMAIN_START_VALIDATE     = 1 << 4,
    VIR_DOMAIN_START_RESET_NVRAM  = 1 << 5,
} virDomainCreateFlags;

/* Flags for virDomainDefineXMLFlags() */
typedef enum {
    VIR_DOMAIN_DEFINE_VALIDATE = 1 << 0,
} virDomainDefineFlags;

/* Flags for virDomainDestroyFlags() */
typedef enum {
    VIR_DOMAIN_DESTROY_DEFAULT     = 0,
    VIR_DOMAIN_DESTROY_GRACEFUL    = 1 << 0,
    VIR_DOMAIN_DESTROY_REMOVE_LOGS = 1 << 1,
} virDomainDestroyFlagsValues;

/* Flags for virDomainStartDirtyRateCalc() */
typedef enum {
    VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING = 0,
    VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP  = 1 << 0,
    VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING    = 1 << 1,
} virDomainDirtyRateCalcFlags;

/* Progress of a dirty page rate measurement */
typedef enum {
    VIR_DOMAIN_DIRTYRATE_UNSTARTED = 0,
    VIR_DOMAIN_DIRTYRATE_MEASURING = 1,
    VIR_DOMAIN_DIRTYRATE_MEASURED  = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_DIRTYRATE_LAST      = 3,
#endif
} virDomainDirtyRateStatus;

/* Disk error codes (virDomainGetDiskErrors) */
typedef enum {
    VIR_DOMAIN_DISK_ERROR_NONE     = 0,
    VIR_DOMAIN_DISK_ERROR_UNSPEC   = 1,
    VIR_DOMAIN_DISK_ERROR_NO_SPACE = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_DISK_ERROR_LAST     = 3,
#endif
} virDomainDiskErrorCode;

/* Details of VIR_DOMAIN_EVENT_CRASHED */
typedef enum {
    VIR_DOMAIN_EVENT_CRASHED_PANICKED    = 0,
    VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED = 1,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_CRASHED_LAST        = 2,
#endif
} virDomainEventCrashedDetailType;

/* Details of VIR_DOMAIN_EVENT_DEFINED */
typedef enum {
    VIR_DOMAIN_EVENT_DEFINED_ADDED         = 0,
    VIR_DOMAIN_EVENT_DEFINED_UPDATED       = 1,
    VIR_DOMAIN_EVENT_DEFINED_RENAMED       = 2,
    VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT = 3,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_DEFINED_LAST          = 4,
#endif
} virDomainEventDefinedDetailType;

/* Address family in a graphics event */
typedef enum {
    VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4 = 0,
    VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV6 = 1,
    VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_UNIX = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_LAST = 3,
#endif
} virDomainEventGraphicsAddressType;

/* Phase of a graphics client connection */
typedef enum {
    VIR_DOMAIN_EVENT_GRAPHICS_CONNECT    = 0,
    VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE = 1,
    VIR_DOMAIN_EVENT_GRAPHICS_DISCONNECT = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_GRAPHICS_LAST       = 3,
#endif
} virDomainEventGraphicsPhase;

/* Event IDs for virConnectDomainEventRegisterAny() */
typedef enum {
    VIR_DOMAIN_EVENT_ID_LIFECYCLE                 = 0,
    VIR_DOMAIN_EVENT_ID_REBOOT                    = 1,
    VIR_DOMAIN_EVENT_ID_RTC_CHANGE                = 2,
    VIR_DOMAIN_EVENT_ID_WATCHDOG                  = 3,
    VIR_DOMAIN_EVENT_ID_IO_ERROR                  = 4,
    VIR_DOMAIN_EVENT_ID_GRAPHICS                  = 5,
    VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON           = 6,
    VIR_DOMAIN_EVENT_ID_CONTROL_ERROR             = 7,
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB                 = 8,
    VIR_DOMAIN_EVENT_ID_DISK_CHANGE               = 9,
    VIR_DOMAIN_EVENT_ID_TRAY_CHANGE               = 10,
    VIR_DOMAIN_EVENT_ID_PMWAKEUP                  = 11,
    VIR_DOMAIN_EVENT_ID_PMSUSPEND                 = 12,
    VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE            = 13,
    VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK            = 14,
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED            = 15,
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2               = 16,
    VIR_DOMAIN_EVENT_ID_TUNABLE                   = 17,
    VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE           = 18,
    VIR_DOMAIN_EVENT_ID_DEVICE_ADDED              = 19,
    VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION       = 20,
    VIR_DOMAIN_EVENT_ID_JOB_COMPLETED             = 21,
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED     = 22,
    VIR_DOMAIN_EVENT_ID_METADATA_CHANGE           = 23,
    VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD           = 24,
    VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE            = 25,
    VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE = 26,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_ID_LAST                      = 27,
#endif
} virDomainEventID;

/* What was done after a disk I/O error */
typedef enum {
    VIR_DOMAIN_EVENT_IO_ERROR_NONE   = 0,
    VIR_DOMAIN_EVENT_IO_ERROR_PAUSE  = 1,
    VIR_DOMAIN_EVENT_IO_ERROR_REPORT = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_IO_ERROR_LAST   = 3,
#endif
} virDomainEventIOErrorAction;

/* Details of VIR_DOMAIN_EVENT_PMSUSPENDED */
typedef enum {
    VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY = 0,
    VIR_DOMAIN_EVENT_PMSUSPENDED_DISK   = 1,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_PMSUSPENDED_LAST   = 2,
#endif
} virDomainEventPMSuspendedDetailType;

/* Details of VIR_DOMAIN_EVENT_RESUMED */
typedef enum {
    VIR_DOMAIN_EVENT_RESUMED_UNPAUSED        = 0,
    VIR_DOMAIN_EVENT_RESUMED_MIGRATED        = 1,
    VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT   = 2,
    VIR_DOMAIN_EVENT_RESUMED_POSTCOPY        = 3,
    VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED = 4,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_RESUMED_LAST            = 5,
#endif
} virDomainEventResumedDetailType;

/* Details of VIR_DOMAIN_EVENT_SHUTDOWN */
typedef enum {
    VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED = 0,
    VIR_DOMAIN_EVENT_SHUTDOWN_GUEST    = 1,
    VIR_DOMAIN_EVENT_SHUTDOWN_HOST     = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_SHUTDOWN_LAST     = 3,
#endif
} virDomainEventShutdownDetailType;

/* Details of VIR_DOMAIN_EVENT_STARTED */
typedef enum {
    VIR_DOMAIN_EVENT_STARTED_BOOTED        = 0,
    VIR_DOMAIN_EVENT_STARTED_MIGRATED      = 1,
    VIR_DOMAIN_EVENT_STARTED_RESTORED      = 2,
    VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT = 3,
    VIR_DOMAIN_EVENT_STARTED_WAKEUP        = 4,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_STARTED_LAST          = 5,
#endif
} virDomainEventStartedDetailType;

/* Details of VIR_DOMAIN_EVENT_STOPPED */
typedef enum {
    VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN      = 0,
    VIR_DOMAIN_EVENT_STOPPED_DESTROYED     = 1,
    VIR_DOMAIN_EVENT_STOPPED_CRASHED       = 2,
    VIR_DOMAIN_EVENT_STOPPED_MIGRATED      = 3,
    VIR_DOMAIN_EVENT_STOPPED_SAVED         = 4,
    VIR_DOMAIN_EVENT_STOPPED_FAILED        = 5,
    VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT = 6,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_STOPPED_LAST          = 7,
#endif
} virDomainEventStoppedDetailType;

/* Details of VIR_DOMAIN_EVENT_SUSPENDED */
typedef enum {
    VIR_DOMAIN_EVENT_SUSPENDED_PAUSED          = 0,
    VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED        = 1,
    VIR_DOMAIN_EVENT_SUSPENDED_IOERROR         = 2,
    VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG        = 3,
    VIR_DOMAIN_EVENT_SUSPENDED_RESTORED        = 4,
    VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT   = 5,
    VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR       = 6,
    VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY        = 7,
    VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED = 8,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_SUSPENDED_LAST            = 9,
#endif
} virDomainEventSuspendedDetailType;

/* Direction of a tray change */
typedef enum {
    VIR_DOMAIN_EVENT_TRAY_CHANGE_OPEN  = 0,
    VIR_DOMAIN_EVENT_TRAY_CHANGE_CLOSE = 1,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_TRAY_CHANGE_LAST  = 2,
#endif
} virDomainEventTrayChangeReason;

/* Lifecycle event types */
typedef enum {
    VIR_DOMAIN_EVENT_DEFINED     = 0,
    VIR_DOMAIN_EVENT_UNDEFINED   = 1,
    VIR_DOMAIN_EVENT_STARTED     = 2,
    VIR_DOMAIN_EVENT_SUSPENDED   = 3,
    VIR_DOMAIN_EVENT_RESUMED     = 4,
    VIR_DOMAIN_EVENT_STOPPED     = 5,
    VIR_DOMAIN_EVENT_SHUTDOWN    = 6,
    VIR_DOMAIN_EVENT_PMSUSPENDED = 7,
    VIR_DOMAIN_EVENT_CRASHED     = 8,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_LAST        = 9,
#endif
} virDomainEventType;

/* Details of VIR_DOMAIN_EVENT_UNDEFINED */
typedef enum {
    VIR_DOMAIN_EVENT_UNDEFINED_REMOVED = 0,
    VIR_DOMAIN_EVENT_UNDEFINED_RENAMED = 1,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_UNDEFINED_LAST    = 2,
#endif
} virDomainEventUndefinedDetailType;

/* What was done when the watchdog fired */
typedef enum {
    VIR_DOMAIN_EVENT_WATCHDOG_NONE      = 0,
    VIR_DOMAIN_EVENT_WATCHDOG_PAUSE     = 1,
    VIR_DOMAIN_EVENT_WATCHDOG_RESET     = 2,
    VIR_DOMAIN_EVENT_WATCHDOG_POWEROFF  = 3,
    VIR_DOMAIN_EVENT_WATCHDOG_SHUTDOWN  = 4,
    VIR_DOMAIN_EVENT_WATCHDOG_DEBUG     = 5,
    VIR_DOMAIN_EVENT_WATCHDOG_INJECTNMI = 6,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_WATCHDOG_LAST      = 7,
#endif
} virDomainEventWatchdogAction;

/* Flags for virDomainFDAssociate() */
typedef enum {
    VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_RESTORE  = 1 << 0,
    VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_WRITABLE = 1 << 1,
} virDomainFDAssociateFlags;

/* Sources for virDomainGetHostname() */
typedef enum {
    VIR_DOMAIN_GET_HOSTNAME_LEASE = 1 << 0,
    VIR_DOMAIN_GET_HOSTNAME_AGENT = 1 << 1,
} virDomainGetHostnameFlags;

/* Flags for virDomainGetJobStats() */
typedef enum {
    VIR_DOMAIN_JOB_STATS_COMPLETED      = 1 << 0,
    VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED = 1 << 1,
} virDomainGetJobStatsFlags;

/* Info groups for virDomainGetGuestInfo() */
typedef enum {
    VIR_DOMAIN_GUEST_INFO_USERS      = 1 << 0,
    VIR_DOMAIN_GUEST_INFO_OS         = 1 << 1,
    VIR_DOMAIN_GUEST_INFO_TIMEZONE   = 1 << 2,
    VIR_DOMAIN_GUEST_INFO_HOSTNAME   = 1 << 3,
    VIR_DOMAIN_GUEST_INFO_FILESYSTEM = 1 << 4,
    VIR_DOMAIN_GUEST_INFO_DISKS      = 1 << 5,
    VIR_DOMAIN_GUEST_INFO_INTERFACES = 1 << 6,
} virDomainGuestInfoTypes;

/* Sources for virDomainInterfaceAddresses() */
typedef enum {
    VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE = 0,
    VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT = 1,
    VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP   = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LAST  = 3,
#endif
} virDomainInterfaceAddressesSource;

/* Which operation a job belongs to */
typedef enum {
    VIR_DOMAIN_JOB_OPERATION_UNKNOWN         = 0,
    VIR_DOMAIN_JOB_OPERATION_START           = 1,
    VIR_DOMAIN_JOB_OPERATION_SAVE            = 2,
    VIR_DOMAIN_JOB_OPERATION_RESTORE         = 3,
    VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN    = 4,
    VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT   = 5,
    VIR_DOMAIN_JOB_OPERATION_SNAPSHOT        = 6,
    VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_REVERT = 7,
    VIR_DOMAIN_JOB_OPERATION_DUMP            = 8,
    VIR_DOMAIN_JOB_OPERATION_BACKUP          = 9,
    VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_DELETE = 10,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_JOB_OPERATION_LAST            = 11,
#endif
} virDomainJobOperation;

/* Job types (virDomainJobInfo.type) */
typedef enum {
    VIR_DOMAIN_JOB_NONE      = 0,
    VIR_DOMAIN_JOB_BOUNDED   = 1,
    VIR_DOMAIN_JOB_UNBOUNDED = 2,
    VIR_DOMAIN_JOB_COMPLETED = 3,
    VIR_DOMAIN_JOB_FAILED    = 4,
    VIR_DOMAIN_JOB_CANCELLED = 5,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_JOB_LAST      = 6,
#endif
} virDomainJobType;

/* Lifecycle events with a configurable action */
typedef enum {
    VIR_DOMAIN_LIFECYCLE_POWEROFF = 0,
    VIR_DOMAIN_LIFECYCLE_REBOOT   = 1,
    VIR_DOMAIN_LIFECYCLE_CRASH    = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_LIFECYCLE_LAST     = 3,
#endif
} virDomainLifecycle;

/* Actions for a lifecycle event */
typedef enum {
    VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY          = 0,
    VIR_DOMAIN_LIFECYCLE_ACTION_RESTART          = 1,
    VIR_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME   = 2,
    VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE         = 3,
    VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY = 4,
    VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART = 5,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_LIFECYCLE_ACTION_LAST             = 6,
#endif
} virDomainLifecycleAction;

/* What was done about a memory failure */
typedef enum {
    VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_IGNORE = 0,
    VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_INJECT = 1,
    VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_FATAL  = 2,
    VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_RESET  = 3,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_LAST   = 4,
#endif
} virDomainMemoryFailureActionType;

/* Flag bits of a memory failure event */
typedef enum {
    VIR_DOMAIN_MEMORY_FAILURE_ACTION_REQUIRED = 1 << 0,
    VIR_DOMAIN_MEMORY_FAILURE_RECURSIVE       = 1 << 1,
} virDomainMemoryFailureFlags;

/* Who received a memory failure */
typedef enum {
    VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_HYPERVISOR = 0,
    VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_GUEST      = 1,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_LAST       = 2,
#endif
} virDomainMemoryFailureRecipientType;

/* Flags for virDomainMemoryPeek() */
typedef enum {
    VIR_MEMORY_VIRTUAL  = 1 << 0,
    VIR_MEMORY_PHYSICAL = 1 << 1,
} virDomainMemoryFlags;

/* Tags of virDomainMemoryStats() records */
typedef enum {
    VIR_DOMAIN_MEMORY_STAT_SWAP_IN         = 0,
    VIR_DOMAIN_MEMORY_STAT_SWAP_OUT        = 1,
    VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT     = 2,
    VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT     = 3,
    VIR_DOMAIN_MEMORY_STAT_UNUSED          = 4,
    VIR_DOMAIN_MEMORY_STAT_AVAILABLE       = 5,
    VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON  = 6,
    VIR_DOMAIN_MEMORY_STAT_RSS             = 7,
    VIR_DOMAIN_MEMORY_STAT_USABLE          = 8,
    VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE     = 9,
    VIR_DOMAIN_MEMORY_STAT_DISK_CACHES     = 10,
    VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC = 11,
    VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL  = 12,
    VIR_DOMAIN_MEMORY_STAT_NR              = 13,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_MEMORY_STAT_LAST            = VIR_DOMAIN_MEMORY_STAT_NR,
#endif
} virDomainMemoryStatTags;

/* Filters for virDomainGetMessages() */
typedef enum {
    VIR_DOMAIN_MESSAGE_DEPRECATION = 1 << 0,
    VIR_DOMAIN_MESSAGE_TAINTING    = 1 << 1,
} virDomainMessageType;

/* Kinds of domain metadata */
typedef enum {
    VIR_DOMAIN_METADATA_DESCRIPTION = 0,
    VIR_DOMAIN_METADATA_TITLE       = 1,
    VIR_DOMAIN_METADATA_ELEMENT     = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_METADATA_LAST        = 3,
#endif
} virDomainMetadataType;

/* Migration flags */
typedef enum {
    VIR_MIGRATE_LIVE                          = 1 << 0,
    VIR_MIGRATE_PEER2PEER                     = 1 << 1,
    VIR_MIGRATE_TUNNELLED                     = 1 << 2,
    VIR_MIGRATE_PERSIST_DEST                  = 1 << 3,
    VIR_MIGRATE_UNDEFINE_SOURCE               = 1 << 4,
    VIR_MIGRATE_PAUSED                        = 1 << 5,
    VIR_MIGRATE_NON_SHARED_DISK               = 1 << 6,
    VIR_MIGRATE_NON_SHARED_INC                = 1 << 7,
    VIR_MIGRATE_CHANGE_PROTECTION             = 1 << 8,
    VIR_MIGRATE_UNSAFE                        = 1 << 9,
    VIR_MIGRATE_OFFLINE                       = 1 << 10,
    VIR_MIGRATE_COMPRESSED                    = 1 << 11,
    VIR_MIGRATE_ABORT_ON_ERROR                = 1 << 12,
    VIR_MIGRATE_AUTO_CONVERGE                 = 1 << 13,
    VIR_MIGRATE_RDMA_PIN_ALL                  = 1 << 14,
    VIR_MIGRATE_POSTCOPY                      = 1 << 15,
    VIR_MIGRATE_TLS                           = 1 << 16,
    VIR_MIGRATE_PARALLEL                      = 1 << 17,
    VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES = 1 << 18,
    VIR_MIGRATE_POSTCOPY_RESUME               = 1 << 19,
    VIR_MIGRATE_ZEROCOPY                      = 1 << 20,
} virDomainMigrateFlags;

/* Flags for migration speed get/set */
typedef enum {
    VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY = 1 << 0,
} virDomainMigrateMaxSpeedFlags;

/* Migration */
virDomainPtr virDomainMigrate(virDomainPtr domain, virConnectPtr dconn,
                              unsigned long flags, const char *dname,
                              const char *uri, unsigned long bandwidth);
virDomainPtr virDomainMigrate2(virDomainPtr domain, virConnectPtr dconn,
                               const char *dxml, unsigned long flags,
                               const char *dname, const char *uri,
                               unsigned long bandwidth);
virDomainPtr virDomainMigrate3(virDomainPtr domain, virConnectPtr dconn,
                               virTypedParameterPtr params,
                               unsigned int nparams, unsigned int flags);
int virDomainMigrateToURI(virDomainPtr domain, const char *duri,
                          unsigned long flags, const char *dname,
                          unsigned long bandwidth);
int virDomainMigrateToURI2(virDomainPtr domain, const char *dconnuri,
                           const char *miguri, const char *dxml,
                           unsigned long flags, const char *dname,
                           unsigned long bandwidth);
int virDomainMigrateToURI3(virDomainPtr domain, const char *dconnuri,
                           virTypedParameterPtr params, unsigned int nparams,
                           unsigned int flags);
int virDomainMigrateGetMaxDowntime(virDomainPtr domain,
                                   unsigned long long *downtime,
                                   unsigned int flags);
int virDomainMigrateSetMaxDowntime(virDomainPtr domain,
                                   unsigned long long downtime,
                                   unsigned int flags);
int virDomainMigrateSetMaxSpeed(virDomainPtr domain, unsigned long bandwidth,
                                unsigned int flags);
int virDomainMigrateGetMaxSpeed(virDomainPtr domain, unsigned long *bandwidth,
                                unsigned int flags);
int virDomainMigrateStartPostCopy(virDomainPtr domain, unsigned int flags);
int virDomainMigrateGetCompressionCache(virDomainPtr domain, unsigned long long *cacheSize,
                                        unsigned int flags);
int virDomainMigrateSetCompressionCache(virDomainPtr domain, unsigned long long cacheSize,
                                        unsigned int flags);

/* Live / persistent selection for modifying APIs */
typedef enum {
    VIR_DOMAIN_AFFECT_CURRENT = 0,
    VIR_DOMAIN_AFFECT_LIVE    = 1 << 0,
    VIR_DOMAIN_AFFECT_CONFIG  = 1 << 1,
} virDomainModificationImpact;

/* Old names for virDomainModificationImpact (devices) */
typedef enum {
    VIR_DOMAIN_DEVICE_MODIFY_CURRENT = VIR_DOMAIN_AFFECT_CURRENT,
    VIR_DOMAIN_DEVICE_MODIFY_LIVE    = VIR_DOMAIN_AFFECT_LIVE,
    VIR_DOMAIN_DEVICE_MODIFY_CONFIG  = VIR_DOMAIN_AFFECT_CONFIG,
    VIR_DOMAIN_DEVICE_MODIFY_FORCE   = 1 << 2,
} virDomainDeviceModifyFlags;

/* Old names for virDomainModificationImpact (memory) */
typedef enum {
    VIR_DOMAIN_MEM_CURRENT = VIR_DOMAIN_AFFECT_CURRENT,
    VIR_DOMAIN_MEM_LIVE    = VIR_DOMAIN_AFFECT_LIVE,
    VIR_DOMAIN_MEM_CONFIG  = VIR_DOMAIN_AFFECT_CONFIG,
    VIR_DOMAIN_MEM_MAXIMUM = 1 << 2,
} virDomainMemoryModFlags;

/* Reasons for VIR_DOMAIN_NOSTATE */
typedef enum {
    VIR_DOMAIN_NOSTATE_UNKNOWN = 0,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_NOSTATE_LAST    = 1,
#endif
} virDomainNostateReason;

/* NUMA memory placement modes */
typedef enum {
    VIR_DOMAIN_NUMATUNE_MEM_STRICT      = 0,
    VIR_DOMAIN_NUMATUNE_MEM_PREFERRED   = 1,
    VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE  = 2,
    VIR_DOMAIN_NUMATUNE_MEM_RESTRICTIVE = 3,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_NUMATUNE_MEM_LAST        = 4,
#endif
} virDomainNumatuneMemMode;

/* Flags for virDomainOpenGraphics() */
typedef enum {
    VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH = 1 << 0,
} virDomainOpenGraphicsFlags;

/* Reasons for suspended-to-disk */
typedef enum {
    VIR_DOMAIN_PMSUSPENDED_DISK_UNKNOWN = 0,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_PMSUSPENDED_DISK_LAST    = 1,
#endif
} virDomainPMSuspendedDiskReason;

/* Reasons for VIR_DOMAIN_PMSUSPENDED */
typedef enum {
    VIR_DOMAIN_PMSUSPENDED_UNKNOWN = 0,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_PMSUSPENDED_LAST    = 1,
#endif
} virDomainPMSuspendedReason;

/* Reasons for VIR_DOMAIN_PAUSED */
typedef enum {
    VIR_DOMAIN_PAUSED_UNKNOWN         = 0,
    VIR_DOMAIN_PAUSED_USER            = 1,
    VIR_DOMAIN_PAUSED_MIGRATION       = 2,
    VIR_DOMAIN_PAUSED_SAVE            = 3,
    VIR_DOMAIN_PAUSED_DUMP            = 4,
    VIR_DOMAIN_PAUSED_IOERROR         = 5,
    VIR_DOMAIN_PAUSED_WATCHDOG        = 6,
    VIR_DOMAIN_PAUSED_FROM_SNAPSHOT   = 7,
    VIR_DOMAIN_PAUSED_SHUTTING_DOWN   = 8,
    VIR_DOMAIN_PAUSED_SNAPSHOT        = 9,
    VIR_DOMAIN_PAUSED_CRASHED         = 10,
    VIR_DOMAIN_PAUSED_STARTING_UP     = 11,
    VIR_DOMAIN_PAUSED_POSTCOPY        = 12,
    VIR_DOMAIN_PAUSED_POSTCOPY_FAILED = 13,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_PAUSED_LAST            = 14,
#endif
} virDomainPausedReason;

/* Signals for virDomainSendProcessSignal() */
typedef enum {
    VIR_DOMAIN_PROCESS_SIGNAL_NOP    = 0,
    VIR_DOMAIN_PROCESS_SIGNAL_HUP    = 1,
    VIR_DOMAIN_PROCESS_SIGNAL_INT    = 2,
    VIR_DOMAIN_PROCESS_SIGNAL_QUIT   = 3,
    VIR_DOMAIN_PROCESS_SIGNAL_ILL    = 4,
    VIR_DOMAIN_PROCESS_SIGNAL_TRAP   = 5,
    VIR_DOMAIN_PROCESS_SIGNAL_ABRT   = 6,
    VIR_DOMAIN_PROCESS_SIGNAL_BUS    = 7,
    VIR_DOMAIN_PROCESS_SIGNAL_FPE    = 8,
    VIR_DOMAIN_PROCESS_SIGNAL_KILL   = 9,
    VIR_DOMAIN_PROCESS_SIGNAL_USR1   = 10,
    VIR_DOMAIN_PROCESS_SIGNAL_SEGV   = 11,
    VIR_DOMAIN_PROCESS_SIGNAL_USR2   = 12,
    VIR_DOMAIN_PROCESS_SIGNAL_PIPE   = 13,
    VIR_DOMAIN_PROCESS_SIGNAL_ALRM   = 14,
    VIR_DOMAIN_PROCESS_SIGNAL_TERM   = 15,
    VIR_DOMAIN_PROCESS_SIGNAL_STKFLT = 16,
    VIR_DOMAIN_PROCESS_SIGNAL_CHLD   = 17,
    VIR_DOMAIN_PROCESS_SIGNAL_CONT   = 18,
    VIR_DOMAIN_PROCESS_SIGNAL_STOP   = 19,
    VIR_DOMAIN_PROCESS_SIGNAL_TSTP   = 20,
    VIR_DOMAIN_PROCESS_SIGNAL_TTIN   = 21,
    VIR_DOMAIN_PROCESS_SIGNAL_TTOU   = 22,
    VIR_DOMAIN_PROCESS_SIGNAL_URG    = 23,
    VIR_DOMAIN_PROCESS_SIGNAL_XCPU   = 24,
    VIR_DOMAIN_PROCESS_SIGNAL_XFSZ   = 25,
    VIR_DOMAIN_PROCESS_SIGNAL_VTALRM = 26,
    VIR_DOMAIN_PROCESS_SIGNAL_PROF   = 27,
    VIR_DOMAIN_PROCESS_SIGNAL_WINCH  = 28,
    VIR_DOMAIN_PROCESS_SIGNAL_POLL   = 29,
    VIR_DOMAIN_PROCESS_SIGNAL_PWR    = 30,
    VIR_DOMAIN_PROCESS_SIGNAL_SYS    = 31,
    VIR_DOMAIN_PROCESS_SIGNAL_RT0    = 32,
    VIR_DOMAIN_PROCESS_SIGNAL_RT1    = 33,
    VIR_DOMAIN_PROCESS_SIGNAL_RT2    = 34,
    VIR_DOMAIN_PROCESS_SIGNAL_RT3    = 35,
    VIR_DOMAIN_PROCESS_SIGNAL_RT4    = 36,
    VIR_DOMAIN_PROCESS_SIGNAL_RT5    = 37,
    VIR_DOMAIN_PROCESS_SIGNAL_RT6    = 38,
    VIR_DOMAIN_PROCESS_SIGNAL_RT7    = 39,
    VIR_DOMAIN_PROCESS_SIGNAL_RT8    = 40,
    VIR_DOMAIN_PROCESS_SIGNAL_RT9    = 41,
    VIR_DOMAIN_PROCESS_SIGNAL_RT10   = 42,
    VIR_DOMAIN_PROCESS_SIGNAL_RT11   = 43,
    VIR_DOMAIN_PROCESS_SIGNAL_RT12   = 44,
    VIR_DOMAIN_PROCESS_SIGNAL_RT13   = 45,
    VIR_DOMAIN_PROCESS_SIGNAL_RT14   = 46,
    VIR_DOMAIN_PROCESS_SIGNAL_RT15   = 47,
    VIR_DOMAIN_PROCESS_SIGNAL_RT16   = 48,
    VIR_DOMAIN_PROCESS_SIGNAL_RT17   = 49,
    VIR_DOMAIN_PROCESS_SIGNAL_RT18   = 50,
    VIR_DOMAIN_PROCESS_SIGNAL_RT19   = 51,
    VIR_DOMAIN_PROCESS_SIGNAL_RT20   = 52,
    VIR_DOMAIN_PROCESS_SIGNAL_RT21   = 53,
    VIR_DOMAIN_PROCESS_SIGNAL_RT22   = 54,
    VIR_DOMAIN_PROCESS_SIGNAL_RT23   = 55,
    VIR_DOMAIN_PROCESS_SIGNAL_RT24   = 56,
    VIR_DOMAIN_PROCESS_SIGNAL_RT25   = 57,
    VIR_DOMAIN_PROCESS_SIGNAL_RT26   = 58,
    VIR_DOMAIN_PROCESS_SIGNAL_RT27   = 59,
    VIR_DOMAIN_PROCESS_SIGNAL_RT28   = 60,
    VIR_DOMAIN_PROCESS_SIGNAL_RT29   = 61,
    VIR_DOMAIN_PROCESS_SIGNAL_RT30   = 62,
    VIR_DOMAIN_PROCESS_SIGNAL_RT31   = 63,
    VIR_DOMAIN_PROCESS_SIGNAL_RT32   = 64,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_PROCESS_SIGNAL_LAST   = 65,
#endif
} virDomainProcessSignal;

/* Flags for virDomainReboot() */
typedef enum {
    VIR_DOMAIN_REBOOT_DEFAULT        = 0,
    VIR_DOMAIN_REBOOT_ACPI_POWER_BTN = 1 << 0,
    VIR_DOMAIN_REBOOT_GUEST_AGENT    = 1 << 1,
    VIR_DOMAIN_REBOOT_INITCTL        = 1 << 2,
    VIR_DOMAIN_REBOOT_SIGNAL         = 1 << 3,
    VIR_DOMAIN_REBOOT_PARAVIRT       = 1 << 4,
} virDomainRebootFlagValues;

/* Reasons for VIR_DOMAIN_RUNNING */
typedef enum {
    VIR_DOMAIN_RUNNING_UNKNOWN            = 0,
    VIR_DOMAIN_RUNNING_BOOTED             = 1,
    VIR_DOMAIN_RUNNING_MIGRATED           = 2,
    VIR_DOMAIN_RUNNING_RESTORED           = 3,
    VIR_DOMAIN_RUNNING_FROM_SNAPSHOT      = 4,
    VIR_DOMAIN_RUNNING_UNPAUSED           = 5,
    VIR_DOMAIN_RUNNING_MIGRATION_CANCELED = 6,
    VIR_DOMAIN_RUNNING_SAVE_CANCELED      = 7,
    VIR_DOMAIN_RUNNING_WAKEUP             = 8,
    VIR_DOMAIN_RUNNING_CRASHED            = 9,
    VIR_DOMAIN_RUNNING_POSTCOPY           = 10,
    VIR_DOMAIN_RUNNING_POSTCOPY_FAILED    = 11,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_RUNNING_LAST               = 12,
#endif
} virDomainRunningReason;

/* Flags for save / restore */
typedef enum {
    VIR_DOMAIN_SAVE_BYPASS_CACHE = 1 << 0,
    VIR_DOMAIN_SAVE_RUNNING      = 1 << 1,
    VIR_DOMAIN_SAVE_PAUSED       = 1 << 2,
    VIR_DOMAIN_SAVE_RESET_NVRAM  = 1 << 3,
} virDomainSaveRestoreFlags;

/* Flags for virDomainSetTime() */
typedef enum {
    VIR_DOMAIN_TIME_SYNC = 1 << 0,
} virDomainSetTimeFlags;

/* Flags for virDomainSetUserPassword() */
typedef enum {
    VIR_DOMAIN_PASSWORD_ENCRYPTED = 1 << 0,
} virDomainSetUserPasswordFlags;

/* Flags for virDomainShutdownFlags() */
typedef enum {
    VIR_DOMAIN_SHUTDOWN_DEFAULT        = 0,
    VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN = 1 << 0,
    VIR_DOMAIN_SHUTDOWN_GUEST_AGENT    = 1 << 1,
    VIR_DOMAIN_SHUTDOWN_INITCTL        = 1 << 2,
    VIR_DOMAIN_SHUTDOWN_SIGNAL         = 1 << 3,
    VIR_DOMAIN_SHUTDOWN_PARAVIRT       = 1 << 4,
} virDomainShutdownFlagValues;

/* Reasons for VIR_DOMAIN_SHUTDOWN */
typedef enum {
    VIR_DOMAIN_SHUTDOWN_UNKNOWN = 0,
    VIR_DOMAIN_SHUTDOWN_USER    = 1,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_SHUTDOWN_LAST    = 2,
#endif
} virDomainShutdownReason;

/* Reasons for VIR_DOMAIN_SHUTOFF */
typedef enum {
    VIR_DOMAIN_SHUTOFF_UNKNOWN       = 0,
    VIR_DOMAIN_SHUTOFF_SHUTDOWN      = 1,
    VIR_DOMAIN_SHUTOFF_DESTROYED     = 2,
    VIR_DOMAIN_SHUTOFF_CRASHED       = 3,
    VIR_DOMAIN_SHUTOFF_MIGRATED      = 4,
    VIR_DOMAIN_SHUTOFF_SAVED         = 5,
    VIR_DOMAIN_SHUTOFF_FAILED        = 6,
    VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT = 7,
    VIR_DOMAIN_SHUTOFF_DAEMON        = 8,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_SHUTOFF_LAST          = 9,
#endif
} virDomainShutoffReason;

/* Domain states */
typedef enum {
    VIR_DOMAIN_NOSTATE     = 0,
    VIR_DOMAIN_RUNNING     = 1,
    VIR_DOMAIN_BLOCKED     = 2,
    VIR_DOMAIN_PAUSED      = 3,
    VIR_DOMAIN_SHUTDOWN    = 4,
    VIR_DOMAIN_SHUTOFF     = 5,
    VIR_DOMAIN_CRASHED     = 6,
    VIR_DOMAIN_PMSUSPENDED = 7,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_LAST        = 8,
#endif
} virDomainState;

/* Stat groups for virConnectGetAllDomainStats() */
typedef enum {
    VIR_DOMAIN_STATS_STATE     = 1 << 0,
    VIR_DOMAIN_STATS_CPU_TOTAL = 1 << 1,
    VIR_DOMAIN_STATS_BALLOON   = 1 << 2,
    VIR_DOMAIN_STATS_VCPU      = 1 << 3,
    VIR_DOMAIN_STATS_INTERFACE = 1 << 4,
    VIR_DOMAIN_STATS_BLOCK     = 1 << 5,
    VIR_DOMAIN_STATS_PERF      = 1 << 6,
    VIR_DOMAIN_STATS_IOTHREAD  = 1 << 7,
    VIR_DOMAIN_STATS_MEMORY    = 1 << 8,
    VIR_DOMAIN_STATS_DIRTYRATE = 1 << 9,
    VIR_DOMAIN_STATS_VM        = 1 << 10,
} virDomainStatsTypes;

/* Flags for virDomainUndefineFlags() */
typedef enum {
    VIR_DOMAIN_UNDEFINE_MANAGED_SAVE         = 1 << 0,
    VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA   = 1 << 1,
    VIR_DOMAIN_UNDEFINE_NVRAM                = 1 << 2,
    VIR_DOMAIN_UNDEFINE_KEEP_NVRAM           = 1 << 3,
    VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA = 1 << 4,
    VIR_DOMAIN_UNDEFINE_TPM                  = 1 << 5,
    VIR_DOMAIN_UNDEFINE_KEEP_TPM             = 1 << 6,
} virDomainUndefineFlagsValues;

/* Flags for the vCPU count APIs */
typedef enum {
    VIR_DOMAIN_VCPU_CURRENT      = VIR_DOMAIN_AFFECT_CURRENT,
    VIR_DOMAIN_VCPU_LIVE         = VIR_DOMAIN_AFFECT_LIVE,
    VIR_DOMAIN_VCPU_CONFIG       = VIR_DOMAIN_AFFECT_CONFIG,
    VIR_DOMAIN_VCPU_MAXIMUM      = 1 << 2,
    VIR_DOMAIN_VCPU_GUEST        = 1 << 3,
    VIR_DOMAIN_VCPU_HOTPLUGGABLE = 1 << 4,
} virDomainVcpuFlags;

/* Flags for virDomainGetXMLDesc() */
typedef enum {
    VIR_DOMAIN_XML_SECURE     = 1 << 0,
    VIR_DOMAIN_XML_INACTIVE   = 1 << 1,
    VIR_DOMAIN_XML_UPDATE_CPU = 1 << 2,
    VIR_DOMAIN_XML_MIGRATABLE = 1 << 3,
} virDomainXMLFlags;

/* Flags for virDomainSaveImageGetXMLDesc() */
typedef enum {
    VIR_DOMAIN_SAVE_IMAGE_XML_SECURE = VIR_DOMAIN_XML_SECURE,
} virDomainSaveImageXMLFlags;

/* Key code sets for virDomainSendKey() */
typedef enum {
    VIR_KEYCODE_SET_LINUX  = 0,
    VIR_KEYCODE_SET_XT     = 1,
    VIR_KEYCODE_SET_ATSET1 = 2,
    VIR_KEYCODE_SET_ATSET2 = 3,
    VIR_KEYCODE_SET_ATSET3 = 4,
    VIR_KEYCODE_SET_OSX    = 5,
    VIR_KEYCODE_SET_XT_KBD = 6,
    VIR_KEYCODE_SET_USB    = 7,
    VIR_KEYCODE_SET_WIN32  = 8,
    VIR_KEYCODE_SET_QNUM   = 9,
#ifdef VIR_ENUM_SENTINELS
    VIR_KEYCODE_SET_LAST   = 10,
#endif
} virKeycodeSet;

/* Old names for typed parameter types (memory tuning) */
typedef enum {
    VIR_DOMAIN_MEMORY_PARAM_INT     = VIR_TYPED_PARAM_INT,
    VIR_DOMAIN_MEMORY_PARAM_UINT    = VIR_TYPED_PARAM_UINT,
    VIR_DOMAIN_MEMORY_PARAM_LLONG   = VIR_TYPED_PARAM_LLONG,
    VIR_DOMAIN_MEMORY_PARAM_ULLONG  = VIR_TYPED_PARAM_ULLONG,
    VIR_DOMAIN_MEMORY_PARAM_DOUBLE  = VIR_TYPED_PARAM_DOUBLE,
    VIR_DOMAIN_MEMORY_PARAM_BOOLEAN = VIR_TYPED_PARAM_BOOLEAN,
} virMemoryParameterType;

/* Old names for typed parameter types (scheduler) */
typedef enum {
    VIR_DOMAIN_SCHED_FIELD_INT     = VIR_TYPED_PARAM_INT,
    VIR_DOMAIN_SCHED_FIELD_UINT    = VIR_TYPED_PARAM_UINT,
    VIR_DOMAIN_SCHED_FIELD_LLONG   = VIR_TYPED_PARAM_LLONG,
    VIR_DOMAIN_SCHED_FIELD_ULLONG  = VIR_TYPED_PARAM_ULLONG,
    VIR_DOMAIN_SCHED_FIELD_DOUBLE  = VIR_TYPED_PARAM_DOUBLE,
    VIR_DOMAIN_SCHED_FIELD_BOOLEAN = VIR_TYPED_PARAM_BOOLEAN,
} virSchedParameterType;

/* Special virVcpuInfo.cpu values */
typedef enum {
    VIR_VCPU_INFO_CPU_UNAVAILABLE = -2,
    VIR_VCPU_INFO_CPU_OFFLINE     = -1,
} virVcpuHostCpuState;

/* vCPU states */
typedef enum {
    VIR_VCPU_OFFLINE = 0,
    VIR_VCPU_RUNNING = 1,
    VIR_VCPU_BLOCKED = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_VCPU_LAST    = 3,
#endif
} virVcpuState;
/* END GENERATED enums */

/* State of the domain's control interface (virDomainGetControlInfo). */
typedef struct _virDomainControlInfo virDomainControlInfo;
typedef virDomainControlInfo *virDomainControlInfoPtr;

struct _virDomainControlInfo {
    unsigned int state;         /* virDomainControlState */
    unsigned int details;       /* virDomainControlErrorReason when in error */
    unsigned long long stateTime;   /* ms spent in this state */
};

/* Basic domain facts (virDomainGetInfo). */
typedef struct _virDomainInfo virDomainInfo;
typedef virDomainInfo *virDomainInfoPtr;

struct _virDomainInfo {
    unsigned char state;        /* virDomainState */
    unsigned long maxMem;       /* KiB */
    unsigned long memory;       /* KiB */
    unsigned short nrVirtCpu;
    unsigned long long cpuTime; /* ns */
};

/* Block device counters (virDomainBlockStats); -1 when unknown. */
typedef struct _virDomainBlockStats virDomainBlockStatsStruct;
typedef virDomainBlockStatsStruct *virDomainBlockStatsPtr;

struct _virDomainBlockStats {
    long long rd_req;
    long long rd_bytes;
    long long wr_req;
    long long wr_bytes;
    long long errs;
};

/* Network interface counters (virDomainInterfaceStats); -1 when unknown. */
typedef struct _virDomainInterfaceStats virDomainInterfaceStatsStruct;
typedef virDomainInterfaceStatsStruct *virDomainInterfaceStatsPtr;

struct _virDomainInterfaceStats {
    long long rx_bytes;
    long long rx_packets;
    long long rx_errs;
    long long rx_drop;
    long long tx_bytes;
    long long tx_packets;
    long long tx_errs;
    long long tx_drop;
};

/* One memory statistic (virDomainMemoryStats). */
typedef struct _virDomainMemoryStat virDomainMemoryStatStruct;
typedef virDomainMemoryStatStruct *virDomainMemoryStatPtr;

struct _virDomainMemoryStat {
    int tag;                    /* virDomainMemoryStatTags */
    unsigned long long val;
};

/* Size of a block device (virDomainGetBlockInfo), in bytes. */
typedef struct _virDomainBlockInfo virDomainBlockInfo;
typedef virDomainBlockInfo *virDomainBlockInfoPtr;

struct _virDomainBlockInfo {
    unsigned long long capacity;    /* guest-visible size */
    unsigned long long allocation;  /* host storage in use */
    unsigned long long physical;    /* host storage reserved */
};

/* One vCPU (virDomainGetVcpus). */
typedef struct _virVcpuInfo virVcpuInfo;
typedef virVcpuInfo *virVcpuInfoPtr;

struct _virVcpuInfo {
    unsigned int number;        /* vCPU index */
    int state;                  /* virVcpuState */
    unsigned long long cpuTime; /* ns */
    int cpu;                    /* host CPU, or a virVcpuHostCpuState */
};

/* One IOThread (virDomainGetIOThreadInfo). */
typedef struct _virDomainIOThreadInfo virDomainIOThreadInfo;
typedef virDomainIOThreadInfo *virDomainIOThreadInfoPtr;

struct _virDomainIOThreadInfo {
    unsigned int iothread_id;
    unsigned char *cpumap;      /* host CPUs it may run on */
    int cpumaplen;
};

/* Statistics of one domain (virConnectGetAllDomainStats). */
typedef struct _virDomainStatsRecord virDomainStatsRecord;
typedef virDomainStatsRecord *virDomainStatsRecordPtr;

struct _virDomainStatsRecord {
    virDomainPtr dom;
    virTypedParameterPtr params;
    int nparams;
};

/* Progress of a block job (virDomainGetBlockJobInfo). */
typedef unsigned long long virDomainBlockJobCursor;

typedef struct _virDomainBlockJobInfo virDomainBlockJobInfo;
typedef virDomainBlockJobInfo *virDomainBlockJobInfoPtr;

struct _virDomainBlockJobInfo {
    int type;                       /* virDomainBlockJobType */
    unsigned long bandwidth;        /* MiB/s, or bytes/s with a flag */
    virDomainBlockJobCursor cur;
    virDomainBlockJobCursor end;
};

/* A disk in error (virDomainGetDiskErrors). */
typedef struct _virDomainDiskError virDomainDiskError;
typedef virDomainDiskError *virDomainDiskErrorPtr;

struct _virDomainDiskError {
    char *disk;                 /* target name */
    int error;                  /* virDomainDiskErrorCode */
};

/* Progress of the current job (virDomainGetJobInfo). */
typedef struct _virDomainJobInfo virDomainJobInfo;
typedef virDomainJobInfo *virDomainJobInfoPtr;

struct _virDomainJobInfo {
    int type;                           /* virDomainJobType */
    unsigned long long timeElapsed;     /* ms */
    unsigned long long timeRemaining;   /* ms, bounded jobs only */
    unsigned long long dataTotal;       /* bytes: memory + files */
    unsigned long long dataProcessed;
    unsigned long long dataRemaining;
    unsigned long long memTotal;        /* bytes of guest memory */
    unsigned long long memProcessed;
    unsigned long long memRemaining;
    unsigned long long fileTotal;       /* bytes of disk data */
    unsigned long long fileProcessed;
    unsigned long long fileRemaining;
};

/* Endpoint of a graphics connection (graphics event). */
typedef struct _virDomainEventGraphicsAddress virDomainEventGraphicsAddress;
typedef virDomainEventGraphicsAddress *virDomainEventGraphicsAddressPtr;

struct _virDomainEventGraphicsAddress {
    int family;                 /* virDomainEventGraphicsAddressType */
    char *node;                 /* numeric address */
    char *service;              /* port */
};

/* One identity of a graphics client, e.g. an x509 name. */
typedef struct _virDomainEventGraphicsSubjectIdentity
    virDomainEventGraphicsSubjectIdentity;
typedef virDomainEventGraphicsSubjectIdentity
    *virDomainEventGraphicsSubjectIdentityPtr;

struct _virDomainEventGraphicsSubjectIdentity {
    char *type;
    char *name;
};

/* All identities of a graphics client. */
typedef struct _virDomainEventGraphicsSubject virDomainEventGraphicsSubject;
typedef virDomainEventGraphicsSubject *virDomainEventGraphicsSubjectPtr;

struct _virDomainEventGraphicsSubject {
    int nidentity;
    virDomainEventGraphicsSubjectIdentityPtr identities;
};

/* A mounted guest file system (virDomainGetFSInfo). */
typedef struct _virDomainFSInfo virDomainFSInfo;
typedef virDomainFSInfo *virDomainFSInfoPtr;

struct _virDomainFSInfo {
    char *mountpoint;
    char *name;                 /* device name in the guest */
    char *fstype;
    size_t ndevAlias;
    char **devAlias;            /* disk targets backing it */
};

/* Old names of virTypedParameter, kept for old programs. */
#define _virSchedParameter _virTypedParameter
typedef struct _virSchedParameter virSchedParameter;
typedef virSchedParameter *virSchedParameterPtr;

#define _virBlkioParameter _virTypedParameter
typedef struct _virBlkioParameter virBlkioParameter;
typedef virBlkioParameter *virBlkioParameterPtr;

#define _virMemoryParameter _virTypedParameter
typedef struct _virMemoryParameter virMemoryParameter;
typedef virMemoryParameter *virMemoryParameterPtr;

/* A guest interface address (virDomainInterfaceAddresses). */
typedef struct _virDomainInterfaceIPAddress virDomainIPAddress;
typedef virDomainIPAddress *virDomainIPAddressPtr;

struct _virDomainInterfaceIPAddress {
    int type;                   /* virIPAddrType */
    char *addr;
    unsigned int prefix;
};

/* A guest interface with its addresses. */
typedef struct _virDomainInterface virDomainInterface;
typedef virDomainInterface *virDomainInterfacePtr;

struct _virDomainInterface {
    char *name;
    char *hwaddr;
    unsigned int naddrs;
    virDomainIPAddressPtr addrs;
};

/* BEGIN GENERATED callbacks: scripts/gen-public-enums.py */
/* Handler for the AgentLifecycle event */
typedef void (*virConnectDomainEventAgentLifecycleCallback)(virConnectPtr conn,
                                                            virDomainPtr dom,
                                                            int state,
                                                            int reason,
                                                            void *opaque);

/* Handler for the BalloonChange event */
typedef void (*virConnectDomainEventBalloonChangeCallback)(virConnectPtr conn,
                                                           virDomainPtr dom,
                                                           unsigned long long actual,
                                                           void *opaque);

/* Handler for the BlockJob event */
typedef void (*virConnectDomainEventBlockJobCallback)(virConnectPtr conn,
                                                      virDomainPtr dom,
                                                      const char *disk,
                                                      int type,
                                                      int status,
                                                      void *opaque);

/* Handler for the BlockThreshold event */
typedef void (*virConnectDomainEventBlockThresholdCallback)(virConnectPtr conn,
                                                            virDomainPtr dom,
                                                            const char *dev,
                                                            const char *path,
                                                            unsigned long long threshold,
                                                            unsigned long long excess,
                                                            void *opaque);

/* Lifecycle events (virConnectDomainEventRegister) */
typedef int (*virConnectDomainEventCallback)(virConnectPtr conn,
                                             virDomainPtr dom,
                                             int event,
                                             int detail,
                                             void *opaque);

/* Handler for the DeviceAdded event */
typedef void (*virConnectDomainEventDeviceAddedCallback)(virConnectPtr conn,
                                                         virDomainPtr dom,
                                                         const char *devAlias,
                                                         void *opaque);

/* Handler for the DeviceRemovalFailed event */
typedef void (*virConnectDomainEventDeviceRemovalFailedCallback)(virConnectPtr conn,
                                                                 virDomainPtr dom,
                                                                 const char *devAlias,
                                                                 void *opaque);

/* Handler for the DeviceRemoved event */
typedef void (*virConnectDomainEventDeviceRemovedCallback)(virConnectPtr conn,
                                                           virDomainPtr dom,
                                                           const char *devAlias,
                                                           void *opaque);

/* Handler for the DiskChange event */
typedef void (*virConnectDomainEventDiskChangeCallback)(virConnectPtr conn,
                                                        virDomainPtr dom,
                                                        const char *oldSrcPath,
                                                        const char *newSrcPath,
                                                        const char *devAlias,
                                                        int reason,
                                                        void *opaque);

/* Common shape, cast with VIR_DOMAIN_EVENT_CALLBACK() */
typedef void (*virConnectDomainEventGenericCallback)(virConnectPtr conn,
                                                     virDomainPtr dom,
                                                     void *opaque);

/* Handler for the Graphics event */
typedef void (*virConnectDomainEventGraphicsCallback)(virConnectPtr conn,
                                                      virDomainPtr dom,
                                                      int phase,
                                                      const virDomainEventGraphicsAddress *local,
                                                      const virDomainEventGraphicsAddress *remote,
                                                      const char *authScheme,
                                                      const virDomainEventGraphicsSubject *subject,
                                                      void *opaque);

/* Handler for the IOError event */
typedef void (*virConnectDomainEventIOErrorCallback)(virConnectPtr conn,
                                                     virDomainPtr dom,
                                                     const char *srcPath,
                                                     const char *devAlias,
                                                     int action,
                                                     void *opaque);

/* Handler for the IOErrorReason event */
typedef void (*virConnectDomainEventIOErrorReasonCallback)(virConnectPtr conn,
                                                           virDomainPtr dom,
                                                           const char *srcPath,
                                                           const char *devAlias,
                                                           int action,
                                                           const char *reason,
                                                           void *opaque);

/* Handler for the JobCompleted event */
typedef void (*virConnectDomainEventJobCompletedCallback)(virConnectPtr conn,
                                                          virDomainPtr dom,
                                                          virTypedParameterPtr params,
                                                          int nparams,
                                                          void *opaque);

/* Handler for the MemoryDeviceSizeChange event */
typedef void (*virConnectDomainEventMemoryDeviceSizeChangeCallback)(virConnectPtr conn,
                                                                    virDomainPtr dom,
                                                                    const char *alias,
                                                                    unsigned long long size,
                                                                    void *opaque);

/* Handler for the MemoryFailure event */
typedef void (*virConnectDomainEventMemoryFailureCallback)(virConnectPtr conn,
                                                           virDomainPtr dom,
                                                           int recipient,
                                                           int action,
                                                           unsigned int flags,
                                                           void *opaque);

/* Handler for the MetadataChange event */
typedef void (*virConnectDomainEventMetadataChangeCallback)(virConnectPtr conn,
                                                            virDomainPtr dom,
                                                            int type,
                                                            const char *nsuri,
                                                            void *opaque);

/* Handler for the MigrationIteration event */
typedef void (*virConnectDomainEventMigrationIterationCallback)(virConnectPtr conn,
                                                                virDomainPtr dom,
                                                                int iteration,
                                                                void *opaque);

/* Handler for the PMSuspend event */
typedef void (*virConnectDomainEventPMSuspendCallback)(virConnectPtr conn,
                                                       virDomainPtr dom,
                                                       int reason,
                                                       void *opaque);

/* Handler for the PMSuspendDisk event */
typedef void (*virConnectDomainEventPMSuspendDiskCallback)(virConnectPtr conn,
                                                           virDomainPtr dom,
                                                           int reason,
                                                           void *opaque);

/* Handler for the PMWakeup event */
typedef void (*virConnectDomainEventPMWakeupCallback)(virConnectPtr conn,
                                                      virDomainPtr dom,
                                                      int reason,
                                                      void *opaque);

/* Handler for the RTCChange event */
typedef void (*virConnectDomainEventRTCChangeCallback)(virConnectPtr conn,
                                                       virDomainPtr dom,
                                                       long long utcoffset,
                                                       void *opaque);

/* Handler for the TrayChange event */
typedef void (*virConnectDomainEventTrayChangeCallback)(virConnectPtr conn,
                                                        virDomainPtr dom,
                                                        const char *devAlias,
                                                        int reason,
                                                        void *opaque);

/* Handler for the Tunable event */
typedef void (*virConnectDomainEventTunableCallback)(virConnectPtr conn,
                                                     virDomainPtr dom,
                                                     virTypedParameterPtr params,
                                                     int nparams,
                                                     void *opaque);

/* Handler for the Watchdog event */
typedef void (*virConnectDomainEventWatchdogCallback)(virConnectPtr conn,
                                                      virDomainPtr dom,
                                                      int action,
                                                      void *opaque);
/* END GENERATED callbacks */

/* Casts a specific event handler for virConnectDomainEventRegisterAny(). */
#define VIR_DOMAIN_EVENT_CALLBACK(cb) \
    ((virConnectDomainEventGenericCallback)(cb))

/* Listing domains */
int virConnectListAllDomains(virConnectPtr conn,
                             virDomainPtr **domains,
                             unsigned int flags);
int virConnectNumOfDomains(virConnectPtr conn);
int virConnectListDomains(virConnectPtr conn,
                          int *ids,
                          int maxids);
int virConnectNumOfDefinedDomains(virConnectPtr conn);
int virConnectListDefinedDomains(virConnectPtr conn,
                                 char **const names,
                                 int maxnames);

/* Finding a domain */
virDomainPtr virDomainLookupByName(virConnectPtr conn,
                                   const char *name);
virDomainPtr virDomainLookupByUUID(virConnectPtr conn,
                                   const unsigned char *uuid);
virDomainPtr virDomainLookupByUUIDString(virConnectPtr conn,
                                         const char *uuidstr);
virDomainPtr virDomainLookupByID(virConnectPtr conn,
                                 int id);

/* Handle reference counting */
int virDomainRef(virDomainPtr domain);
int virDomainFree(virDomainPtr domain);
virConnectPtr virDomainGetConnect(virDomainPtr dom);

/* Persistent definitions */
virDomainPtr virDomainDefineXML(virConnectPtr conn,
                                const char *xml);
virDomainPtr virDomainDefineXMLFlags(virConnectPtr conn,
                                     const char *xml,
                                     unsigned int flags);

/* What a hypervisor can run: libvirt's <domainCapabilities> XML */
char *virConnectGetDomainCapabilities(virConnectPtr conn,
                                      const char *emulatorbin,
                                      const char *arch,
                                      const char *machine,
                                      const char *virttype,
                                      unsigned int flags);
int virDomainUndefine(virDomainPtr domain);
int virDomainUndefineFlags(virDomainPtr domain,
                           unsigned int flags);

/* Lifecycle */
int virDomainCreate(virDomainPtr domain);
int virDomainCreateWithFlags(virDomainPtr domain,
                             unsigned int flags);
virDomainPtr virDomainCreateXML(virConnectPtr conn,
                                const char *xmlDesc,
                                unsigned int flags);
int virDomainDestroy(virDomainPtr domain);
int virDomainDestroyFlags(virDomainPtr domain,
                          unsigned int flags);
int virDomainShutdown(virDomainPtr domain);
int virDomainShutdownFlags(virDomainPtr domain,
                           unsigned int flags);
int virDomainReboot(virDomainPtr domain,
                    unsigned int flags);
int virDomainReset(virDomainPtr domain,
                   unsigned int flags);
int virDomainSuspend(virDomainPtr domain);
int virDomainResume(virDomainPtr domain);

/* Identity and state */
const char *virDomainGetName(virDomainPtr domain);
int virDomainGetUUID(virDomainPtr domain,
                     unsigned char *uuid);
int virDomainGetUUIDString(virDomainPtr domain,
                           char *buf);
unsigned int virDomainGetID(virDomainPtr domain);
char *virDomainGetOSType(virDomainPtr domain);
int virDomainGetInfo(virDomainPtr domain,
                     virDomainInfoPtr info);
int virDomainGetState(virDomainPtr domain,
                      int *state,
                      int *reason,
                      unsigned int flags);
char *virDomainGetXMLDesc(virDomainPtr domain,
                          unsigned int flags);
int virDomainIsActive(virDomainPtr dom);
int virDomainIsPersistent(virDomainPtr dom);
int virDomainIsUpdated(virDomainPtr dom);
int virDomainHasManagedSaveImage(virDomainPtr dom,
                                 unsigned int flags);

/* Saving a domain's state to a file, restoring it */
int virDomainSave(virDomainPtr domain,
                  const char *to);
int virDomainSaveFlags(virDomainPtr domain,
                       const char *to,
                       const char *dxml,
                       unsigned int flags);
int virDomainRestore(virConnectPtr conn,
                     const char *from);
int virDomainRestoreFlags(virConnectPtr conn,
                          const char *from,
                          const char *dxml,
                          unsigned int flags);
char *virDomainSaveImageGetXMLDesc(virConnectPtr conn,
                                   const char *file,
                                   unsigned int flags);
int virDomainSaveImageDefineXML(virConnectPtr conn,
                                const char *file,
                                const char *dxml,
                                unsigned int flags);
int virDomainManagedSave(virDomainPtr dom,
                         unsigned int flags);
int virDomainManagedSaveRemove(virDomainPtr dom,
                               unsigned int flags);

/* Core dumps */
int virDomainCoreDump(virDomainPtr domain,
                      const char *to,
                      unsigned int flags);
int virDomainCoreDumpWithFormat(virDomainPtr domain,
                                const char *to,
                                unsigned int dumpformat,
                                unsigned int flags);
char *virDomainManagedSaveGetXMLDesc(virDomainPtr domain,
                                     unsigned int flags);
int virDomainManagedSaveDefineXML(virDomainPtr domain,
                                  const char *dxml,
                                  unsigned int flags);
int virDomainSaveParams(virDomainPtr domain,
                        virTypedParameterPtr params,
                        int nparams,
                        unsigned int flags);
int virDomainRestoreParams(virConnectPtr conn,
                           virTypedParameterPtr params,
                           int nparams,
                           unsigned int flags);
int virDomainGetSecurityLabel(virDomainPtr domain,
                              virSecurityLabelPtr seclabel);

/* Autostart */
int virDomainGetAutostart(virDomainPtr domain,
                          int *autostart);
int virDomainSetAutostart(virDomainPtr domain,
                          int autostart);

/* Memory */
unsigned long virDomainGetMaxMemory(virDomainPtr domain);
int virDomainSetMaxMemory(virDomainPtr domain,
                          unsigned long memory);
int virDomainSetMemory(virDomainPtr domain,
                       unsigned long memory);
int virDomainSetMemoryFlags(virDomainPtr domain,
                            unsigned long memory,
                            unsigned int flags);

/* vCPUs */
int virDomainSetVcpus(virDomainPtr domain,
                      unsigned int nvcpus);
int virDomainSetVcpusFlags(virDomainPtr domain,
                           unsigned int nvcpus,
                           unsigned int flags);
int virDomainGetVcpusFlags(virDomainPtr domain,
                           unsigned int flags);
int virDomainGetMaxVcpus(virDomainPtr domain);
int virDomainGetVcpus(virDomainPtr domain,
                      virVcpuInfoPtr info,
                      int maxinfo,
                      unsigned char *cpumaps,
                      int maplen);

/* Statistics */
int virDomainBlockStats(virDomainPtr dom,
                        const char *disk,
                        virDomainBlockStatsPtr stats,
                        size_t size);
int virDomainBlockStatsFlags(virDomainPtr dom,
                             const char *disk,
                             virTypedParameterPtr params,
                             int *nparams,
                             unsigned int flags);
int virDomainInterfaceStats(virDomainPtr dom,
                            const char *device,
                            virDomainInterfaceStatsPtr stats,
                            size_t size);
int virDomainMemoryStats(virDomainPtr dom,
                         virDomainMemoryStatPtr stats,
                         unsigned int nr_stats,
                         unsigned int flags);
int virDomainGetBlockInfo(virDomainPtr dom,
                          const char *disk,
                          virDomainBlockInfoPtr info,
                          unsigned int flags);
int virConnectGetAllDomainStats(virConnectPtr conn,
                                unsigned int stats,
                                virDomainStatsRecordPtr **retStats,
                                unsigned int flags);
int virDomainListGetStats(virDomainPtr *doms,
                          unsigned int stats,
                          virDomainStatsRecordPtr **retStats,
                          unsigned int flags);
void virDomainStatsRecordListFree(virDomainStatsRecordPtr *stats);

/* Metadata */
char *virDomainGetMetadata(virDomainPtr domain,
                           int type,
                           const char *uri,
                           unsigned int flags);
int virDomainSetMetadata(virDomainPtr domain,
                         int type,
                         const char *metadata,
                         const char *key,
                         const char *uri,
                         unsigned int flags);

/* Jobs */
int virDomainGetJobInfo(virDomainPtr domain,
                        virDomainJobInfoPtr info);
int virDomainGetJobStats(virDomainPtr domain,
                         int *type,
                         virTypedParameterPtr *params,
                         int *nparams,
                         unsigned int flags);
int virDomainAbortJob(virDomainPtr domain);
int virDomainAbortJobFlags(virDomainPtr domain, unsigned int flags);

/* Events */
int virConnectDomainEventRegister(virConnectPtr conn,
                                  virConnectDomainEventCallback cb,
                                  void *opaque,
                                  virFreeCallback freecb);
int virConnectDomainEventDeregister(virConnectPtr conn,
                                    virConnectDomainEventCallback cb);
int virConnectDomainEventRegisterAny(virConnectPtr conn,
                                     virDomainPtr dom,
                                     int eventID,
                                     virConnectDomainEventGenericCallback cb,
                                     void *opaque,
                                     virFreeCallback freecb);
int virConnectDomainEventDeregisterAny(virConnectPtr conn,
                                       int callbackID);

/* Streams: the guest's console, a screenshot */
int virDomainOpenConsole(virDomainPtr dom,
                         const char *dev_name,
                         virStreamPtr st,
                         unsigned int flags);
char *virDomainScreenshot(virDomainPtr domain,
                          virStreamPtr stream,
                          unsigned int screen,
                          unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_DOMAIN_H */
