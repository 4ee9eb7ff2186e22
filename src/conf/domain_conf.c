/* The domain XML model: enum tables, object life, top-level parse and format. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/units.h"
#include "util/uuid.h"
#include "util/xml.h"
#include "util/xmlwriter.h"
#include "conf/domain_conf.h"
#include "conf/domain_device.h"
#include "conf/domain_postparse.h"
#include "conf/domain_raw.h"

LOG_INIT("conf.domain");

#define NULLSTR(s) ((s) ? (s) : "<null>")

ENUM_IMPL(domainVirt, DOMAIN_VIRT_LAST,
          "none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test",
          "vmware", "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "hvf");

ENUM_IMPL(domainOs, DOMAIN_OSTYPE_LAST,
          "hvm", "xen", "linux", "exe", "uml", "xenpvh");

ENUM_IMPL(domainTristateBool, DOMAIN_TRISTATE_BOOL_LAST, "default", "yes", "no");
ENUM_IMPL(domainTristateSwitch, DOMAIN_TRISTATE_SWITCH_LAST, "default", "on", "off");

ENUM_IMPL(domainLifecycleAction, DOMAIN_LIFECYCLE_LAST,
          "destroy", "restart", "rename-restart", "preserve",
          "coredump-destroy", "coredump-restart");

ENUM_IMPL(domainCpuPlacement, DOMAIN_CPU_PLACEMENT_LAST, "static", "auto");
ENUM_IMPL(domainBootDev, DOMAIN_BOOT_LAST, "fd", "cdrom", "hd", "network");
ENUM_IMPL(domainLoader, DOMAIN_LOADER_TYPE_LAST, "none", "rom", "pflash");
ENUM_IMPL(domainOsFirmware, DOMAIN_OS_FIRMWARE_LAST, "none", "bios", "efi");
ENUM_IMPL(domainSmbiosMode, DOMAIN_SMBIOS_LAST, "none", "emulate", "host", "sysinfo");

ENUM_IMPL(domainFeature, DOMAIN_FEATURE_LAST,
          "acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv", "kvm",
          "pvspinlock", "capabilities", "pmu", "vmport", "gic", "smm", "ioapic",
          "hpt", "vmcoreinfo", "htm", "nested-hv", "msrs", "ccf-assist", "xen",
          "cfpc", "sbbc", "ibs", "tcg");

ENUM_IMPL(domainHypervFeature, DOMAIN_HYPERV_LAST,
          "relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic",
          "stimer", "reset", "vendor_id", "frequencies", "reenlightenment",
          "tlbflush", "ipi", "evmcs", "avic");
ENUM_IMPL(domainHypervMode, DOMAIN_HYPERV_MODE_LAST, "none", "custom", "passthrough");
ENUM_IMPL(domainKvmFeature, DOMAIN_KVM_LAST,
          "hidden", "hint-dedicated", "poll-control", "pv-ipi");
ENUM_IMPL(domainGicVersion, DOMAIN_GIC_VERSION_LAST, "none", "host", "2", "3");
ENUM_IMPL(domainIoapic, DOMAIN_IOAPIC_LAST, "none", "qemu", "kvm");

ENUM_IMPL(domainCpuMode, DOMAIN_CPU_MODE_LAST,
          "custom", "host-model", "host-passthrough", "maximum");
ENUM_IMPL(domainCpuMatch, DOMAIN_CPU_MATCH_LAST, "default", "minimum", "exact", "strict");
ENUM_IMPL(domainCpuCheck, DOMAIN_CPU_CHECK_LAST, "default", "none", "partial", "full");
ENUM_IMPL(domainCpuFallback, DOMAIN_CPU_FALLBACK_LAST, "allow", "forbid");
ENUM_IMPL(domainCpuFeaturePolicy, DOMAIN_CPU_FEATURE_LAST,
          "force", "require", "optional", "disable", "forbid");
ENUM_IMPL(domainCpuCacheMode, DOMAIN_CPU_CACHE_MODE_LAST,
          "emulate", "passthrough", "disable");

ENUM_IMPL(domainNumaMemAccess, DOMAIN_NUMA_MEM_ACCESS_LAST, "default", "shared", "private");
ENUM_IMPL(domainNumatuneMemMode, DOMAIN_NUMATUNE_MEM_LAST,
          "strict", "preferred", "interleave", "restrictive");
ENUM_IMPL(domainNumatunePlacement, DOMAIN_NUMATUNE_PLACEMENT_LAST, "default", "static", "auto");

ENUM_IMPL(domainClockOffset, DOMAIN_CLOCK_OFFSET_LAST,
          "utc", "localtime", "variable", "timezone", "absolute");
ENUM_IMPL(domainClockBasis, DOMAIN_CLOCK_BASIS_LAST, "utc", "localtime");
ENUM_IMPL(domainTimerName, DOMAIN_TIMER_LAST,
          "platform", "pit", "rtc", "hpet", "tsc", "kvmclock", "hypervclock",
          "armvtimer");
ENUM_IMPL(domainTimerTickpolicy, DOMAIN_TIMER_TICKPOLICY_LAST,
          "none", "delay", "catchup", "merge", "discard");
ENUM_IMPL(domainTimerTrack, DOMAIN_TIMER_TRACK_LAST,
          "none", "boot", "guest", "wall", "realtime");
ENUM_IMPL(domainTimerMode, DOMAIN_TIMER_MODE_LAST,
          "none", "auto", "native", "emulate", "paravirt", "smpsafe");

/* Architectures libvirt knows (virArch). */
static const char *const domainArchNames[] = {
    "aarch64", "alpha", "armv6l", "armv7l", "armv7b", "cris", "i686", "ia64",
    "lm32", "loongarch64", "m68k", "microblaze", "microblazeel", "mips",
    "mipsel", "mips64", "mips64el", "openrisc", "parisc", "parisc64", "ppc",
    "ppcle", "ppc64", "ppc64le", "ppcemb", "riscv32", "riscv64", "s390",
    "s390x", "sh4", "sh4eb", "sparc", "sparc64", "unicore32", "x86_64",
    "xtensa", "xtensaeb",
};

/**
 * domainArchIsKnown:
 * @arch: an architecture name ("x86_64")
 *
 * Returns: whether libvirt knows that architecture name (virArch).
 */
bool
domainArchIsKnown(const char *arch)
{
    return enumFromString(domainArchNames, G_N_ELEMENTS(domainArchNames), arch) >= 0;
}

/* ------------------------------------------------------------------ */
/* Object life                                                         */

/**
 * domainDefNew:
 *
 * Returns: an empty definition (id -1, no devices); caller frees with
 * domainDefFree.
 */
DomainDef *
domainDefNew(void)
{
    DomainDef *def = g_new0(DomainDef, 1);

    def->id = -1;
    return def;
}

/**
 * domainCpuDefFree:
 * @cpu: CPU definition or NULL
 *
 * Releases @cpu.
 */
void
domainCpuDefFree(DomainCpuDef *cpu)
{
    size_t i;

    if (!cpu)
        return;
    g_free(cpu->model);
    g_free(cpu->vendorId);
    g_free(cpu->vendor);
    for (i = 0; i < cpu->nfeatures; i++)
        g_free(cpu->features[i].name);
    g_free(cpu->features);
    for (i = 0; i < cpu->ncells; i++)
        bitmapFree(cpu->cells[i].cpus);
    g_free(cpu->cells);
    g_free(cpu);
}

static void
domainOsDefClear(DomainOsDef *os)
{
    g_free(os->type);
    g_free(os->arch);
    g_free(os->machine);
    g_free(os->init);
    g_free(os->kernel);
    g_free(os->initrd);
    g_free(os->cmdline);
    g_free(os->dtb);
    g_free(os->loader);
    g_free(os->nvram);
    g_free(os->nvramTemplate);
}

static void
domainClockDefClear(DomainClockDef *clock)
{
    size_t i;

    g_free(clock->timezone);
    for (i = 0; i < clock->ntimers; i++)
        g_free(clock->timers[i]);
    g_free(clock->timers);
}

#define DOMAIN_FREE_ARRAY(n, arr, freefn) \
    do { \
        size_t i_; \
        for (i_ = 0; i_ < (n); i_++) \
            freefn((arr)[i_]); \
        g_free(arr); \
    } while (0)

/**
 * domainDefFree:
 * @def: definition or NULL
 *
 * Releases @def and everything it owns.  Accepts half-built objects.
 */
void
domainDefFree(DomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->metadata);
    bitmapFree(def->cpuset);
    bitmapFree(def->numatune.memoryNodeset);
    if (def->numatune.memnodes) {
        size_t i;

        for (i = 0; i < def->numatune.nmemnodes; i++)
            bitmapFree(def->numatune.memnodes[i].nodeset);
        g_free(def->numatune.memnodes);
    }
    domainOsDefClear(&def->os);
    g_free(def->features.hypervVendorId);
    domainCpuDefFree(def->cpu);
    domainClockDefClear(&def->clock);
    g_free(def->emulator);
    DOMAIN_FREE_ARRAY(def->ndisks, def->disks, domainDiskDefFree);
    DOMAIN_FREE_ARRAY(def->ncontrollers, def->controllers, domainControllerDefFree);
    DOMAIN_FREE_ARRAY(def->nnets, def->nets, domainNetDefFree);
    DOMAIN_FREE_ARRAY(def->nserials, def->serials, domainChrDefFree);
    DOMAIN_FREE_ARRAY(def->nparallels, def->parallels, domainChrDefFree);
    DOMAIN_FREE_ARRAY(def->nconsoles, def->consoles, domainChrDefFree);
    DOMAIN_FREE_ARRAY(def->nchannels, def->channels, domainChrDefFree);
    DOMAIN_FREE_ARRAY(def->ninputs, def->inputs, domainInputDefFree);
    DOMAIN_FREE_ARRAY(def->ngraphics, def->graphics, domainGraphicsDefFree);
    DOMAIN_FREE_ARRAY(def->nvideos, def->videos, domainVideoDefFree);
    DOMAIN_FREE_ARRAY(def->nrngs, def->rngs, domainRngDefFree);
    domainWatchdogDefFree(def->watchdog);
    domainMemballoonDefFree(def->memballoon);
    DOMAIN_FREE_ARRAY(def->nraws, def->raws, domainRawFree);
    g_free(def);
}

/* ------------------------------------------------------------------ */
/* Parsing: general information                                        */

/**
 * domainDefValidateName:
 * @name: proposed domain name
 *
 * Applies libvirt's rules to a domain name: not empty, no '/', no newline,
 * and (ours) at most DOMAIN_MAX_NAME_LEN characters.
 *
 * Returns: 0 when valid, -1 with libvirt's error otherwise.
 */
int
domainDefValidateName(const char *name)
{
    if (!name || !*name) {
        reportError(VIR_ERR_NO_NAME, NULL);
        return -1;
    }
    if (strchr(name, '\n')) {
        errorReport(VIR_FROM_XML, VIR_ERR_XML_DETAIL, __FILE__, __func__, __LINE__,
                    _("invalid char in %1$s: %2$c"), "name", '\n');
        return -1;
    }
    if (strchr(name, '/')) {
        reportError(VIR_ERR_XML_ERROR, _("name %1$s cannot contain '/'"), name);
        return -1;
    }
    if (strlen(name) > DOMAIN_MAX_NAME_LEN) {
        reportError(VIR_ERR_XML_ERROR, _("name of %1$zu characters exceeds the limit of %2$d"),
                    strlen(name), DOMAIN_MAX_NAME_LEN);
        return -1;
    }
    return 0;
}

/*
 * Keeps the namespaced elements of <metadata> (the first one per namespace
 * URI), dropping text, comments and elements without a namespace, as
 * libvirt does, and serialises what is left.
 */
static int
domainDefParseMetadata(DomainDef *def, xmlNodePtr node)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
    g_autoptr(GPtrArray) seen = g_ptr_array_new();
    xmlNodePtr copy;
    xmlNodePtr cur;
    xmlNodePtr next;

    if (!doc || !(copy = xmlDocCopyNode(node, doc, 1))) {
        reportError(VIR_ERR_NO_MEMORY, "%s", _("cannot copy <metadata>"));
        return -1;
    }
    xmlDocSetRootElement(doc, copy);
    for (cur = copy->children; cur; cur = next) {
        bool keep = false;

        next = cur->next;
        if (cur->type == XML_ELEMENT_NODE && cur->ns && cur->ns->href) {
            size_t i;

            keep = true;
            for (i = 0; i < seen->len; i++) {
                if (xmlStrEqual(g_ptr_array_index(seen, i), cur->ns->href))
                    keep = false;
            }
            if (keep)
                g_ptr_array_add(seen, (gpointer)cur->ns->href);
        }
        if (!keep) {
            xmlUnlinkNode(cur);
            xmlFreeNode(cur);
        }
    }
    xmlUtilStripBlanks(copy);
    def->metadata = xmlUtilNodeDump(doc, copy, 0, true);
    return 0;
}

static int
domainDefParseMemoryValue(xmlNodePtr node, const char *what,
                          unsigned long long *ret)
{
    g_autofree char *text = NULL;
    g_autofree char *unit = NULL;
    uint64_t value;

    *ret = 0;
    if (!node)
        return 0;
    text = xmlUtilContent(node);
    if (!text || !*text)
        return 0;
    if (strParseUInt64(text, 10, &value) < 0) {
        errorReport(VIR_FROM_XML, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                    _("Invalid value '%1$s' for element or attribute '%2$s'"),
                    text, what);
        return -1;
    }
    unit = xmlUtilProp(node, "unit");
    if (unitsScale(&value, unit, 1024, G_MAXINT64) < 0)
        return -1;
    /* bytes to KiB, rounding up as libvirt does */
    value = value / 1024 + (value % 1024 ? 1 : 0);
    if (value > DOMAIN_MEMORY_MAX_KIB) {
        reportError(VIR_ERR_OVERFLOW, "%s", _("size value too large"));
        return -1;
    }
    *ret = value;
    return 0;
}

static int
domainDefParseMemory(DomainDef *def, xmlNodePtr root)
{
    xmlNodePtr maxNode = xmlUtilChild(root, "maxMemory");

    if (domainDefParseMemoryValue(xmlUtilChild(root, "memory"), "./memory[1]",
                                  &def->mem.total) < 0)
        return -1;
    if (domainDefParseMemoryValue(xmlUtilChild(root, "currentMemory"),
                                  "./currentMemory[1]", &def->mem.current) < 0)
        return -1;
    if (domainDefParseMemoryValue(maxNode, "./maxMemory[1]", &def->mem.max) < 0)
        return -1;
    if (maxNode &&
        xmlUtilPropUInt(maxNode, "slots", 10, 0, &def->mem.slots) < 0)
        return -1;
    return 0;
}

/* Checks and defaults once <cpu><numa> (which may carry the size) is known. */
static int
domainDefFinishMemory(DomainDef *def)
{
    size_t i;

    if (def->mem.total == 0 && def->cpu) {
        for (i = 0; i < def->cpu->ncells; i++)
            def->mem.total += def->cpu->cells[i].mem;
    }
    if (def->mem.total == 0) {
        reportError(VIR_ERR_XML_ERROR, "%s",
                    _("Memory size must be specified via <memory> or in the <numa> configuration"));
        return -1;
    }
    if (def->mem.current == 0 || def->mem.current > def->mem.total)
        def->mem.current = def->mem.total;

    if ((def->mem.max || def->mem.slots) && !(def->mem.max && def->mem.slots)) {
        reportError(VIR_ERR_XML_ERROR, "%s",
                    _("both maximum memory size and memory slot count must be specified"));
        return -1;
    }
    if (def->mem.max && def->mem.max < def->mem.total) {
        reportError(VIR_ERR_XML_ERROR, "%s",
                    _("maximum memory size must be equal or greater than the actual memory size"));
        return -1;
    }
    return 0;
}

static int
domainDefParseVcpu(DomainDef *def, xmlNodePtr root)
{
    xmlNodePtr node = xmlUtilChild(root, "vcpu");
    g_autofree char *text = xmlUtilContent(node);
    g_autofree char *cpuset = NULL;
    const char *p;
    int rc;

    def->maxvcpus = 1;
    def->vcpus = 1;
    def->placement = DOMAIN_CPU_PLACEMENT_STATIC;
    if (!node)
        return 0;

    if (text && *text) {
        p = text;
        while (g_ascii_isspace(*p))
            p++;
        if (*p == '+')
            p++;
        if (strParseUInt(p, 10, &def->maxvcpus) < 0) {
            reportError(VIR_ERR_XML_ERROR, "%s", _("maximum vcpus count must be an integer"));
            return -1;
        }
    }
    if (def->maxvcpus > DOMAIN_MAX_VCPUS) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("vCPU count %1$u exceeds the limit of %2$d"),
                    def->maxvcpus, DOMAIN_MAX_VCPUS);
        return -1;
    }
    def->vcpus = def->maxvcpus;
    if ((rc = xmlUtilPropUInt(node, "current", 10, 0, &def->vcpus)) < 0)
        return -1;
    if (def->maxvcpus < def->vcpus) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("maximum vCPU count must not be less than current vCPU count"));
        return -1;
    }
    if (def->maxvcpus == 0) {
        /* libvirt's code and message for <vcpu>0</vcpu> */
        reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                    _("CPU IDs in <numa> exceed the <vcpu> count"));
        return -1;
    }

    if (xmlUtilPropEnum(node, "placement", domainCpuPlacementTypeFromString, 0,
                        &def->placement) < 0)
        return -1;

    cpuset = xmlUtilProp(node, "cpuset");
    if (cpuset && def->placement == DOMAIN_CPU_PLACEMENT_STATIC) {
        if (bitmapParse(cpuset, DOMAIN_MAX_CPUSET_BITS, &def->cpuset) < 0)
            return -1;
        if (bitmapIsEmpty(def->cpuset)) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("Invalid value of 'cpuset': %1$s"), cpuset);
            return -1;
        }
    }
    return 0;
}

static int
domainDefParseOs(DomainDef *def, xmlNodePtr root)
{
    xmlNodePtr os = xmlUtilChild(root, "os");
    xmlNodePtr typeNode = xmlUtilChild(os, "type");
    xmlNodePtr node;
    g_autofree xmlNodePtr *boots = NULL;
    size_t nboots;
    size_t i;

    def->os.type = xmlUtilChildContent(os, "type");
    if (!def->os.type) {
        reportError(VIR_ERR_XML_ERROR, "%s", _("an os <type> must be specified"));
        return -1;
    }
    if (domainOsTypeFromString(def->os.type) < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown OS type '%1$s'"), def->os.type);
        return -1;
    }
    def->os.arch = xmlUtilProp(typeNode, "arch");
    if (def->os.arch && !domainArchIsKnown(def->os.arch)) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("Unknown architecture %1$s"), def->os.arch);
        return -1;
    }
    def->os.machine = xmlUtilProp(typeNode, "machine");
    if (xmlUtilPropEnum(os, "firmware", domainOsFirmwareTypeFromString,
                        XML_UTIL_PROP_NONZERO, &def->os.firmware) < 0)
        return -1;

    def->os.init = xmlUtilChildContent(os, "init");
    def->os.kernel = xmlUtilChildContent(os, "kernel");
    def->os.initrd = xmlUtilChildContent(os, "initrd");
    def->os.cmdline = xmlUtilChildContent(os, "cmdline");
    def->os.dtb = xmlUtilChildContent(os, "dtb");

    if ((node = xmlUtilChild(os, "loader"))) {
        def->os.loader = xmlUtilChildContent(os, "loader");
        if (xmlUtilPropEnum(node, "readonly", domainTristateBoolTypeFromString,
                            XML_UTIL_PROP_NONZERO, &def->os.loaderReadonly) < 0 ||
            xmlUtilPropEnum(node, "secure", domainTristateBoolTypeFromString,
                            XML_UTIL_PROP_NONZERO, &def->os.loaderSecure) < 0 ||
            xmlUtilPropEnum(node, "type", domainLoaderTypeFromString,
                            XML_UTIL_PROP_NONZERO, &def->os.loaderType) < 0)
            return -1;
    }
    if ((node = xmlUtilChild(os, "nvram"))) {
        def->os.nvram = xmlUtilChildContent(os, "nvram");
        def->os.nvramTemplate = xmlUtilProp(node, "template");
    }

    nboots = xmlUtilChildren(os, "boot", &boots);
    for (i = 0; i < nboots && def->os.nBootDevs < DOMAIN_MAX_BOOT_DEVS; i++) {
        int dev;

        if (xmlUtilPropEnum(boots[i], "dev", domainBootDevTypeFromString,
                            XML_UTIL_PROP_REQUIRED, &dev) < 0)
            return -1;
        def->os.bootDevs[def->os.nBootDevs++] = dev;
    }

    if ((node = xmlUtilChild(os, "bootmenu"))) {
        if (xmlUtilPropEnum(node, "enable", domainTristateBoolTypeFromString,
                            XML_UTIL_PROP_NONZERO, &def->os.bootmenu) < 0)
            return -1;
        if (def->os.bootmenu == DOMAIN_TRISTATE_BOOL_YES) {
            int rc = xmlUtilPropUInt(node, "timeout", 10, 0, &def->os.bootmenuTimeout);

            if (rc < 0)
                return -1;
            if (rc > 0 && def->os.bootmenuTimeout > 65535) {
                reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                            _("invalid value for boot menu timeout, must be in range [0,65535]"));
                return -1;
            }
            def->os.bootmenuTimeoutSet = rc > 0;
        }
    }
    if ((node = xmlUtilChild(os, "bios"))) {
        int rc;

        if (xmlUtilPropEnum(node, "useserial", domainTristateBoolTypeFromString,
                            XML_UTIL_PROP_NONZERO, &def->os.biosUseserial) < 0)
            return -1;
        rc = xmlUtilPropInt(node, "rebootTimeout", 10, 0, &def->os.biosRebootTimeout);
        if (rc < 0)
            return -1;
        if (rc > 0 && (def->os.biosRebootTimeout < -1 ||
                       def->os.biosRebootTimeout > 65535)) {
            reportError(VIR_ERR_XML_ERROR, "%s",
                        _("invalid value for rebootTimeout, must be in range [-1,65535]"));
            return -1;
        }
        def->os.biosRebootTimeoutSet = rc > 0;
    }
    if ((node = xmlUtilChild(os, "smbios"))) {
        if (xmlUtilPropEnum(node, "mode", domainSmbiosModeTypeFromString,
                            XML_UTIL_PROP_REQUIRED | XML_UTIL_PROP_NONZERO,
                            &def->os.smbiosMode) < 0)
            return -1;
    }
    return 0;
}

static int
domainDefParseFeatureState(xmlNodePtr node, int *state)
{
    int rc = xmlUtilPropEnum(node, "state", domainTristateSwitchTypeFromString,
                             XML_UTIL_PROP_NONZERO, state);

    if (rc == 0)
        *state = DOMAIN_TRISTATE_SWITCH_ON;
    return rc < 0 ? -1 : 0;
}

static int
domainDefParseHyperv(DomainDef *def, xmlNodePtr node)
{
    DomainFeaturesDef *f = &def->features;
    xmlNodePtr cur;

    f->hypervMode = DOMAIN_HYPERV_MODE_CUSTOM;
    if (xmlUtilPropEnum(node, "mode", domainHypervModeTypeFromString,
                        XML_UTIL_PROP_NONZERO, &f->hypervMode) < 0)
        return -1;
    for (cur = node->children; cur; cur = cur->next) {
        int feat;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        feat = domainHypervFeatureTypeFromString((const char *)cur->name);
        if (feat < 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported HyperV Enlightenment feature: %1$s"),
                        (const char *)cur->name);
            return -1;
        }
        if (xmlUtilPropEnum(cur, "state", domainTristateSwitchTypeFromString,
                            XML_UTIL_PROP_REQUIRED | XML_UTIL_PROP_NONZERO,
                            &f->hyperv[feat]) < 0)
            return -1;
        if (f->hyperv[feat] != DOMAIN_TRISTATE_SWITCH_ON)
            continue;
        if (feat == DOMAIN_HYPERV_SPINLOCKS) {
            if (xmlUtilPropUInt(cur, "retries", 10, XML_UTIL_PROP_REQUIRED,
                                &f->hypervSpinlocks) < 0)
                return -1;
            if (f->hypervSpinlocks < 0xFFF) {
                reportError(VIR_ERR_XML_ERROR, "%s",
                            _("HyperV spinlock retry count must be at least 4095"));
                return -1;
            }
        } else if (feat == DOMAIN_HYPERV_VENDOR_ID) {
            g_free(f->hypervVendorId);
            if (!(f->hypervVendorId = xmlUtilProp(cur, "value"))) {
                reportError(VIR_ERR_XML_ERROR, "%s",
                            _("missing 'value' attribute for HyperV feature 'vendor_id'"));
                return -1;
            }
            if (strlen(f->hypervVendorId) > 12) {
                reportError(VIR_ERR_XML_ERROR,
                            _("HyperV vendor_id value must not be more than %1$d characters."),
                            12);
                return -1;
            }
        }
    }
    return 0;
}

static int
domainDefParseKvmFeatures(DomainDef *def, xmlNodePtr node)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        int feat;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        feat = domainKvmFeatureTypeFromString((const char *)cur->name);
        if (feat < 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unsupported KVM feature: %1$s"),
                        (const char *)cur->name);
            return -1;
        }
        if (xmlUtilPropEnum(cur, "state", domainTristateSwitchTypeFromString,
                            XML_UTIL_PROP_REQUIRED | XML_UTIL_PROP_NONZERO,
                            &def->features.kvm[feat]) < 0)
            return -1;
    }
    return 0;
}

/* <msrs unknown=...> accepts only "ignore" */
static int
domainMsrsUnknownFromString(const char *str)
{
    return streq(str, "ignore") ? 0 : -1;
}

static int
domainDefParseFeatures(DomainDef *def, xmlNodePtr root)
{
    xmlNodePtr features = xmlUtilChild(root, "features");
    DomainFeaturesDef *f = &def->features;
    xmlNodePtr cur;

    if (!features)
        return 0;
    for (cur = features->children; cur; cur = cur->next) {
        int feat;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        feat = domainFeatureTypeFromString((const char *)cur->name);
        if (feat < 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unexpected feature '%1$s'"),
                        (const char *)cur->name);
            return -1;
        }
        switch ((DomainFeature)feat) {
        case DOMAIN_FEATURE_ACPI:
        case DOMAIN_FEATURE_PAE:
        case DOMAIN_FEATURE_VIRIDIAN:
        case DOMAIN_FEATURE_PRIVNET:
            f->state[feat] = DOMAIN_TRISTATE_SWITCH_ON;
            break;
        case DOMAIN_FEATURE_APIC:
            f->state[feat] = DOMAIN_TRISTATE_SWITCH_ON;
            if (xmlUtilPropEnum(cur, "eoi", domainTristateSwitchTypeFromString,
                                XML_UTIL_PROP_NONZERO, &f->apicEoi) < 0)
                return -1;
            break;
        case DOMAIN_FEATURE_HAP:
        case DOMAIN_FEATURE_PVSPINLOCK:
        case DOMAIN_FEATURE_PMU:
        case DOMAIN_FEATURE_VMPORT:
        case DOMAIN_FEATURE_SMM:
        case DOMAIN_FEATURE_VMCOREINFO:
        case DOMAIN_FEATURE_HTM:
        case DOMAIN_FEATURE_NESTED_HV:
        case DOMAIN_FEATURE_CCF_ASSIST:
            if (domainDefParseFeatureState(cur, &f->state[feat]) < 0)
                return -1;
            break;
        case DOMAIN_FEATURE_GIC:
            f->state[feat] = DOMAIN_TRISTATE_SWITCH_ON;
            if (xmlUtilPropEnum(cur, "version", domainGicVersionTypeFromString,
                                XML_UTIL_PROP_NONZERO, &f->gicVersion) < 0)
                return -1;
            break;
        case DOMAIN_FEATURE_IOAPIC:
            if (xmlUtilPropEnum(cur, "driver", domainIoapicTypeFromString,
                                XML_UTIL_PROP_NONZERO, &f->ioapicDriver) < 0)
                return -1;
            if (f->ioapicDriver)
                f->state[feat] = DOMAIN_TRISTATE_SWITCH_ON;
            break;
        case DOMAIN_FEATURE_HYPERV:
            f->state[feat] = DOMAIN_TRISTATE_SWITCH_ON;
            if (domainDefParseHyperv(def, cur) < 0)
                return -1;
            break;
        case DOMAIN_FEATURE_KVM:
            f->state[feat] = DOMAIN_TRISTATE_SWITCH_ON;
            if (domainDefParseKvmFeatures(def, cur) < 0)
                return -1;
            break;
        case DOMAIN_FEATURE_MSRS:
            if (xmlUtilPropEnum(cur, "unknown", domainMsrsUnknownFromString,
                                XML_UTIL_PROP_REQUIRED, &f->state[feat]) < 0)
                return -1;
            f->state[feat] = DOMAIN_TRISTATE_SWITCH_ON;
            break;
        case DOMAIN_FEATURE_TCG:
            /* an empty <tcg/> says nothing and libvirt drops it */
            if (!xmlFirstElementChild(cur))
                break;
            G_GNUC_FALLTHROUGH;
        case DOMAIN_FEATURE_CAPABILITIES:
        case DOMAIN_FEATURE_HPT:
        case DOMAIN_FEATURE_XEN:
        case DOMAIN_FEATURE_CFPC:
        case DOMAIN_FEATURE_SBBC:
        case DOMAIN_FEATURE_IBS:
        case DOMAIN_FEATURE_LAST:
        default:
            /* Known to libvirt but not modelled here: refuse rather than
             * silently drop it. */
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported feature '%1$s'"), (const char *)cur->name);
            return -1;
        }
    }
    return 0;
}

static int
domainDefParseNumaCells(DomainCpuDef *cpu, xmlNodePtr numa)
{
    g_autofree xmlNodePtr *cells = NULL;
    size_t ncells = xmlUtilChildren(numa, "cell", &cells);
    size_t i;

    if (ncells > DOMAIN_MAX_NUMA_CELLS) {
        reportError(VIR_ERR_XML_ERROR, _("too many NUMA cells (limit %1$d)"),
                    DOMAIN_MAX_NUMA_CELLS);
        return -1;
    }
    cpu->cells = g_new0(DomainNumaCellDef, ncells ? ncells : 1);
    for (i = 0; i < ncells; i++) {
        DomainNumaCellDef *cell = &cpu->cells[cpu->ncells++];
        g_autofree char *cpus = xmlUtilProp(cells[i], "cpus");
        g_autofree char *unit = xmlUtilProp(cells[i], "unit");
        unsigned int id;
        int rc;
        unsigned long long mem;
        uint64_t bytes;

        if ((rc = xmlUtilPropUInt(cells[i], "id", 10, 0, &id)) < 0)
            return -1;
        if (rc > 0 && id != i) {
            reportError(VIR_ERR_XML_ERROR, "%s",
                        _("Exactly one 'cell' element per guest NUMA cell allowed, non-contiguous ranges or ranges not starting from 0 are not allowed"));
            return -1;
        }
        if (cpus && bitmapParse(cpus, DOMAIN_MAX_CPUSET_BITS, &cell->cpus) < 0)
            return -1;
        if (xmlUtilPropULongLong(cells[i], "memory", 10, XML_UTIL_PROP_REQUIRED, &mem) < 0)
            return -1;
        bytes = mem;
        if (unitsScale(&bytes, unit, 1024, G_MAXINT64) < 0)
            return -1;
        cell->mem = bytes / 1024 + (bytes % 1024 ? 1 : 0);
        if (xmlUtilPropEnum(cells[i], "memAccess", domainNumaMemAccessTypeFromString,
                            XML_UTIL_PROP_NONZERO, &cell->memAccess) < 0 ||
            xmlUtilPropEnum(cells[i], "discard", domainTristateBoolTypeFromString,
                            XML_UTIL_PROP_NONZERO, &cell->discard) < 0)
            return -1;
    }
    return 0;
}

static int
domainDefValidateNumaCells(const DomainDef *def)
{
    size_t i;
    size_t j;

    if (!def->cpu)
        return 0;
    for (i = 0; i < def->cpu->ncells; i++) {
        const Bitmap *cpus = def->cpu->cells[i].cpus;
        ssize_t last = -1;
        ssize_t bit = -1;

        if (!cpus)
            continue;
        while ((bit = bitmapNextSet(cpus, bit)) >= 0)
            last = bit;
        if (last >= (ssize_t)def->maxvcpus) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("Number of CPUs in <numa> exceeds the <vcpu> count"));
            return -1;
        }
        for (j = 0; j < i; j++) {
            const Bitmap *other = def->cpu->cells[j].cpus;

            bit = -1;
            while (other && (bit = bitmapNextSet(cpus, bit)) >= 0) {
                if (bitmapIsSet(other, (size_t)bit)) {
                    reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                                _("NUMA cells %1$zu and %2$zu have overlapping vCPU ids"),
                                i, j);
                    return -1;
                }
            }
        }
    }
    return 0;
}

static int
domainDefParseNumatune(DomainDef *def, xmlNodePtr root)
{
    DomainNumatuneDef *nt = &def->numatune;
    xmlNodePtr node = xmlUtilChild(root, "numatune");
    xmlNodePtr mem = xmlUtilChild(node, "memory");
    g_autofree xmlNodePtr *memnodes = NULL;
    size_t n;
    size_t i;

    if (mem) {
        g_autofree char *mode = xmlUtilProp(mem, "mode");
        g_autofree char *placement = xmlUtilProp(mem, "placement");
        g_autofree char *nodeset = xmlUtilProp(mem, "nodeset");

        nt->hasMemory = true;
        if (mode && (nt->memoryMode = domainNumatuneMemModeTypeFromString(mode)) < 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("Unsupported NUMA memory tuning mode '%1$s'"), mode);
            return -1;
        }
        if (placement &&
            (nt->memoryPlacement = domainNumatunePlacementTypeFromString(placement)) <= 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("Unsupported NUMA memory placement mode '%1$s'"), placement);
            return -1;
        }
        if (nodeset && bitmapParse(nodeset, DOMAIN_MAX_CPUSET_BITS, &nt->memoryNodeset) < 0)
            return -1;
        if (!placement) {
            if (nt->memoryNodeset)
                nt->memoryPlacement = DOMAIN_NUMATUNE_PLACEMENT_STATIC;
            else if (def->placement == DOMAIN_CPU_PLACEMENT_AUTO)
                nt->memoryPlacement = DOMAIN_NUMATUNE_PLACEMENT_AUTO;
            else
                nt->memoryPlacement = DOMAIN_NUMATUNE_PLACEMENT_STATIC;
        }
        if (nt->memoryPlacement == DOMAIN_NUMATUNE_PLACEMENT_STATIC && !nt->memoryNodeset) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("nodeset for NUMA memory tuning must be set if 'placement' is 'static'"));
            return -1;
        }
        if (nt->memoryPlacement == DOMAIN_NUMATUNE_PLACEMENT_AUTO) {
            g_clear_pointer(&nt->memoryNodeset, bitmapFree);
            /* and automatic memory placement implies automatic vCPUs,
             * unless <vcpu placement=...> says otherwise */
            if (!xmlUtilHasProp(xmlUtilChild(root, "vcpu"), "placement")) {
                def->placement = DOMAIN_CPU_PLACEMENT_AUTO;
                g_clear_pointer(&def->cpuset, bitmapFree);
            }
        }
    } else if (def->placement == DOMAIN_CPU_PLACEMENT_AUTO) {
        /* automatic vCPU placement implies automatic memory placement */
        nt->hasMemory = true;
        nt->memoryMode = DOMAIN_NUMATUNE_MEM_STRICT;
        nt->memoryPlacement = DOMAIN_NUMATUNE_PLACEMENT_AUTO;
    }

    n = xmlUtilChildren(node, "memnode", &memnodes);
    if (n > DOMAIN_MAX_NUMA_CELLS) {
        reportError(VIR_ERR_XML_ERROR, _("too many NUMA cells (limit %1$d)"),
                    DOMAIN_MAX_NUMA_CELLS);
        return -1;
    }
    nt->memnodes = g_new0(DomainNumatuneMemNode, n ? n : 1);
    for (i = 0; i < n; i++) {
        DomainNumatuneMemNode *mn = &nt->memnodes[nt->nmemnodes++];
        g_autofree char *mode = xmlUtilProp(memnodes[i], "mode");
        g_autofree char *nodeset = xmlUtilProp(memnodes[i], "nodeset");

        if (xmlUtilPropUInt(memnodes[i], "cellid", 10, XML_UTIL_PROP_REQUIRED, &mn->cellid) < 0)
            return -1;
        if (mode && (mn->mode = domainNumatuneMemModeTypeFromString(mode)) < 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("Unsupported NUMA memory tuning mode '%1$s'"), mode);
            return -1;
        }
        if (!nodeset) {
            reportError(VIR_ERR_XML_ERROR, "%s",
                        _("Missing required nodeset attribute in memnode element"));
            return -1;
        }
        if (bitmapParse(nodeset, DOMAIN_MAX_CPUSET_BITS, &mn->nodeset) < 0)
            return -1;
    }
    return 0;
}

static int
domainDefParseCpu(DomainDef *def, xmlNodePtr root)
{
    xmlNodePtr node = xmlUtilChild(root, "cpu");
    g_autoptr(DomainCpuDef) cpu = NULL;
    g_autofree xmlNodePtr *feats = NULL;
    g_autofree char *mode = NULL;
    xmlNodePtr child;
    size_t nfeats;
    size_t i;

    if (!node)
        return 0;
    cpu = g_new0(DomainCpuDef, 1);
    cpu->cacheLevel = -1;

    if ((mode = xmlUtilProp(node, "mode"))) {
        if ((cpu->mode = domainCpuModeTypeFromString(mode)) < 0) {
            errorReport(VIR_FROM_CPU, VIR_ERR_CONFIG_UNSUPPORTED, __FILE__, __func__,
                        __LINE__, _("Invalid mode attribute '%1$s'"), mode);
            return -1;
        }
    }
    if (xmlUtilPropEnum(node, "match", domainCpuMatchTypeFromString,
                        XML_UTIL_PROP_NONZERO, &cpu->match) < 0 ||
        xmlUtilPropEnum(node, "check", domainCpuCheckTypeFromString,
                        XML_UTIL_PROP_NONZERO, &cpu->check) < 0 ||
        xmlUtilPropEnum(node, "migratable", domainTristateSwitchTypeFromString,
                        XML_UTIL_PROP_NONZERO, &cpu->migratable) < 0)
        return -1;

    if ((child = xmlUtilChild(node, "model"))) {
        g_autofree char *fallback = xmlUtilProp(child, "fallback");

        cpu->model = xmlUtilChildContent(node, "model");
        if (fallback &&
            (cpu->fallback = domainCpuFallbackTypeFromString(fallback)) < 0) {
            errorReport(VIR_FROM_CPU, VIR_ERR_CONFIG_UNSUPPORTED, __FILE__, __func__,
                        __LINE__, "%s", _("Invalid fallback attribute"));
            return -1;
        }
        cpu->vendorId = xmlUtilProp(child, "vendor_id");
        if (cpu->vendorId && strlen(cpu->vendorId) != 12) {
            errorReport(VIR_FROM_CPU, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                        _("vendor_id must be exactly %1$d characters long"), 12);
            return -1;
        }
    }
    cpu->vendor = xmlUtilChildContent(node, "vendor");
    if (cpu->vendor && !cpu->model) {
        errorReport(VIR_FROM_CPU, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                    "%s", _("CPU vendor specified without CPU model"));
        return -1;
    }

    if ((child = xmlUtilChild(node, "topology"))) {
        cpu->dies = 1;
        if (xmlUtilPropUInt(child, "sockets", 10,
                            XML_UTIL_PROP_REQUIRED | XML_UTIL_PROP_NONZERO,
                            &cpu->sockets) < 0 ||
            xmlUtilPropUInt(child, "dies", 10, XML_UTIL_PROP_NONZERO, &cpu->dies) < 0 ||
            xmlUtilPropUInt(child, "cores", 10,
                            XML_UTIL_PROP_REQUIRED | XML_UTIL_PROP_NONZERO,
                            &cpu->cores) < 0 ||
            xmlUtilPropUInt(child, "threads", 10,
                            XML_UTIL_PROP_REQUIRED | XML_UTIL_PROP_NONZERO,
                            &cpu->threads) < 0)
            return -1;
    }

    if ((child = xmlUtilChild(node, "cache"))) {
        unsigned int level;
        int rc;

        cpu->hasCache = true;
        if ((rc = xmlUtilPropUInt(child, "level", 10, 0, &level)) < 0)
            return -1;
        if (rc > 0)
            cpu->cacheLevel = (int)level;
        if (xmlUtilPropEnum(child, "mode", domainCpuCacheModeTypeFromString,
                            XML_UTIL_PROP_REQUIRED, &cpu->cacheMode) < 0)
            return -1;
    }

    nfeats = xmlUtilChildren(node, "feature", &feats);
    if (nfeats > 0 && !cpu->model && cpu->mode == DOMAIN_CPU_MODE_CUSTOM) {
        errorReport(VIR_FROM_CPU, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                    "%s", _("Non-empty feature list specified without CPU model"));
        return -1;
    }
    if (nfeats > DOMAIN_MAX_DEVICES) {
        reportError(VIR_ERR_XML_ERROR, _("too many CPU features (limit %1$d)"),
                    DOMAIN_MAX_DEVICES);
        return -1;
    }
    cpu->features = g_new0(DomainCpuFeatureDef, nfeats ? nfeats : 1);
    for (i = 0; i < nfeats; i++) {
        g_autofree char *name = xmlUtilProp(feats[i], "name");
        g_autofree char *policy = xmlUtilProp(feats[i], "policy");
        int pol = DOMAIN_CPU_FEATURE_REQUIRE;
        size_t j;

        if (policy && (pol = domainCpuFeaturePolicyTypeFromString(policy)) < 0) {
            errorReport(VIR_FROM_CPU, VIR_ERR_CONFIG_UNSUPPORTED, __FILE__, __func__,
                        __LINE__, "%s", _("Invalid CPU feature policy"));
            return -1;
        }
        if (!name || !*name) {
            errorReport(VIR_FROM_CPU, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                        "%s", _("Invalid CPU feature name"));
            return -1;
        }
        for (j = 0; j < cpu->nfeatures; j++) {
            if (streq(cpu->features[j].name, name)) {
                errorReport(VIR_FROM_CPU, VIR_ERR_XML_ERROR, __FILE__, __func__,
                            __LINE__, _("CPU feature '%1$s' specified more than once"),
                            name);
                return -1;
            }
        }
        cpu->features[cpu->nfeatures].name = g_steal_pointer(&name);
        cpu->features[cpu->nfeatures].policy = pol;
        cpu->nfeatures++;
    }

    if (domainDefParseNumaCells(cpu, xmlUtilChild(node, "numa")) < 0)
        return -1;

    if (cpu->mode == DOMAIN_CPU_MODE_CUSTOM && cpu->model &&
        cpu->match == DOMAIN_CPU_MATCH_DEFAULT)
        cpu->match = DOMAIN_CPU_MATCH_EXACT;

    def->cpu = g_steal_pointer(&cpu);
    return 0;
}

static int
domainDefParseTimer(xmlNodePtr node, DomainTimerDef **ret)
{
    g_autofree DomainTimerDef *timer = g_new0(DomainTimerDef, 1);
    xmlNodePtr catchup;

    if (xmlUtilPropEnum(node, "name", domainTimerNameTypeFromString,
                        XML_UTIL_PROP_REQUIRED, &timer->name) < 0 ||
        xmlUtilPropEnum(node, "present", domainTristateBoolTypeFromString,
                        XML_UTIL_PROP_NONZERO, &timer->present) < 0 ||
        xmlUtilPropEnum(node, "tickpolicy", domainTimerTickpolicyTypeFromString,
                        XML_UTIL_PROP_NONZERO, &timer->tickpolicy) < 0 ||
        xmlUtilPropEnum(node, "track", domainTimerTrackTypeFromString,
                        XML_UTIL_PROP_NONZERO, &timer->track) < 0 ||
        xmlUtilPropULongLong(node, "frequency", 10, 0, &timer->frequency) < 0 ||
        xmlUtilPropEnum(node, "mode", domainTimerModeTypeFromString,
                        XML_UTIL_PROP_NONZERO, &timer->mode) < 0)
        return -1;

    if ((catchup = xmlUtilChild(node, "catchup"))) {
        unsigned long long v;

        timer->hasCatchup = true;
        if (xmlUtilPropULongLong(catchup, "threshold", 10, 0, &v) < 0)
            return -1;
        timer->catchupThreshold = v;
        v = 0;
        if (xmlUtilPropULongLong(catchup, "slew", 10, 0, &v) < 0)
            return -1;
        timer->catchupSlew = v;
        v = 0;
        if (xmlUtilPropULongLong(catchup, "limit", 10, 0, &v) < 0)
            return -1;
        timer->catchupLimit = v;
        if (!timer->catchupThreshold && !timer->catchupSlew && !timer->catchupLimit)
            timer->hasCatchup = false;
    }
    *ret = g_steal_pointer(&timer);
    return 0;
}

static int
domainDefParseClock(DomainDef *def, xmlNodePtr root)
{
    xmlNodePtr node = xmlUtilChild(root, "clock");
    DomainClockDef *clock = &def->clock;
    g_autofree char *offset = NULL;
    g_autofree char *adjustment = NULL;
    g_autofree xmlNodePtr *timers = NULL;
    size_t ntimers;
    size_t i;

    clock->offset = DOMAIN_CLOCK_OFFSET_UTC;
    if (!node)
        return 0;
    if ((offset = xmlUtilProp(node, "offset")) &&
        (clock->offset = domainClockOffsetTypeFromString(offset)) < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown clock offset '%1$s'"), offset);
        return -1;
    }

    adjustment = xmlUtilProp(node, "adjustment");
    switch ((DomainClockOffset)clock->offset) {
    case DOMAIN_CLOCK_OFFSET_UTC:
    case DOMAIN_CLOCK_OFFSET_LOCALTIME:
        if (streq(adjustment, "reset")) {
            clock->adjustmentReset = true;
        } else if (adjustment) {
            /* A numeric adjustment turns into a variable offset. */
            int64_t adj;

            if (strParseInt64(adjustment, 10, &adj) < 0) {
                reportError(VIR_ERR_INTERNAL_ERROR,
                            _("unknown clock adjustment '%1$s'"), adjustment);
                return -1;
            }
            clock->basis = clock->offset == DOMAIN_CLOCK_OFFSET_UTC ?
                DOMAIN_CLOCK_BASIS_UTC : DOMAIN_CLOCK_BASIS_LOCALTIME;
            clock->offset = DOMAIN_CLOCK_OFFSET_VARIABLE;
            clock->adjustment = adj;
        }
        break;
    case DOMAIN_CLOCK_OFFSET_VARIABLE: {
        int64_t adj = 0;

        /* libvirt ignores a malformed adjustment here (it becomes 0) */
        if (adjustment && strParseInt64(adjustment, 10, &adj) == 0)
            clock->adjustment = adj;
        if (xmlUtilPropEnum(node, "basis", domainClockBasisTypeFromString, 0,
                            &clock->basis) < 0)
            return -1;
        break;
    }
    case DOMAIN_CLOCK_OFFSET_TIMEZONE:
        if (!(clock->timezone = xmlUtilProp(node, "timezone"))) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("missing 'timezone' attribute for clock with offset='timezone'"));
            return -1;
        }
        break;
    case DOMAIN_CLOCK_OFFSET_ABSOLUTE:
        if (xmlUtilPropULongLong(node, "start", 10, XML_UTIL_PROP_REQUIRED,
                                 &clock->start) < 0)
            return -1;
        break;
    case DOMAIN_CLOCK_OFFSET_LAST:
        break;
    }

    ntimers = xmlUtilChildren(node, "timer", &timers);
    if (ntimers > DOMAIN_MAX_DEVICES) {
        reportError(VIR_ERR_XML_ERROR, _("too many timers (limit %1$d)"), DOMAIN_MAX_DEVICES);
        return -1;
    }
    clock->timers = g_new0(DomainTimerDef *, ntimers ? ntimers : 1);
    for (i = 0; i < ntimers; i++) {
        if (domainDefParseTimer(timers[i], &clock->timers[clock->ntimers]) < 0)
            return -1;
        clock->ntimers++;
    }
    return 0;
}

static int
domainDefParseLifecycle(xmlNodePtr root, const char *elem, const char *event,
                        int defaultAction, bool crash, int *ret)
{
    g_autofree char *text = xmlUtilChildContent(root, elem);
    int action;

    *ret = defaultAction;
    if (!text)
        return 0;
    action = domainLifecycleActionTypeFromString(text);
    if (action < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown %1$s action: %2$s"), elem, text);
        return -1;
    }
    if (!crash && (action == DOMAIN_LIFECYCLE_COREDUMP_DESTROY ||
                   action == DOMAIN_LIFECYCLE_COREDUMP_RESTART)) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("Lifecycle event '%1$s' doesn't support '%2$s' action"),
                    event, text);
        return -1;
    }
    *ret = action;
    return 0;
}

/**
 * domainDefParseNode:
 * @doc: document holding @root
 * @root: a <domain> element
 * @flags: DomainDefParseFlags
 *
 * Builds a definition from @root, applies libvirt's generic defaults
 * (UUID, current memory, vCPU count, boot device, implicit controllers,
 * drive addresses, console, MAC addresses, video...) and validates it.
 * Used directly by the test driver for <domain> elements inside its node
 * file.
 *
 * Returns: the definition (caller frees), or NULL with libvirt's error.
 */
DomainDef *
domainDefParseNode(xmlDocPtr doc G_GNUC_UNUSED, xmlNodePtr root, unsigned int flags)
{
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *type = NULL;
    g_autofree char *uuid = NULL;
    xmlNodePtr node;

    checkFlags(flags, DOMAIN_DEF_PARSE_INACTIVE | DOMAIN_DEF_PARSE_VALIDATE |
               DOMAIN_DEF_PARSE_KEEP_ORDER, NULL);

    if (!root || root->type != XML_ELEMENT_NODE ||
        !xmlStrEqual(root->name, BAD_CAST "domain")) {
        errorReport(VIR_FROM_XML, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                    _("expecting root element of '%1$s', not '%2$s'"), "domain",
                    root ? (const char *)root->name : "");
        return NULL;
    }
    if ((flags & DOMAIN_DEF_PARSE_VALIDATE) && domainDefValidateSchema(root) < 0)
        return NULL;

    def = domainDefNew();

    if (!(type = xmlUtilProp(root, "type"))) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("missing domain type attribute"));
        return NULL;
    }
    if ((def->virtType = domainVirtTypeFromString(type)) < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("invalid domain type %1$s"), type);
        return NULL;
    }
    if (!(flags & DOMAIN_DEF_PARSE_INACTIVE)) {
        if (xmlUtilPropInt(root, "id", 10, 0, &def->id) < 0)
            return NULL;
        if (def->id < -1)
            def->id = -1;
    }

    def->name = xmlUtilChildContent(root, "name");
    if (domainDefValidateName(def->name) < 0)
        return NULL;

    if ((uuid = xmlUtilChildContent(root, "uuid"))) {
        if (uuidParse(uuid, def->uuid) < 0) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("malformed uuid element"));
            return NULL;
        }
    } else if (uuidGenerate(def->uuid) < 0) {
        return NULL;
    } else {
        def->uuidGenerated = true;
    }

    def->title = xmlUtilChildContent(root, "title");
    if (def->title && strchr(def->title, '\n')) {
        reportError(VIR_ERR_XML_ERROR, "%s", _("Domain title can't contain newlines"));
        return NULL;
    }
    def->description = xmlUtilChildContent(root, "description");
    if ((node = xmlUtilChild(root, "metadata")) &&
        domainDefParseMetadata(def, node) < 0)
        return NULL;

    if (domainDefParseMemory(def, root) < 0 ||
        domainDefParseVcpu(def, root) < 0 ||
        domainDefParseNumatune(def, root) < 0 ||
        domainDefParseOs(def, root) < 0 ||
        domainDefParseFeatures(def, root) < 0 ||
        domainDefParseCpu(def, root) < 0 ||
        domainDefFinishMemory(def) < 0 ||
        domainDefValidateNumaCells(def) < 0 ||
        domainDefParseClock(def, root) < 0)
        return NULL;

    if (domainDefParseLifecycle(root, "on_poweroff", "poweroff",
                                DOMAIN_LIFECYCLE_DESTROY, false, &def->onPoweroff) < 0 ||
        domainDefParseLifecycle(root, "on_reboot", "reboot",
                                DOMAIN_LIFECYCLE_RESTART, false, &def->onReboot) < 0 ||
        domainDefParseLifecycle(root, "on_crash", "crash",
                                DOMAIN_LIFECYCLE_DESTROY, true, &def->onCrash) < 0)
        return NULL;

    if (domainDefParseDevices(def, xmlUtilChild(root, "devices"), flags) < 0)
        return NULL;
    if (domainRawParse(def, root, false, flags) < 0 ||
        domainRawParse(def, xmlUtilChild(root, "devices"), true, flags) < 0)
        return NULL;

    if (domainDefPostParse(def, flags) < 0)
        return NULL;

    return g_steal_pointer(&def);
}

/**
 * domainDefParseString:
 * @xml: domain XML
 * @flags: DomainDefParseFlags
 *
 * Parses libvirt domain XML (see domainDefParseNode).  Malformed XML is
 * VIR_ERR_XML_DETAIL with libxml2's message, as libvirt reports it.
 *
 * Returns: the definition (caller frees), or NULL with an error reported.
 */
DomainDef *
domainDefParseString(const char *xml, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!(doc = xmlUtilParse(xml, NULL, "(domain_definition)", "domain", VIR_FROM_DOMAIN)))
        return NULL;
    return domainDefParseNode(doc, xmlDocGetRootElement(doc), flags);
}

/**
 * domainDefParseFile:
 * @path: file holding domain XML
 * @flags: DomainDefParseFlags
 *
 * Returns: the definition (caller frees), or NULL with an error reported.
 */
DomainDef *
domainDefParseFile(const char *path, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!(doc = xmlUtilParseFile(path, "domain", VIR_FROM_DOMAIN)))
        return NULL;
    return domainDefParseNode(doc, xmlDocGetRootElement(doc), flags);
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */

static void
domainDefFormatMetadata(XmlWriter *w, const DomainDef *def)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *dumped = NULL;

    if (!def->metadata)
        return;
    /* Re-serialise so that libxml2 indents it for its depth in the tree. */
    doc = xmlReadMemory(def->metadata, (int)strlen(def->metadata), NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc || !xmlDocGetRootElement(doc))
        return;
    xmlUtilStripBlanks(xmlDocGetRootElement(doc));
    dumped = xmlUtilNodeDump(doc, xmlDocGetRootElement(doc), w->indent / 2, true);
    xmlWriterAddLit(w, dumped);
    xmlWriterAddLit(w, "\n");
}

static void
domainDefFormatNumatune(XmlWriter *w, const DomainNumatuneDef *nt)
{
    size_t i;

    if (!nt->hasMemory && nt->nmemnodes == 0)
        return;
    xmlWriterAddLit(w, "<numatune>\n");
    xmlWriterAdjustIndent(w, 2);
    if (nt->hasMemory) {
        xmlWriterAdd(w, "<memory mode='%s'", domainNumatuneMemModeTypeToString(nt->memoryMode));
        if (nt->memoryPlacement == DOMAIN_NUMATUNE_PLACEMENT_AUTO) {
            xmlWriterAddLit(w, " placement='auto'");
        } else if (nt->memoryNodeset) {
            g_autofree char *set = bitmapFormat(nt->memoryNodeset);

            xmlWriterAdd(w, " nodeset='%s'", set);
        }
        xmlWriterAddLit(w, "/>\n");
    }
    for (i = 0; i < nt->nmemnodes; i++) {
        g_autofree char *set = bitmapFormat(nt->memnodes[i].nodeset);

        xmlWriterAdd(w, "<memnode cellid='%u' mode='%s' nodeset='%s'/>\n",
                     nt->memnodes[i].cellid,
                     domainNumatuneMemModeTypeToString(nt->memnodes[i].mode), set);
    }
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAddLit(w, "</numatune>\n");
}

static void
domainDefFormatOs(XmlWriter *w, const DomainDef *def)
{
    const DomainOsDef *os = &def->os;
    size_t i;

    if (os->firmware)
        xmlWriterAdd(w, "<os firmware='%s'>\n", domainOsFirmwareTypeToString(os->firmware));
    else
        xmlWriterAddLit(w, "<os>\n");
    xmlWriterAdjustIndent(w, 2);

    xmlWriterAddLit(w, "<type");
    xmlWriterEscape(w, " arch='%s'", os->arch);
    xmlWriterEscape(w, " machine='%s'", os->machine);
    xmlWriterEscape(w, ">%s</type>\n", os->type ? os->type : "");

    xmlWriterEscape(w, "<init>%s</init>\n", os->init);
    if (os->loader || os->loaderReadonly || os->loaderSecure || os->loaderType) {
        xmlWriterAddLit(w, "<loader");
        if (os->loaderReadonly)
            xmlWriterAdd(w, " readonly='%s'", domainTristateBoolTypeToString(os->loaderReadonly));
        if (os->loaderSecure)
            xmlWriterAdd(w, " secure='%s'", domainTristateBoolTypeToString(os->loaderSecure));
        if (os->loaderType)
            xmlWriterAdd(w, " type='%s'", domainLoaderTypeToString(os->loaderType));
        if (os->loader)
            xmlWriterEscape(w, ">%s</loader>\n", os->loader);
        else
            xmlWriterAddLit(w, "/>\n");
    }
    if (os->nvram || os->nvramTemplate) {
        xmlWriterAddLit(w, "<nvram");
        xmlWriterEscape(w, " template='%s'", os->nvramTemplate);
        if (os->nvram)
            xmlWriterEscape(w, ">%s</nvram>\n", os->nvram);
        else
            xmlWriterAddLit(w, "/>\n");
    }
    xmlWriterEscape(w, "<kernel>%s</kernel>\n", os->kernel);
    xmlWriterEscape(w, "<initrd>%s</initrd>\n", os->initrd);
    xmlWriterEscape(w, "<cmdline>%s</cmdline>\n", os->cmdline);
    xmlWriterEscape(w, "<dtb>%s</dtb>\n", os->dtb);
    for (i = 0; i < os->nBootDevs; i++)
        xmlWriterAdd(w, "<boot dev='%s'/>\n", domainBootDevTypeToString(os->bootDevs[i]));
    if (os->bootmenu) {
        xmlWriterAdd(w, "<bootmenu enable='%s'", domainTristateBoolTypeToString(os->bootmenu));
        if (os->bootmenuTimeoutSet)
            xmlWriterAdd(w, " timeout='%u'", os->bootmenuTimeout);
        xmlWriterAddLit(w, "/>\n");
    }
    if (os->biosUseserial || os->biosRebootTimeoutSet) {
        xmlWriterAddLit(w, "<bios");
        if (os->biosUseserial)
            xmlWriterAdd(w, " useserial='%s'", domainTristateBoolTypeToString(os->biosUseserial));
        if (os->biosRebootTimeoutSet)
            xmlWriterAdd(w, " rebootTimeout='%d'", os->biosRebootTimeout);
        xmlWriterAddLit(w, "/>\n");
    }
    if (os->smbiosMode)
        xmlWriterAdd(w, "<smbios mode='%s'/>\n", domainSmbiosModeTypeToString(os->smbiosMode));

    xmlWriterAdjustIndent(w, -2);
    xmlWriterAddLit(w, "</os>\n");
}

static void
domainDefFormatFeatures(XmlWriter *w, const DomainDef *def)
{
    const DomainFeaturesDef *f = &def->features;
    XmlWriter child;
    size_t i;
    size_t j;

    xmlWriterInit(&child, w->indent + 2);
    for (i = 0; i < DOMAIN_FEATURE_LAST; i++) {
        const char *name = domainFeatureTypeToString((int)i);

        if (f->state[i] == DOMAIN_TRISTATE_SWITCH_ABSENT)
            continue;
        switch ((DomainFeature)i) {
        case DOMAIN_FEATURE_ACPI:
        case DOMAIN_FEATURE_PAE:
        case DOMAIN_FEATURE_VIRIDIAN:
        case DOMAIN_FEATURE_PRIVNET:
            if (f->state[i] == DOMAIN_TRISTATE_SWITCH_ON)
                xmlWriterAdd(&child, "<%s/>\n", name);
            break;
        case DOMAIN_FEATURE_APIC:
            if (f->state[i] != DOMAIN_TRISTATE_SWITCH_ON)
                break;
            if (f->apicEoi)
                xmlWriterAdd(&child, "<apic eoi='%s'/>\n",
                             domainTristateSwitchTypeToString(f->apicEoi));
            else
                xmlWriterAddLit(&child, "<apic/>\n");
            break;
        case DOMAIN_FEATURE_GIC:
            if (f->gicVersion)
                xmlWriterAdd(&child, "<gic version='%s'/>\n",
                             domainGicVersionTypeToString(f->gicVersion));
            else
                xmlWriterAddLit(&child, "<gic/>\n");
            break;
        case DOMAIN_FEATURE_IOAPIC:
            if (f->ioapicDriver)
                xmlWriterAdd(&child, "<ioapic driver='%s'/>\n",
                             domainIoapicTypeToString(f->ioapicDriver));
            break;
        case DOMAIN_FEATURE_HYPERV:
            xmlWriterAdd(&child, "<hyperv mode='%s'>\n",
                         domainHypervModeTypeToString(f->hypervMode ? f->hypervMode
                                                      : DOMAIN_HYPERV_MODE_CUSTOM));
            xmlWriterAdjustIndent(&child, 2);
            for (j = 0; j < DOMAIN_HYPERV_LAST; j++) {
                if (!f->hyperv[j])
                    continue;
                xmlWriterAdd(&child, "<%s state='%s'", domainHypervFeatureTypeToString((int)j),
                             domainTristateSwitchTypeToString(f->hyperv[j]));
                if (f->hyperv[j] == DOMAIN_TRISTATE_SWITCH_ON) {
                    if (j == DOMAIN_HYPERV_SPINLOCKS)
                        xmlWriterAdd(&child, " retries='%u'", f->hypervSpinlocks);
                    else if (j == DOMAIN_HYPERV_VENDOR_ID)
                        xmlWriterEscape(&child, " value='%s'", f->hypervVendorId);
                }
                xmlWriterAddLit(&child, "/>\n");
            }
            xmlWriterAdjustIndent(&child, -2);
            xmlWriterAddLit(&child, "</hyperv>\n");
            break;
        case DOMAIN_FEATURE_MSRS:
            xmlWriterAddLit(&child, "<msrs unknown='ignore'/>\n");
            break;
        case DOMAIN_FEATURE_KVM:
            xmlWriterAddLit(&child, "<kvm>\n");
            xmlWriterAdjustIndent(&child, 2);
            for (j = 0; j < DOMAIN_KVM_LAST; j++) {
                if (f->kvm[j])
                    xmlWriterAdd(&child, "<%s state='%s'/>\n",
                                 domainKvmFeatureTypeToString((int)j),
                                 domainTristateSwitchTypeToString(f->kvm[j]));
            }
            xmlWriterAdjustIndent(&child, -2);
            xmlWriterAddLit(&child, "</kvm>\n");
            break;
        default:
            xmlWriterAdd(&child, "<%s state='%s'/>\n", name,
                         domainTristateSwitchTypeToString(f->state[i]));
            break;
        }
    }
    xmlWriterElement(w, "features", NULL, &child);
    xmlWriterClear(&child);
}

static void
domainDefFormatCpu(XmlWriter *w, const DomainCpuDef *cpu)
{
    XmlWriter attrs;
    XmlWriter child;
    size_t i;

    if (!cpu)
        return;
    xmlWriterInit(&attrs, 0);
    xmlWriterInit(&child, w->indent + 2);

    if (cpu->mode != DOMAIN_CPU_MODE_CUSTOM || cpu->model)
        xmlWriterAdd(&attrs, " mode='%s'", domainCpuModeTypeToString(cpu->mode));
    if (cpu->mode == DOMAIN_CPU_MODE_CUSTOM && cpu->model && cpu->match)
        xmlWriterAdd(&attrs, " match='%s'", domainCpuMatchTypeToString(cpu->match));
    if (cpu->check)
        xmlWriterAdd(&attrs, " check='%s'", domainCpuCheckTypeToString(cpu->check));
    if (cpu->migratable && (cpu->mode == DOMAIN_CPU_MODE_HOST_PASSTHROUGH ||
                            cpu->mode == DOMAIN_CPU_MODE_MAXIMUM))
        xmlWriterAdd(&attrs, " migratable='%s'",
                     domainTristateSwitchTypeToString(cpu->migratable));

    if (cpu->model) {
        xmlWriterAdd(&child, "<model fallback='%s'", domainCpuFallbackTypeToString(cpu->fallback));
        xmlWriterEscape(&child, " vendor_id='%s'", cpu->vendorId);
        xmlWriterEscape(&child, ">%s</model>\n", cpu->model);
    }
    xmlWriterEscape(&child, "<vendor>%s</vendor>\n", cpu->vendor);
    if (cpu->sockets)
        xmlWriterAdd(&child, "<topology sockets='%u' dies='%u' cores='%u' threads='%u'/>\n",
                     cpu->sockets, cpu->dies, cpu->cores, cpu->threads);
    if (cpu->hasCache) {
        xmlWriterAddLit(&child, "<cache");
        if (cpu->cacheLevel >= 0)
            xmlWriterAdd(&child, " level='%d'", cpu->cacheLevel);
        xmlWriterAdd(&child, " mode='%s'/>\n", domainCpuCacheModeTypeToString(cpu->cacheMode));
    }
    for (i = 0; i < cpu->nfeatures; i++) {
        xmlWriterAdd(&child, "<feature policy='%s'",
                     domainCpuFeaturePolicyTypeToString(cpu->features[i].policy));
        xmlWriterEscape(&child, " name='%s'/>\n", cpu->features[i].name);
    }
    if (cpu->ncells > 0) {
        xmlWriterAddLit(&child, "<numa>\n");
        xmlWriterAdjustIndent(&child, 2);
        for (i = 0; i < cpu->ncells; i++) {
            const DomainNumaCellDef *cell = &cpu->cells[i];

            xmlWriterAdd(&child, "<cell id='%zu'", i);
            if (cell->cpus) {
                g_autofree char *set = bitmapFormat(cell->cpus);

                xmlWriterAdd(&child, " cpus='%s'", set);
            }
            xmlWriterAdd(&child, " memory='%llu' unit='KiB'", cell->mem);
            if (cell->memAccess)
                xmlWriterAdd(&child, " memAccess='%s'",
                             domainNumaMemAccessTypeToString(cell->memAccess));
            if (cell->discard)
                xmlWriterAdd(&child, " discard='%s'",
                             domainTristateBoolTypeToString(cell->discard));
            xmlWriterAddLit(&child, "/>\n");
        }
        xmlWriterAdjustIndent(&child, -2);
        xmlWriterAddLit(&child, "</numa>\n");
    }
    xmlWriterElement(w, "cpu", &attrs, &child);
    xmlWriterClear(&attrs);
    xmlWriterClear(&child);
}

static void
domainDefFormatClock(XmlWriter *w, const DomainClockDef *clock)
{
    XmlWriter child;
    size_t i;

    xmlWriterAdd(w, "<clock offset='%s'", domainClockOffsetTypeToString(clock->offset));
    switch ((DomainClockOffset)clock->offset) {
    case DOMAIN_CLOCK_OFFSET_UTC:
    case DOMAIN_CLOCK_OFFSET_LOCALTIME:
        if (clock->adjustmentReset)
            xmlWriterAddLit(w, " adjustment='reset'");
        break;
    case DOMAIN_CLOCK_OFFSET_VARIABLE:
        xmlWriterAdd(w, " adjustment='%lld' basis='%s'", clock->adjustment,
                     domainClockBasisTypeToString(clock->basis));
        break;
    case DOMAIN_CLOCK_OFFSET_TIMEZONE:
        xmlWriterEscape(w, " timezone='%s'", clock->timezone);
        break;
    case DOMAIN_CLOCK_OFFSET_ABSOLUTE:
        xmlWriterAdd(w, " start='%llu'", clock->start);
        break;
    case DOMAIN_CLOCK_OFFSET_LAST:
        break;
    }
    if (clock->ntimers == 0) {
        xmlWriterAddLit(w, "/>\n");
        return;
    }
    xmlWriterAddLit(w, ">\n");
    xmlWriterInit(&child, w->indent + 2);
    for (i = 0; i < clock->ntimers; i++) {
        const DomainTimerDef *t = clock->timers[i];

        xmlWriterAdd(&child, "<timer name='%s'", domainTimerNameTypeToString(t->name));
        if (t->present)
            xmlWriterAdd(&child, " present='%s'", domainTristateBoolTypeToString(t->present));
        if (t->tickpolicy)
            xmlWriterAdd(&child, " tickpolicy='%s'",
                         domainTimerTickpolicyTypeToString(t->tickpolicy));
        if (t->track)
            xmlWriterAdd(&child, " track='%s'", domainTimerTrackTypeToString(t->track));
        if (t->frequency)
            xmlWriterAdd(&child, " frequency='%llu'", t->frequency);
        if (t->mode)
            xmlWriterAdd(&child, " mode='%s'", domainTimerModeTypeToString(t->mode));
        if (!t->hasCatchup) {
            xmlWriterAddLit(&child, "/>\n");
            continue;
        }
        xmlWriterAddLit(&child, ">\n");
        xmlWriterAdjustIndent(&child, 2);
        xmlWriterAddLit(&child, "<catchup");
        if (t->catchupThreshold)
            xmlWriterAdd(&child, " threshold='%lu'", t->catchupThreshold);
        if (t->catchupSlew)
            xmlWriterAdd(&child, " slew='%lu'", t->catchupSlew);
        if (t->catchupLimit)
            xmlWriterAdd(&child, " limit='%lu'", t->catchupLimit);
        xmlWriterAddLit(&child, "/>\n");
        xmlWriterAdjustIndent(&child, -2);
        xmlWriterAddLit(&child, "</timer>\n");
    }
    xmlWriterAddWriter(w, &child);
    xmlWriterClear(&child);
    xmlWriterAddLit(w, "</clock>\n");
}

/**
 * domainDefFormat:
 * @def: definition
 * @flags: DomainDefFormatFlags
 *
 * Formats @def in libvirt's canonical form (element and attribute order,
 * two-space indentation).  Without DOMAIN_DEF_FORMAT_INACTIVE the live
 * data is included (id, allocated ports, pty paths, aliases); passwords
 * only with DOMAIN_DEF_FORMAT_SECURE.
 *
 * Returns: the XML (caller frees), or NULL with an error reported.
 */
char *
domainDefFormat(const DomainDef *def, unsigned int flags)
{
    XmlWriter w;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    checkFlags(flags, DOMAIN_DEF_FORMAT_SECURE | DOMAIN_DEF_FORMAT_INACTIVE, NULL);
    if (!def || !domainVirtTypeToString(def->virtType)) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("unexpected domain type"));
        return NULL;
    }

    xmlWriterInit(&w, 0);
    xmlWriterAdd(&w, "<domain type='%s'", domainVirtTypeToString(def->virtType));
    if (def->id != -1 && !(flags & DOMAIN_DEF_FORMAT_INACTIVE))
        xmlWriterAdd(&w, " id='%d'", def->id);
    xmlWriterAddLit(&w, ">\n");
    xmlWriterAdjustIndent(&w, 2);

    xmlWriterEscape(&w, "<name>%s</name>\n", def->name);
    xmlWriterAdd(&w, "<uuid>%s</uuid>\n", uuidFormat(def->uuid, uuidstr));
    domainRawFormat(&w, def, "genid");
    xmlWriterEscape(&w, "<title>%s</title>\n", def->title);
    xmlWriterEscape(&w, "<description>%s</description>\n", def->description);
    domainDefFormatMetadata(&w, def);

    if (def->mem.max)
        xmlWriterAdd(&w, "<maxMemory slots='%u' unit='KiB'>%llu</maxMemory>\n",
                     def->mem.slots, def->mem.max);
    xmlWriterAdd(&w, "<memory unit='KiB'>%llu</memory>\n", def->mem.total);
    xmlWriterAdd(&w, "<currentMemory unit='KiB'>%llu</currentMemory>\n", def->mem.current);
    domainRawFormat(&w, def, "blkiotune");
    domainRawFormat(&w, def, "memtune");
    domainRawFormat(&w, def, "memoryBacking");

    xmlWriterAdd(&w, "<vcpu placement='%s'", domainCpuPlacementTypeToString(def->placement));
    if (def->cpuset && def->placement == DOMAIN_CPU_PLACEMENT_STATIC) {
        g_autofree char *set = bitmapFormat(def->cpuset);

        xmlWriterAdd(&w, " cpuset='%s'", set);
    }
    if (def->vcpus != def->maxvcpus)
        xmlWriterAdd(&w, " current='%u'", def->vcpus);
    xmlWriterAdd(&w, ">%u</vcpu>\n", def->maxvcpus);
    domainRawFormat(&w, def, "vcpus");
    domainRawFormat(&w, def, "iothreads");
    domainRawFormat(&w, def, "iothreadids");
    domainRawFormat(&w, def, "defaultiothread");
    domainRawFormat(&w, def, "cputune");
    domainDefFormatNumatune(&w, &def->numatune);
    domainRawFormat(&w, def, "resource");
    domainRawFormat(&w, def, "sysinfo");
    domainRawFormat(&w, def, "bootloader");
    domainRawFormat(&w, def, "bootloader_args");

    domainDefFormatOs(&w, def);
    domainRawFormat(&w, def, "idmap");
    domainDefFormatFeatures(&w, def);
    domainDefFormatCpu(&w, def->cpu);
    domainDefFormatClock(&w, &def->clock);

    xmlWriterAdd(&w, "<on_poweroff>%s</on_poweroff>\n",
                 domainLifecycleActionTypeToString(def->onPoweroff));
    xmlWriterAdd(&w, "<on_reboot>%s</on_reboot>\n",
                 domainLifecycleActionTypeToString(def->onReboot));
    xmlWriterAdd(&w, "<on_crash>%s</on_crash>\n",
                 domainLifecycleActionTypeToString(def->onCrash));
    domainRawFormat(&w, def, "on_lockfailure");
    domainRawFormat(&w, def, "pm");
    domainRawFormat(&w, def, "perf");

    xmlWriterAddLit(&w, "<devices>\n");
    xmlWriterAdjustIndent(&w, 2);
    domainDefFormatDevices(&w, def, flags);
    xmlWriterAdjustIndent(&w, -2);
    xmlWriterAddLit(&w, "</devices>\n");
    domainRawFormat(&w, def, "seclabel");
    domainRawFormat(&w, def, "keywrap");
    domainRawFormat(&w, def, "launchSecurity");

    xmlWriterAdjustIndent(&w, -2);
    xmlWriterAddLit(&w, "</domain>\n");
    return xmlWriterSteal(&w);
}

/**
 * domainDefCopy:
 * @def: definition to copy
 * @flags: DOMAIN_DEF_PARSE_INACTIVE to copy only the persistent part
 *         (live data such as id, ports and pty paths dropped); 0 for a
 *         full copy
 *
 * Deep copy, made by formatting (with secrets) and parsing back, so that
 * the copy is exactly what a round trip through XML gives.
 *
 * Returns: the copy (caller frees), or NULL with an error reported.
 */
DomainDef *
domainDefCopy(const DomainDef *def, unsigned int flags)
{
    g_autofree char *xml = NULL;
    unsigned int fmtFlags = DOMAIN_DEF_FORMAT_SECURE;

    checkFlags(flags, DOMAIN_DEF_PARSE_INACTIVE, NULL);
    if (flags & DOMAIN_DEF_PARSE_INACTIVE)
        fmtFlags |= DOMAIN_DEF_FORMAT_INACTIVE;
    if (!(xml = domainDefFormat(def, fmtFlags)))
        return NULL;
    return domainDefParseString(xml, flags | DOMAIN_DEF_PARSE_KEEP_ORDER);
}

/* ------------------------------------------------------------------ */
/* ABI stability and lookups                                           */

/**
 * domainDefCheckPersistXML:
 * @guest: the running definition of a guest about to migrate
 * @xml: the persistent definition asked for on the destination
 *   (VIR_MIGRATE_PARAM_PERSIST_XML)
 *
 * The persistent definition describes the same guest: @xml must parse and
 * name @guest's uuid, or none (the destination then gives it @guest's).
 *
 * Returns: 0, or -1 with the parse error or VIR_ERR_CONFIG_UNSUPPORTED.
 */
int
domainDefCheckPersistXML(const DomainDef *guest, const char *xml)
{
    g_autoptr(DomainDef) def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE);
    char want[VIR_UUID_STRING_BUFLEN];
    char got[VIR_UUID_STRING_BUFLEN];

    if (!def)
        return -1;
    if (def->uuidGenerated || memcmp(def->uuid, guest->uuid, VIR_UUID_BUFLEN) == 0)
        return 0;
    uuidFormat(def->uuid, got);
    uuidFormat(guest->uuid, want);
    reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                _("Target domain uuid %1$s does not match source %2$s"), got, want);
    return -1;
}

/**
 * domainDefCheckABIStability:
 * @src: the running definition
 * @dst: the proposed definition (e.g. migration destination)
 *
 * Checks what a guest can see: virtualization type, vCPU count, memory,
 * and the number, kind and order of devices with their guest-visible
 * identity (disk targets and buses, NIC MACs and models, controllers,
 * video models).
 *
 * Returns: 0 when compatible, -1 with VIR_ERR_CONFIG_UNSUPPORTED naming
 * the first difference.
 */
int
domainDefCheckABIStability(const DomainDef *src, const DomainDef *dst)
{
    size_t i;

#define ABI_MISMATCH(fmt, ...) \
    do { \
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, fmt, __VA_ARGS__); \
        return -1; \
    } while (0)

    if (src->virtType != dst->virtType)
        ABI_MISMATCH(_("Target domain virt type %1$s does not match source %2$s"),
                     domainVirtTypeToString(dst->virtType),
                     domainVirtTypeToString(src->virtType));
    if (!uuidEqual(src->uuid, dst->uuid)) {
        char a[VIR_UUID_STRING_BUFLEN];
        char b[VIR_UUID_STRING_BUFLEN];

        ABI_MISMATCH(_("Target domain uuid %1$s does not match source %2$s"),
                     uuidFormat(dst->uuid, a), uuidFormat(src->uuid, b));
    }
    if (src->maxvcpus != dst->maxvcpus)
        ABI_MISMATCH(_("Target domain vCPU max %1$u does not match source %2$u"),
                     dst->maxvcpus, src->maxvcpus);
    if (src->mem.total != dst->mem.total)
        ABI_MISMATCH(_("Target domain max memory %1$llu does not match source %2$llu"),
                     dst->mem.total, src->mem.total);
    if (src->mem.max != dst->mem.max || src->mem.slots != dst->mem.slots)
        ABI_MISMATCH(_("Target maximum memory size '%1$llu' doesn't match source '%2$llu'"),
                     dst->mem.max, src->mem.max);
    if (!streq(src->os.type, dst->os.type))
        ABI_MISMATCH(_("Target domain OS type %1$s does not match source %2$s"),
                     dst->os.type, src->os.type);
    if (!streq(src->os.machine, dst->os.machine) && src->os.machine && dst->os.machine)
        ABI_MISMATCH(_("Target domain machine type %1$s does not match source %2$s"),
                     dst->os.machine, src->os.machine);

    if (src->ndisks != dst->ndisks)
        ABI_MISMATCH(_("Target domain disk count %1$zu does not match source %2$zu"),
                     dst->ndisks, src->ndisks);
    for (i = 0; i < src->ndisks; i++) {
        const DomainDiskDef *a = src->disks[i];
        const DomainDiskDef *b = dst->disks[i];

        if (a->device != b->device || a->bus != b->bus || !streq(a->dst, b->dst))
            ABI_MISMATCH(_("Target disk %1$s does not match source %2$s"), b->dst, a->dst);
    }
    if (src->ncontrollers != dst->ncontrollers)
        ABI_MISMATCH(_("Target domain controller count %1$zu does not match source %2$zu"),
                     dst->ncontrollers, src->ncontrollers);
    for (i = 0; i < src->ncontrollers; i++) {
        const DomainControllerDef *a = src->controllers[i];
        const DomainControllerDef *b = dst->controllers[i];

        if (a->type != b->type || a->idx != b->idx || !streq(a->model, b->model))
            ABI_MISMATCH(_("Target controller %1$s index %2$d does not match source"),
                         domainControllerTypeToString(b->type), b->idx);
    }
    if (src->nnets != dst->nnets)
        ABI_MISMATCH(_("Target domain network device count %1$zu does not match source %2$zu"),
                     dst->nnets, src->nnets);
    for (i = 0; i < src->nnets; i++) {
        char a[MAC_STRING_BUFLEN];
        char b[MAC_STRING_BUFLEN];

        if (!macEqual(&src->nets[i]->mac, &dst->nets[i]->mac))
            ABI_MISMATCH(_("Target network card mac %1$s does not match source %2$s"),
                         macFormat(&dst->nets[i]->mac, a), macFormat(&src->nets[i]->mac, b));
        if (!streq(src->nets[i]->model, dst->nets[i]->model))
            ABI_MISMATCH(_("Target network card model %1$s does not match source %2$s"),
                         NULLSTR(dst->nets[i]->model), NULLSTR(src->nets[i]->model));
    }
    if (src->nserials != dst->nserials || src->nconsoles != dst->nconsoles ||
        src->nchannels != dst->nchannels)
        ABI_MISMATCH(_("Target domain character device count %1$zu does not match source %2$zu"),
                     dst->nserials + dst->nconsoles + dst->nchannels,
                     src->nserials + src->nconsoles + src->nchannels);
    if (src->ninputs != dst->ninputs)
        ABI_MISMATCH(_("Target domain input device count %1$zu does not match source %2$zu"),
                     dst->ninputs, src->ninputs);
    if (src->nvideos != dst->nvideos)
        ABI_MISMATCH(_("Target domain video device count %1$zu does not match source %2$zu"),
                     dst->nvideos, src->nvideos);
    for (i = 0; i < src->nvideos; i++) {
        if (src->videos[i]->type != dst->videos[i]->type)
            ABI_MISMATCH(_("Target video card model %1$s does not match source %2$s"),
                         domainVideoTypeToString(dst->videos[i]->type),
                         domainVideoTypeToString(src->videos[i]->type));
    }
    if (!src->watchdog != !dst->watchdog ||
        (src->watchdog && src->watchdog->model != dst->watchdog->model))
        ABI_MISMATCH("%s", _("Target domain watchdog does not match source"));
    if (!src->memballoon != !dst->memballoon ||
        (src->memballoon && src->memballoon->model != dst->memballoon->model))
        ABI_MISMATCH("%s", _("Target domain memory balloon does not match source"));
    if (src->nrngs != dst->nrngs)
        ABI_MISMATCH(_("Target domain RNG device count %1$zu does not match source %2$zu"),
                     dst->nrngs, src->nrngs);
#undef ABI_MISMATCH
    return 0;
}

/**
 * domainDefIsABIStable:
 * @a: definition
 * @b: definition
 *
 * Predicate form of domainDefCheckABIStability; reports nothing (any
 * error raised while checking is discarded and the previous one kept).
 *
 * Returns: true when a guest could not tell @a from @b.
 */
bool
domainDefIsABIStable(const DomainDef *a, const DomainDef *b)
{
    SavedError *saved = errorSave();
    bool stable = domainDefCheckABIStability(a, b) == 0;

    errorReset();
    errorRestore(&saved);
    return stable;
}

/**
 * domainDefHasGraphicsPort:
 * @def: definition
 *
 * Returns: true when some VNC or SPICE graphics needs a TCP port (given
 * or automatically allocated).
 */
bool
domainDefHasGraphicsPort(const DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        const DomainGraphicsDef *g = def->graphics[i];

        if ((g->type == DOMAIN_GRAPHICS_TYPE_VNC || g->type == DOMAIN_GRAPHICS_TYPE_SPICE) &&
            (g->autoport || g->port > 0))
            return true;
    }
    return false;
}

/**
 * domainDiskByTarget:
 * @def: definition
 * @dst: target device name, e.g. "vda"
 *
 * Returns: the disk (owned by @def), or NULL when none has that target.
 */
DomainDiskDef *
domainDiskByTarget(const DomainDef *def, const char *dst)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        if (streq(def->disks[i]->dst, dst))
            return def->disks[i];
    }
    return NULL;
}

/**
 * domainNetByMAC:
 * @def: definition
 * @mac: address
 *
 * Returns: the first interface with @mac (owned by @def), or NULL.
 */
DomainNetDef *
domainNetByMAC(const DomainDef *def, const MacAddr *mac)
{
    size_t i;

    for (i = 0; i < def->nnets; i++) {
        if (macEqual(&def->nets[i]->mac, mac))
            return def->nets[i];
    }
    return NULL;
}

/**
 * domainDefGetConsole:
 * @def: definition
 * @idx: console number
 *
 * Returns: console @idx (owned by @def), or NULL when there is none.
 */
DomainChrDef *
domainDefGetConsole(const DomainDef *def, size_t idx)
{
    if (idx >= def->nconsoles)
        return NULL;
    return def->consoles[idx];
}
