/* Domain defaults and cross-checks applied after parsing. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "util/error.h"
#include "util/str.h"
#include "util/xml.h"
#include "conf/domain_device.h"
#include "conf/domain_postparse.h"
#include "conf/domain_raw.h"

/*
 * Everything here reproduces what libvirt's generic (driver independent)
 * post-parse step does to a definition, so that the XML we give back is
 * the XML libvirt gives back.  Driver-specific defaults (default
 * architecture, emulator, generated interface names) belong to drivers.
 */

static bool
domainDefIsHvm(const DomainDef *def)
{
    return streq(def->os.type, "hvm");
}

/* ---- disks ---- */

static int
domainDiskDefaultBus(const DomainDiskDef *disk)
{
    if (disk->device == DOMAIN_DISK_DEVICE_FLOPPY)
        return DOMAIN_DISK_BUS_FDC;
    if (strPrefix(disk->dst, "hd"))
        return DOMAIN_DISK_BUS_IDE;
    if (strPrefix(disk->dst, "sd"))
        return DOMAIN_DISK_BUS_SCSI;
    if (strPrefix(disk->dst, "vd"))
        return DOMAIN_DISK_BUS_VIRTIO;
    if (strPrefix(disk->dst, "xvd"))
        return DOMAIN_DISK_BUS_XEN;
    if (strPrefix(disk->dst, "ubd"))
        return DOMAIN_DISK_BUS_UML;
    return DOMAIN_DISK_BUS_IDE;
}

/* Drive address from the drive number, as libvirt derives it per bus. */
static int
domainDiskAssignAddress(DomainDiskDef *disk)
{
    int idx;

    if (disk->info.addr.type != DOMAIN_ADDRESS_NONE)
        return 0;
    if (disk->bus != DOMAIN_DISK_BUS_IDE && disk->bus != DOMAIN_DISK_BUS_FDC &&
        disk->bus != DOMAIN_DISK_BUS_SCSI && disk->bus != DOMAIN_DISK_BUS_SATA)
        return 0;
    if ((idx = domainDiskNameToIndex(disk->dst)) < 0) {
        reportError(VIR_ERR_XML_ERROR, _("Unknown disk name '%1$s' and no address specified"),
                    disk->dst);
        return -1;
    }
    disk->info.addr.type = DOMAIN_ADDRESS_DRIVE;
    memset(&disk->info.addr.u.drive, 0, sizeof(disk->info.addr.u.drive));
    switch (disk->bus) {
    case DOMAIN_DISK_BUS_IDE:
        disk->info.addr.u.drive.controller = (unsigned int)idx / 4;
        disk->info.addr.u.drive.bus = ((unsigned int)idx % 4) / 2;
        disk->info.addr.u.drive.unit = (unsigned int)idx % 2;
        break;
    case DOMAIN_DISK_BUS_FDC:
        disk->info.addr.u.drive.controller = (unsigned int)idx / 2;
        disk->info.addr.u.drive.unit = (unsigned int)idx % 2;
        break;
    case DOMAIN_DISK_BUS_SCSI:
        disk->info.addr.u.drive.controller = (unsigned int)idx / 7;
        disk->info.addr.u.drive.unit = (unsigned int)idx % 7;
        break;
    case DOMAIN_DISK_BUS_SATA:
        disk->info.addr.u.drive.controller = (unsigned int)idx / 6;
        disk->info.addr.u.drive.unit = (unsigned int)idx % 6;
        break;
    default:
        break;
    }
    return 0;
}

static int
domainDefPostParseDisks(DomainDef *def)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->ndisks; i++) {
        DomainDiskDef *disk = def->disks[i];

        if (disk->bus == DOMAIN_DISK_BUS_NONE)
            disk->bus = domainDiskDefaultBus(disk);
        if (domainDiskAssignAddress(disk) < 0)
            return -1;
    }

    for (i = 0; i < def->ndisks; i++) {
        for (j = i + 1; j < def->ndisks; j++) {
            const DomainDiskDef *a = def->disks[i];
            const DomainDiskDef *b = def->disks[j];

            if (streq(a->dst, b->dst)) {
                reportError(VIR_ERR_XML_ERROR,
                            _("target '%1$s' duplicated for disk sources '%2$s' and '%3$s'"),
                            a->dst, a->src ? a->src : "<null>", b->src ? b->src : "<null>");
                return -1;
            }
        }
    }
    for (i = 0; i < def->ndisks; i++) {
        const DomainDiskDef *a = def->disks[i];

        if (a->info.addr.type != DOMAIN_ADDRESS_DRIVE)
            continue;
        for (j = 0; j < i; j++) {
            const DomainDiskDef *b = def->disks[j];

            if (b->info.addr.type == DOMAIN_ADDRESS_DRIVE && b->bus == a->bus &&
                memcmp(&a->info.addr.u.drive, &b->info.addr.u.drive,
                       sizeof(a->info.addr.u.drive)) == 0) {
                reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                            _("Found duplicate drive address for disk with target name '%1$s' controller='%2$u' bus='%3$u' target='%4$u' unit='%5$u'"),
                            b->dst, a->info.addr.u.drive.controller, a->info.addr.u.drive.bus,
                            a->info.addr.u.drive.target, a->info.addr.u.drive.unit);
                return -1;
            }
        }
    }
    return 0;
}

/* ---- controllers ---- */

static bool
domainDefHasController(const DomainDef *def, int type, int idx)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == type && def->controllers[i]->idx == idx)
            return true;
    }
    return false;
}

/*
 * A domain has at most DOMAIN_MAX_DEVICES <controller> elements, the
 * limit the parser puts on the explicit ones.  Implicit controllers must
 * not take a definition past it, or its own XML would not parse again (a
 * drive address may also name controller 4294967295: billions of them).
 */
static int
domainDefControllerLimitError(int type, unsigned int idx, const char *what)
{
    reportError(VIR_ERR_XML_ERROR,
                _("too many <controller> devices (limit %1$d): %2$s needs %3$s controller %4$u"),
                DOMAIN_MAX_DEVICES, what, domainControllerTypeToString(type), idx);
    return -1;
}

/*
 * Adds the missing controllers of @type with indexes 0..@maxIdx (for
 * @disk) where domainDefInsertController would put them (after the ones
 * of their type with lower indexes), in one merge: a disk name such as
 * "sdzzzzzz" asks for tens of thousands of them, which one insertion each
 * made quadratic.  Returns 0, or -1 with an error when they would be more
 * than DOMAIN_MAX_DEVICES controllers.
 */
static int
domainDefEnsureControllers(DomainDef *def, int type, unsigned int maxIdx,
                           const DomainDiskDef *disk)
{
    g_autofree guint8 *have = NULL;
    g_autofree char *what = NULL;
    DomainControllerDef **out;
    size_t nout = 0;
    size_t nmissing = 0;
    size_t lastOfType = 0;      /* in out: just after the last of @type */
    bool seenType = false;
    int next = 0;               /* the next index that may be missing */
    size_t i;
    int idx;

    if (maxIdx < DOMAIN_MAX_DEVICES) {
        have = g_new0(guint8, (size_t)maxIdx + 1);
        for (i = 0; i < def->ncontrollers; i++) {
            const DomainControllerDef *c = def->controllers[i];

            if (c->type == type && c->idx >= 0 && (unsigned int)c->idx <= maxIdx)
                have[c->idx] = 1;
        }
        for (i = 0; i <= maxIdx; i++)
            nmissing += !have[i];
        if (nmissing == 0)
            return 0;
    }
    /* over the limit: 0..maxIdx of @type alone, or with the others */
    if (maxIdx >= DOMAIN_MAX_DEVICES || def->ncontrollers + nmissing > DOMAIN_MAX_DEVICES) {
        what = g_strdup_printf("disk '%s'", disk->dst);
        return domainDefControllerLimitError(type, maxIdx, what);
    }

    out = g_new(DomainControllerDef *, def->ncontrollers + nmissing);
    for (i = 0; i < def->ncontrollers; i++) {
        DomainControllerDef *c = def->controllers[i];

        if (c->type == type) {
            for (; next <= (int)maxIdx && next < c->idx; next++) {
                if (!have[next])
                    out[nout++] = domainControllerDefNew(type, next);
            }
            seenType = true;
        }
        out[nout++] = c;
        if (c->type == type)
            lastOfType = nout;
    }
    if (next <= (int)maxIdx) {
        /* the rest go after the last of their type, or at the end */
        size_t at = seenType ? lastOfType : nout;
        size_t tail = nout - at;
        size_t nrest = 0;

        for (idx = next; idx <= (int)maxIdx; idx++)
            nrest += !have[idx];
        memmove(out + at + nrest, out + at, tail * sizeof(*out));
        for (idx = next; idx <= (int)maxIdx; idx++) {
            if (!have[idx])
                out[at++] = domainControllerDefNew(type, idx);
        }
        nout += nrest;
    }
    g_free(def->controllers);
    def->controllers = out;
    def->ncontrollers = nout;
    return 0;
}

static int
domainDefAddImplicitControllers(DomainDef *def)
{
    static const struct {
        int ctrl;
        int bus;
    } diskCtrls[] = {
        { DOMAIN_CONTROLLER_TYPE_SCSI, DOMAIN_DISK_BUS_SCSI },
        { DOMAIN_CONTROLLER_TYPE_FDC, DOMAIN_DISK_BUS_FDC },
        { DOMAIN_CONTROLLER_TYPE_IDE, DOMAIN_DISK_BUS_IDE },
        { DOMAIN_CONTROLLER_TYPE_SATA, DOMAIN_DISK_BUS_SATA },
    };
    size_t i;
    size_t k;

    for (k = 0; k < G_N_ELEMENTS(diskCtrls); k++) {
        const DomainDiskDef *top = NULL;

        for (i = 0; i < def->ndisks; i++) {
            const DomainDiskDef *disk = def->disks[i];

            if (disk->bus == diskCtrls[k].bus &&
                disk->info.addr.type == DOMAIN_ADDRESS_DRIVE &&
                (!top || disk->info.addr.u.drive.controller > top->info.addr.u.drive.controller))
                top = disk;
        }
        if (top && domainDefEnsureControllers(def, diskCtrls[k].ctrl,
                                              top->info.addr.u.drive.controller, top) < 0)
            return -1;
    }

    /* virtio channels and consoles sit on a virtio-serial controller */
    for (i = 0; i < def->nchannels + def->nconsoles; i++) {
        const DomainChrDef *chr = i < def->nchannels ? def->channels[i]
                                                     : def->consoles[i - def->nchannels];
        bool virtio = i < def->nchannels
            ? chr->targetType == DOMAIN_CHR_CHANNEL_TARGET_VIRTIO
            : chr->targetType == DOMAIN_CHR_CONSOLE_TARGET_VIRTIO;
        int idx = 0;

        if (!virtio)
            continue;
        if (chr->info.addr.type == DOMAIN_ADDRESS_VIRTIO_SERIAL)
            idx = (int)chr->info.addr.u.vioserial.controller;
        if (domainDefHasController(def, DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL, idx))
            continue;
        if (def->ncontrollers >= DOMAIN_MAX_DEVICES)
            return domainDefControllerLimitError(DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL,
                                                 (unsigned int)idx,
                                                 i < def->nchannels ? "a channel" : "a console");
        domainDefInsertController(def, domainControllerDefNew(
                                      DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL, idx));
    }
    return 0;
}

static int
domainDefValidateControllers(const DomainDef *def)
{
    size_t i;
    size_t j;

    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];
        bool found = false;

        if (!c->hasMaster)
            continue;
        for (j = 0; j < def->ncontrollers; j++) {
            const DomainControllerDef *m = def->controllers[j];

            if (m->type == DOMAIN_CONTROLLER_TYPE_USB && m->idx == c->idx && !m->hasMaster)
                found = true;
        }
        if (!found) {
            reportError(VIR_ERR_XML_DETAIL, "%s", _("No master USB controller specified"));
            return -1;
        }
    }
    return 0;
}

/* ---- serial ports and consoles ---- */

static int
domainConsoleDefaultTarget(const DomainDef *def)
{
    if (domainDefIsHvm(def))
        return DOMAIN_CHR_CONSOLE_TARGET_SERIAL;
    if (streq(def->os.type, "exe"))
        return DOMAIN_CHR_CONSOLE_TARGET_LXC;
    if (streq(def->os.type, "uml"))
        return DOMAIN_CHR_CONSOLE_TARGET_UML;
    return DOMAIN_CHR_CONSOLE_TARGET_XEN;
}

static void
domainDefInsertChr(DomainChrDef ***arr, size_t *n, size_t pos, DomainChrDef *chr)
{
    *arr = g_renew(DomainChrDef *, *arr, *n + 1);
    memmove(*arr + pos + 1, *arr + pos, (*n - pos) * sizeof(DomainChrDef *));
    (*arr)[pos] = chr;
    (*n)++;
}

static int
domainDefPostParseChardevs(DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nconsoles; i++) {
        if (def->consoles[i]->targetType == DOMAIN_CHR_CONSOLE_TARGET_NONE)
            def->consoles[i]->targetType = domainConsoleDefaultTarget(def);
        if (i > 0 && def->consoles[i]->targetType == DOMAIN_CHR_CONSOLE_TARGET_SERIAL) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("Only the first console can be a serial port"));
            return -1;
        }
    }

    /* A serial console without a serial port implies the port. */
    if (def->nconsoles > 0 && def->nserials == 0 &&
        def->consoles[0]->targetType == DOMAIN_CHR_CONSOLE_TARGET_SERIAL) {
        DomainChrDef *serial = domainChrDefNew(DOMAIN_CHR_DEVICE_SERIAL);

        domainChrDefCopyInto(serial, def->consoles[0]);
        domainDefInsertChr(&def->serials, &def->nserials, 0, serial);
    }

    /* Serial ports without a number come after the highest given one;
     * parallel ports after the highest one before them (libvirt's rules). */
    {
        int next = 0;

        for (i = 0; i < def->nserials; i++) {
            if (def->serials[i]->targetPort >= next)
                next = def->serials[i]->targetPort + 1;
        }
        for (i = 0; i < def->nserials; i++) {
            if (def->serials[i]->targetPort < 0)
                def->serials[i]->targetPort = next++;
        }
        next = 0;
        for (i = 0; i < def->nparallels; i++) {
            if (def->parallels[i]->targetPort < 0)
                def->parallels[i]->targetPort = next;
            if (def->parallels[i]->targetPort >= next)
                next = def->parallels[i]->targetPort + 1;
        }
    }

    /* ... and the first serial port is mirrored as the first console,
     * when it is one the guest can use as its console. */
    if (def->nserials > 0 && domainDefIsHvm(def) &&
        (def->serials[0]->targetType == DOMAIN_CHR_SERIAL_TARGET_NONE ||
         def->serials[0]->targetType == DOMAIN_CHR_SERIAL_TARGET_ISA ||
         def->serials[0]->targetType == DOMAIN_CHR_SERIAL_TARGET_SYSTEM ||
         def->serials[0]->targetType == DOMAIN_CHR_SERIAL_TARGET_SPAPR_VIO ||
         def->serials[0]->targetType == DOMAIN_CHR_SERIAL_TARGET_SCLP)) {
        if (def->nconsoles == 0 ||
            def->consoles[0]->targetType != DOMAIN_CHR_CONSOLE_TARGET_SERIAL) {
            DomainChrDef *console = domainChrDefNew(DOMAIN_CHR_DEVICE_CONSOLE);

            console->targetType = DOMAIN_CHR_CONSOLE_TARGET_SERIAL;
            domainDefInsertChr(&def->consoles, &def->nconsoles, 0, console);
        }
        domainChrDefCopyInto(def->consoles[0], def->serials[0]);
    }

    /* Other consoles are numbered in order within their kind. */
    for (i = 0; i < def->nconsoles; i++) {
        DomainChrDef *con = def->consoles[i];
        size_t j;
        int port = 0;

        if (con->targetType == DOMAIN_CHR_CONSOLE_TARGET_SERIAL)
            continue;
        for (j = 0; j < i; j++) {
            if (def->consoles[j]->targetType == con->targetType)
                port++;
        }
        con->targetPort = port;
    }
    return 0;
}

/* ---- graphics, video, input ---- */

static void
domainGraphicsAddListen(DomainGraphicsDef *gr, int type)
{
    gr->listens = g_renew(DomainGraphicsListenDef, gr->listens, gr->nListens + 1);
    memset(&gr->listens[gr->nListens], 0, sizeof(gr->listens[0]));
    gr->listens[gr->nListens].type = type;
    gr->nListens++;
}

static void
domainDefPostParseGraphics(DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        DomainGraphicsDef *gr = def->graphics[i];

        switch ((DomainGraphicsType)gr->type) {
        case DOMAIN_GRAPHICS_TYPE_VNC:
        case DOMAIN_GRAPHICS_TYPE_RDP:
            if (gr->nListens == 0)
                domainGraphicsAddListen(gr, DOMAIN_GRAPHICS_LISTEN_ADDRESS);
            break;
        case DOMAIN_GRAPHICS_TYPE_SPICE:
            /* Without any port there is nothing to listen on. */
            if (gr->port == 0 && gr->tlsPort == 0 && !gr->autoport &&
                (gr->nListens == 0 ||
                 (gr->listens[0].type == DOMAIN_GRAPHICS_LISTEN_ADDRESS &&
                  !gr->listens[0].address))) {
                if (gr->nListens == 0)
                    domainGraphicsAddListen(gr, DOMAIN_GRAPHICS_LISTEN_NONE);
                gr->listens[0].type = DOMAIN_GRAPHICS_LISTEN_NONE;
            } else if (gr->nListens == 0) {
                domainGraphicsAddListen(gr, DOMAIN_GRAPHICS_LISTEN_ADDRESS);
            }
            break;
        default:
            break;
        }
    }
}

static int
domainVideoDefaultType(const DomainDef *def)
{
    switch ((DomainVirtType)def->virtType) {
    case DOMAIN_VIRT_VBOX:
        return DOMAIN_VIDEO_TYPE_VBOX;
    case DOMAIN_VIRT_VMWARE:
        return DOMAIN_VIDEO_TYPE_VMVGA;
    case DOMAIN_VIRT_PARALLELS:
    case DOMAIN_VIRT_VZ:
        return DOMAIN_VIDEO_TYPE_PARALLELS;
    default:
        return domainDefIsHvm(def) ? DOMAIN_VIDEO_TYPE_CIRRUS : DOMAIN_VIDEO_TYPE_XEN;
    }
}

static unsigned int
domainVideoDefaultVram(const DomainVideoDef *video)
{
    switch ((DomainVideoType)video->type) {
    case DOMAIN_VIDEO_TYPE_VGA:
    case DOMAIN_VIDEO_TYPE_CIRRUS:
    case DOMAIN_VIDEO_TYPE_VMVGA:
    case DOMAIN_VIDEO_TYPE_BOCHS:
        return 16 * 1024;
    case DOMAIN_VIDEO_TYPE_XEN:
        return 4 * 1024;
    case DOMAIN_VIDEO_TYPE_VBOX:
        return 8 * 1024;
    case DOMAIN_VIDEO_TYPE_QXL:
        return 64 * 1024;
    default:
        return 0;
    }
}

static int
domainDefPostParseVideo(DomainDef *def)
{
    bool needVideo = false;
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        if (def->graphics[i]->type != DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS &&
            def->graphics[i]->type != DOMAIN_GRAPHICS_TYPE_DBUS)
            needVideo = true;
    }
    if (needVideo && def->nvideos == 0) {
        def->videos = g_renew(DomainVideoDef *, def->videos, 1);
        def->videos[0] = domainVideoDefNew();
        def->nvideos = 1;
    }

    for (i = 0; i < def->nvideos; i++) {
        DomainVideoDef *video = def->videos[i];

        if (video->type == DOMAIN_VIDEO_TYPE_NONE && def->nvideos > 1) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("a 'none' video type must be the only video device defined for the domain"));
            return -1;
        }
        if (video->type == DOMAIN_VIDEO_TYPE_DEFAULT)
            video->type = domainVideoDefaultType(def);
        if (video->type == DOMAIN_VIDEO_TYPE_NONE)
            continue;
        if (video->vram == 0)
            video->vram = domainVideoDefaultVram(video);
        if (video->type == DOMAIN_VIDEO_TYPE_QXL && video->ram == 0)
            video->ram = 64 * 1024;
        if (video->heads == 0)
            video->heads = 1;
        video->primary = (i == 0);
    }
    return 0;
}

static int
domainDefPostParseInputs(DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ninputs; i++) {
        DomainInputDef *input = def->inputs[i];

        if (input->bus == DOMAIN_INPUT_BUS_DEFAULT) {
            switch ((DomainInputType)input->type) {
            case DOMAIN_INPUT_TYPE_MOUSE:
            case DOMAIN_INPUT_TYPE_KBD:
                input->bus = domainDefIsHvm(def) ? DOMAIN_INPUT_BUS_PS2 : DOMAIN_INPUT_BUS_XEN;
                break;
            case DOMAIN_INPUT_TYPE_TABLET:
                input->bus = DOMAIN_INPUT_BUS_USB;
                break;
            case DOMAIN_INPUT_TYPE_PASSTHROUGH:
                input->bus = DOMAIN_INPUT_BUS_VIRTIO;
                break;
            case DOMAIN_INPUT_TYPE_EVDEV:
            case DOMAIN_INPUT_TYPE_LAST:
                break;
            }
        }
        if (input->bus == DOMAIN_INPUT_BUS_PS2 && input->type != DOMAIN_INPUT_TYPE_MOUSE &&
            input->type != DOMAIN_INPUT_TYPE_KBD) {
            reportError(VIR_ERR_INTERNAL_ERROR, _("ps2 bus does not support %1$s input device"),
                        domainInputTypeToString(input->type));
            return -1;
        }
    }
    return 0;
}

/* ---- boot order, firmware ---- */

static int
domainDefPostParseBoot(DomainDef *def)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    bool perDevice = false;
    size_t i;

    for (i = 0; i < def->ndisks + def->nnets; i++) {
        unsigned int order = i < def->ndisks ? def->disks[i]->info.bootIndex
                                             : def->nets[i - def->ndisks]->info.bootIndex;

        if (!order)
            continue;
        perDevice = true;
        if (g_hash_table_contains(seen, GUINT_TO_POINTER(order))) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("boot order '%1$u' used for more than one device"), order);
            return -1;
        }
        g_hash_table_add(seen, GUINT_TO_POINTER(order));
    }
    for (i = 0; i < def->nraws; i++)
        perDevice |= def->raws[i]->hasBoot;
    if (perDevice && def->os.nBootDevs > 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("per-device boot elements cannot be used together with os/boot elements"));
        return -1;
    }
    if (!perDevice && def->os.nBootDevs == 0 && domainDefIsHvm(def) &&
        !domainRawHas(def, "bootloader")) {
        def->os.bootDevs[0] = DOMAIN_BOOT_DISK;
        def->os.nBootDevs = 1;
    }

    if (def->os.loader && def->os.loaderType == DOMAIN_LOADER_TYPE_NONE)
        def->os.loaderType = DOMAIN_LOADER_TYPE_ROM;
    if (def->os.nvram && !def->os.loader && !def->os.firmware) {
        reportError(VIR_ERR_XML_DETAIL, "%s",
                    _("no loader path specified and firmware auto selection disabled"));
        return -1;
    }
    return 0;
}

/**
 * domainDefPostParse:
 * @def: freshly parsed definition
 * @flags: DomainDefParseFlags
 *
 * Fills in libvirt's generic defaults (disk buses and drive addresses,
 * implicit controllers, serial/console pairing and ports, graphics
 * listens, video model and memory, input buses, default boot device,
 * loader type) and checks what involves several elements.
 *
 * Returns: 0 on success, -1 with libvirt's error.
 */
int
domainDefPostParse(DomainDef *def, unsigned int flags)
{
    (void)flags;
    if (domainDefPostParseDisks(def) < 0 ||
        domainDefPostParseChardevs(def) < 0)
        return -1;
    if (domainDefAddImplicitControllers(def) < 0 ||
        domainDefValidateControllers(def) < 0)
        return -1;
    domainDefPostParseGraphics(def);
    if (domainDefPostParseVideo(def) < 0 ||
        domainDefPostParseInputs(def) < 0 ||
        domainDefPostParseBoot(def) < 0)
        return -1;
    return 0;
}

/* ---- DOMAIN_DEF_PARSE_VALIDATE ---- */

/*
 * The elements this model understands, by path from <domain>.  With
 * DOMAIN_DEF_PARSE_VALIDATE an element outside this list is refused, the
 * way libvirt refuses a document its schema does not allow (libvirt checks
 * attributes too; we check elements only).
 */
typedef struct {
    const char *path;
    const char *children;   /* space separated; NULL = no element children */
} DomainSchemaNode;

static const DomainSchemaNode domainSchema[] = {
    { "domain", "name uuid title description metadata maxMemory memory currentMemory "
                "vcpu os features cpu clock on_poweroff on_reboot on_crash devices" },
    { "domain/metadata", "*" },
    { "domain/os", "type loader nvram init kernel initrd cmdline dtb boot bootmenu bios smbios" },
    { "domain/features", "acpi apic pae hap viridian privnet hyperv kvm pvspinlock pmu "
                         "vmport gic smm ioapic vmcoreinfo htm nested-hv ccf-assist" },
    { "domain/features/hyperv", "relaxed vapic spinlocks vpindex runtime synic stimer reset "
                                "vendor_id frequencies reenlightenment tlbflush ipi evmcs avic" },
    { "domain/features/kvm", "hidden hint-dedicated poll-control pv-ipi" },
    { "domain/cpu", "model vendor topology cache feature" },
    { "domain/clock", "timer" },
    { "domain/clock/timer", "catchup" },
    { "domain/devices", "emulator disk controller interface serial parallel console channel "
                        "input graphics video watchdog memballoon rng" },
    { "domain/devices/parallel", "source protocol target alias address" },
    { "domain/devices/disk", "driver source target readonly shareable transient serial wwn "
                             "vendor product boot alias address" },
    { "domain/devices/disk/source", "host" },
    { "domain/devices/controller", "driver master model target alias address" },
    { "domain/devices/interface", "mac source target model driver link mtu script "
                                  "downscript boot alias address" },
    { "domain/devices/interface/source", "local" },
    { "domain/devices/serial", "source protocol target alias address" },
    { "domain/devices/serial/target", "model" },
    { "domain/devices/console", "source protocol target alias address" },
    { "domain/devices/channel", "source protocol target alias address" },
    { "domain/devices/input", "source alias address" },
    { "domain/devices/graphics", "listen channel image jpeg zlib playback streaming mouse "
                                 "clipboard filetransfer gl" },
    { "domain/devices/video", "model alias address" },
    { "domain/devices/video/model", "acceleration" },
    { "domain/devices/watchdog", "alias address" },
    { "domain/devices/memballoon", "stats alias address" },
    { "domain/devices/rng", "rate backend alias address" },
    { "domain/devices/rng/backend", "source protocol" },
};

static const DomainSchemaNode *
domainSchemaLookup(const char *path)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(domainSchema); i++) {
        if (streq(domainSchema[i].path, path))
            return &domainSchema[i];
    }
    return NULL;
}

static bool
domainSchemaAllows(const DomainSchemaNode *spec, const char *name)
{
    g_auto(GStrv) names = NULL;
    size_t i;

    if (!spec || !spec->children)
        return false;
    if (streq(spec->children, "*"))
        return true;
    names = g_strsplit(spec->children, " ", 0);
    for (i = 0; names[i]; i++) {
        if (streq(names[i], name))
            return true;
    }
    return false;
}

static int
domainSchemaCheck(xmlNodePtr node, const char *path, int depth)
{
    const DomainSchemaNode *spec = domainSchemaLookup(path);
    xmlNodePtr cur;

    if (spec && spec->children && streq(spec->children, "*"))
        return 0;
    for (cur = node->children; cur; cur = cur->next) {
        g_autofree char *childPath = NULL;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (cur->ns || !domainSchemaAllows(spec, (const char *)cur->name)) {
            /* libvirt reports schema failures from its XML module */
            errorReport(VIR_FROM_XML, VIR_ERR_XML_INVALID_SCHEMA,
                        __FILE__, __func__, __LINE__,
                        _("Unable to validate doc against the domain schema\nelement '%1$s' is not allowed in '%2$s'"),
                        (const char *)cur->name, path);
            return -1;
        }
        childPath = g_strdup_printf("%s/%s", path, (const char *)cur->name);
        if (depth < 16 && domainSchemaCheck(cur, childPath, depth + 1) < 0)
            return -1;
    }
    return 0;
}

/**
 * domainDefValidateSchema:
 * @root: the <domain> element
 *
 * Refuses elements this model does not know (what libvirt's schema
 * validation would refuse, limited to element names).
 *
 * Returns: 0 when every element is known, -1 with
 * VIR_ERR_XML_INVALID_SCHEMA naming the first unknown one.
 */
int
domainDefValidateSchema(xmlNodePtr root)
{
    return domainSchemaCheck(root, "domain", 0);
}
