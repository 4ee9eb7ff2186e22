/* Domain definition -> QEMU command line (pure: no I/O, no global state). */
#include <string.h>
#include <time.h>

#define ERR_DOMAIN VIR_FROM_QEMU
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/uuid.h"
#include "util/xml.h"
#include "conf/domain_device.h"
#include "qemu/qemu_command.h"

LOG_INIT("qemu.command");

/*
 * Layout of this file:
 *   1. small helpers (keyval escaping, JSON properties);
 *   2. the plan: device aliases, PCI addresses and boot indexes, computed
 *      from a const definition (qemuCommandPrepareDef() writes them back
 *      into a live definition so that its XML shows them);
 *   3. checks of what the builder cannot express;
 *   4. one builder per part of the command line, in argv order;
 *   5. the entry points.
 * docs/qemu-command-line.md explains the choices.
 */

/* ------------------------------------------------------------------ */
/* 1. helpers                                                          */

typedef enum {
    QEMU_COMMAND_MACHINE_PC = 0, /* i440FX + PIIX3 */
    QEMU_COMMAND_MACHINE_Q35,    /* Q35 + ICH9 */
} QemuCommandMachineFamily;

/* One PCI function: bus = controller index of a pci-root, pcie-root or bridge. */
typedef struct {
    unsigned int bus;
    unsigned int slot;
    unsigned int function;
    bool multifunction;
} QemuCommandPCIAddr;

#define QEMU_COMMAND_PCI_SLOTS 32

typedef struct {
    const DomainDef *def;
    const QemuCaps *caps;
    int family;          /* QemuCommandMachineFamily */
    const char *machine; /* canonical machine type */
    /* plan */
    GHashTable *aliases;        /* DomainDeviceInfo* -> alias (owned) */
    GHashTable *pci;            /* DomainDeviceInfo* -> QemuCommandPCIAddr* (owned) */
    GHashTable *boot;           /* DomainDeviceInfo* -> effective bootindex */
    GHashTable *vioserialPorts; /* DomainChrDef* -> port number + 1 */
    /* [bus][slot]: bitmap of the functions in use */
    unsigned char used[QEMU_COMMAND_PCI_SLOTS + 1][QEMU_COMMAND_PCI_SLOTS];
    unsigned int nbuses; /* buses that exist: 0 and every bridge index */
    bool busIsBridge[QEMU_COMMAND_PCI_SLOTS + 1];
} QemuCommandPlan;

typedef struct {
    QemuCommandPlan plan;
    const QemuCommandRuntime *rt;
    QemuAccel accel;
    GPtrArray *argv;
    GPtrArray *env;
    GArray *fds;
    char *usbBus; /* "usb.0" or NULL when the guest has no USB */
} QemuCommandBuilder;

/**
 * qemuCommandEscapeKeyval:
 * @value: a value for QEMU's "key=value,key=value" option syntax
 *
 * QEMU reads a doubled comma as a literal comma inside a value.
 *
 * Returns: the escaped copy (caller owns it).
 */
char *
qemuCommandEscapeKeyval(const char *value)
{
    GString *out = g_string_new(NULL);
    const char *p;

    for (p = value; *p; p++) {
        if (*p == ',')
            g_string_append_c(out, ',');
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

static void
qemuCommandBuildArg(QemuCommandBuilder *b, const char *arg)
{
    g_ptr_array_add(b->argv, g_strdup(arg));
}

static void
qemuCommandBuildArgPair(QemuCommandBuilder *b, const char *opt, const char *value)
{
    qemuCommandBuildArg(b, opt);
    qemuCommandBuildArg(b, value);
}

/* Adds "opt" and the keyval string in @buf (consumed). */
static void
qemuCommandBuildArgBuf(QemuCommandBuilder *b, const char *opt, GString *buf)
{
    qemuCommandBuildArg(b, opt);
    g_ptr_array_add(b->argv, g_string_free(buf, FALSE));
}

/* Appends ",key=value" (or "key=value" at the start) with escaping. */
static void
qemuCommandKvAdd(GString *buf, const char *key, const char *value)
{
    g_autofree char *esc = qemuCommandEscapeKeyval(value);

    if (buf->len)
        g_string_append_c(buf, ',');
    if (key)
        g_string_append_printf(buf, "%s=%s", key, esc);
    else
        g_string_append(buf, esc);
}

static void qemuCommandKvAddf(GString *buf, const char *key, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
qemuCommandKvAddf(GString *buf, const char *key, const char *fmt, ...)
{
    g_autofree char *value = NULL;
    va_list ap;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemuCommandKvAdd(buf, key, value);
}

static void
qemuCommandJsonStr(json_object *obj, const char *key, const char *value)
{
    if (value)
        json_object_object_add(obj, key, json_object_new_string(value));
}

static void
qemuCommandJsonInt(json_object *obj, const char *key, long long value)
{
    json_object_object_add(obj, key, json_object_new_int64(value));
}

static void
qemuCommandJsonUInt64(json_object *obj, const char *key, unsigned long long value)
{
    json_object_object_add(obj, key, json_object_new_uint64(value));
}

static void
qemuCommandJsonBool(json_object *obj, const char *key, bool value)
{
    json_object_object_add(obj, key, json_object_new_boolean(value));
}

static json_object *
qemuCommandJsonNew(const char *key, const char *value)
{
    json_object *obj = json_object_new_object();

    qemuCommandJsonStr(obj, key, value);
    return obj;
}

/* Adds "opt" followed by the compact JSON of @obj (consumed). */
static void
qemuCommandBuildArgJSON(QemuCommandBuilder *b, const char *opt, json_object *obj)
{
    qemuCommandBuildArg(b, opt);
    g_ptr_array_add(b->argv, jsonFormat(obj));
    json_object_put(obj);
}

static int
qemuCommandBuildAddFd(QemuCommandBuilder *b, int fd)
{
    g_array_append_val(b->fds, fd);
    return fd;
}

static bool
qemuCommandHasType(const QemuCommandPlan *p, const char *type)
{
    return qemuCapsHasType(p->caps, type);
}

/* Reports a QOM type the binary lacks, naming what needed it. */
static int
qemuCommandRequireType(const QemuCommandPlan *p, const char *type, const char *what)
{
    if (qemuCommandHasType(p, type))
        return 0;
    reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                _("%1$s is not supported by this QEMU binary (no device '%2$s')"), what, type);
    return -1;
}

/* Index of a disk target name: "vda" -> 0, "sdz" -> 25, "hdaa" -> 26. */
static int
qemuCommandDiskNameIndex(const char *name)
{
    static const char *const prefixes[] = {"fd", "hd", "vd", "sd", "xvd", "ubd"};
    const char *p = NULL;
    int idx = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        if (strPrefix(name, prefixes[i])) {
            p = name + strlen(prefixes[i]);
            break;
        }
    }
    if (!p || !*p)
        return -1;
    /* bijective base 26: a=1 .. z=26, aa=27 */
    for (; *p; p++) {
        if (*p < 'a' || *p > 'z' || idx > 100000)
            return -1;
        idx = idx * 26 + (*p - 'a' + 1);
    }
    return idx - 1;
}

/* ------------------------------------------------------------------ */
/* 2. the plan                                                         */

static void
qemuCommandPlanClear(QemuCommandPlan *p)
{
    g_clear_pointer(&p->aliases, g_hash_table_unref);
    g_clear_pointer(&p->pci, g_hash_table_unref);
    g_clear_pointer(&p->boot, g_hash_table_unref);
    g_clear_pointer(&p->vioserialPorts, g_hash_table_unref);
}

static const char *
qemuCommandAlias(const QemuCommandPlan *p, const DomainDeviceInfo *info)
{
    return g_hash_table_lookup(p->aliases, info);
}

static void qemuCommandPlanSetAlias(QemuCommandPlan *p, const DomainDeviceInfo *info,
                                    const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
qemuCommandPlanSetAlias(QemuCommandPlan *p, const DomainDeviceInfo *info, const char *fmt, ...)
{
    va_list ap;

    if (info->alias) {
        /* a user alias ("ua-...") or the alias of a running domain */
        g_hash_table_insert(p->aliases, (gpointer)info, g_strdup(info->alias));
        return;
    }
    va_start(ap, fmt);
    g_hash_table_insert(p->aliases, (gpointer)info, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static const DomainControllerDef *
qemuCommandFindController(const DomainDef *def, int type, int idx)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == type && def->controllers[i]->idx == idx)
            return def->controllers[i];
    }
    return NULL;
}

static void
qemuCommandPlanAliases(QemuCommandPlan *p)
{
    const DomainDef *def = p->def;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        const DomainDiskDef *disk = def->disks[i];
        const DomainDeviceAddress *a = &disk->info.addr;
        int idx = qemuCommandDiskNameIndex(disk->dst);

        switch (disk->bus) {
        case DOMAIN_DISK_BUS_IDE:
            qemuCommandPlanSetAlias(p, &disk->info, "ide%u-%u-%u", a->u.drive.controller,
                                    a->u.drive.bus, a->u.drive.unit);
            break;
        case DOMAIN_DISK_BUS_SATA:
            qemuCommandPlanSetAlias(p, &disk->info, "sata%u-%u-%u", a->u.drive.controller,
                                    a->u.drive.bus, a->u.drive.unit);
            break;
        case DOMAIN_DISK_BUS_FDC:
            qemuCommandPlanSetAlias(p, &disk->info, "fdc%u-%u-%u", a->u.drive.controller,
                                    a->u.drive.bus, a->u.drive.unit);
            break;
        case DOMAIN_DISK_BUS_SCSI:
            qemuCommandPlanSetAlias(p, &disk->info, "scsi%u-%u-%u-%u", a->u.drive.controller,
                                    a->u.drive.bus, a->u.drive.target, a->u.drive.unit);
            break;
        case DOMAIN_DISK_BUS_USB:
            qemuCommandPlanSetAlias(p, &disk->info, "usb-disk%d", idx < 0 ? (int)i : idx);
            break;
        default:
            qemuCommandPlanSetAlias(p, &disk->info, "virtio-disk%d", idx < 0 ? (int)i : idx);
            break;
        }
    }
    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];

        switch (c->type) {
        case DOMAIN_CONTROLLER_TYPE_IDE:
            qemuCommandPlanSetAlias(p, &c->info, c->idx == 0 ? "ide" : "ide%d", c->idx);
            break;
        case DOMAIN_CONTROLLER_TYPE_SATA:
            /* ICH9's built-in AHCI is QEMU's "ide" on q35 */
            if (c->idx == 0 && p->family == QEMU_COMMAND_MACHINE_Q35)
                qemuCommandPlanSetAlias(p, &c->info, "ide");
            else
                qemuCommandPlanSetAlias(p, &c->info, "sata%d", c->idx);
            break;
        case DOMAIN_CONTROLLER_TYPE_USB:
            qemuCommandPlanSetAlias(p, &c->info, c->idx == 0 ? "usb" : "usb%d", c->idx);
            break;
        case DOMAIN_CONTROLLER_TYPE_PCI:
            if (c->idx == 0 && p->family == QEMU_COMMAND_MACHINE_Q35)
                qemuCommandPlanSetAlias(p, &c->info, "pcie.0");
            else
                qemuCommandPlanSetAlias(p, &c->info, "pci.%d", c->idx);
            break;
        default:
            qemuCommandPlanSetAlias(p, &c->info, "%s%d", domainControllerTypeToString(c->type),
                                    c->idx);
            break;
        }
    }
    for (i = 0; i < def->nnets; i++)
        qemuCommandPlanSetAlias(p, &def->nets[i]->info, "net%zu", i);
    for (i = 0; i < def->nserials; i++)
        qemuCommandPlanSetAlias(p, &def->serials[i]->info, "serial%d", def->serials[i]->targetPort);
    for (i = 0; i < def->nparallels; i++)
        qemuCommandPlanSetAlias(p, &def->parallels[i]->info, "parallel%d",
                                def->parallels[i]->targetPort);
    for (i = 0; i < def->nchannels; i++)
        qemuCommandPlanSetAlias(p, &def->channels[i]->info, "channel%zu", i);
    for (i = 0; i < def->nconsoles; i++) {
        /* a serial console is the serial port itself */
        if (i == 0 && def->consoles[0]->targetType == DOMAIN_CHR_CONSOLE_TARGET_SERIAL &&
            def->nserials > 0)
            qemuCommandPlanSetAlias(p, &def->consoles[i]->info, "%s",
                                    qemuCommandAlias(p, &def->serials[0]->info));
        else
            qemuCommandPlanSetAlias(p, &def->consoles[i]->info, "console%zu", i);
    }
    for (i = 0; i < def->ninputs; i++)
        qemuCommandPlanSetAlias(p, &def->inputs[i]->info, "input%zu", i);
    for (i = 0; i < def->nvideos; i++)
        qemuCommandPlanSetAlias(p, &def->videos[i]->info, "video%zu", i);
    if (def->watchdog)
        qemuCommandPlanSetAlias(p, &def->watchdog->info, "watchdog0");
    if (def->memballoon)
        qemuCommandPlanSetAlias(p, &def->memballoon->info, "balloon0");
    for (i = 0; i < def->nrngs; i++)
        qemuCommandPlanSetAlias(p, &def->rngs[i]->info, "rng%zu", i);
}

/* Effective boot indexes: per-device <boot order> or <os><boot dev>. */
static void
qemuCommandPlanBoot(QemuCommandPlan *p)
{
    const DomainDef *def = p->def;
    size_t i;
    size_t k;

    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->info.bootIndex)
            g_hash_table_insert(p->boot, &def->disks[i]->info,
                                GUINT_TO_POINTER(def->disks[i]->info.bootIndex));
    }
    for (i = 0; i < def->nnets; i++) {
        if (def->nets[i]->info.bootIndex)
            g_hash_table_insert(p->boot, &def->nets[i]->info,
                                GUINT_TO_POINTER(def->nets[i]->info.bootIndex));
    }
    if (g_hash_table_size(p->boot) > 0)
        return;
    /* <os><boot dev='...'/>: the first device of each kind, in that order */
    for (k = 0; k < def->os.nBootDevs; k++) {
        const DomainDeviceInfo *info = NULL;

        switch (def->os.bootDevs[k]) {
        case DOMAIN_BOOT_NET:
            if (def->nnets > 0)
                info = &def->nets[0]->info;
            break;
        case DOMAIN_BOOT_DISK:
        case DOMAIN_BOOT_CDROM:
        case DOMAIN_BOOT_FLOPPY: {
            int want = def->os.bootDevs[k] == DOMAIN_BOOT_DISK    ? DOMAIN_DISK_DEVICE_DISK
                       : def->os.bootDevs[k] == DOMAIN_BOOT_CDROM ? DOMAIN_DISK_DEVICE_CDROM
                                                                  : DOMAIN_DISK_DEVICE_FLOPPY;

            for (i = 0; i < def->ndisks && !info; i++) {
                if (def->disks[i]->device == want)
                    info = &def->disks[i]->info;
            }
            break;
        }
        default:
            break;
        }
        if (info && !g_hash_table_contains(p->boot, info))
            g_hash_table_insert(p->boot, (gpointer)info, GUINT_TO_POINTER(k + 1));
    }
}

static unsigned int
qemuCommandBootIndex(const QemuCommandPlan *p, const DomainDeviceInfo *info)
{
    return GPOINTER_TO_UINT(g_hash_table_lookup(p->boot, info));
}

/* ---- PCI ---- */

static bool
qemuCommandPCIIsFree(const QemuCommandPlan *p, const QemuCommandPCIAddr *a)
{
    return !(p->used[a->bus][a->slot] & (1u << a->function));
}

static void
qemuCommandPCIMark(QemuCommandPlan *p, const QemuCommandPCIAddr *a)
{
    p->used[a->bus][a->slot] |= (unsigned char)(1u << a->function);
}

static void
qemuCommandPlanSetPCI(QemuCommandPlan *p, const DomainDeviceInfo *info, const QemuCommandPCIAddr *a)
{
    QemuCommandPCIAddr *copy = g_new(QemuCommandPCIAddr, 1);

    *copy = *a;
    qemuCommandPCIMark(p, a);
    g_hash_table_insert(p->pci, (gpointer)info, copy);
}

static const QemuCommandPCIAddr *
qemuCommandPCI(const QemuCommandPlan *p, const DomainDeviceInfo *info)
{
    return g_hash_table_lookup(p->pci, info);
}

/* Reserves the address the XML gives, if any. */
static int
qemuCommandPlanExplicitPCI(QemuCommandPlan *p, const DomainDeviceInfo *info, const char *what)
{
    const DomainDeviceAddress *addr = &info->addr;
    QemuCommandPCIAddr a;

    if (addr->type == DOMAIN_ADDRESS_NONE)
        return 0;
    if (addr->type != DOMAIN_ADDRESS_PCI) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("address type '%1$s' is not supported for %2$s"),
                    domainAddressTypeToString(addr->type), what);
        return -1;
    }
    if (addr->u.pci.domain != 0 || addr->u.pci.bus >= p->nbuses ||
        (addr->u.pci.bus > 0 && !p->busIsBridge[addr->u.pci.bus]) ||
        addr->u.pci.slot >= QEMU_COMMAND_PCI_SLOTS || addr->u.pci.function > 7 ||
        (addr->u.pci.bus == 0 && addr->u.pci.slot == 0)) {
        reportError(
            VIR_ERR_CONFIG_UNSUPPORTED,
            _("PCI address %1$04x:%2$02x:%3$02x.%4$x of %5$s is not usable on this machine"),
            addr->u.pci.domain, addr->u.pci.bus, addr->u.pci.slot, addr->u.pci.function, what);
        return -1;
    }
    a.bus = addr->u.pci.bus;
    a.slot = addr->u.pci.slot;
    a.function = addr->u.pci.function;
    a.multifunction = addr->u.pci.multifunction == DOMAIN_TRISTATE_SWITCH_ON;
    if (!qemuCommandPCIIsFree(p, &a)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("PCI address 0000:%1$02x:%2$02x.%3$x is given to more than one device"),
                    a.bus, a.slot, a.function);
        return -1;
    }
    qemuCommandPlanSetPCI(p, info, &a);
    return 0;
}

static int
qemuCommandPlanAutoPCI(QemuCommandPlan *p, const DomainDeviceInfo *info)
{
    QemuCommandPCIAddr a = {0};
    unsigned int bus;

    if (qemuCommandPCI(p, info))
        return 0;
    for (bus = 0; bus < p->nbuses; bus++) {
        if (bus > 0 && !p->busIsBridge[bus])
            continue;
        for (a.slot = 1; a.slot < QEMU_COMMAND_PCI_SLOTS; a.slot++) {
            a.bus = bus;
            if (p->used[bus][a.slot] == 0) {
                qemuCommandPlanSetPCI(p, info, &a);
                return 0;
            }
        }
    }
    reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("No more available PCI slots"));
    return -1;
}

/* What kind of bus a device sits on, for the PCI plan. */
static bool
qemuCommandControllerIsPCIDevice(const QemuCommandPlan *p, const DomainControllerDef *c)
{
    switch (c->type) {
    case DOMAIN_CONTROLLER_TYPE_USB:
        return !streq(c->model, "none");
    case DOMAIN_CONTROLLER_TYPE_SCSI:
    case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
        return true;
    case DOMAIN_CONTROLLER_TYPE_SATA:
        return !(p->family == QEMU_COMMAND_MACHINE_Q35 && c->idx == 0);
    case DOMAIN_CONTROLLER_TYPE_PCI:
        return c->idx > 0;
    default:
        return false;
    }
}

static bool
qemuCommandVideoIsPCI(const DomainVideoDef *v)
{
    return v->type != DOMAIN_VIDEO_TYPE_NONE && v->type != DOMAIN_VIDEO_TYPE_RAMFB;
}

static bool
qemuCommandInputIsPCI(const DomainInputDef *in)
{
    return in->bus == DOMAIN_INPUT_BUS_VIRTIO;
}

/*
 * PCI layout.  pc: slot 0 host bridge, slot 1 PIIX3 (ISA 1.0, IDE 1.1,
 * USB UHCI 1.2, ACPI/PM 1.3), primary video at slot 2.  q35: slot 0 host
 * bridge, primary video at slot 1, slot 0x1f ICH9 (LPC, AHCI "ide" 1f.2,
 * SMBus).  Every other device gets the next free slot on bus 0 in the
 * order libvirt assigns them (bridges, NICs, controllers, virtio disks,
 * balloon, rng, watchdog, other video, virtio input), then on bridges.
 */
static int
qemuCommandPlanPCI(QemuCommandPlan *p)
{
    const DomainDef *def = p->def;
    QemuCommandPCIAddr fixed = {0};
    size_t i;

    p->nbuses = 1;
    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];

        if (c->type == DOMAIN_CONTROLLER_TYPE_PCI && c->idx > 0 &&
            c->idx <= QEMU_COMMAND_PCI_SLOTS) {
            p->busIsBridge[c->idx] = true;
            p->nbuses = MAX(p->nbuses, (unsigned int)c->idx + 1);
        }
    }
    for (i = 1; i < p->nbuses; i++)
        p->used[i][0] = 0xff; /* a bridge's slot 0 is not for devices */

    /* chipset functions */
    p->used[0][0] = 0xff;
    if (p->family == QEMU_COMMAND_MACHINE_PC)
        p->used[0][1] = 0xff;
    else
        p->used[0][0x1f] = 0xff;

        /* addresses given in the XML */
#define EXPLICIT(info, what)                                                                       \
    do {                                                                                           \
        if (qemuCommandPlanExplicitPCI(p, (info), (what)) < 0)                                     \
            return -1;                                                                             \
    } while (0)
    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];
        bool fixedFn = (p->family == QEMU_COMMAND_MACHINE_PC &&
                        ((c->type == DOMAIN_CONTROLLER_TYPE_IDE && c->idx == 0) ||
                         (c->type == DOMAIN_CONTROLLER_TYPE_USB && c->idx == 0 &&
                          streq(c->model, "piix3-uhci"))));

        if (fixedFn || !qemuCommandControllerIsPCIDevice(p, c))
            continue;
        EXPLICIT(&c->info, "a controller");
    }
    for (i = 0; i < def->nnets; i++)
        EXPLICIT(&def->nets[i]->info, "an interface");
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->bus == DOMAIN_DISK_BUS_VIRTIO)
            EXPLICIT(&def->disks[i]->info, "a virtio disk");
    }
    if (def->memballoon && def->memballoon->model != DOMAIN_MEMBALLOON_MODEL_NONE)
        EXPLICIT(&def->memballoon->info, "the memballoon");
    for (i = 0; i < def->nrngs; i++)
        EXPLICIT(&def->rngs[i]->info, "an rng");
    if (def->watchdog && def->watchdog->model == DOMAIN_WATCHDOG_MODEL_I6300ESB)
        EXPLICIT(&def->watchdog->info, "the watchdog");
    for (i = 0; i < def->nvideos; i++) {
        if (qemuCommandVideoIsPCI(def->videos[i]))
            EXPLICIT(&def->videos[i]->info, "a video device");
    }
    for (i = 0; i < def->ninputs; i++) {
        if (qemuCommandInputIsPCI(def->inputs[i]))
            EXPLICIT(&def->inputs[i]->info, "a virtio input device");
    }
    for (i = 0; i < def->nserials; i++) {
        if (def->serials[i]->targetType == DOMAIN_CHR_SERIAL_TARGET_PCI)
            EXPLICIT(&def->serials[i]->info, "a PCI serial port");
    }
#undef EXPLICIT

    /* fixed functions of the chipset */
    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];

        if (p->family != QEMU_COMMAND_MACHINE_PC || c->idx != 0)
            continue;
        fixed.bus = 0;
        fixed.slot = 1;
        if (c->type == DOMAIN_CONTROLLER_TYPE_IDE) {
            fixed.function = 1;
            g_hash_table_insert(p->pci, (gpointer)&c->info, g_memdup2(&fixed, sizeof(fixed)));
        } else if (c->type == DOMAIN_CONTROLLER_TYPE_USB && streq(c->model, "piix3-uhci")) {
            fixed.function = 2;
            g_hash_table_insert(p->pci, (gpointer)&c->info, g_memdup2(&fixed, sizeof(fixed)));
        }
    }
    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];

        if (p->family == QEMU_COMMAND_MACHINE_Q35 && c->type == DOMAIN_CONTROLLER_TYPE_SATA &&
            c->idx == 0) {
            fixed.bus = 0;
            fixed.slot = 0x1f;
            fixed.function = 2;
            g_hash_table_insert(p->pci, (gpointer)&c->info, g_memdup2(&fixed, sizeof(fixed)));
        }
    }

    /* the primary video card has its conventional slot */
    if (def->nvideos > 0 && qemuCommandVideoIsPCI(def->videos[0]) &&
        !qemuCommandPCI(p, &def->videos[0]->info)) {
        QemuCommandPCIAddr a = {.bus = 0, .slot = p->family == QEMU_COMMAND_MACHINE_PC ? 2 : 1};

        if (qemuCommandPCIIsFree(p, &a))
            qemuCommandPlanSetPCI(p, &def->videos[0]->info, &a);
    }

#define AUTO(info)                                                                                 \
    do {                                                                                           \
        if (qemuCommandPlanAutoPCI(p, (info)) < 0)                                                 \
            return -1;                                                                             \
    } while (0)
    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];

        if (c->type == DOMAIN_CONTROLLER_TYPE_PCI && qemuCommandControllerIsPCIDevice(p, c))
            AUTO(&c->info);
    }
    for (i = 0; i < def->nnets; i++)
        AUTO(&def->nets[i]->info);
    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];

        if (c->type != DOMAIN_CONTROLLER_TYPE_PCI && qemuCommandControllerIsPCIDevice(p, c))
            AUTO(&c->info);
    }
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->bus == DOMAIN_DISK_BUS_VIRTIO)
            AUTO(&def->disks[i]->info);
    }
    if (def->memballoon && def->memballoon->model != DOMAIN_MEMBALLOON_MODEL_NONE)
        AUTO(&def->memballoon->info);
    for (i = 0; i < def->nrngs; i++)
        AUTO(&def->rngs[i]->info);
    if (def->watchdog && def->watchdog->model == DOMAIN_WATCHDOG_MODEL_I6300ESB)
        AUTO(&def->watchdog->info);
    for (i = 0; i < def->nvideos; i++) {
        if (qemuCommandVideoIsPCI(def->videos[i]))
            AUTO(&def->videos[i]->info);
    }
    for (i = 0; i < def->ninputs; i++) {
        if (qemuCommandInputIsPCI(def->inputs[i]))
            AUTO(&def->inputs[i]->info);
    }
    for (i = 0; i < def->nserials; i++) {
        if (def->serials[i]->targetType == DOMAIN_CHR_SERIAL_TARGET_PCI)
            AUTO(&def->serials[i]->info);
    }
#undef AUTO
    return 0;
}

/* virtio-serial port numbers: virtconsoles from 0, channels from 1. */
static int
qemuCommandPlanVirtioSerial(QemuCommandPlan *p)
{
    const DomainDef *def = p->def;
    g_autoptr(GHashTable) used = g_hash_table_new(g_direct_hash, g_direct_equal);
    size_t i;
    int pass;

    /* pass 0 reserves explicit ports, pass 1 assigns the others */
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < def->nconsoles + def->nchannels; i++) {
            const DomainChrDef *chr =
                i < def->nconsoles ? def->consoles[i] : def->channels[i - def->nconsoles];
            bool isConsole = i < def->nconsoles;
            unsigned int ctrl = 0;
            unsigned int port;

            if (isConsole ? chr->targetType != DOMAIN_CHR_CONSOLE_TARGET_VIRTIO
                          : chr->targetType != DOMAIN_CHR_CHANNEL_TARGET_VIRTIO)
                continue;
            if (chr->info.addr.type == DOMAIN_ADDRESS_VIRTIO_SERIAL) {
                ctrl = chr->info.addr.u.vioserial.controller;
                if (pass == 0 && chr->info.addr.u.vioserial.port > 0) {
                    port = chr->info.addr.u.vioserial.port;
                    if (g_hash_table_contains(used, GUINT_TO_POINTER((ctrl << 16) + port + 1))) {
                        reportError(VIR_ERR_XML_ERROR,
                                    _("virtio serial port %1$u on controller %2$u is used twice"),
                                    port, ctrl);
                        return -1;
                    }
                    g_hash_table_add(used, GUINT_TO_POINTER((ctrl << 16) + port + 1));
                    g_hash_table_insert(p->vioserialPorts, (gpointer)chr,
                                        GUINT_TO_POINTER((ctrl << 16) + port + 1));
                }
            } else if (chr->info.addr.type != DOMAIN_ADDRESS_NONE) {
                reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                            _("address type '%1$s' is not supported for a virtio channel"),
                            domainAddressTypeToString(chr->info.addr.type));
                return -1;
            }
            if (pass == 0 || g_hash_table_contains(p->vioserialPorts, chr))
                continue;
            for (port = isConsole ? 0 : 1; port < 31; port++) {
                if (!g_hash_table_contains(used, GUINT_TO_POINTER((ctrl << 16) + port + 1)))
                    break;
            }
            if (port >= 31) {
                reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                            _("too many virtio serial ports on one controller"));
                return -1;
            }
            g_hash_table_add(used, GUINT_TO_POINTER((ctrl << 16) + port + 1));
            g_hash_table_insert(p->vioserialPorts, (gpointer)chr,
                                GUINT_TO_POINTER((ctrl << 16) + port + 1));
        }
    }
    return 0;
}

static int
qemuCommandPlanInit(QemuCommandPlan *p, const DomainDef *def, const QemuCaps *caps)
{
    memset(p, 0, sizeof(*p));
    p->def = def;
    p->caps = caps;
    p->aliases = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    p->pci = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    p->boot = g_hash_table_new(g_direct_hash, g_direct_equal);
    p->vioserialPorts = g_hash_table_new(g_direct_hash, g_direct_equal);
    return 0;
}

/* ------------------------------------------------------------------ */
/* 3. checks                                                           */

static int
qemuCommandUnsupported(const char *what, const char *value)
{
    reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("%1$s '%2$s' is not supported by the QEMU driver"),
                what, value ? value : "");
    return -1;
}

/*
 * Elements the conf layer keeps without interpreting them.  The ones
 * listed here do not change the command line (the driver applies them
 * to the process, or they have no effect here); anything else would be
 * silently dropped, so it is refused.
 */
static const char *const qemuCommandIgnoredRaws[] = {
    "seclabel", "resource", "cputune", "blkiotune", "memtune", "pm", "perf",
};

static int
qemuCommandValidateRaws(const DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nraws; i++) {
        const char *name = def->raws[i]->name;
        const char *elem = strPrefix(name, "devices/") ? name + strlen("devices/") : name;

        if (g_strv_contains(qemuCommandIgnoredRaws, name))
            continue;
        if (streq(name, "devices/panic"))
            continue; /* qemuCommandBuildPanic */
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("element '<%1$s>' is not supported by the QEMU driver"), elem);
        return -1;
    }
    return 0;
}

static int
qemuCommandValidateFeatures(const DomainDef *def)
{
    static const int x86Only[] = {
        DOMAIN_FEATURE_HAP,          DOMAIN_FEATURE_VIRIDIAN,  DOMAIN_FEATURE_PRIVNET,
        DOMAIN_FEATURE_CAPABILITIES, DOMAIN_FEATURE_GIC,       DOMAIN_FEATURE_HPT,
        DOMAIN_FEATURE_HTM,          DOMAIN_FEATURE_NESTED_HV, DOMAIN_FEATURE_CCF_ASSIST,
        DOMAIN_FEATURE_XEN,          DOMAIN_FEATURE_CFPC,      DOMAIN_FEATURE_SBBC,
        DOMAIN_FEATURE_IBS,
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(x86Only); i++) {
        if (def->features.state[x86Only[i]] != DOMAIN_TRISTATE_SWITCH_ABSENT) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("the '%1$s' feature is not supported on this architecture"),
                        domainFeatureTypeToString(x86Only[i]));
            return -1;
        }
    }
    return 0;
}

static int
qemuCommandValidateCpu(const QemuCommandPlan *p, QemuAccel accel)
{
    const DomainDef *def = p->def;
    const DomainCpuDef *cpu = def->cpu;
    const QemuCapsMachine *m = qemuCapsLookupMachine(p->caps, p->machine);
    size_t i;

    if (m && def->maxvcpus > m->maxCpus) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%1$u vCPUs exceed the limit of %2$u of machine type '%3$s'"), def->maxvcpus,
                    m->maxCpus, p->machine);
        return -1;
    }
    if (!cpu)
        return 0;
    if (cpu->sockets &&
        (unsigned long long)cpu->sockets * cpu->dies * cpu->cores * cpu->threads != def->maxvcpus) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU topology of %1$u sockets, %2$u dies, %3$u cores and %4$u threads does "
                      "not give the %5$u vCPUs of the domain"),
                    cpu->sockets, cpu->dies, cpu->cores, cpu->threads, def->maxvcpus);
        return -1;
    }
    if (cpu->dies > 1 && p->family != QEMU_COMMAND_MACHINE_PC &&
        p->family != QEMU_COMMAND_MACHINE_Q35)
        return qemuCommandUnsupported(_("CPU topology with dies on machine"), p->machine);
    switch (cpu->mode) {
    case DOMAIN_CPU_MODE_HOST_PASSTHROUGH:
    case DOMAIN_CPU_MODE_HOST_MODEL:
        if (accel != QEMU_ACCEL_KVM) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("CPU mode '%1$s' needs domain type 'kvm'"),
                        domainCpuModeTypeToString(cpu->mode));
            return -1;
        }
        break;
    case DOMAIN_CPU_MODE_CUSTOM:
        if (cpu->model && !qemuCapsLookupCpuModel(p->caps, cpu->model)) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("CPU model '%1$s' is unknown to emulator '%2$s'"), cpu->model,
                        qemuCapsGetBinary(p->caps));
            return -1;
        }
        break;
    default:
        break;
    }
    for (i = 0; i < cpu->ncells; i++) {
        ssize_t bit = -1;

        if (!cpu->cells[i].cpus)
            continue;
        while ((bit = bitmapNextSet(cpu->cells[i].cpus, bit)) >= 0) {
            if ((size_t)bit >= def->maxvcpus) {
                reportError(
                    VIR_ERR_CONFIG_UNSUPPORTED,
                    _("NUMA cell %1$zu has vCPU %2$zd, beyond the %3$u vCPUs of the domain"), i,
                    bit, def->maxvcpus);
                return -1;
            }
        }
    }
    return 0;
}

static int
qemuCommandValidateDisk(const QemuCommandPlan *p, const DomainDiskDef *disk)
{
    if (disk->type != DOMAIN_DISK_TYPE_FILE && disk->type != DOMAIN_DISK_TYPE_BLOCK)
        return qemuCommandUnsupported(_("disk type"), domainDiskTypeToString(disk->type));
    if (disk->device == DOMAIN_DISK_DEVICE_LUN)
        return qemuCommandUnsupported(_("disk device"), "lun");
    if (disk->driverName && !streq(disk->driverName, "qemu"))
        return qemuCommandUnsupported(_("disk driver name"), disk->driverName);
    if (disk->driverType && !streq(disk->driverType, "raw") && !streq(disk->driverType, "qcow2"))
        return qemuCommandUnsupported(_("disk format"), disk->driverType);
    if (disk->transient)
        return qemuCommandUnsupported(_("disk option"), "transient");
    if (disk->iothread)
        return qemuCommandUnsupported(_("disk driver attribute"), "iothread");
    if (disk->copyOnRead == DOMAIN_TRISTATE_SWITCH_ON)
        return qemuCommandUnsupported(_("disk driver attribute"), "copy_on_read");
    if (!disk->src && disk->device != DOMAIN_DISK_DEVICE_CDROM &&
        disk->device != DOMAIN_DISK_DEVICE_FLOPPY) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%1$s' has no source; only removable media may be empty"), disk->dst);
        return -1;
    }
    switch (disk->bus) {
    case DOMAIN_DISK_BUS_VIRTIO:
        if (disk->device != DOMAIN_DISK_DEVICE_DISK)
            return qemuCommandUnsupported(_("virtio disk device"),
                                          domainDiskDeviceTypeToString(disk->device));
        break;
    case DOMAIN_DISK_BUS_IDE:
        if (p->family == QEMU_COMMAND_MACHINE_Q35) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("machine type '%1$s' has no IDE bus for disk '%2$s' (use bus 'sata')"),
                        p->machine, disk->dst);
            return -1;
        }
        if (disk->info.addr.u.drive.controller != 0 || disk->info.addr.u.drive.bus > 1 ||
            disk->info.addr.u.drive.unit > 1 || disk->info.addr.u.drive.target != 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("IDE disk '%1$s' is beyond the two buses of the built-in IDE controller"),
                        disk->dst);
            return -1;
        }
        break;
    case DOMAIN_DISK_BUS_SATA:
        if (disk->info.addr.u.drive.unit > 5 || disk->info.addr.u.drive.bus != 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("SATA disk '%1$s' needs unit 0-5 on bus 0"),
                        disk->dst);
            return -1;
        }
        break;
    case DOMAIN_DISK_BUS_FDC:
        if (p->family != QEMU_COMMAND_MACHINE_PC || disk->device != DOMAIN_DISK_DEVICE_FLOPPY)
            return qemuCommandUnsupported(_("floppy disk on machine"), p->machine);
        break;
    case DOMAIN_DISK_BUS_SCSI:
    case DOMAIN_DISK_BUS_USB:
        break;
    default:
        return qemuCommandUnsupported(_("disk bus"), domainDiskBusTypeToString(disk->bus));
    }
    return 0;
}

static int
qemuCommandValidateDef(const QemuCommandPlan *p, QemuAccel accel)
{
    const DomainDef *def = p->def;
    size_t i;

    if (qemuCommandValidateRaws(def) < 0 || qemuCommandValidateFeatures(def) < 0 ||
        qemuCommandValidateCpu(p, accel) < 0)
        return -1;
    if (accel == QEMU_ACCEL_TCG &&
        def->features.state[DOMAIN_FEATURE_HYPERV] == DOMAIN_TRISTATE_SWITCH_ON &&
        def->features.hypervMode != DOMAIN_HYPERV_MODE_PASSTHROUGH &&
        def->features.hyperv[DOMAIN_HYPERV_VPINDEX] == DOMAIN_TRISTATE_SWITCH_ON) {
        /* QEMU refuses it without KVM ("kernel doesn't allow setting HyperV VP_INDEX") */
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("the Hyper-V feature 'vpindex' needs domain type 'kvm'"));
        return -1;
    }
    if (def->numatune.hasMemory || def->numatune.nmemnodes > 0)
        return qemuCommandUnsupported(_("element"), "<numatune>");
    if (def->os.smbiosMode == DOMAIN_SMBIOS_HOST || def->os.smbiosMode == DOMAIN_SMBIOS_SYSINFO)
        return qemuCommandUnsupported(_("smbios mode"),
                                      domainSmbiosModeTypeToString(def->os.smbiosMode));
    if (def->os.firmware == DOMAIN_OS_FIRMWARE_EFI && !def->os.loader) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("firmware='efi' needs an explicit <loader> path: firmware auto-selection is "
                      "not implemented"));
        return -1;
    }
    if (def->os.loaderSecure == DOMAIN_TRISTATE_BOOL_YES)
        return qemuCommandUnsupported(_("loader attribute"), "secure='yes'");
    if (def->os.nvram && def->os.loaderType != DOMAIN_LOADER_TYPE_PFLASH) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s", _("<nvram> needs a loader of type 'pflash'"));
        return -1;
    }
    for (i = 0; i < def->ndisks; i++) {
        if (qemuCommandValidateDisk(p, def->disks[i]) < 0)
            return -1;
    }
    if (def->mem.max && !def->mem.slots) {
        reportError(VIR_ERR_XML_ERROR, "%s",
                    _("both maximum memory size and memory slot count must be specified"));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* 4. builders                                                         */

static void
qemuCommandBuildDeviceAddr(QemuCommandBuilder *b, json_object *dev, const DomainDeviceInfo *info)
{
    const QemuCommandPCIAddr *a = qemuCommandPCI(&b->plan, info);
    g_autofree char *bus = NULL;
    g_autofree char *addr = NULL;

    if (!a)
        return;
    if (a->bus == 0)
        bus = g_strdup(b->plan.family == QEMU_COMMAND_MACHINE_Q35 ? "pcie.0" : "pci.0");
    else
        bus = g_strdup_printf("pci.%u", a->bus);
    if (a->function)
        addr = g_strdup_printf("0x%x.0x%x", a->slot, a->function);
    else
        addr = g_strdup_printf("0x%x", a->slot);
    qemuCommandJsonStr(dev, "bus", bus);
    qemuCommandJsonStr(dev, "addr", addr);
    if (a->multifunction)
        qemuCommandJsonBool(dev, "multifunction", true);
}

/* Adds "bootindex" when the device boots. */
static void
qemuCommandBuildDeviceBoot(QemuCommandBuilder *b, json_object *dev, const DomainDeviceInfo *info)
{
    unsigned int idx = qemuCommandBootIndex(&b->plan, info);

    if (idx)
        qemuCommandJsonInt(dev, "bootindex", idx);
}

static void
qemuCommandBuildName(QemuCommandBuilder *b)
{
    GString *buf = g_string_new(NULL);

    qemuCommandKvAdd(buf, "guest", b->plan.def->name);
    qemuCommandKvAdd(buf, "debug-threads", "on");
    qemuCommandBuildArgBuf(b, "-name", buf);
}

/* UEFI / custom firmware: pflash images as block nodes named by -machine. */
static void
qemuCommandBuildPflash(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    const char *paths[2] = {def->os.loader, def->os.nvram};
    int i;

    if (def->os.loaderType != DOMAIN_LOADER_TYPE_PFLASH)
        return;
    for (i = 0; i < 2; i++) {
        g_autofree char *storage = g_strdup_printf("libvirt-pflash%d-storage", i);
        g_autofree char *format = g_strdup_printf("libvirt-pflash%d-format", i);
        bool ro = i == 0 && def->os.loaderReadonly != DOMAIN_TRISTATE_BOOL_NO;
        json_object *node;

        if (!paths[i])
            continue;
        node = qemuCommandJsonNew("driver", "file");
        qemuCommandJsonStr(node, "filename", paths[i]);
        qemuCommandJsonStr(node, "node-name", storage);
        qemuCommandJsonBool(node, "auto-read-only", true);
        qemuCommandJsonStr(node, "discard", "unmap");
        qemuCommandBuildArgJSON(b, "-blockdev", node);
        node = qemuCommandJsonNew("node-name", format);
        qemuCommandJsonBool(node, "read-only", ro);
        qemuCommandJsonStr(node, "driver", "raw");
        qemuCommandJsonStr(node, "file", storage);
        qemuCommandBuildArgJSON(b, "-blockdev", node);
    }
}

static bool
qemuCommandHpetDisabled(const DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->clock.ntimers; i++) {
        if (def->clock.timers[i]->name == DOMAIN_TIMER_HPET &&
            def->clock.timers[i]->present == DOMAIN_TRISTATE_BOOL_NO)
            return true;
    }
    return false;
}

static int
qemuCommandBuildMachine(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    const DomainFeaturesDef *f = &def->features;
    GString *buf = g_string_new(NULL);

    qemuCommandKvAdd(buf, NULL, b->plan.machine);
    qemuCommandKvAdd(buf, "usb", "off");
    qemuCommandKvAdd(buf, "dump-guest-core", "off");
    if (f->state[DOMAIN_FEATURE_ACPI] != DOMAIN_TRISTATE_SWITCH_ON)
        qemuCommandKvAdd(buf, "acpi", "off");
    if (f->state[DOMAIN_FEATURE_VMPORT] != DOMAIN_TRISTATE_SWITCH_ABSENT)
        qemuCommandKvAdd(buf, "vmport",
                         f->state[DOMAIN_FEATURE_VMPORT] == DOMAIN_TRISTATE_SWITCH_ON ? "on"
                                                                                      : "off");
    if (f->state[DOMAIN_FEATURE_SMM] != DOMAIN_TRISTATE_SWITCH_ABSENT)
        qemuCommandKvAdd(buf, "smm",
                         f->state[DOMAIN_FEATURE_SMM] == DOMAIN_TRISTATE_SWITCH_ON ? "on" : "off");
    if (qemuCommandHpetDisabled(def))
        qemuCommandKvAdd(buf, "hpet", "off");
    if (f->state[DOMAIN_FEATURE_IOAPIC] == DOMAIN_TRISTATE_SWITCH_ON &&
        f->ioapicDriver != DOMAIN_IOAPIC_NONE) {
        if (b->accel != QEMU_ACCEL_KVM) {
            g_string_free(buf, TRUE);
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("the ioapic driver can only be chosen with KVM"));
            return -1;
        }
        qemuCommandKvAdd(buf, "kernel-irqchip",
                         f->ioapicDriver == DOMAIN_IOAPIC_QEMU ? "split" : "on");
    }
    if (def->os.loaderType == DOMAIN_LOADER_TYPE_PFLASH) {
        qemuCommandKvAdd(buf, "pflash0", "libvirt-pflash0-format");
        if (def->os.nvram)
            qemuCommandKvAdd(buf, "pflash1", "libvirt-pflash1-format");
    }
    qemuCommandBuildArgBuf(b, "-machine", buf);
    qemuCommandBuildArgPair(b, "-accel", b->accel == QEMU_ACCEL_KVM ? "kvm" : "tcg");
    return 0;
}

static void
qemuCommandCpuAddFeature(GString *buf, const char *name, bool on)
{
    qemuCommandKvAddf(buf, name, "%s", on ? "on" : "off");
}

/* Hyper-V, KVM and PMU switches from <features>, and timers from <clock>. */
static void
qemuCommandBuildCpuFeatureFlags(QemuCommandBuilder *b, GString *buf)
{
    const DomainDef *def = b->plan.def;
    const DomainFeaturesDef *f = &def->features;
    static const char *const hvNames[DOMAIN_HYPERV_LAST] = {
        [DOMAIN_HYPERV_RELAXED] = "hv-relaxed",
        [DOMAIN_HYPERV_VAPIC] = "hv-vapic",
        [DOMAIN_HYPERV_SPINLOCKS] = "hv-spinlocks",
        [DOMAIN_HYPERV_VPINDEX] = "hv-vpindex",
        [DOMAIN_HYPERV_RUNTIME] = "hv-runtime",
        [DOMAIN_HYPERV_SYNIC] = "hv-synic",
        [DOMAIN_HYPERV_STIMER] = "hv-stimer",
        [DOMAIN_HYPERV_RESET] = "hv-reset",
        [DOMAIN_HYPERV_VENDOR_ID] = "hv-vendor-id",
        [DOMAIN_HYPERV_FREQUENCIES] = "hv-frequencies",
        [DOMAIN_HYPERV_REENLIGHTENMENT] = "hv-reenlightenment",
        [DOMAIN_HYPERV_TLBFLUSH] = "hv-tlbflush",
        [DOMAIN_HYPERV_IPI] = "hv-ipi",
        [DOMAIN_HYPERV_EVMCS] = "hv-evmcs",
        [DOMAIN_HYPERV_AVIC] = "hv-avic",
    };
    size_t i;

    for (i = 0; i < def->clock.ntimers; i++) {
        const DomainTimerDef *t = def->clock.timers[i];

        if (t->name == DOMAIN_TIMER_KVMCLOCK && t->present != DOMAIN_TRISTATE_BOOL_ABSENT)
            qemuCommandCpuAddFeature(buf, "kvmclock", t->present == DOMAIN_TRISTATE_BOOL_YES);
        else if (t->name == DOMAIN_TIMER_HYPERVCLOCK && t->present == DOMAIN_TRISTATE_BOOL_YES)
            qemuCommandCpuAddFeature(buf, "hv-time", true);
        else if (t->name == DOMAIN_TIMER_TSC && t->frequency)
            qemuCommandKvAddf(buf, "tsc-frequency", "%llu", t->frequency);
    }
    if (f->state[DOMAIN_FEATURE_APIC] == DOMAIN_TRISTATE_SWITCH_ON &&
        f->apicEoi != DOMAIN_TRISTATE_SWITCH_ABSENT)
        qemuCommandCpuAddFeature(buf, "kvm-pv-eoi", f->apicEoi == DOMAIN_TRISTATE_SWITCH_ON);
    if (f->state[DOMAIN_FEATURE_PVSPINLOCK] != DOMAIN_TRISTATE_SWITCH_ABSENT)
        qemuCommandCpuAddFeature(buf, "kvm-pv-unhalt",
                                 f->state[DOMAIN_FEATURE_PVSPINLOCK] == DOMAIN_TRISTATE_SWITCH_ON);
    if (f->state[DOMAIN_FEATURE_HYPERV] == DOMAIN_TRISTATE_SWITCH_ON) {
        if (f->hypervMode == DOMAIN_HYPERV_MODE_PASSTHROUGH) {
            qemuCommandCpuAddFeature(buf, "hv-passthrough", true);
        } else {
            for (i = 0; i < DOMAIN_HYPERV_LAST; i++) {
                if (f->hyperv[i] != DOMAIN_TRISTATE_SWITCH_ON)
                    continue;
                if (i == DOMAIN_HYPERV_SPINLOCKS)
                    qemuCommandKvAddf(buf, hvNames[i], "0x%x", f->hypervSpinlocks);
                else if (i == DOMAIN_HYPERV_VENDOR_ID)
                    qemuCommandKvAdd(buf, hvNames[i], f->hypervVendorId ? f->hypervVendorId : "");
                else
                    qemuCommandCpuAddFeature(buf, hvNames[i], true);
            }
        }
    }
    if (f->state[DOMAIN_FEATURE_KVM] == DOMAIN_TRISTATE_SWITCH_ON) {
        if (f->kvm[DOMAIN_KVM_HIDDEN] == DOMAIN_TRISTATE_SWITCH_ON)
            qemuCommandCpuAddFeature(buf, "kvm", false);
        if (f->kvm[DOMAIN_KVM_DEDICATED] == DOMAIN_TRISTATE_SWITCH_ON)
            qemuCommandCpuAddFeature(buf, "kvm-hint-dedicated", true);
        if (f->kvm[DOMAIN_KVM_POLLCONTROL] == DOMAIN_TRISTATE_SWITCH_ON)
            qemuCommandCpuAddFeature(buf, "kvm-poll-control", true);
        if (f->kvm[DOMAIN_KVM_PVIPI] == DOMAIN_TRISTATE_SWITCH_OFF)
            qemuCommandCpuAddFeature(buf, "kvm-pv-ipi", false);
    }
    if (f->state[DOMAIN_FEATURE_PMU] != DOMAIN_TRISTATE_SWITCH_ABSENT)
        qemuCommandCpuAddFeature(buf, "pmu",
                                 f->state[DOMAIN_FEATURE_PMU] == DOMAIN_TRISTATE_SWITCH_ON);
}

static void
qemuCommandBuildCpu(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    const DomainCpuDef *cpu = def->cpu;
    GString *buf = g_string_new(NULL);
    size_t i;

    if (cpu && cpu->mode == DOMAIN_CPU_MODE_HOST_PASSTHROUGH) {
        qemuCommandKvAdd(buf, NULL, "host");
        if (cpu->migratable != DOMAIN_TRISTATE_SWITCH_ABSENT)
            qemuCommandKvAdd(buf, "migratable",
                             cpu->migratable == DOMAIN_TRISTATE_SWITCH_ON ? "on" : "off");
    } else if (cpu && cpu->mode == DOMAIN_CPU_MODE_HOST_MODEL) {
        /* the host CPU minus what cannot migrate; see docs/qemu-command-line.md */
        qemuCommandKvAdd(buf, NULL, "host");
        qemuCommandKvAdd(buf, "migratable", "on");
    } else if (cpu && cpu->mode == DOMAIN_CPU_MODE_MAXIMUM) {
        qemuCommandKvAdd(buf, NULL, "max");
        if (cpu->migratable != DOMAIN_TRISTATE_SWITCH_ABSENT)
            qemuCommandKvAdd(buf, "migratable",
                             cpu->migratable == DOMAIN_TRISTATE_SWITCH_ON ? "on" : "off");
    } else if (cpu && cpu->model) {
        qemuCommandKvAdd(buf, NULL, cpu->model);
    }
    if (cpu && cpu->model && cpu->mode == DOMAIN_CPU_MODE_CUSTOM) {
        if (cpu->vendorId)
            qemuCommandKvAdd(buf, "vendor", cpu->vendorId);
        for (i = 0; i < cpu->nfeatures; i++) {
            int pol = cpu->features[i].policy;

            qemuCommandCpuAddFeature(buf, cpu->features[i].name,
                                     pol == DOMAIN_CPU_FEATURE_FORCE ||
                                         pol == DOMAIN_CPU_FEATURE_REQUIRE ||
                                         pol == DOMAIN_CPU_FEATURE_OPTIONAL);
        }
    }
    if (cpu && cpu->hasCache) {
        if (cpu->cacheMode == DOMAIN_CPU_CACHE_MODE_PASSTHROUGH)
            qemuCommandKvAdd(buf, "host-cache-info", "on");
        else if (cpu->cacheMode == DOMAIN_CPU_CACHE_MODE_EMULATE && cpu->cacheLevel == 3)
            qemuCommandKvAdd(buf, "l3-cache", "on");
        else if (cpu->cacheMode == DOMAIN_CPU_CACHE_MODE_DISABLE)
            qemuCommandKvAdd(buf, "l3-cache", "off");
    }
    {
        gsize before = buf->len;

        qemuCommandBuildCpuFeatureFlags(b, buf);
        /* features without a model apply to QEMU's default model */
        if (before == 0 && buf->len > 0)
            g_string_prepend(buf, "qemu64,");
    }
    if (buf->len == 0) {
        g_string_free(buf, TRUE);
        return;
    }
    qemuCommandBuildArgBuf(b, "-cpu", buf);
}

/* Guest RAM in KiB, rounded up to whole MiB as QEMU sizes RAM blocks. */
static unsigned long long
qemuCommandAlignMemory(unsigned long long kib)
{
    return (kib + 1023) / 1024 * 1024;
}

static void
qemuCommandBuildMemory(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    unsigned long long total = 0;
    GString *buf = g_string_new(NULL);
    size_t i;

    if (def->cpu && def->cpu->ncells > 0) {
        for (i = 0; i < def->cpu->ncells; i++)
            total += qemuCommandAlignMemory(def->cpu->cells[i].mem);
    } else {
        total = qemuCommandAlignMemory(def->mem.total);
    }
    qemuCommandKvAddf(buf, "size", "%lluk", total);
    if (def->mem.max) {
        qemuCommandKvAddf(buf, "slots", "%u", def->mem.slots);
        qemuCommandKvAddf(buf, "maxmem", "%lluk", qemuCommandAlignMemory(def->mem.max));
    }
    qemuCommandBuildArgBuf(b, "-m", buf);
    qemuCommandBuildArgPair(b, "-overcommit", "mem-lock=off");
}

static void
qemuCommandBuildSmp(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    const DomainCpuDef *cpu = def->cpu;
    GString *buf = g_string_new(NULL);

    qemuCommandKvAddf(buf, NULL, "%u", def->vcpus);
    if (def->vcpus != def->maxvcpus)
        qemuCommandKvAddf(buf, "maxcpus", "%u", def->maxvcpus);
    if (cpu && cpu->sockets) {
        qemuCommandKvAddf(buf, "sockets", "%u", cpu->sockets);
        if (cpu->dies > 1)
            qemuCommandKvAddf(buf, "dies", "%u", cpu->dies);
        qemuCommandKvAddf(buf, "cores", "%u", cpu->cores);
        qemuCommandKvAddf(buf, "threads", "%u", cpu->threads);
    } else {
        qemuCommandKvAddf(buf, "sockets", "%u", def->maxvcpus);
        qemuCommandKvAdd(buf, "cores", "1");
        qemuCommandKvAdd(buf, "threads", "1");
    }
    qemuCommandBuildArgBuf(b, "-smp", buf);
}

static void
qemuCommandBuildNuma(QemuCommandBuilder *b)
{
    const DomainCpuDef *cpu = b->plan.def->cpu;
    size_t i;

    if (!cpu)
        return;
    for (i = 0; i < cpu->ncells; i++) {
        const DomainNumaCellDef *cell = &cpu->cells[i];
        g_autofree char *id = g_strdup_printf("ram-node%zu", i);
        bool shared = cell->memAccess == DOMAIN_NUMA_MEM_ACCESS_SHARED;
        json_object *obj =
            qemuCommandJsonNew("qom-type", shared ? "memory-backend-memfd" : "memory-backend-ram");
        GString *buf = g_string_new(NULL);

        qemuCommandJsonStr(obj, "id", id);
        if (shared)
            qemuCommandJsonBool(obj, "share", true);
        qemuCommandJsonUInt64(obj, "size", qemuCommandAlignMemory(cell->mem) * 1024);
        qemuCommandBuildArgJSON(b, "-object", obj);

        qemuCommandKvAdd(buf, NULL, "node");
        qemuCommandKvAddf(buf, "nodeid", "%zu", i);
        if (cell->cpus && !bitmapIsEmpty(cell->cpus)) {
            g_autofree char *set = bitmapFormat(cell->cpus);
            g_auto(GStrv) parts = g_strsplit(set, ",", 0);
            size_t k;

            /* a list of ranges is one cpus= per range */
            for (k = 0; parts[k]; k++)
                qemuCommandKvAdd(buf, "cpus", parts[k]);
        }
        qemuCommandKvAdd(buf, "memdev", id);
        qemuCommandBuildArgBuf(b, "-numa", buf);
    }
}

static void
qemuCommandBuildMonitor(QemuCommandBuilder *b)
{
    const QemuCommandRuntime *rt = b->rt;
    GString *buf = g_string_new(NULL);

    qemuCommandKvAdd(buf, NULL, "socket");
    qemuCommandKvAdd(buf, "id", "charmonitor");
    if (rt->monitorFd >= 0)
        qemuCommandKvAddf(buf, "fd", "%d", qemuCommandBuildAddFd(b, rt->monitorFd));
    else
        qemuCommandKvAdd(buf, "path", rt->monitorPath);
    qemuCommandKvAdd(buf, "server", "on");
    qemuCommandKvAdd(buf, "wait", "off");
    qemuCommandBuildArgBuf(b, "-chardev", buf);
    qemuCommandBuildArgPair(b, "-mon", "chardev=charmonitor,id=monitor,mode=control");
    if (rt->pidfile)
        qemuCommandBuildArgPair(b, "-pidfile", rt->pidfile);
}

static char *
qemuCommandFormatRtcDate(gint64 when)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(when);

    return dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S") : NULL;
}

static int
qemuCommandBuildClock(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    const DomainClockDef *clock = &def->clock;
    GString *buf = g_string_new(NULL);
    g_autofree char *date = NULL;
    size_t i;

    switch (clock->offset) {
    case DOMAIN_CLOCK_OFFSET_LOCALTIME:
        qemuCommandKvAdd(buf, "base", "localtime");
        break;
    case DOMAIN_CLOCK_OFFSET_TIMEZONE:
        qemuCommandKvAdd(buf, "base", "localtime");
        g_ptr_array_add(b->env, g_strdup_printf("TZ=%s", clock->timezone));
        break;
    case DOMAIN_CLOCK_OFFSET_VARIABLE: {
        gint64 when = b->rt->now + clock->adjustment;

        if (clock->basis == DOMAIN_CLOCK_BASIS_LOCALTIME)
            when += b->rt->utcOffset;
        if (!(date = qemuCommandFormatRtcDate(when)))
            goto bad;
        qemuCommandKvAdd(buf, "base", date);
        break;
    }
    case DOMAIN_CLOCK_OFFSET_ABSOLUTE:
        if (!(date = qemuCommandFormatRtcDate((gint64)clock->start)))
            goto bad;
        qemuCommandKvAdd(buf, "base", date);
        break;
    case DOMAIN_CLOCK_OFFSET_UTC:
    default:
        qemuCommandKvAdd(buf, "base", "utc");
        break;
    }

    for (i = 0; i < clock->ntimers; i++) {
        const DomainTimerDef *t = clock->timers[i];

        switch (t->name) {
        case DOMAIN_TIMER_RTC:
            switch (t->track) {
            case DOMAIN_TIMER_TRACK_GUEST:
                qemuCommandKvAdd(buf, "clock", "vm");
                break;
            case DOMAIN_TIMER_TRACK_WALL:
                qemuCommandKvAdd(buf, "clock", "host");
                break;
            case DOMAIN_TIMER_TRACK_REALTIME:
                qemuCommandKvAdd(buf, "clock", "rt");
                break;
            case DOMAIN_TIMER_TRACK_NONE:
                break;
            default:
                g_string_free(buf, TRUE);
                return qemuCommandUnsupported(_("rtc timer track"),
                                              domainTimerTrackTypeToString(t->track));
            }
            if (t->tickpolicy == DOMAIN_TIMER_TICKPOLICY_CATCHUP)
                qemuCommandKvAdd(buf, "driftfix", "slew");
            else if (t->tickpolicy != DOMAIN_TIMER_TICKPOLICY_NONE &&
                     t->tickpolicy != DOMAIN_TIMER_TICKPOLICY_DELAY) {
                g_string_free(buf, TRUE);
                return qemuCommandUnsupported(_("rtc timer tickpolicy"),
                                              domainTimerTickpolicyTypeToString(t->tickpolicy));
            }
            break;
        case DOMAIN_TIMER_PIT:
        case DOMAIN_TIMER_HPET:
        case DOMAIN_TIMER_KVMCLOCK:
        case DOMAIN_TIMER_HYPERVCLOCK:
        case DOMAIN_TIMER_TSC:
            break;
        default:
            g_string_free(buf, TRUE);
            return qemuCommandUnsupported(_("timer"), domainTimerNameTypeToString(t->name));
        }
    }
    qemuCommandBuildArgBuf(b, "-rtc", buf);

    /* the PIT's lost-tick policy exists only for KVM's in-kernel PIT */
    for (i = 0; i < clock->ntimers; i++) {
        const DomainTimerDef *t = clock->timers[i];
        const char *policy = NULL;

        if (t->name != DOMAIN_TIMER_PIT || t->tickpolicy == DOMAIN_TIMER_TICKPOLICY_NONE)
            continue;
        if (t->tickpolicy == DOMAIN_TIMER_TICKPOLICY_DELAY)
            policy = "delay";
        else if (t->tickpolicy == DOMAIN_TIMER_TICKPOLICY_DISCARD)
            policy = "discard";
        else
            return qemuCommandUnsupported(_("pit timer tickpolicy"),
                                          domainTimerTickpolicyTypeToString(t->tickpolicy));
        if (b->accel == QEMU_ACCEL_KVM) {
            g_autofree char *arg = g_strdup_printf("kvm-pit.lost_tick_policy=%s", policy);

            qemuCommandBuildArgPair(b, "-global", arg);
        }
    }
    return 0;

bad:
    g_string_free(buf, TRUE);
    reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s", _("clock offset is out of range"));
    return -1;
}

static int
qemuCommandBuildLifecycle(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;

    /* QEMU stays after a guest shutdown so that the driver sees why it
     * stopped and applies on_poweroff/on_reboot itself */
    qemuCommandBuildArg(b, "-no-shutdown");
    if (def->onReboot == DOMAIN_LIFECYCLE_DESTROY)
        qemuCommandBuildArgPair(b, "-action", "reboot=shutdown");
    return 0;
}

static void
qemuCommandBuildBoot(QemuCommandBuilder *b)
{
    const DomainOsDef *os = &b->plan.def->os;
    GString *buf = g_string_new(NULL);

    if (os->bootmenu == DOMAIN_TRISTATE_BOOL_YES) {
        qemuCommandKvAdd(buf, "menu", "on");
        if (os->bootmenuTimeoutSet)
            qemuCommandKvAddf(buf, "splash-time", "%u", os->bootmenuTimeout);
    } else if (os->bootmenu == DOMAIN_TRISTATE_BOOL_NO) {
        qemuCommandKvAdd(buf, "menu", "off");
    }
    if (os->biosRebootTimeoutSet)
        qemuCommandKvAddf(buf, "reboot-timeout", "%d", os->biosRebootTimeout);
    qemuCommandKvAdd(buf, "strict", "on");
    qemuCommandBuildArgBuf(b, "-boot", buf);

    if (os->kernel)
        qemuCommandBuildArgPair(b, "-kernel", os->kernel);
    if (os->initrd)
        qemuCommandBuildArgPair(b, "-initrd", os->initrd);
    if (os->cmdline)
        qemuCommandBuildArgPair(b, "-append", os->cmdline);
    if (os->dtb)
        qemuCommandBuildArgPair(b, "-dtb", os->dtb);
    if (os->loader && os->loaderType == DOMAIN_LOADER_TYPE_ROM)
        qemuCommandBuildArgPair(b, "-bios", os->loader);
}

/* ---- controllers ---- */

static const char *
qemuCommandUSBControllerDevice(const char *model)
{
    static const char *const map[][2] = {
        {"piix3-uhci", "piix3-usb-uhci"},
        {"piix4-uhci", "piix4-usb-uhci"},
        {"ehci", "usb-ehci"},
        {"ich9-ehci1", "ich9-usb-ehci1"},
        {"nec-xhci", "nec-usb-xhci"},
        {"qemu-xhci", "qemu-xhci"},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (streq(model, map[i][0]))
            return map[i][1];
    }
    return NULL;
}

static const char *
qemuCommandSCSIControllerDevice(const char *model)
{
    static const char *const map[][2] = {
        {"virtio-scsi", "virtio-scsi-pci"},
        {"virtio-transitional", "virtio-scsi-pci-transitional"},
        {"virtio-non-transitional", "virtio-scsi-pci-non-transitional"},
        {"lsilogic", "lsi53c895a"},
        {"lsisas1078", "megasas"},
        {"vmpvscsi", "pvscsi"},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (streq(model ? model : "lsilogic", map[i][0]))
            return map[i][1];
    }
    return NULL;
}

static bool
qemuCommandSCSIControllerIsVirtio(const DomainDef *def, unsigned int idx)
{
    const DomainControllerDef *c =
        qemuCommandFindController(def, DOMAIN_CONTROLLER_TYPE_SCSI, (int)idx);

    return c && c->model && strPrefix(c->model, "virtio");
}

static int
qemuCommandBuildController(QemuCommandBuilder *b, const DomainControllerDef *c)
{
    const QemuCommandPlan *p = &b->plan;
    const char *alias = qemuCommandAlias(p, &c->info);
    const char *driver = NULL;
    json_object *dev;

    switch (c->type) {
    case DOMAIN_CONTROLLER_TYPE_IDE:
        if (p->family != QEMU_COMMAND_MACHINE_PC || c->idx != 0)
            return qemuCommandUnsupported(_("IDE controller on machine"), p->machine);
        return 0; /* PIIX3's own */
    case DOMAIN_CONTROLLER_TYPE_FDC:
        if (p->family != QEMU_COMMAND_MACHINE_PC || c->idx != 0)
            return qemuCommandUnsupported(_("floppy controller on machine"), p->machine);
        return 0; /* the ISA FDC of the pc machine */
    case DOMAIN_CONTROLLER_TYPE_SATA:
        if (p->family == QEMU_COMMAND_MACHINE_Q35 && c->idx == 0)
            return 0; /* ICH9's own AHCI */
        driver = "ich9-ahci";
        break;
    case DOMAIN_CONTROLLER_TYPE_USB:
        if (streq(c->model, "none"))
            return 0;
        if (!(driver = qemuCommandUSBControllerDevice(c->model)))
            return qemuCommandUnsupported(_("USB controller model"), c->model);
        break;
    case DOMAIN_CONTROLLER_TYPE_SCSI:
        if (!(driver = qemuCommandSCSIControllerDevice(c->model)))
            return qemuCommandUnsupported(_("SCSI controller model"), c->model);
        break;
    case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
        driver = "virtio-serial-pci";
        break;
    case DOMAIN_CONTROLLER_TYPE_PCI:
        if (c->idx == 0) {
            const char *want = p->family == QEMU_COMMAND_MACHINE_Q35 ? "pcie-root" : "pci-root";

            if (c->model && !streq(c->model, want))
                return qemuCommandUnsupported(_("PCI root controller model"), c->model);
            return 0;
        }
        if (streq(c->model, "pci-bridge") && p->family == QEMU_COMMAND_MACHINE_PC) {
            dev = qemuCommandJsonNew("driver", "pci-bridge");
            qemuCommandJsonInt(dev, "chassis_nr",
                               c->targetChassisNr >= 0 ? c->targetChassisNr : c->idx);
            qemuCommandJsonStr(dev, "id", alias);
            qemuCommandBuildDeviceAddr(b, dev, &c->info);
            qemuCommandBuildArgJSON(b, "-device", dev);
            return 0;
        }
        return qemuCommandUnsupported(_("PCI controller model"), c->model);
    default:
        return qemuCommandUnsupported(_("controller type"), domainControllerTypeToString(c->type));
    }
    if (qemuCommandRequireType(p, driver, _("this controller")) < 0)
        return -1;
    dev = qemuCommandJsonNew("driver", driver);
    if (c->type == DOMAIN_CONTROLLER_TYPE_USB && c->ports > 0 && strstr(driver, "xhci")) {
        qemuCommandJsonInt(dev, "p2", c->ports);
        qemuCommandJsonInt(dev, "p3", c->ports);
    }
    if (c->type == DOMAIN_CONTROLLER_TYPE_SCSI && c->queues && strPrefix(driver, "virtio"))
        qemuCommandJsonInt(dev, "num_queues", c->queues);
    if (c->type == DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL) {
        if (c->ports > 0)
            qemuCommandJsonInt(dev, "max_ports", c->ports);
        if (c->vectors >= 0)
            qemuCommandJsonInt(dev, "vectors", c->vectors);
    }
    qemuCommandJsonStr(dev, "id", alias);
    qemuCommandBuildDeviceAddr(b, dev, &c->info);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

static int
qemuCommandBuildControllers(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    size_t i;

    /* bridges first: other devices may sit behind them */
    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == DOMAIN_CONTROLLER_TYPE_PCI &&
            qemuCommandBuildController(b, def->controllers[i]) < 0)
            return -1;
    }
    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type != DOMAIN_CONTROLLER_TYPE_PCI &&
            qemuCommandBuildController(b, def->controllers[i]) < 0)
            return -1;
    }
    return 0;
}

/* ---- disks ---- */

static int
qemuCommandNoUSBError(void)
{
    reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                _("USB devices need a USB controller, but the domain's is of model 'none'"));
    return -1;
}

/* write-cache on the device; direct / no-flush on the block nodes. */
typedef struct {
    const char *writeCache; /* "on" / "off" */
    bool direct;
    bool noFlush;
} QemuCommandDiskCache;

static bool
qemuCommandDiskCacheMode(int mode, QemuCommandDiskCache *ret)
{
    switch (mode) {
    case DOMAIN_DISK_CACHE_NONE:
        *ret = (QemuCommandDiskCache){"on", true, false};
        return true;
    case DOMAIN_DISK_CACHE_WRITETHRU:
        *ret = (QemuCommandDiskCache){"off", false, false};
        return true;
    case DOMAIN_DISK_CACHE_WRITEBACK:
        *ret = (QemuCommandDiskCache){"on", false, false};
        return true;
    case DOMAIN_DISK_CACHE_DIRECTSYNC:
        *ret = (QemuCommandDiskCache){"off", true, false};
        return true;
    case DOMAIN_DISK_CACHE_UNSAFE:
        *ret = (QemuCommandDiskCache){"on", false, true};
        return true;
    default:
        return false;
    }
}

static void
qemuCommandBlockAddCache(json_object *node, const QemuCommandDiskCache *cache)
{
    json_object *obj = json_object_new_object();

    qemuCommandJsonBool(obj, "direct", cache->direct);
    qemuCommandJsonBool(obj, "no-flush", cache->noFlush);
    json_object_object_add(node, "cache", obj);
}

static const char *
qemuCommandDiskErrorPolicy(int policy)
{
    switch (policy) {
    case DOMAIN_DISK_ERROR_POLICY_STOP:
        return "stop";
    case DOMAIN_DISK_ERROR_POLICY_REPORT:
        return "report";
    case DOMAIN_DISK_ERROR_POLICY_IGNORE:
        return "ignore";
    case DOMAIN_DISK_ERROR_POLICY_ENOSPACE:
        return "enospc";
    default:
        return NULL;
    }
}

/* The two block nodes of a disk: the file (protocol) and its format. */
static void
qemuCommandBuildDiskBlockdev(QemuCommandBuilder *b, const DomainDiskDef *disk, unsigned int node,
                             const QemuCommandDiskCache *cache, bool hasCache)
{
    g_autofree char *storage = g_strdup_printf("libvirt-%u-storage", node);
    g_autofree char *format = g_strdup_printf("libvirt-%u-format", node);
    const char *driver = "file";
    json_object *obj;

    if (disk->type == DOMAIN_DISK_TYPE_BLOCK)
        driver = disk->device == DOMAIN_DISK_DEVICE_CDROM ? "host_cdrom" : "host_device";
    obj = qemuCommandJsonNew("driver", driver);
    qemuCommandJsonStr(obj, "filename", disk->src);
    if (disk->io == DOMAIN_DISK_IO_NATIVE)
        qemuCommandJsonStr(obj, "aio", "native");
    else if (disk->io == DOMAIN_DISK_IO_THREADS)
        qemuCommandJsonStr(obj, "aio", "threads");
    else if (disk->io == DOMAIN_DISK_IO_URING)
        qemuCommandJsonStr(obj, "aio", "io_uring");
    qemuCommandJsonStr(obj, "node-name", storage);
    if (hasCache)
        qemuCommandBlockAddCache(obj, cache);
    qemuCommandJsonBool(obj, "auto-read-only", true);
    qemuCommandJsonStr(obj, "discard", "unmap");
    qemuCommandBuildArgJSON(b, "-blockdev", obj);

    obj = qemuCommandJsonNew("node-name", format);
    qemuCommandJsonBool(obj, "read-only",
                        disk->readonly || disk->device == DOMAIN_DISK_DEVICE_CDROM);
    if (disk->discard == DOMAIN_DISK_DISCARD_UNMAP)
        qemuCommandJsonStr(obj, "discard", "unmap");
    else if (disk->discard == DOMAIN_DISK_DISCARD_IGNORE)
        qemuCommandJsonStr(obj, "discard", "ignore");
    if (disk->detectZeroes == DOMAIN_DISK_DETECT_ZEROES_ON)
        qemuCommandJsonStr(obj, "detect-zeroes", "on");
    else if (disk->detectZeroes == DOMAIN_DISK_DETECT_ZEROES_UNMAP)
        qemuCommandJsonStr(obj, "detect-zeroes", "unmap");
    else if (disk->detectZeroes == DOMAIN_DISK_DETECT_ZEROES_OFF)
        qemuCommandJsonStr(obj, "detect-zeroes", "off");
    if (hasCache)
        qemuCommandBlockAddCache(obj, cache);
    qemuCommandJsonStr(obj, "driver", disk->driverType ? disk->driverType : "raw");
    qemuCommandJsonStr(obj, "file", storage);
    qemuCommandBuildArgJSON(b, "-blockdev", obj);
}

static int
qemuCommandBuildDisk(QemuCommandBuilder *b, const DomainDiskDef *disk, unsigned int node)
{
    const QemuCommandPlan *p = &b->plan;
    const DomainDeviceAddress *a = &disk->info.addr;
    const char *alias = qemuCommandAlias(p, &disk->info);
    bool cdrom = disk->device == DOMAIN_DISK_DEVICE_CDROM;
    g_autofree char *format = node ? g_strdup_printf("libvirt-%u-format", node) : NULL;
    g_autofree char *bus = NULL;
    QemuCommandDiskCache cache;
    bool hasCache = qemuCommandDiskCacheMode(disk->cache, &cache);
    const char *werror = qemuCommandDiskErrorPolicy(disk->errorPolicy);
    const char *rerror = qemuCommandDiskErrorPolicy(disk->rerrorPolicy);
    json_object *dev;

    if (!rerror && disk->errorPolicy != DOMAIN_DISK_ERROR_POLICY_ENOSPACE)
        rerror = werror;
    if (node)
        qemuCommandBuildDiskBlockdev(b, disk, node, &cache, hasCache);

    switch (disk->bus) {
    case DOMAIN_DISK_BUS_VIRTIO:
        dev = qemuCommandJsonNew("driver", "virtio-blk-pci");
        if (disk->queues)
            qemuCommandJsonInt(dev, "num-queues", disk->queues);
        if (disk->ioeventfd != DOMAIN_TRISTATE_SWITCH_ABSENT)
            qemuCommandJsonBool(dev, "ioeventfd", disk->ioeventfd == DOMAIN_TRISTATE_SWITCH_ON);
        if (disk->eventIdx != DOMAIN_TRISTATE_SWITCH_ABSENT)
            qemuCommandJsonBool(dev, "event_idx", disk->eventIdx == DOMAIN_TRISTATE_SWITCH_ON);
        qemuCommandBuildDeviceAddr(b, dev, &disk->info);
        break;
    case DOMAIN_DISK_BUS_IDE:
        dev = qemuCommandJsonNew("driver", cdrom ? "ide-cd" : "ide-hd");
        bus = g_strdup_printf("ide.%u", a->u.drive.bus);
        qemuCommandJsonStr(dev, "bus", bus);
        qemuCommandJsonInt(dev, "unit", a->u.drive.unit);
        break;
    case DOMAIN_DISK_BUS_SATA: {
        const DomainControllerDef *c = qemuCommandFindController(
            p->def, DOMAIN_CONTROLLER_TYPE_SATA, (int)a->u.drive.controller);

        if (!c) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("no SATA controller with index %1$u for disk '%2$s'"),
                        a->u.drive.controller, disk->dst);
            return -1;
        }
        dev = qemuCommandJsonNew("driver", cdrom ? "ide-cd" : "ide-hd");
        bus = g_strdup_printf("%s.%u", qemuCommandAlias(p, &c->info), a->u.drive.unit);
        qemuCommandJsonStr(dev, "bus", bus);
        break;
    }
    case DOMAIN_DISK_BUS_FDC:
        dev = qemuCommandJsonNew("driver", "floppy");
        qemuCommandJsonInt(dev, "unit", a->u.drive.unit);
        break;
    case DOMAIN_DISK_BUS_SCSI: {
        const DomainControllerDef *c = qemuCommandFindController(
            p->def, DOMAIN_CONTROLLER_TYPE_SCSI, (int)a->u.drive.controller);
        g_autofree char *devId = NULL;

        if (!c) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("no SCSI controller with index %1$u for disk '%2$s'"),
                        a->u.drive.controller, disk->dst);
            return -1;
        }
        dev = qemuCommandJsonNew("driver", cdrom ? "scsi-cd" : "scsi-hd");
        if (qemuCommandSCSIControllerIsVirtio(p->def, a->u.drive.controller)) {
            bus = g_strdup_printf("%s.0", qemuCommandAlias(p, &c->info));
            qemuCommandJsonStr(dev, "bus", bus);
            qemuCommandJsonInt(dev, "channel", a->u.drive.bus);
            qemuCommandJsonInt(dev, "scsi-id", a->u.drive.target);
            qemuCommandJsonInt(dev, "lun", a->u.drive.unit);
        } else {
            if (a->u.drive.target != 0 || a->u.drive.unit > 6) {
                json_object_put(dev);
                reportError(
                    VIR_ERR_CONFIG_UNSUPPORTED,
                    _("SCSI disk '%1$s' needs target 0 and unit 0-6 on this controller model"),
                    disk->dst);
                return -1;
            }
            bus = g_strdup_printf("%s.%u", qemuCommandAlias(p, &c->info), a->u.drive.bus);
            qemuCommandJsonStr(dev, "bus", bus);
            qemuCommandJsonInt(dev, "scsi-id", a->u.drive.unit);
        }
        /* keeps the guest-visible device id independent of node names */
        devId = g_strdup_printf("drive-%s", alias);
        qemuCommandJsonStr(dev, "device_id", devId);
        if (disk->wwn) {
            uint64_t wwn;

            if (strParseUInt64(strPrefix(disk->wwn, "0x") ? disk->wwn + 2 : disk->wwn, 16, &wwn) <
                0) {
                json_object_put(dev);
                reportError(VIR_ERR_XML_ERROR, _("malformed wwn '%1$s' of disk '%2$s'"), disk->wwn,
                            disk->dst);
                return -1;
            }
            qemuCommandJsonUInt64(dev, "wwn", wwn);
        }
        if (disk->vendor)
            qemuCommandJsonStr(dev, "vendor", disk->vendor);
        if (disk->product)
            qemuCommandJsonStr(dev, "product", disk->product);
        break;
    }
    case DOMAIN_DISK_BUS_USB:
        if (!b->usbBus) {
            return qemuCommandNoUSBError();
        }
        dev = qemuCommandJsonNew("driver", "usb-storage");
        qemuCommandJsonStr(dev, "bus", b->usbBus);
        if (disk->info.addr.type == DOMAIN_ADDRESS_USB && disk->info.addr.u.usb.port[0])
            qemuCommandJsonStr(dev, "port", disk->info.addr.u.usb.port);
        if (disk->removable != DOMAIN_TRISTATE_SWITCH_ABSENT)
            qemuCommandJsonBool(dev, "removable", disk->removable == DOMAIN_TRISTATE_SWITCH_ON);
        break;
    default:
        return qemuCommandUnsupported(_("disk bus"), domainDiskBusTypeToString(disk->bus));
    }
    qemuCommandJsonStr(dev, "drive", format);
    qemuCommandJsonStr(dev, "id", alias);
    qemuCommandBuildDeviceBoot(b, dev, &disk->info);
    if (hasCache && node)
        qemuCommandJsonStr(dev, "write-cache", cache.writeCache);
    if (disk->serial)
        qemuCommandJsonStr(dev, "serial", disk->serial);
    if (werror && node && disk->bus != DOMAIN_DISK_BUS_FDC && disk->bus != DOMAIN_DISK_BUS_USB)
        qemuCommandJsonStr(dev, "werror", werror);
    if (rerror && node && disk->bus != DOMAIN_DISK_BUS_FDC && disk->bus != DOMAIN_DISK_BUS_USB)
        qemuCommandJsonStr(dev, "rerror", rerror);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

/**
 * qemuCommandDiskByNodeName:
 * @def: a running domain's definition
 * @nodeName: a block node name QEMU reported ("libvirt-N-format" or
 *            "libvirt-N-storage", as qemuCommandBuildDisks names them)
 *
 * Returns: the disk whose nodes carry that name (borrowed), or NULL.
 */
const DomainDiskDef *
qemuCommandDiskByNodeName(const DomainDef *def, const char *nodeName)
{
    unsigned int nodes = 0;
    unsigned int want;
    char kind[16];
    size_t i;

    if (!nodeName || sscanf(nodeName, "libvirt-%u-%15s", &want, kind) != 2 ||
        (!streq(kind, "format") && !streq(kind, "storage")))
        return NULL;
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->src)
            nodes++;
    }
    /* the same count-down as qemuCommandBuildDisks */
    for (i = 0; i < def->ndisks; i++) {
        if (!def->disks[i]->src)
            continue;
        if (nodes-- == want)
            return def->disks[i];
    }
    return NULL;
}

static int
qemuCommandBuildDisks(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    unsigned int nodes = 0;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->src)
            nodes++;
    }
    /* node names count down so that the first disk has the highest */
    for (i = 0; i < def->ndisks; i++) {
        unsigned int node = def->disks[i]->src ? nodes-- : 0;

        if (qemuCommandBuildDisk(b, def->disks[i], node) < 0)
            return -1;
    }
    return 0;
}

/* ---- network interfaces ---- */

static const char *
qemuCommandNetModelDevice(const char *model)
{
    static const char *const map[][2] = {
        {"virtio", "virtio-net-pci"},
        {"virtio-transitional", "virtio-net-pci-transitional"},
        {"virtio-non-transitional", "virtio-net-pci-non-transitional"},
        {"e1000", "e1000"},
        {"e1000e", "e1000e"},
        {"rtl8139", "rtl8139"},
        {"ne2k_pci", "ne2k_pci"},
        {"pcnet", "pcnet"},
        {"vmxnet3", "vmxnet3"},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (streq(model, map[i][0]))
            return map[i][1];
    }
    return NULL;
}

static char *
qemuCommandJoinFds(QemuCommandBuilder *b, const int *fds, size_t n)
{
    GString *out = g_string_new(NULL);
    size_t i;

    for (i = 0; i < n; i++)
        g_string_append_printf(out, "%s%d", i ? ":" : "", qemuCommandBuildAddFd(b, fds[i]));
    return g_string_free(out, FALSE);
}

static int
qemuCommandBuildNet(QemuCommandBuilder *b, size_t idx)
{
    const QemuCommandPlan *p = &b->plan;
    const DomainNetDef *net = p->def->nets[idx];
    const QemuNetRuntime *nrt = idx < b->rt->nnets ? &b->rt->nets[idx] : NULL;
    const char *alias = qemuCommandAlias(p, &net->info);
    g_autofree char *netdevId = g_strdup_printf("host%s", alias);
    const char *model = net->model ? net->model : "rtl8139";
    const char *driver = qemuCommandNetModelDevice(model);
    bool virtio = strPrefix(model, "virtio");
    size_t queues = 1;
    char mac[MAC_STRING_BUFLEN];
    json_object *nd;
    json_object *dev;

    if (!driver)
        return qemuCommandUnsupported(_("interface model"), model);
    if (qemuCommandRequireType(p, driver, _("this interface model")) < 0)
        return -1;
    if (net->script || net->downscript)
        return qemuCommandUnsupported(_("interface element"), "script");
    if (net->driverName && !streq(net->driverName, "qemu") && !streq(net->driverName, "vhost"))
        return qemuCommandUnsupported(_("interface driver"), net->driverName);

    switch (net->type) {
    case DOMAIN_NET_TYPE_USER:
        nd = qemuCommandJsonNew("type", "user");
        break;
    case DOMAIN_NET_TYPE_ETHERNET:
    case DOMAIN_NET_TYPE_BRIDGE:
    case DOMAIN_NET_TYPE_NETWORK:
        nd = qemuCommandJsonNew("type", "tap");
        if (nrt && nrt->ntapfds > 0) {
            g_autofree char *fds = qemuCommandJoinFds(b, nrt->tapfds, nrt->ntapfds);

            qemuCommandJsonStr(nd, nrt->ntapfds > 1 ? "fds" : "fd", fds);
            queues = nrt->ntapfds;
        } else if (net->type == DOMAIN_NET_TYPE_ETHERNET && net->ifname) {
            /* a tap device that already exists on the host */
            qemuCommandJsonStr(nd, "ifname", net->ifname);
            qemuCommandJsonStr(nd, "script", "no");
            qemuCommandJsonStr(nd, "downscript", "no");
        } else {
            json_object_put(nd);
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("no tap device was opened for interface '%1$s' of type '%2$s'"), alias,
                        domainNetTypeToString(net->type));
            return -1;
        }
        if (nrt && nrt->nvhostfds > 0) {
            g_autofree char *fds = qemuCommandJoinFds(b, nrt->vhostfds, nrt->nvhostfds);

            qemuCommandJsonBool(nd, "vhost", true);
            qemuCommandJsonStr(nd, nrt->nvhostfds > 1 ? "vhostfds" : "vhostfd", fds);
        }
        break;
    default:
        return qemuCommandUnsupported(_("interface type"), domainNetTypeToString(net->type));
    }
    qemuCommandJsonStr(nd, "id", netdevId);
    qemuCommandBuildArgJSON(b, "-netdev", nd);

    dev = qemuCommandJsonNew("driver", driver);
    if (virtio && queues > 1) {
        qemuCommandJsonBool(dev, "mq", true);
        qemuCommandJsonInt(dev, "vectors", 2 * (long long)queues + 2);
    }
    qemuCommandJsonStr(dev, "netdev", netdevId);
    qemuCommandJsonStr(dev, "id", alias);
    qemuCommandJsonStr(dev, "mac", macFormat(&net->mac, mac));
    if (virtio && net->mtu)
        qemuCommandJsonInt(dev, "host_mtu", net->mtu);
    qemuCommandBuildDeviceAddr(b, dev, &net->info);
    qemuCommandBuildDeviceBoot(b, dev, &net->info);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

/* ---- character devices ---- */

/* Adds "-chardev ..." for @src and returns its id (caller owns it). */
static char *
qemuCommandBuildChardev(QemuCommandBuilder *b, const char *alias, const DomainChrSourceDef *src,
                        const char *defaultPath)
{
    g_autofree char *id = g_strdup_printf("char%s", alias);
    const char *path = src->path ? src->path : defaultPath;
    GString *buf = g_string_new(NULL);

    switch (src->type) {
    case DOMAIN_CHR_TYPE_NULL:
        qemuCommandKvAdd(buf, NULL, "null");
        qemuCommandKvAdd(buf, "id", id);
        break;
    case DOMAIN_CHR_TYPE_PTY:
        qemuCommandKvAdd(buf, NULL, "pty");
        qemuCommandKvAdd(buf, "id", id);
        break;
    case DOMAIN_CHR_TYPE_DEV:
    case DOMAIN_CHR_TYPE_FILE:
    case DOMAIN_CHR_TYPE_PIPE:
        if (!src->path)
            goto nopath;
        qemuCommandKvAdd(buf, NULL,
                         src->type == DOMAIN_CHR_TYPE_DEV    ? "tty"
                         : src->type == DOMAIN_CHR_TYPE_FILE ? "file"
                                                             : "pipe");
        qemuCommandKvAdd(buf, "id", id);
        qemuCommandKvAdd(buf, "path", src->path);
        if (src->type == DOMAIN_CHR_TYPE_FILE && src->append != DOMAIN_TRISTATE_SWITCH_ABSENT)
            qemuCommandKvAdd(buf, "append",
                             src->append == DOMAIN_TRISTATE_SWITCH_ON ? "on" : "off");
        break;
    case DOMAIN_CHR_TYPE_UNIX:
        if (!path)
            goto nopath;
        qemuCommandKvAdd(buf, NULL, "socket");
        qemuCommandKvAdd(buf, "id", id);
        qemuCommandKvAdd(buf, "path", path);
        if (src->listen) {
            qemuCommandKvAdd(buf, "server", "on");
            qemuCommandKvAdd(buf, "wait", "off");
        }
        break;
    case DOMAIN_CHR_TYPE_TCP:
        if (src->protocolSet && src->protocol != DOMAIN_CHR_TCP_PROTOCOL_RAW &&
            src->protocol != DOMAIN_CHR_TCP_PROTOCOL_TELNET) {
            g_string_free(buf, TRUE);
            qemuCommandUnsupported(_("TCP character device protocol"),
                                   domainChrTcpProtocolTypeToString(src->protocol));
            return NULL;
        }
        qemuCommandKvAdd(buf, NULL, "socket");
        qemuCommandKvAdd(buf, "id", id);
        qemuCommandKvAdd(buf, "host", src->host ? src->host : "127.0.0.1");
        qemuCommandKvAdd(buf, "port", src->service ? src->service : "0");
        if (src->protocolSet && src->protocol == DOMAIN_CHR_TCP_PROTOCOL_TELNET)
            qemuCommandKvAdd(buf, "telnet", "on");
        if (src->listen) {
            qemuCommandKvAdd(buf, "server", "on");
            qemuCommandKvAdd(buf, "wait", "off");
        }
        break;
    case DOMAIN_CHR_TYPE_UDP:
        qemuCommandKvAdd(buf, NULL, "udp");
        qemuCommandKvAdd(buf, "id", id);
        qemuCommandKvAdd(buf, "host", src->host ? src->host : "127.0.0.1");
        qemuCommandKvAdd(buf, "port", src->service ? src->service : "0");
        if (src->bindHost)
            qemuCommandKvAdd(buf, "localaddr", src->bindHost);
        if (src->bindService)
            qemuCommandKvAdd(buf, "localport", src->bindService);
        break;
    case DOMAIN_CHR_TYPE_SPICEVMC:
        qemuCommandKvAdd(buf, NULL, "spicevmc");
        qemuCommandKvAdd(buf, "id", id);
        qemuCommandKvAdd(buf, "name", "vdagent");
        break;
    case DOMAIN_CHR_TYPE_SPICEPORT:
        if (!src->channel)
            goto nopath;
        qemuCommandKvAdd(buf, NULL, "spiceport");
        qemuCommandKvAdd(buf, "id", id);
        qemuCommandKvAdd(buf, "name", src->channel);
        break;
    default:
        g_string_free(buf, TRUE);
        qemuCommandUnsupported(_("character device source type"), domainChrTypeToString(src->type));
        return NULL;
    }
    qemuCommandBuildArgBuf(b, "-chardev", buf);
    return g_steal_pointer(&id);

nopath:
    g_string_free(buf, TRUE);
    reportError(VIR_ERR_XML_ERROR, _("character device '%1$s' of type '%2$s' has no source"), alias,
                domainChrTypeToString(src->type));
    return NULL;
}

static int
qemuCommandBuildSerial(QemuCommandBuilder *b, const DomainChrDef *chr)
{
    const QemuCommandPlan *p = &b->plan;
    const char *alias = qemuCommandAlias(p, &chr->info);
    g_autofree char *id = NULL;
    const char *driver;
    json_object *dev;

    switch (chr->targetType) {
    case DOMAIN_CHR_SERIAL_TARGET_NONE:
    case DOMAIN_CHR_SERIAL_TARGET_ISA:
        driver = "isa-serial";
        break;
    case DOMAIN_CHR_SERIAL_TARGET_USB:
        driver = "usb-serial";
        if (!b->usbBus) {
            return qemuCommandNoUSBError();
        }
        break;
    case DOMAIN_CHR_SERIAL_TARGET_PCI:
        driver = "pci-serial";
        break;
    default:
        return qemuCommandUnsupported(_("serial target type"),
                                      domainChrSerialTargetTypeToString(chr->targetType));
    }
    if (chr->targetModel && !streq(chr->targetModel, driver))
        return qemuCommandUnsupported(_("serial target model"), chr->targetModel);
    if (!(id = qemuCommandBuildChardev(b, alias, &chr->source, NULL)))
        return -1;
    dev = qemuCommandJsonNew("driver", driver);
    if (streq(driver, "usb-serial"))
        qemuCommandJsonStr(dev, "bus", b->usbBus);
    qemuCommandJsonStr(dev, "chardev", id);
    qemuCommandJsonStr(dev, "id", alias);
    if (streq(driver, "isa-serial"))
        qemuCommandJsonInt(dev, "index", chr->targetPort);
    qemuCommandBuildDeviceAddr(b, dev, &chr->info);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

static int
qemuCommandBuildParallel(QemuCommandBuilder *b, const DomainChrDef *chr)
{
    const char *alias = qemuCommandAlias(&b->plan, &chr->info);
    g_autofree char *id = qemuCommandBuildChardev(b, alias, &chr->source, NULL);
    json_object *dev;

    if (!id)
        return -1;
    dev = qemuCommandJsonNew("driver", "isa-parallel");
    qemuCommandJsonStr(dev, "chardev", id);
    qemuCommandJsonStr(dev, "id", alias);
    qemuCommandJsonInt(dev, "index", chr->targetPort);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

/* virtconsole / virtserialport on virtio-serialN.0 with a fixed port. */
static int
qemuCommandBuildVirtioSerialPort(QemuCommandBuilder *b, const DomainChrDef *chr, const char *driver,
                                 const char *defaultPath)
{
    const QemuCommandPlan *p = &b->plan;
    const char *alias = qemuCommandAlias(p, &chr->info);
    guint packed = GPOINTER_TO_UINT(g_hash_table_lookup(p->vioserialPorts, chr)) - 1;
    unsigned int ctrl = packed >> 16;
    const DomainControllerDef *c =
        qemuCommandFindController(p->def, DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL, (int)ctrl);
    g_autofree char *id = NULL;
    g_autofree char *bus = NULL;
    json_object *dev;

    if (!c) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("no virtio-serial controller with index %1$u for '%2$s'"), ctrl, alias);
        return -1;
    }
    if (!(id = qemuCommandBuildChardev(b, alias, &chr->source, defaultPath)))
        return -1;
    bus = g_strdup_printf("%s.0", qemuCommandAlias(p, &c->info));
    dev = qemuCommandJsonNew("driver", driver);
    qemuCommandJsonStr(dev, "bus", bus);
    qemuCommandJsonInt(dev, "nr", packed & 0xffff);
    qemuCommandJsonStr(dev, "chardev", id);
    qemuCommandJsonStr(dev, "id", alias);
    if (chr->targetName)
        qemuCommandJsonStr(dev, "name", chr->targetName);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

static int
qemuCommandBuildChardevs(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    size_t i;

    for (i = 0; i < def->nserials; i++) {
        if (qemuCommandBuildSerial(b, def->serials[i]) < 0)
            return -1;
    }
    for (i = 0; i < def->nparallels; i++) {
        if (qemuCommandBuildParallel(b, def->parallels[i]) < 0)
            return -1;
    }
    for (i = 0; i < def->nchannels; i++) {
        const DomainChrDef *chr = def->channels[i];
        g_autofree char *path = NULL;

        if (chr->targetType != DOMAIN_CHR_CHANNEL_TARGET_VIRTIO)
            return qemuCommandUnsupported(_("channel target type"),
                                          domainChrChannelTargetTypeToString(chr->targetType));
        if (chr->source.type == DOMAIN_CHR_TYPE_UNIX && !chr->source.path && b->rt->channelDir &&
            chr->targetName)
            path = g_strdup_printf("%s/%s", b->rt->channelDir, chr->targetName);
        if (qemuCommandBuildVirtioSerialPort(b, chr, "virtserialport", path) < 0)
            return -1;
    }
    for (i = 0; i < def->nconsoles; i++) {
        const DomainChrDef *chr = def->consoles[i];

        if (chr->targetType == DOMAIN_CHR_CONSOLE_TARGET_SERIAL && i == 0 && def->nserials)
            continue; /* the first serial port is the console */
        if (chr->targetType != DOMAIN_CHR_CONSOLE_TARGET_VIRTIO)
            return qemuCommandUnsupported(_("console target type"),
                                          domainChrConsoleTargetTypeToString(chr->targetType));
        if (qemuCommandBuildVirtioSerialPort(b, chr, "virtconsole", NULL) < 0)
            return -1;
    }
    return 0;
}

/* ---- input ---- */

static int
qemuCommandBuildInput(QemuCommandBuilder *b, const DomainInputDef *in)
{
    const QemuCommandPlan *p = &b->plan;
    static const char *const usbDev[] = {
        [DOMAIN_INPUT_TYPE_MOUSE] = "usb-mouse",
        [DOMAIN_INPUT_TYPE_TABLET] = "usb-tablet",
        [DOMAIN_INPUT_TYPE_KBD] = "usb-kbd",
    };
    static const char *const virtioDev[] = {
        [DOMAIN_INPUT_TYPE_MOUSE] = "virtio-mouse-pci",
        [DOMAIN_INPUT_TYPE_TABLET] = "virtio-tablet-pci",
        [DOMAIN_INPUT_TYPE_KBD] = "virtio-keyboard-pci",
    };
    const char *driver;
    json_object *dev;

    if (in->type > DOMAIN_INPUT_TYPE_KBD)
        return qemuCommandUnsupported(_("input type"), domainInputTypeToString(in->type));
    switch (in->bus) {
    case DOMAIN_INPUT_BUS_PS2:
        return 0; /* the i8042 of the machine */
    case DOMAIN_INPUT_BUS_USB:
        if (!b->usbBus) {
            return qemuCommandNoUSBError();
        }
        driver = usbDev[in->type];
        break;
    case DOMAIN_INPUT_BUS_VIRTIO:
        driver = virtioDev[in->type];
        break;
    default:
        return qemuCommandUnsupported(_("input bus"), domainInputBusTypeToString(in->bus));
    }
    if (qemuCommandRequireType(p, driver, _("this input device")) < 0)
        return -1;
    dev = qemuCommandJsonNew("driver", driver);
    qemuCommandJsonStr(dev, "id", qemuCommandAlias(p, &in->info));
    if (in->bus == DOMAIN_INPUT_BUS_USB) {
        qemuCommandJsonStr(dev, "bus", b->usbBus);
        if (in->info.addr.type == DOMAIN_ADDRESS_USB && in->info.addr.u.usb.port[0])
            qemuCommandJsonStr(dev, "port", in->info.addr.u.usb.port);
    }
    qemuCommandBuildDeviceAddr(b, dev, &in->info);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

/* ---- graphics ---- */

static int
qemuCommandGraphicsPort(QemuCommandBuilder *b, size_t idx, int fromXML, int allocated,
                        const char *what)
{
    if (allocated > 0)
        return allocated;
    if (fromXML > 0)
        return fromXML;
    reportError(VIR_ERR_INTERNAL_ERROR, _("no %1$s port was allocated for graphics %2$zu"), what,
                idx);
    return -1;
}

static const char *
qemuCommandGraphicsListenAddress(const DomainGraphicsDef *gr)
{
    if (gr->nListens == 0)
        return "127.0.0.1";
    switch (gr->listens[0].type) {
    case DOMAIN_GRAPHICS_LISTEN_ADDRESS:
    case DOMAIN_GRAPHICS_LISTEN_NETWORK:
        return gr->listens[0].address ? gr->listens[0].address : "127.0.0.1";
    default:
        return NULL;
    }
}

static int
qemuCommandBuildVNC(QemuCommandBuilder *b, size_t idx, const DomainGraphicsDef *gr)
{
    const QemuGraphicsRuntime *grt = idx < b->rt->ngraphics ? &b->rt->graphics[idx] : NULL;
    int listenType = gr->nListens ? gr->listens[0].type : DOMAIN_GRAPHICS_LISTEN_ADDRESS;
    GString *buf = g_string_new(NULL);

    if (listenType == DOMAIN_GRAPHICS_LISTEN_SOCKET) {
        g_autofree char *sock = NULL;

        if (!gr->listens[0].socket) {
            g_string_free(buf, TRUE);
            reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("no VNC socket path"));
            return -1;
        }
        sock = g_strdup_printf("unix:%s", gr->listens[0].socket);
        qemuCommandKvAdd(buf, NULL, sock);
    } else if (listenType == DOMAIN_GRAPHICS_LISTEN_NONE) {
        qemuCommandKvAdd(buf, NULL, "none");
    } else {
        const char *addr = qemuCommandGraphicsListenAddress(gr);
        int port = qemuCommandGraphicsPort(b, idx, gr->port, grt ? grt->port : 0, "VNC");

        if (port < 0) {
            g_string_free(buf, TRUE);
            return -1;
        }
        if (port < 5900) {
            g_string_free(buf, TRUE);
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("VNC port %1$d is below 5900, the first display"), port);
            return -1;
        }
        if (strchr(addr, ':'))
            qemuCommandKvAddf(buf, NULL, "[%s]:%d", addr, port - 5900);
        else
            qemuCommandKvAddf(buf, NULL, "%s:%d", addr, port - 5900);
        if (gr->websocket) {
            int ws = qemuCommandGraphicsPort(b, idx, gr->websocket, grt ? grt->websocket : 0,
                                             "VNC websocket");

            if (ws < 0) {
                g_string_free(buf, TRUE);
                return -1;
            }
            qemuCommandKvAddf(buf, "websocket", "%d", ws);
        }
    }
    if (gr->sharePolicy)
        qemuCommandKvAdd(buf, "share", gr->sharePolicy);
    /* the password itself is set over QMP after start */
    if (gr->passwd)
        qemuCommandKvAdd(buf, "password", "on");
    qemuCommandKvAdd(buf, "audiodev", "audio1");
    qemuCommandBuildArgBuf(b, "-vnc", buf);
    if (gr->keymap)
        qemuCommandBuildArgPair(b, "-k", gr->keymap);
    return 0;
}

/* Spice child elements, in the order the conf layer indexes them. */
typedef enum {
    QEMU_COMMAND_SPICE_OPT_CHANNEL = 0,
    QEMU_COMMAND_SPICE_OPT_IMAGE,
    QEMU_COMMAND_SPICE_OPT_JPEG,
    QEMU_COMMAND_SPICE_OPT_ZLIB,
    QEMU_COMMAND_SPICE_OPT_PLAYBACK,
    QEMU_COMMAND_SPICE_OPT_STREAMING,
    QEMU_COMMAND_SPICE_OPT_MOUSE,
    QEMU_COMMAND_SPICE_OPT_CLIPBOARD,
    QEMU_COMMAND_SPICE_OPT_FILETRANSFER,
    QEMU_COMMAND_SPICE_OPT_GL,
} QemuCommandSpiceOpt;

static int
qemuCommandBuildSpice(QemuCommandBuilder *b, size_t idx, const DomainGraphicsDef *gr)
{
    const QemuGraphicsRuntime *grt = idx < b->rt->ngraphics ? &b->rt->graphics[idx] : NULL;
    int listenType = gr->nListens ? gr->listens[0].type : DOMAIN_GRAPHICS_LISTEN_ADDRESS;
    GString *buf = g_string_new(NULL);
    size_t i;

    if (qemuCommandRequireType(&b->plan, "qxl-vga", _("SPICE graphics")) < 0 ||
        !qemuCapsHasCommand(b->plan.caps, "query-spice")) {
        g_string_free(buf, TRUE);
        if (!errorIsSet())
            qemuCommandUnsupported(_("graphics type"), "spice");
        return -1;
    }
    if (gr->tlsPort || (grt && grt->tlsPort)) {
        g_string_free(buf, TRUE);
        return qemuCommandUnsupported(_("spice attribute"), "tlsPort");
    }
    if (listenType == DOMAIN_GRAPHICS_LISTEN_SOCKET) {
        qemuCommandKvAdd(buf, "unix", "on");
        qemuCommandKvAdd(buf, "addr", gr->listens[0].socket ? gr->listens[0].socket : "");
    } else if (listenType != DOMAIN_GRAPHICS_LISTEN_NONE) {
        int port = qemuCommandGraphicsPort(b, idx, gr->port, grt ? grt->port : 0, "SPICE");

        if (port < 0) {
            g_string_free(buf, TRUE);
            return -1;
        }
        qemuCommandKvAddf(buf, "port", "%d", port);
        qemuCommandKvAdd(buf, "addr", qemuCommandGraphicsListenAddress(gr));
    }
    if (!gr->passwd)
        qemuCommandKvAdd(buf, "disable-ticketing", "on");
    for (i = 0; i < gr->nSpiceOpts; i++) {
        const DomainGraphicsSpiceOpt *opt = &gr->spiceOpts[i];

        switch ((QemuCommandSpiceOpt)opt->kind) {
        case QEMU_COMMAND_SPICE_OPT_IMAGE:
            qemuCommandKvAdd(buf, "image-compression", opt->value);
            break;
        case QEMU_COMMAND_SPICE_OPT_JPEG:
            qemuCommandKvAdd(buf, "jpeg-wan-compression", opt->value);
            break;
        case QEMU_COMMAND_SPICE_OPT_ZLIB:
            qemuCommandKvAdd(buf, "zlib-glz-wan-compression", opt->value);
            break;
        case QEMU_COMMAND_SPICE_OPT_PLAYBACK:
            qemuCommandKvAdd(buf, "playback-compression", opt->value);
            break;
        case QEMU_COMMAND_SPICE_OPT_STREAMING:
            qemuCommandKvAdd(buf, "streaming-video", opt->value);
            break;
        case QEMU_COMMAND_SPICE_OPT_MOUSE:
            qemuCommandKvAdd(buf, "agent-mouse", streq(opt->value, "client") ? "on" : "off");
            break;
        case QEMU_COMMAND_SPICE_OPT_CLIPBOARD:
            if (streq(opt->value, "no"))
                qemuCommandKvAdd(buf, "disable-copy-paste", "on");
            break;
        case QEMU_COMMAND_SPICE_OPT_FILETRANSFER:
            if (streq(opt->value, "no"))
                qemuCommandKvAdd(buf, "disable-agent-file-xfer", "on");
            break;
        default:
            g_string_free(buf, TRUE);
            return qemuCommandUnsupported(
                _("spice element"), opt->kind == QEMU_COMMAND_SPICE_OPT_GL ? "gl" : "channel");
        }
    }
    qemuCommandKvAdd(buf, "seamless-migration", "on");
    qemuCommandBuildArgBuf(b, "-spice", buf);
    return 0;
}

static int
qemuCommandBuildGraphics(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    bool vnc = false;
    bool spice = false;
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        int type = def->graphics[i]->type;

        if ((type == DOMAIN_GRAPHICS_TYPE_VNC && vnc) ||
            (type == DOMAIN_GRAPHICS_TYPE_SPICE && spice)) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("only one graphics device of type '%1$s' is supported"),
                        domainGraphicsTypeToString(type));
            return -1;
        }
        if (type == DOMAIN_GRAPHICS_TYPE_VNC)
            vnc = true;
        else if (type == DOMAIN_GRAPHICS_TYPE_SPICE)
            spice = true;
        else
            return qemuCommandUnsupported(_("graphics type"), domainGraphicsTypeToString(type));
    }
    if (!vnc && !spice)
        return 0;
    {
        json_object *audio = qemuCommandJsonNew("id", "audio1");

        qemuCommandJsonStr(audio, "driver", spice ? "spice" : "none");
        qemuCommandBuildArgJSON(b, "-audiodev", audio);
    }
    for (i = 0; i < def->ngraphics; i++) {
        const DomainGraphicsDef *gr = def->graphics[i];

        if (gr->type == DOMAIN_GRAPHICS_TYPE_VNC ? qemuCommandBuildVNC(b, i, gr) < 0
                                                 : qemuCommandBuildSpice(b, i, gr) < 0)
            return -1;
    }
    return 0;
}

/* ---- video ---- */

static int
qemuCommandBuildVideo(QemuCommandBuilder *b, const DomainVideoDef *v, bool primary)
{
    const QemuCommandPlan *p = &b->plan;
    const char *driver = NULL;
    json_object *dev;

    switch (v->type) {
    case DOMAIN_VIDEO_TYPE_NONE:
        return 0;
    case DOMAIN_VIDEO_TYPE_VGA:
        driver = "VGA";
        break;
    case DOMAIN_VIDEO_TYPE_CIRRUS:
        driver = "cirrus-vga";
        break;
    case DOMAIN_VIDEO_TYPE_VMVGA:
        driver = "vmware-svga";
        break;
    case DOMAIN_VIDEO_TYPE_QXL:
        driver = primary ? "qxl-vga" : "qxl";
        break;
    case DOMAIN_VIDEO_TYPE_VIRTIO:
        driver = primary ? "virtio-vga" : "virtio-gpu-pci";
        break;
    case DOMAIN_VIDEO_TYPE_BOCHS:
        driver = "bochs-display";
        break;
    case DOMAIN_VIDEO_TYPE_RAMFB:
        driver = "ramfb";
        break;
    default:
        return qemuCommandUnsupported(_("video model"), domainVideoTypeToString(v->type));
    }
    if (!primary && v->type != DOMAIN_VIDEO_TYPE_QXL && v->type != DOMAIN_VIDEO_TYPE_VIRTIO) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("video model '%1$s' can only be the primary (first) video device"),
                    domainVideoTypeToString(v->type));
        return -1;
    }
    if (v->accel3d == DOMAIN_TRISTATE_BOOL_YES)
        return qemuCommandUnsupported(_("video acceleration"), "accel3d");
    if (qemuCommandRequireType(p, driver, _("this video model")) < 0)
        return -1;
    dev = qemuCommandJsonNew("driver", driver);
    qemuCommandJsonStr(dev, "id", qemuCommandAlias(p, &v->info));
    switch (v->type) {
    case DOMAIN_VIDEO_TYPE_VGA:
    case DOMAIN_VIDEO_TYPE_VMVGA:
        if (v->vram)
            qemuCommandJsonInt(dev, "vgamem_mb", v->vram / 1024);
        break;
    case DOMAIN_VIDEO_TYPE_QXL:
        qemuCommandJsonInt(dev, "ram_size", (long long)v->ram * 1024);
        qemuCommandJsonInt(dev, "vram_size", (long long)v->vram * 1024);
        if (v->vram64)
            qemuCommandJsonInt(dev, "vram64_size_mb", v->vram64 / 1024);
        qemuCommandJsonInt(dev, "vgamem_mb", v->vgamem ? v->vgamem / 1024 : 16);
        qemuCommandJsonInt(dev, "max_outputs", v->heads ? v->heads : 1);
        break;
    case DOMAIN_VIDEO_TYPE_VIRTIO:
        qemuCommandJsonInt(dev, "max_outputs", v->heads ? v->heads : 1);
        break;
    case DOMAIN_VIDEO_TYPE_BOCHS:
        if (v->vram)
            qemuCommandJsonInt(dev, "vgamem", (long long)v->vram * 1024);
        break;
    default:
        break;
    }
    qemuCommandBuildDeviceAddr(b, dev, &v->info);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

static int
qemuCommandBuildVideos(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;
    size_t i;

    for (i = 0; i < def->nvideos; i++) {
        if (qemuCommandBuildVideo(b, def->videos[i], i == 0) < 0)
            return -1;
    }
    return 0;
}

/* ---- watchdog, balloon, rng ---- */

static int
qemuCommandBuildWatchdog(QemuCommandBuilder *b)
{
    const DomainWatchdogDef *wd = b->plan.def->watchdog;
    static const char *const actions[] = {
        [DOMAIN_WATCHDOG_ACTION_RESET] = "reset",
        [DOMAIN_WATCHDOG_ACTION_SHUTDOWN] = "shutdown",
        [DOMAIN_WATCHDOG_ACTION_POWEROFF] = "poweroff",
        [DOMAIN_WATCHDOG_ACTION_PAUSE] = "pause",
        /* QEMU pauses; the driver takes the dump on the WATCHDOG event */
        [DOMAIN_WATCHDOG_ACTION_DUMP] = "pause",
        [DOMAIN_WATCHDOG_ACTION_NONE] = "none",
        [DOMAIN_WATCHDOG_ACTION_INJECTNMI] = "inject-nmi",
    };
    g_autofree char *action = NULL;
    const char *driver;
    json_object *dev;

    if (!wd)
        return 0;
    if (wd->model == DOMAIN_WATCHDOG_MODEL_I6300ESB)
        driver = "i6300esb";
    else if (wd->model == DOMAIN_WATCHDOG_MODEL_IB700)
        driver = "ib700";
    else
        return qemuCommandUnsupported(_("watchdog model"),
                                      domainWatchdogModelTypeToString(wd->model));
    if (qemuCommandRequireType(&b->plan, driver, _("this watchdog model")) < 0)
        return -1;
    dev = qemuCommandJsonNew("driver", driver);
    qemuCommandJsonStr(dev, "id", qemuCommandAlias(&b->plan, &wd->info));
    qemuCommandBuildDeviceAddr(b, dev, &wd->info);
    qemuCommandBuildArgJSON(b, "-device", dev);
    action = g_strdup_printf("watchdog=%s", actions[wd->action]);
    qemuCommandBuildArgPair(b, "-action", action);
    return 0;
}

static int
qemuCommandBuildMemballoon(QemuCommandBuilder *b)
{
    const DomainMemballoonDef *mb = b->plan.def->memballoon;
    const char *driver;
    json_object *dev;

    if (!mb || mb->model == DOMAIN_MEMBALLOON_MODEL_NONE)
        return 0;
    switch (mb->model) {
    case DOMAIN_MEMBALLOON_MODEL_VIRTIO:
        driver = "virtio-balloon-pci";
        break;
    case DOMAIN_MEMBALLOON_MODEL_VIRTIO_TRANSITIONAL:
        driver = "virtio-balloon-pci-transitional";
        break;
    case DOMAIN_MEMBALLOON_MODEL_VIRTIO_NON_TRANSITIONAL:
        driver = "virtio-balloon-pci-non-transitional";
        break;
    default:
        return qemuCommandUnsupported(_("memballoon model"),
                                      domainMemballoonModelTypeToString(mb->model));
    }
    dev = qemuCommandJsonNew("driver", driver);
    qemuCommandJsonStr(dev, "id", qemuCommandAlias(&b->plan, &mb->info));
    qemuCommandBuildDeviceAddr(b, dev, &mb->info);
    if (mb->autodeflate != DOMAIN_TRISTATE_SWITCH_ABSENT)
        qemuCommandJsonBool(dev, "deflate-on-oom", mb->autodeflate == DOMAIN_TRISTATE_SWITCH_ON);
    if (mb->freePageReporting != DOMAIN_TRISTATE_SWITCH_ABSENT)
        qemuCommandJsonBool(dev, "free-page-reporting",
                            mb->freePageReporting == DOMAIN_TRISTATE_SWITCH_ON);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

static int
qemuCommandBuildRng(QemuCommandBuilder *b, const DomainRngDef *rng)
{
    const QemuCommandPlan *p = &b->plan;
    const char *alias = qemuCommandAlias(p, &rng->info);
    g_autofree char *objId = g_strdup_printf("obj%s", alias);
    static const char *const models[] = {
        [DOMAIN_RNG_MODEL_VIRTIO] = "virtio-rng-pci",
        [DOMAIN_RNG_MODEL_VIRTIO_TRANSITIONAL] = "virtio-rng-pci-transitional",
        [DOMAIN_RNG_MODEL_VIRTIO_NON_TRANSITIONAL] = "virtio-rng-pci-non-transitional",
    };
    json_object *obj;
    json_object *dev;

    if (qemuCommandRequireType(p, models[rng->model], _("this rng model")) < 0)
        return -1;
    switch (rng->backend) {
    case DOMAIN_RNG_BACKEND_RANDOM:
        obj = qemuCommandJsonNew("qom-type", "rng-random");
        qemuCommandJsonStr(obj, "id", objId);
        qemuCommandJsonStr(obj, "filename", rng->randomFile ? rng->randomFile : "/dev/urandom");
        break;
    case DOMAIN_RNG_BACKEND_BUILTIN:
        obj = qemuCommandJsonNew("qom-type", "rng-builtin");
        qemuCommandJsonStr(obj, "id", objId);
        break;
    case DOMAIN_RNG_BACKEND_EGD: {
        g_autofree char *chr = NULL;

        if (!rng->egd || !(chr = qemuCommandBuildChardev(b, alias, rng->egd, NULL)))
            return rng->egd ? -1 : qemuCommandUnsupported(_("rng backend"), "egd");
        obj = qemuCommandJsonNew("qom-type", "rng-egd");
        qemuCommandJsonStr(obj, "id", objId);
        qemuCommandJsonStr(obj, "chardev", chr);
        break;
    }
    default:
        return qemuCommandUnsupported(_("rng backend"), domainRngBackendTypeToString(rng->backend));
    }
    qemuCommandBuildArgJSON(b, "-object", obj);
    dev = qemuCommandJsonNew("driver", models[rng->model]);
    qemuCommandJsonStr(dev, "rng", objId);
    if (rng->rateBytes) {
        qemuCommandJsonInt(dev, "max-bytes", rng->rateBytes);
        qemuCommandJsonInt(dev, "period", rng->ratePeriod ? rng->ratePeriod : 1000);
    }
    qemuCommandJsonStr(dev, "id", alias);
    qemuCommandBuildDeviceAddr(b, dev, &rng->info);
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

/*
 * <panic> (kept raw by the conf layer): on x86 only libvirt's default
 * model 'isa', QEMU's pvpanic on I/O port 0x505 or the <address
 * type='isa' iobase>.  The guest's write becomes QMP GUEST_PANICKED.
 */
static int
qemuCommandBuildPanic(QemuCommandBuilder *b, const DomainRawDef *raw)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *model = NULL;
    g_autofree char *iobase = NULL;
    xmlNodePtr root;
    xmlNodePtr addr;
    json_object *dev;

    if (!(doc = xmlUtilParse(raw->xml, NULL, NULL, "panic", VIR_FROM_QEMU)))
        return -1;
    root = xmlDocGetRootElement(doc);
    model = xmlUtilProp(root, "model");
    if (model && !streq(model, "isa"))
        return qemuCommandUnsupported(_("panic model"), model);
    if ((addr = xmlUtilChild(root, "address"))) {
        g_autofree char *type = xmlUtilProp(addr, "type");

        if (!type || !streq(type, "isa"))
            return qemuCommandUnsupported(_("panic address type"), type);
        iobase = xmlUtilProp(addr, "iobase");
    }
    if (qemuCommandRequireType(&b->plan, "pvpanic", _("the panic device")) < 0)
        return -1;
    dev = qemuCommandJsonNew("driver", "pvpanic");
    if (iobase) {
        guint64 port;

        if (!g_ascii_string_to_unsigned(iobase, 10, 0, 0xffff, &port, NULL) &&
            !(g_str_has_prefix(iobase, "0x") &&
              g_ascii_string_to_unsigned(iobase + 2, 16, 0, 0xffff, &port, NULL))) {
            json_object_put(dev);
            reportError(VIR_ERR_XML_ERROR, _("Cannot parse <address> 'iobase' attribute '%1$s'"),
                        iobase);
            return -1;
        }
        qemuCommandJsonInt(dev, "ioport", (long long)port);
    }
    qemuCommandBuildArgJSON(b, "-device", dev);
    return 0;
}

static void
qemuCommandBuildMisc(QemuCommandBuilder *b)
{
    const DomainDef *def = b->plan.def;

    if (def->features.state[DOMAIN_FEATURE_VMCOREINFO] == DOMAIN_TRISTATE_SWITCH_ON) {
        json_object *dev = qemuCommandJsonNew("driver", "vmcoreinfo");

        qemuCommandBuildArgJSON(b, "-device", dev);
    }
    if (def->os.biosUseserial == DOMAIN_TRISTATE_BOOL_YES) {
        json_object *dev = qemuCommandJsonNew("driver", "sga");

        qemuCommandBuildArgJSON(b, "-device", dev);
    }
    qemuCommandBuildArgPair(
        b, "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
    qemuCommandBuildArgPair(b, "-msg", "timestamp=on");
}

/* ------------------------------------------------------------------ */
/* 5. entry points                                                     */

/**
 * qemuCommandRuntimeInit:
 * @rt: runtime inputs to reset
 *
 * Zeroes @rt and marks the monitor fd as unused.
 */
void
qemuCommandRuntimeInit(QemuCommandRuntime *rt)
{
    memset(rt, 0, sizeof(*rt));
    rt->monitorFd = -1;
}

static int
qemuCommandMachineFamily(const char *machine, int *ret)
{
    if (streq(machine, "q35") || strPrefix(machine, "pc-q35-")) {
        *ret = QEMU_COMMAND_MACHINE_Q35;
        return 0;
    }
    if (streq(machine, "pc") || strPrefix(machine, "pc-i440fx-") || strPrefix(machine, "pc-0.") ||
        strPrefix(machine, "pc-1.")) {
        *ret = QEMU_COMMAND_MACHINE_PC;
        return 0;
    }
    return qemuCommandUnsupported(_("machine type"), machine);
}

static const char *
qemuCommandNormalizeArch(const char *arch)
{
    return streq(arch, "i386") ? "i686" : arch;
}

static int
qemuCommandArchError(const DomainDef *def, const QemuCaps *caps)
{
    reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("emulator '%1$s' cannot run architecture '%2$s'"),
                qemuCapsGetBinary(caps), def->os.arch);
    return -1;
}

/* Machine, family, aliases, boot indexes, PCI and virtio-serial ports. */
static int
qemuCommandPlanBuild(QemuCommandPlan *p, const DomainDef *def, const QemuCaps *caps)
{
    const char *machine = def->os.machine ? def->os.machine : qemuCapsGetDefaultMachine(caps);

    qemuCommandPlanInit(p, def, caps);
    if (!streq(def->os.type, "hvm"))
        return qemuCommandUnsupported(_("OS type"), def->os.type);
    if (def->os.arch && !streq(qemuCommandNormalizeArch(def->os.arch),
                               qemuCommandNormalizeArch(qemuCapsGetArch(caps)))) {
        return qemuCommandArchError(def, caps);
    }
    if (!machine || !(p->machine = qemuCapsGetCanonicalMachine(caps, machine))) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("machine type '%1$s' is unknown to emulator '%2$s'"), machine ? machine : "",
                    qemuCapsGetBinary(caps));
        return -1;
    }
    if (qemuCommandMachineFamily(p->machine, &p->family) < 0)
        return -1;
    qemuCommandPlanAliases(p);
    qemuCommandPlanBoot(p);
    if (qemuCommandPlanPCI(p) < 0 || qemuCommandPlanVirtioSerial(p) < 0)
        return -1;
    return 0;
}

static int
qemuCommandResolveAccel(const DomainDef *def, const QemuCaps *caps, QemuAccel want, QemuAccel *ret)
{
    QemuAccel accel = want;

    if (accel == QEMU_ACCEL_DEFAULT) {
        if (def->virtType == DOMAIN_VIRT_KVM)
            accel = QEMU_ACCEL_KVM;
        else if (def->virtType == DOMAIN_VIRT_QEMU)
            accel = QEMU_ACCEL_TCG;
        else
            return qemuCommandUnsupported(_("domain type"), domainVirtTypeToString(def->virtType));
    }
    if (accel == QEMU_ACCEL_KVM && !qemuCapsKVMUsable(caps)) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("domain type 'kvm' needs KVM, which '%1$s' cannot use on this host"),
                    qemuCapsGetBinary(caps));
        return -1;
    }
    if (accel == QEMU_ACCEL_TCG && !qemuCapsHasAccel(caps, "tcg")) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("domain type 'qemu' needs TCG, which '%1$s' lacks"), qemuCapsGetBinary(caps));
        return -1;
    }
    *ret = accel;
    return 0;
}

/**
 * qemuCommandBuild:
 * @def: the domain definition to start (normally the live definition,
 *       after qemuCommandApplyDefaults() and qemuCommandPrepareDef())
 * @caps: capabilities of the emulator
 * @rt: runtime inputs: monitor socket, pidfile, ports, fds, accelerator
 *
 * Builds the QEMU command line for @def.  Pure: reads only its
 * arguments.  Device aliases and PCI addresses missing from @def are
 * computed exactly as qemuCommandPrepareDef() would, so preparing first
 * changes nothing in the result.
 *
 * Returns: the command (caller frees it with qemuCommandFree), or NULL
 * with VIR_ERR_CONFIG_UNSUPPORTED naming what cannot be expressed (or
 * another code for invalid input).
 */
QemuCommand *
qemuCommandBuild(const DomainDef *def, const QemuCaps *caps, const QemuCommandRuntime *rt)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
    QemuCommandBuilder b = {.rt = rt, .argv = argv, .env = env, .fds = fds};
    QemuCommand *cmd = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    size_t i;

    if (!rt->monitorPath && rt->monitorFd < 0) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("no QEMU monitor path or fd given"));
        return NULL;
    }
    if (qemuCommandResolveAccel(def, caps, rt->accel, &b.accel) < 0 ||
        qemuCommandPlanBuild(&b.plan, def, caps) < 0 ||
        qemuCommandValidateDef(&b.plan, b.accel) < 0)
        goto cleanup;
    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];

        if (c->type == DOMAIN_CONTROLLER_TYPE_USB && c->idx == 0 && !streq(c->model, "none"))
            b.usbBus = g_strdup_printf("%s.0", qemuCommandAlias(&b.plan, &c->info));
    }

    g_ptr_array_add(env, g_strdup("LC_ALL=C"));
    qemuCommandBuildArg(&b, def->emulator ? def->emulator : qemuCapsGetBinary(caps));
    qemuCommandBuildName(&b);
    qemuCommandBuildArg(&b, "-S");
    qemuCommandBuildPflash(&b);
    if (qemuCommandBuildMachine(&b) < 0)
        goto cleanup;
    qemuCommandBuildCpu(&b);
    qemuCommandBuildMemory(&b);
    qemuCommandBuildSmp(&b);
    qemuCommandBuildNuma(&b);
    qemuCommandBuildArgPair(&b, "-uuid", uuidFormat(def->uuid, uuid));
    if (def->ngraphics == 0)
        qemuCommandBuildArgPair(&b, "-display", "none");
    qemuCommandBuildArg(&b, "-no-user-config");
    qemuCommandBuildArg(&b, "-nodefaults");
    qemuCommandBuildMonitor(&b);
    if (qemuCommandBuildClock(&b) < 0 || qemuCommandBuildLifecycle(&b) < 0)
        goto cleanup;
    qemuCommandBuildBoot(&b);
    if (qemuCommandBuildControllers(&b) < 0 || qemuCommandBuildDisks(&b) < 0)
        goto cleanup;
    for (i = 0; i < def->nnets; i++) {
        if (qemuCommandBuildNet(&b, i) < 0)
            goto cleanup;
    }
    if (qemuCommandBuildChardevs(&b) < 0)
        goto cleanup;
    for (i = 0; i < def->ninputs; i++) {
        if (qemuCommandBuildInput(&b, def->inputs[i]) < 0)
            goto cleanup;
    }
    if (qemuCommandBuildGraphics(&b) < 0 || qemuCommandBuildVideos(&b) < 0 ||
        qemuCommandBuildWatchdog(&b) < 0 || qemuCommandBuildMemballoon(&b) < 0)
        goto cleanup;
    for (i = 0; i < def->nrngs; i++) {
        if (qemuCommandBuildRng(&b, def->rngs[i]) < 0)
            goto cleanup;
    }
    for (i = 0; i < def->nraws; i++) {
        if (streq(def->raws[i]->name, "devices/panic") &&
            qemuCommandBuildPanic(&b, def->raws[i]) < 0)
            goto cleanup;
    }
    qemuCommandBuildMisc(&b);

    g_ptr_array_add(argv, NULL);
    g_ptr_array_add(env, NULL);
    cmd = g_new0(QemuCommand, 1);
    cmd->argv = (char **)g_ptr_array_free(g_steal_pointer(&argv), FALSE);
    cmd->env = (char **)g_ptr_array_free(g_steal_pointer(&env), FALSE);
    cmd->nfds = fds->len;
    cmd->fds = (int *)(void *)g_array_free(g_steal_pointer(&fds), FALSE);
    LOG_DEBUG("command line for '%s': %u arguments", def->name, g_strv_length(cmd->argv));

cleanup:
    qemuCommandPlanClear(&b.plan);
    g_free(b.usbBus);
    return cmd;
}

/**
 * qemuCommandFree:
 * @cmd: a command, or NULL
 */
void
qemuCommandFree(QemuCommand *cmd)
{
    if (!cmd)
        return;
    g_strfreev(cmd->argv);
    g_strfreev(cmd->env);
    g_free(cmd->fds);
    g_free(cmd);
}

/**
 * qemuCommandFormat:
 * @cmd: a command
 *
 * Formats the environment additions, then the arguments, one per line:
 * the golden-file form and a readable log form.
 *
 * Returns: the text (caller owns it).
 */
char *
qemuCommandFormat(const QemuCommand *cmd)
{
    GString *out = g_string_new(NULL);
    size_t i;

    for (i = 0; cmd->env && cmd->env[i]; i++)
        g_string_append_printf(out, "%s\n", cmd->env[i]);
    for (i = 0; cmd->argv[i]; i++)
        g_string_append_printf(out, "%s\n", cmd->argv[i]);
    return g_string_free(out, FALSE);
}

/* ---- defaults and preparation of a definition ---- */

static bool
qemuCommandDefHasController(const DomainDef *def, int type, int idx)
{
    return qemuCommandFindController(def, type, idx) != NULL;
}

static void
qemuCommandDefAddController(DomainDef *def, int type, int idx, const char *model)
{
    DomainControllerDef *c = domainControllerDefNew(type, idx);

    c->model = g_strdup(model);
    domainDefInsertController(def, c);
}

static void
qemuCommandDefAddInput(DomainDef *def, int type, int bus)
{
    DomainInputDef *in = g_new0(DomainInputDef, 1);

    in->type = type;
    in->bus = bus;
    def->inputs = g_renew(DomainInputDef *, def->inputs, def->ninputs + 1);
    def->inputs[def->ninputs++] = in;
}

static bool
qemuCommandDefHasInput(const DomainDef *def, int type, int bus)
{
    size_t i;

    for (i = 0; i < def->ninputs; i++) {
        if (def->inputs[i]->type == type && def->inputs[i]->bus == bus)
            return true;
    }
    return false;
}

/**
 * qemuCommandApplyDefaults:
 * @def: a freshly parsed definition (modified)
 * @caps: capabilities of its emulator
 *
 * Fills in what the QEMU driver decides when the XML leaves it open,
 * as libvirt's QEMU driver does at define time, so that the stored XML
 * says what the guest gets: emulator and architecture, the versioned
 * machine type instead of an alias ("pc" -> "pc-i440fx-7.2"), the PCI
 * root, the chipset's IDE (pc) or SATA (q35) controller, a USB
 * controller (piix3-uhci on pc, qemu-xhci on q35), a virtio memballoon,
 * the built-in PS/2 mouse and keyboard when there are graphics, the
 * default SCSI controller model (lsilogic) and NIC model (rtl8139).
 *
 * Returns: 0, or -1 with VIR_ERR_CONFIG_UNSUPPORTED when the machine
 * type is unknown to @caps.
 */
int
qemuCommandApplyDefaults(DomainDef *def, const QemuCaps *caps)
{
    const char *machine = def->os.machine ? def->os.machine : qemuCapsGetDefaultMachine(caps);
    const char *canonical = machine ? qemuCapsGetCanonicalMachine(caps, machine) : NULL;
    int family;
    size_t i;

    if (def->os.arch && !streq(qemuCommandNormalizeArch(def->os.arch),
                               qemuCommandNormalizeArch(qemuCapsGetArch(caps))))
        return qemuCommandArchError(def, caps);
    if (!canonical) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("machine type '%1$s' is unknown to emulator '%2$s'"), machine ? machine : "",
                    qemuCapsGetBinary(caps));
        return -1;
    }
    if (qemuCommandMachineFamily(canonical, &family) < 0)
        return -1;
    if (!streq(def->os.machine, canonical)) {
        g_free(def->os.machine);
        def->os.machine = g_strdup(canonical);
    }
    if (!def->os.arch)
        def->os.arch = g_strdup(qemuCommandNormalizeArch(qemuCapsGetArch(caps)));
    if (!def->emulator)
        def->emulator = g_strdup(qemuCapsGetBinary(caps));

    if (!qemuCommandDefHasController(def, DOMAIN_CONTROLLER_TYPE_PCI, 0))
        qemuCommandDefAddController(def, DOMAIN_CONTROLLER_TYPE_PCI, 0,
                                    family == QEMU_COMMAND_MACHINE_Q35 ? "pcie-root" : "pci-root");
    if (family == QEMU_COMMAND_MACHINE_PC &&
        !qemuCommandDefHasController(def, DOMAIN_CONTROLLER_TYPE_IDE, 0))
        qemuCommandDefAddController(def, DOMAIN_CONTROLLER_TYPE_IDE, 0, NULL);
    if (family == QEMU_COMMAND_MACHINE_Q35 &&
        !qemuCommandDefHasController(def, DOMAIN_CONTROLLER_TYPE_SATA, 0))
        qemuCommandDefAddController(def, DOMAIN_CONTROLLER_TYPE_SATA, 0, NULL);
    if (!qemuCommandDefHasController(def, DOMAIN_CONTROLLER_TYPE_USB, 0))
        qemuCommandDefAddController(def, DOMAIN_CONTROLLER_TYPE_USB, 0,
                                    family == QEMU_COMMAND_MACHINE_Q35 ? "qemu-xhci"
                                                                       : "piix3-uhci");
    for (i = 0; i < def->ncontrollers; i++) {
        DomainControllerDef *c = def->controllers[i];

        if (c->type == DOMAIN_CONTROLLER_TYPE_USB && !c->model)
            c->model = g_strdup(family == QEMU_COMMAND_MACHINE_Q35 ? "qemu-xhci" : "piix3-uhci");
        else if (c->type == DOMAIN_CONTROLLER_TYPE_SCSI && !c->model)
            c->model = g_strdup("lsilogic");
    }
    for (i = 0; i < def->nnets; i++) {
        if (!def->nets[i]->model)
            def->nets[i]->model = g_strdup("rtl8139");
    }
    if (!def->memballoon) {
        def->memballoon = g_new0(DomainMemballoonDef, 1);
        def->memballoon->model = DOMAIN_MEMBALLOON_MODEL_VIRTIO;
    }
    if (def->ngraphics > 0) {
        if (!qemuCommandDefHasInput(def, DOMAIN_INPUT_TYPE_MOUSE, DOMAIN_INPUT_BUS_PS2))
            qemuCommandDefAddInput(def, DOMAIN_INPUT_TYPE_MOUSE, DOMAIN_INPUT_BUS_PS2);
        if (!qemuCommandDefHasInput(def, DOMAIN_INPUT_TYPE_KBD, DOMAIN_INPUT_BUS_PS2))
            qemuCommandDefAddInput(def, DOMAIN_INPUT_TYPE_KBD, DOMAIN_INPUT_BUS_PS2);
    }
    /* what was added must leave an XML that parses again (the parser's limit) */
    if (def->ncontrollers > DOMAIN_MAX_DEVICES || def->ninputs > DOMAIN_MAX_DEVICES) {
        reportError(VIR_ERR_XML_ERROR,
                    _("too many <%1$s> devices (limit %2$d) with the ones the QEMU driver adds"),
                    def->ncontrollers > DOMAIN_MAX_DEVICES ? "controller" : "input",
                    DOMAIN_MAX_DEVICES);
        return -1;
    }
    return 0;
}

static void
qemuCommandApplyPCI(gpointer key, gpointer value, gpointer opaque)
{
    DomainDeviceInfo *info = key;
    const QemuCommandPCIAddr *a = value;

    (void)opaque;
    if (info->addr.type == DOMAIN_ADDRESS_PCI)
        return;
    memset(&info->addr, 0, sizeof(info->addr));
    info->addr.type = DOMAIN_ADDRESS_PCI;
    info->addr.u.pci.bus = a->bus;
    info->addr.u.pci.slot = a->slot;
    info->addr.u.pci.function = a->function;
    if (a->multifunction)
        info->addr.u.pci.multifunction = DOMAIN_TRISTATE_SWITCH_ON;
}

static void
qemuCommandApplyAlias(gpointer key, gpointer value, gpointer opaque)
{
    DomainDeviceInfo *info = key;

    (void)opaque;
    if (!info->alias)
        info->alias = g_strdup(value);
}

/**
 * qemuCommandPrepareDef:
 * @def: the live definition of a domain about to start (modified)
 * @caps: capabilities of its emulator
 *
 * Writes into @def what the command line will use, so that the live XML
 * shows it: device aliases (where none is set) and PCI addresses (where
 * the XML gave none).  Addresses and aliases already present are kept.
 *
 * Returns: 0, or -1 with an error (unknown machine, PCI slots exhausted,
 * an address used twice).
 */
int
qemuCommandPrepareDef(DomainDef *def, const QemuCaps *caps)
{
    QemuCommandPlan plan;
    int ret = -1;

    if (qemuCommandPlanBuild(&plan, def, caps) < 0)
        goto cleanup;
    g_hash_table_foreach(plan.pci, qemuCommandApplyPCI, NULL);
    g_hash_table_foreach(plan.aliases, qemuCommandApplyAlias, NULL);
    ret = 0;
cleanup:
    qemuCommandPlanClear(&plan);
    return ret;
}
