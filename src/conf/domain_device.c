/* Domain devices: parse and format of the <devices> children. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "util/error.h"
#include "util/str.h"
#include "util/xml.h"
#include "conf/domain_device.h"
#include "conf/domain_raw.h"

#define NULLSTR(s) ((s) ? (s) : "<null>")

ENUM_IMPL(domainAddress, DOMAIN_ADDRESS_LAST,
          "none", "pci", "drive", "virtio-serial", "ccid", "usb", "spapr-vio",
          "virtio-s390", "ccw", "virtio-mmio", "isa", "dimm", "unassigned");

ENUM_IMPL(domainDisk, DOMAIN_DISK_TYPE_LAST, "file", "block", "dir", "network", "volume");
ENUM_IMPL(domainDiskDevice, DOMAIN_DISK_DEVICE_LAST, "floppy", "disk", "cdrom", "lun");
ENUM_IMPL(domainDiskBus, DOMAIN_DISK_BUS_LAST,
          "none", "ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd");
ENUM_IMPL(domainDiskCache, DOMAIN_DISK_CACHE_LAST,
          "default", "none", "writethrough", "writeback", "directsync", "unsafe");
ENUM_IMPL(domainDiskErrorPolicy, DOMAIN_DISK_ERROR_POLICY_LAST,
          "default", "stop", "report", "ignore", "enospace");
ENUM_IMPL(domainDiskIo, DOMAIN_DISK_IO_LAST, "default", "native", "threads", "io_uring");
ENUM_IMPL(domainDiskDiscard, DOMAIN_DISK_DISCARD_LAST, "default", "unmap", "ignore");
ENUM_IMPL(domainDiskDetectZeroes, DOMAIN_DISK_DETECT_ZEROES_LAST,
          "default", "off", "on", "unmap");
ENUM_IMPL(domainDiskTray, DOMAIN_DISK_TRAY_LAST, "closed", "open");
ENUM_IMPL(domainStartupPolicy, DOMAIN_STARTUP_POLICY_LAST,
          "default", "mandatory", "requisite", "optional");
ENUM_IMPL(domainDiskProtocol, DOMAIN_DISK_PROTOCOL_LAST,
          "none", "nbd", "rbd", "sheepdog", "gluster", "iscsi", "http", "https",
          "ftp", "ftps", "tftp", "ssh", "vxhs", "nfs");
ENUM_IMPL(domainDiskTransport, DOMAIN_DISK_TRANSPORT_LAST, "tcp", "unix", "rdma");

ENUM_IMPL(domainController, DOMAIN_CONTROLLER_TYPE_LAST,
          "ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "xenbus", "usb",
          "pci", "isa");

ENUM_IMPL(domainNet, DOMAIN_NET_TYPE_LAST,
          "user", "ethernet", "vhostuser", "server", "client", "mcast", "network",
          "bridge", "internal", "direct", "hostdev", "udp", "vdpa", "null", "vds");
ENUM_IMPL(domainNetDirectMode, DOMAIN_NET_DIRECT_LAST,
          "vepa", "private", "bridge", "passthrough");
ENUM_IMPL(domainNetLinkState, DOMAIN_NET_LINK_LAST, "default", "up", "down");

ENUM_IMPL(domainChrDevice, DOMAIN_CHR_DEVICE_LAST, "serial", "parallel", "console", "channel");
ENUM_IMPL(domainChr, DOMAIN_CHR_TYPE_LAST,
          "null", "vc", "pty", "dev", "file", "pipe", "stdio", "udp", "tcp",
          "unix", "spicevmc", "spiceport", "nmdm", "qemu-vdagent", "dbus");
ENUM_IMPL(domainChrTcpProtocol, DOMAIN_CHR_TCP_PROTOCOL_LAST, "raw", "telnet", "telnets", "tls");
ENUM_IMPL(domainChrSerialTarget, DOMAIN_CHR_SERIAL_TARGET_LAST,
          "none", "isa-serial", "usb-serial", "pci-serial", "spapr-vio-serial",
          "system-serial", "sclp-serial", "isa-debug");
ENUM_IMPL(domainChrConsoleTarget, DOMAIN_CHR_CONSOLE_TARGET_LAST,
          "none", "serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp", "sclplm");
ENUM_IMPL(domainChrChannelTarget, DOMAIN_CHR_CHANNEL_TARGET_LAST,
          "none", "guestfwd", "virtio", "xen");
ENUM_IMPL(domainChrChannelState, DOMAIN_CHR_CHANNEL_STATE_LAST,
          "default", "connected", "disconnected");

ENUM_IMPL(domainGraphics, DOMAIN_GRAPHICS_TYPE_LAST,
          "sdl", "vnc", "rdp", "desktop", "spice", "egl-headless", "dbus");
ENUM_IMPL(domainGraphicsListen, DOMAIN_GRAPHICS_LISTEN_LAST,
          "none", "address", "network", "socket");

ENUM_IMPL(domainVideo, DOMAIN_VIDEO_TYPE_LAST,
          "default", "vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "parallels",
          "virtio", "gop", "none", "bochs", "ramfb");
ENUM_IMPL(domainInput, DOMAIN_INPUT_TYPE_LAST,
          "mouse", "tablet", "keyboard", "passthrough", "evdev");
ENUM_IMPL(domainInputBus, DOMAIN_INPUT_BUS_LAST,
          "default", "ps2", "usb", "xen", "parallels", "virtio", "none");
ENUM_IMPL(domainMemballoonModel, DOMAIN_MEMBALLOON_MODEL_LAST,
          "virtio", "xen", "none", "virtio-transitional", "virtio-non-transitional");
ENUM_IMPL(domainRngModel, DOMAIN_RNG_MODEL_LAST,
          "virtio", "virtio-transitional", "virtio-non-transitional");
ENUM_IMPL(domainRngBackend, DOMAIN_RNG_BACKEND_LAST, "random", "egd", "builtin");
ENUM_IMPL(domainWatchdogModel, DOMAIN_WATCHDOG_MODEL_LAST, "i6300esb", "ib700", "diag288");
ENUM_IMPL(domainWatchdogAction, DOMAIN_WATCHDOG_ACTION_LAST,
          "reset", "shutdown", "poweroff", "pause", "dump", "none", "inject-nmi");

/* Controller models libvirt accepts, per controller type (NULL: none). */
static const char *const domainControllerModelsSCSI[] = {
    "auto", "buslogic", "lsilogic", "lsisas1068", "vmpvscsi", "ibmvscsi",
    "virtio-scsi", "lsisas1078", "virtio-transitional",
    "virtio-non-transitional", "ncr53c90", "am53c974", "dc390", NULL,
};
static const char *const domainControllerModelsUSB[] = {
    "piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1",
    "ich9-uhci2", "ich9-uhci3", "vt82c686b-uhci", "pci-ohci", "nec-xhci",
    "qusb1", "qusb2", "qemu-xhci", "none", NULL,
};
static const char *const domainControllerModelsPCI[] = {
    "pci-root", "pcie-root", "pci-bridge", "dmi-to-pci-bridge",
    "pcie-root-port", "pcie-switch-upstream-port",
    "pcie-switch-downstream-port", "pci-expander-bus", "pcie-expander-bus",
    "pcie-to-pci-bridge", NULL,
};
static const char *const domainControllerModelsIDE[] = {
    "piix3", "piix4", "ich6", NULL,
};
static const char *const domainControllerModelsVirtioSerial[] = {
    "virtio", "virtio-transitional", "virtio-non-transitional", NULL,
};
static const char *const domainControllerModelsISA[] = { NULL };
static const char *const domainControllerModelsXenbus[] = { NULL };

/**
 * domainControllerModelCheck:
 * @type: DomainControllerType
 * @model: model name
 *
 * Returns: @model when libvirt accepts it for @type, NULL otherwise.
 */
const char *
domainControllerModelCheck(int type, const char *model)
{
    const char *const *table = NULL;
    size_t i;

    switch ((DomainControllerType)type) {
    case DOMAIN_CONTROLLER_TYPE_SCSI:
        table = domainControllerModelsSCSI;
        break;
    case DOMAIN_CONTROLLER_TYPE_USB:
        table = domainControllerModelsUSB;
        break;
    case DOMAIN_CONTROLLER_TYPE_PCI:
        table = domainControllerModelsPCI;
        break;
    case DOMAIN_CONTROLLER_TYPE_IDE:
        table = domainControllerModelsIDE;
        break;
    case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
        table = domainControllerModelsVirtioSerial;
        break;
    case DOMAIN_CONTROLLER_TYPE_ISA:
        table = domainControllerModelsISA;
        break;
    case DOMAIN_CONTROLLER_TYPE_XENBUS:
        table = domainControllerModelsXenbus;
        break;
    default:
        return NULL;
    }
    for (i = 0; table[i]; i++) {
        if (streq(table[i], model))
            return table[i];
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Frees                                                               */

static void
domainDeviceInfoClear(DomainDeviceInfo *info)
{
    g_free(info->alias);
    info->alias = NULL;
}

/**
 * domainDiskDefFree:
 * @disk: disk or NULL
 *
 * Releases @disk.
 */
void
domainDiskDefFree(DomainDiskDef *disk)
{
    size_t i;

    if (!disk)
        return;
    g_free(disk->src);
    for (i = 0; i < disk->nhosts; i++) {
        g_free(disk->hosts[i].name);
        g_free(disk->hosts[i].port);
        g_free(disk->hosts[i].socket);
    }
    g_free(disk->hosts);
    g_free(disk->srcPool);
    g_free(disk->srcVolume);
    g_free(disk->driverName);
    g_free(disk->driverType);
    g_free(disk->dst);
    g_free(disk->serial);
    g_free(disk->wwn);
    g_free(disk->vendor);
    g_free(disk->product);
    domainDeviceInfoClear(&disk->info);
    g_free(disk);
}

/**
 * domainControllerDefFree:
 * @ctrl: controller or NULL
 *
 * Releases @ctrl.
 */
void
domainControllerDefFree(DomainControllerDef *ctrl)
{
    if (!ctrl)
        return;
    g_free(ctrl->model);
    g_free(ctrl->modelName);
    domainDeviceInfoClear(&ctrl->info);
    g_free(ctrl);
}

/**
 * domainNetDefFree:
 * @net: interface or NULL
 *
 * Releases @net.
 */
void
domainNetDefFree(DomainNetDef *net)
{
    if (!net)
        return;
    g_free(net->network);
    g_free(net->portgroup);
    g_free(net->bridge);
    g_free(net->dev);
    g_free(net->vhostPath);
    g_free(net->sockAddress);
    g_free(net->localAddress);
    g_free(net->ifname);
    g_free(net->script);
    g_free(net->downscript);
    g_free(net->model);
    g_free(net->driverName);
    domainDeviceInfoClear(&net->info);
    g_free(net);
}

static void
domainChrSourceDefClear(DomainChrSourceDef *src)
{
    g_free(src->path);
    g_free(src->host);
    g_free(src->service);
    g_free(src->bindHost);
    g_free(src->bindService);
    g_free(src->channel);
    memset(src, 0, sizeof(*src));
}

/**
 * domainChrDefFree:
 * @chr: character device or NULL
 *
 * Releases @chr.
 */
void
domainChrDefFree(DomainChrDef *chr)
{
    if (!chr)
        return;
    domainChrSourceDefClear(&chr->source);
    g_free(chr->targetModel);
    g_free(chr->targetName);
    g_free(chr->targetAddr);
    domainDeviceInfoClear(&chr->info);
    g_free(chr);
}

/**
 * domainGraphicsDefFree:
 * @gr: graphics or NULL
 *
 * Releases @gr.
 */
void
domainGraphicsDefFree(DomainGraphicsDef *gr)
{
    size_t i;

    if (!gr)
        return;
    g_free(gr->keymap);
    g_free(gr->passwd);
    g_free(gr->passwdValidTo);
    g_free(gr->connected);
    g_free(gr->sharePolicy);
    g_free(gr->defaultMode);
    g_free(gr->display);
    g_free(gr->xauth);
    g_free(gr->rendernode);
    for (i = 0; i < gr->nListens; i++) {
        g_free(gr->listens[i].address);
        g_free(gr->listens[i].network);
        g_free(gr->listens[i].socket);
    }
    g_free(gr->listens);
    for (i = 0; i < gr->nSpiceOpts; i++) {
        g_free(gr->spiceOpts[i].value);
        g_free(gr->spiceOpts[i].extra);
    }
    g_free(gr->spiceOpts);
    g_free(gr);
}

/**
 * domainVideoDefFree:
 * @video: video device or NULL
 *
 * Releases @video.
 */
void
domainVideoDefFree(DomainVideoDef *video)
{
    if (!video)
        return;
    domainDeviceInfoClear(&video->info);
    g_free(video);
}

/**
 * domainInputDefFree:
 * @input: input device or NULL
 *
 * Releases @input.
 */
void
domainInputDefFree(DomainInputDef *input)
{
    if (!input)
        return;
    g_free(input->evdev);
    g_free(input->evdevGrab);
    g_free(input->evdevRepeat);
    g_free(input->evdevGrabToggle);
    domainDeviceInfoClear(&input->info);
    g_free(input);
}

/**
 * domainMemballoonDefFree:
 * @balloon: balloon device or NULL
 *
 * Releases @balloon.
 */
void
domainMemballoonDefFree(DomainMemballoonDef *balloon)
{
    if (!balloon)
        return;
    domainDeviceInfoClear(&balloon->info);
    g_free(balloon);
}

/**
 * domainRngDefFree:
 * @rng: RNG device or NULL
 *
 * Releases @rng.
 */
void
domainRngDefFree(DomainRngDef *rng)
{
    if (!rng)
        return;
    g_free(rng->randomFile);
    if (rng->egd) {
        domainChrSourceDefClear(rng->egd);
        g_free(rng->egd);
    }
    domainDeviceInfoClear(&rng->info);
    g_free(rng);
}

/**
 * domainWatchdogDefFree:
 * @wd: watchdog or NULL
 *
 * Releases @wd.
 */
void
domainWatchdogDefFree(DomainWatchdogDef *wd)
{
    if (!wd)
        return;
    domainDeviceInfoClear(&wd->info);
    g_free(wd);
}

/**
 * domainControllerDefNew:
 * @type: DomainControllerType
 * @idx: index
 *
 * Returns: a new controller without model or address (caller frees).
 */
DomainControllerDef *
domainControllerDefNew(int type, int idx)
{
    DomainControllerDef *ctrl = g_new0(DomainControllerDef, 1);

    ctrl->type = type;
    ctrl->idx = idx;
    ctrl->ports = -1;
    ctrl->vectors = -1;
    ctrl->targetChassisNr = -1;
    ctrl->targetChassis = -1;
    ctrl->targetPort = -1;
    ctrl->targetBusNr = -1;
    ctrl->targetIndex = -1;
    return ctrl;
}

/**
 * domainChrDefNew:
 * @deviceType: DomainChrDeviceType
 *
 * Returns: a new character device of type pty without target port (caller
 * frees).
 */
DomainChrDef *
domainChrDefNew(int deviceType)
{
    DomainChrDef *chr = g_new0(DomainChrDef, 1);

    chr->deviceType = deviceType;
    chr->source.type = DOMAIN_CHR_TYPE_PTY;
    chr->targetPort = -1;
    return chr;
}

/**
 * domainVideoDefNew:
 *
 * Returns: a new video device of the default model (caller frees).
 */
DomainVideoDef *
domainVideoDefNew(void)
{
    return g_new0(DomainVideoDef, 1);
}

static void
domainChrSourceDefCopy(DomainChrSourceDef *dst, const DomainChrSourceDef *src)
{
    domainChrSourceDefClear(dst);
    *dst = *src;
    dst->path = g_strdup(src->path);
    dst->host = g_strdup(src->host);
    dst->service = g_strdup(src->service);
    dst->bindHost = g_strdup(src->bindHost);
    dst->bindService = g_strdup(src->bindService);
    dst->channel = g_strdup(src->channel);
}

/**
 * domainChrDefCopyInto:
 * @dst: character device to overwrite (its old data is released)
 * @src: device to copy
 *
 * Copies the host side (source) and target port of @src into @dst, keeping
 * @dst's device and target type; used for the console that mirrors the
 * first serial port.
 *
 * Returns: 0.
 */
int
domainChrDefCopyInto(DomainChrDef *dst, const DomainChrDef *src)
{
    domainChrSourceDefCopy(&dst->source, &src->source);
    dst->targetPort = src->targetPort;
    domainDeviceInfoClear(&dst->info);
    dst->info = src->info;
    dst->info.alias = g_strdup(src->info.alias);
    dst->info.bootIndex = 0;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Device info: boot order, alias, address                             */

static int
domainDeviceAddressParse(xmlNodePtr node, DomainDeviceAddress *addr)
{
    g_autofree char *type = xmlUtilProp(node, "type");

    if (!type) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("No type specified for device address"));
        return -1;
    }
    if ((addr->type = domainAddressTypeFromString(type)) <= 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown address type '%1$s'"), type);
        return -1;
    }

    switch ((DomainAddressType)addr->type) {
    case DOMAIN_ADDRESS_PCI:
        if (xmlUtilPropUInt(node, "domain", 0, 0, &addr->u.pci.domain) < 0 ||
            xmlUtilPropUInt(node, "bus", 0, 0, &addr->u.pci.bus) < 0 ||
            xmlUtilPropUInt(node, "slot", 0, 0, &addr->u.pci.slot) < 0 ||
            xmlUtilPropUInt(node, "function", 0, 0, &addr->u.pci.function) < 0 ||
            xmlUtilPropEnum(node, "multifunction", domainTristateSwitchTypeFromString,
                            XML_UTIL_PROP_NONZERO, &addr->u.pci.multifunction) < 0)
            return -1;
#define PCI_CHECK(field, max) \
        if (addr->u.pci.field > (max)) { \
            errorReport(VIR_FROM_NONE, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__, \
                        _("Invalid PCI address %1$s='0x%2$x', must be <= 0x%3$X"), \
                        #field, addr->u.pci.field, (unsigned int)(max)); \
            return -1; \
        }
        PCI_CHECK(domain, 0xFFFF)
        PCI_CHECK(bus, 0xFF)
        PCI_CHECK(slot, 0x1F)
        PCI_CHECK(function, 0x7)
#undef PCI_CHECK
        break;
    case DOMAIN_ADDRESS_DRIVE:
        if (xmlUtilPropUInt(node, "controller", 10, 0, &addr->u.drive.controller) < 0 ||
            xmlUtilPropUInt(node, "bus", 10, 0, &addr->u.drive.bus) < 0 ||
            xmlUtilPropUInt(node, "target", 10, 0, &addr->u.drive.target) < 0 ||
            xmlUtilPropUInt(node, "unit", 10, 0, &addr->u.drive.unit) < 0)
            return -1;
        break;
    case DOMAIN_ADDRESS_VIRTIO_SERIAL:
        if (xmlUtilPropUInt(node, "controller", 10, 0, &addr->u.vioserial.controller) < 0 ||
            xmlUtilPropUInt(node, "bus", 10, 0, &addr->u.vioserial.bus) < 0 ||
            xmlUtilPropUInt(node, "port", 10, 0, &addr->u.vioserial.port) < 0)
            return -1;
        break;
    case DOMAIN_ADDRESS_CCID:
        if (xmlUtilPropUInt(node, "controller", 10, 0, &addr->u.ccid.controller) < 0 ||
            xmlUtilPropUInt(node, "slot", 10, 0, &addr->u.ccid.slot) < 0)
            return -1;
        break;
    case DOMAIN_ADDRESS_USB: {
        g_autofree char *port = xmlUtilProp(node, "port");

        if (xmlUtilPropUInt(node, "bus", 10, 0, &addr->u.usb.bus) < 0)
            return -1;
        if (port) {
            g_auto(GStrv) parts = g_strsplit(port, ".", 0);
            size_t i;

            for (i = 0; parts[i]; i++) {
                unsigned int v;

                if (i >= 4 || strParseUInt(parts[i], 10, &v) < 0 ||
                    strlen(port) >= sizeof(addr->u.usb.port)) {
                    reportError(VIR_ERR_INTERNAL_ERROR,
                                _("Cannot parse <address> 'port' attribute"));
                    return -1;
                }
            }
            g_strlcpy(addr->u.usb.port, port, sizeof(addr->u.usb.port));
        }
        break;
    }
    case DOMAIN_ADDRESS_ISA:
        if (xmlUtilPropUInt(node, "iobase", 0, 0, &addr->u.isa.iobase) < 0 ||
            xmlUtilPropUInt(node, "irq", 0, 0, &addr->u.isa.irq) < 0)
            return -1;
        break;
    case DOMAIN_ADDRESS_VIRTIO_MMIO:
    case DOMAIN_ADDRESS_UNASSIGNED:
        break;
    case DOMAIN_ADDRESS_SPAPRVIO:
    case DOMAIN_ADDRESS_VIRTIO_S390:
    case DOMAIN_ADDRESS_CCW:
    case DOMAIN_ADDRESS_DIMM:
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_LAST:
    default:
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported address type '%1$s'"), type);
        return -1;
    }
    return 0;
}

static int
domainDeviceInfoParse(xmlNodePtr node, DomainDeviceInfo *info, unsigned int flags,
                      bool allowBoot)
{
    xmlNodePtr child;

    if (allowBoot && (child = xmlUtilChild(node, "boot"))) {
        if (xmlUtilPropUInt(child, "order", 10,
                            XML_UTIL_PROP_REQUIRED | XML_UTIL_PROP_NONZERO,
                            &info->bootIndex) < 0)
            return -1;
    }
    if ((child = xmlUtilChild(node, "alias"))) {
        g_autofree char *alias = xmlUtilProp(child, "name");

        if (alias && (!(flags & DOMAIN_DEF_PARSE_INACTIVE) || strPrefix(alias, "ua-")))
            info->alias = g_steal_pointer(&alias);
    }
    if ((child = xmlUtilChild(node, "address")) &&
        domainDeviceAddressParse(child, &info->addr) < 0)
        return -1;
    return 0;
}

static void
domainDeviceAddressFormat(XmlWriter *w, const DomainDeviceAddress *addr)
{
    switch ((DomainAddressType)addr->type) {
    case DOMAIN_ADDRESS_PCI:
        xmlWriterAdd(w, "<address type='pci' domain='0x%04x' bus='0x%02x'",
                     addr->u.pci.domain, addr->u.pci.bus);
        xmlWriterAdd(w, " slot='0x%02x' function='0x%x'", addr->u.pci.slot,
                     addr->u.pci.function);
        if (addr->u.pci.multifunction)
            xmlWriterAdd(w, " multifunction='%s'",
                         domainTristateSwitchTypeToString(addr->u.pci.multifunction));
        xmlWriterAddLit(w, "/>\n");
        break;
    case DOMAIN_ADDRESS_DRIVE:
        xmlWriterAdd(w, "<address type='drive' controller='%u' bus='%u' target='%u' unit='%u'/>\n",
                     addr->u.drive.controller, addr->u.drive.bus,
                     addr->u.drive.target, addr->u.drive.unit);
        break;
    case DOMAIN_ADDRESS_VIRTIO_SERIAL:
        xmlWriterAdd(w, "<address type='virtio-serial' controller='%u' bus='%u' port='%u'/>\n",
                     addr->u.vioserial.controller, addr->u.vioserial.bus,
                     addr->u.vioserial.port);
        break;
    case DOMAIN_ADDRESS_CCID:
        xmlWriterAdd(w, "<address type='ccid' controller='%u' slot='%u'/>\n",
                     addr->u.ccid.controller, addr->u.ccid.slot);
        break;
    case DOMAIN_ADDRESS_USB:
        xmlWriterAdd(w, "<address type='usb' bus='%u'", addr->u.usb.bus);
        if (addr->u.usb.port[0])
            xmlWriterEscape(w, " port='%s'", addr->u.usb.port);
        xmlWriterAddLit(w, "/>\n");
        break;
    case DOMAIN_ADDRESS_ISA:
        xmlWriterAddLit(w, "<address type='isa'");
        if (addr->u.isa.iobase)
            xmlWriterAdd(w, " iobase='0x%x'", addr->u.isa.iobase);
        if (addr->u.isa.irq)
            xmlWriterAdd(w, " irq='0x%x'", addr->u.isa.irq);
        xmlWriterAddLit(w, "/>\n");
        break;
    case DOMAIN_ADDRESS_VIRTIO_MMIO:
    case DOMAIN_ADDRESS_UNASSIGNED:
        xmlWriterAdd(w, "<address type='%s'/>\n", domainAddressTypeToString(addr->type));
        break;
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_SPAPRVIO:
    case DOMAIN_ADDRESS_VIRTIO_S390:
    case DOMAIN_ADDRESS_CCW:
    case DOMAIN_ADDRESS_DIMM:
    case DOMAIN_ADDRESS_LAST:
        break;
    }
}

static void
domainDeviceInfoFormat(XmlWriter *w, const DomainDeviceInfo *info, unsigned int flags)
{
    if (info->bootIndex)
        xmlWriterAdd(w, "<boot order='%u'/>\n", info->bootIndex);
    if (info->alias &&
        (!(flags & DOMAIN_DEF_FORMAT_INACTIVE) || strPrefix(info->alias, "ua-")))
        xmlWriterEscape(w, "<alias name='%s'/>\n", info->alias);
    domainDeviceAddressFormat(w, &info->addr);
}

/* ------------------------------------------------------------------ */
/* Disks                                                               */

static int
domainDiskParseSource(DomainDiskDef *disk, xmlNodePtr source)
{
    g_autofree xmlNodePtr *hosts = NULL;
    size_t nhosts;
    size_t i;
    char *path = NULL;

    disk->hasSource = true;
    if (xmlUtilPropEnum(source, "startupPolicy", domainStartupPolicyTypeFromString,
                        XML_UTIL_PROP_NONZERO, &disk->startupPolicy) < 0)
        return -1;

    switch ((DomainDiskType)disk->type) {
    case DOMAIN_DISK_TYPE_FILE:
        path = xmlUtilProp(source, "file");
        break;
    case DOMAIN_DISK_TYPE_BLOCK:
        path = xmlUtilProp(source, "dev");
        break;
    case DOMAIN_DISK_TYPE_DIR:
        path = xmlUtilProp(source, "dir");
        break;
    case DOMAIN_DISK_TYPE_NETWORK:
        if (xmlUtilPropEnum(source, "protocol", domainDiskProtocolTypeFromString,
                            XML_UTIL_PROP_REQUIRED | XML_UTIL_PROP_NONZERO,
                            &disk->protocol) < 0)
            return -1;
        path = xmlUtilProp(source, "name");
        nhosts = xmlUtilChildren(source, "host", &hosts);
        if (nhosts > DOMAIN_MAX_DEVICES) {
            reportError(VIR_ERR_XML_ERROR, _("too many <host> elements (limit %1$d)"),
                        DOMAIN_MAX_DEVICES);
            return -1;
        }
        disk->hosts = g_new0(DomainDiskHost, nhosts ? nhosts : 1);
        for (i = 0; i < nhosts; i++) {
            DomainDiskHost *h = &disk->hosts[disk->nhosts++];
            int rc;

            h->name = xmlUtilProp(hosts[i], "name");
            h->port = xmlUtilProp(hosts[i], "port");
            h->socket = xmlUtilProp(hosts[i], "socket");
            if ((rc = xmlUtilPropEnum(hosts[i], "transport", domainDiskTransportTypeFromString,
                                      0, &h->transport)) < 0)
                return -1;
            h->transportSet = rc > 0;
        }
        break;
    case DOMAIN_DISK_TYPE_VOLUME:
        disk->srcPool = xmlUtilProp(source, "pool");
        disk->srcVolume = xmlUtilProp(source, "volume");
        break;
    case DOMAIN_DISK_TYPE_LAST:
        break;
    }
    if (path && !*path)
        g_clear_pointer(&path, g_free);
    disk->src = path;
    return 0;
}

static DomainDiskDef *
domainDiskDefParse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainDiskDef) disk = g_new0(DomainDiskDef, 1);
    xmlNodePtr child;

    disk->device = DOMAIN_DISK_DEVICE_DISK;
    if (xmlUtilPropEnum(node, "type", domainDiskTypeFromString, 0, &disk->type) < 0 ||
        xmlUtilPropEnum(node, "device", domainDiskDeviceTypeFromString, 0,
                        &disk->device) < 0)
        return NULL;

    if ((child = xmlUtilChild(node, "driver"))) {
        disk->driverName = xmlUtilProp(child, "name");
        disk->driverType = xmlUtilProp(child, "type");
        if (xmlUtilPropEnum(child, "cache", domainDiskCacheTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->cache) < 0 ||
            xmlUtilPropEnum(child, "error_policy", domainDiskErrorPolicyTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->errorPolicy) < 0 ||
            xmlUtilPropEnum(child, "rerror_policy", domainDiskErrorPolicyTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->rerrorPolicy) < 0 ||
            xmlUtilPropEnum(child, "io", domainDiskIoTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->io) < 0 ||
            xmlUtilPropEnum(child, "ioeventfd", domainTristateSwitchTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->ioeventfd) < 0 ||
            xmlUtilPropEnum(child, "event_idx", domainTristateSwitchTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->eventIdx) < 0 ||
            xmlUtilPropEnum(child, "copy_on_read", domainTristateSwitchTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->copyOnRead) < 0 ||
            xmlUtilPropEnum(child, "discard", domainDiskDiscardTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->discard) < 0 ||
            xmlUtilPropUInt(child, "iothread", 10, XML_UTIL_PROP_NONZERO,
                            &disk->iothread) < 0 ||
            xmlUtilPropEnum(child, "detect_zeroes", domainDiskDetectZeroesTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->detectZeroes) < 0 ||
            xmlUtilPropUInt(child, "queues", 10, XML_UTIL_PROP_NONZERO,
                            &disk->queues) < 0)
            return NULL;
    }

    if ((child = xmlUtilChild(node, "source")) && domainDiskParseSource(disk, child) < 0)
        return NULL;

    if ((child = xmlUtilChild(node, "target"))) {
        int rc;

        disk->dst = xmlUtilProp(child, "dev");
        if (disk->dst && !*disk->dst)
            g_clear_pointer(&disk->dst, g_free);
        if (xmlUtilPropEnum(child, "bus", domainDiskBusTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->bus) < 0 ||
            (rc = xmlUtilPropEnum(child, "tray", domainDiskTrayTypeFromString, 0,
                                  &disk->tray)) < 0 ||
            xmlUtilPropEnum(child, "removable", domainTristateSwitchTypeFromString,
                            XML_UTIL_PROP_NONZERO, &disk->removable) < 0)
            return NULL;
        disk->traySet = rc > 0;
    }
    if (!disk->dst) {
        reportError(VIR_ERR_NO_TARGET, "%s", disk->src ? disk->src : "(null)");
        return NULL;
    }

    disk->readonly = xmlUtilChild(node, "readonly") != NULL;
    disk->shareable = xmlUtilChild(node, "shareable") != NULL;
    disk->transient = xmlUtilChild(node, "transient") != NULL;
    disk->serial = xmlUtilChildContent(node, "serial");
    disk->wwn = xmlUtilChildContent(node, "wwn");
    disk->vendor = xmlUtilChildContent(node, "vendor");
    disk->product = xmlUtilChildContent(node, "product");

    if (domainDeviceInfoParse(node, &disk->info, flags, true) < 0)
        return NULL;

    if (!disk->src && disk->type != DOMAIN_DISK_TYPE_VOLUME &&
        !(disk->type == DOMAIN_DISK_TYPE_NETWORK && disk->hasSource) &&
        disk->device != DOMAIN_DISK_DEVICE_CDROM &&
        disk->device != DOMAIN_DISK_DEVICE_FLOPPY) {
        reportError(VIR_ERR_NO_SOURCE, "%s", disk->dst);
        return NULL;
    }
    if (disk->device == DOMAIN_DISK_DEVICE_LUN && disk->type != DOMAIN_DISK_TYPE_BLOCK &&
        disk->type != DOMAIN_DISK_TYPE_NETWORK && disk->type != DOMAIN_DISK_TYPE_VOLUME) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("disk device='lun' is only valid for block type disk source"));
        return NULL;
    }
    if (disk->removable && disk->bus != DOMAIN_DISK_BUS_USB) {
        reportError(VIR_ERR_XML_ERROR, "%s", _("removable is only valid for usb disks"));
        return NULL;
    }
    /* A CD-ROM is always read-only. */
    if (disk->device == DOMAIN_DISK_DEVICE_CDROM)
        disk->readonly = true;
    return g_steal_pointer(&disk);
}

static void
domainDiskDefFormat(XmlWriter *w, const DomainDiskDef *disk, unsigned int flags)
{
    size_t i;

    xmlWriterAdd(w, "<disk type='%s' device='%s'>\n", domainDiskTypeToString(disk->type),
                 domainDiskDeviceTypeToString(disk->device));
    xmlWriterAdjustIndent(w, 2);

    if (disk->driverName || disk->driverType || disk->cache || disk->errorPolicy ||
        disk->rerrorPolicy || disk->io || disk->ioeventfd || disk->eventIdx ||
        disk->copyOnRead || disk->discard || disk->iothread || disk->detectZeroes ||
        disk->queues) {
        xmlWriterAddLit(w, "<driver");
        xmlWriterEscape(w, " name='%s'", disk->driverName);
        xmlWriterEscape(w, " type='%s'", disk->driverType);
        if (disk->cache)
            xmlWriterAdd(w, " cache='%s'", domainDiskCacheTypeToString(disk->cache));
        if (disk->errorPolicy)
            xmlWriterAdd(w, " error_policy='%s'",
                         domainDiskErrorPolicyTypeToString(disk->errorPolicy));
        if (disk->rerrorPolicy)
            xmlWriterAdd(w, " rerror_policy='%s'",
                         domainDiskErrorPolicyTypeToString(disk->rerrorPolicy));
        if (disk->io)
            xmlWriterAdd(w, " io='%s'", domainDiskIoTypeToString(disk->io));
        if (disk->ioeventfd)
            xmlWriterAdd(w, " ioeventfd='%s'", domainTristateSwitchTypeToString(disk->ioeventfd));
        if (disk->eventIdx)
            xmlWriterAdd(w, " event_idx='%s'", domainTristateSwitchTypeToString(disk->eventIdx));
        if (disk->copyOnRead)
            xmlWriterAdd(w, " copy_on_read='%s'",
                         domainTristateSwitchTypeToString(disk->copyOnRead));
        if (disk->discard)
            xmlWriterAdd(w, " discard='%s'", domainDiskDiscardTypeToString(disk->discard));
        if (disk->iothread)
            xmlWriterAdd(w, " iothread='%u'", disk->iothread);
        if (disk->detectZeroes)
            xmlWriterAdd(w, " detect_zeroes='%s'",
                         domainDiskDetectZeroesTypeToString(disk->detectZeroes));
        if (disk->queues)
            xmlWriterAdd(w, " queues='%u'", disk->queues);
        xmlWriterAddLit(w, "/>\n");
    }

    if (disk->src || disk->srcPool || disk->srcVolume || disk->startupPolicy ||
        (disk->type == DOMAIN_DISK_TYPE_NETWORK && disk->hasSource)) {
        xmlWriterAddLit(w, "<source");
        switch ((DomainDiskType)disk->type) {
        case DOMAIN_DISK_TYPE_FILE:
            xmlWriterEscape(w, " file='%s'", disk->src);
            break;
        case DOMAIN_DISK_TYPE_BLOCK:
            xmlWriterEscape(w, " dev='%s'", disk->src);
            break;
        case DOMAIN_DISK_TYPE_DIR:
            xmlWriterEscape(w, " dir='%s'", disk->src);
            break;
        case DOMAIN_DISK_TYPE_NETWORK:
            xmlWriterAdd(w, " protocol='%s'", domainDiskProtocolTypeToString(disk->protocol));
            xmlWriterEscape(w, " name='%s'", disk->src);
            break;
        case DOMAIN_DISK_TYPE_VOLUME:
            xmlWriterEscape(w, " pool='%s'", disk->srcPool);
            xmlWriterEscape(w, " volume='%s'", disk->srcVolume);
            break;
        case DOMAIN_DISK_TYPE_LAST:
            break;
        }
        if (disk->startupPolicy)
            xmlWriterAdd(w, " startupPolicy='%s'",
                         domainStartupPolicyTypeToString(disk->startupPolicy));
        if (disk->nhosts == 0) {
            xmlWriterAddLit(w, "/>\n");
        } else {
            xmlWriterAddLit(w, ">\n");
            xmlWriterAdjustIndent(w, 2);
            for (i = 0; i < disk->nhosts; i++) {
                const DomainDiskHost *h = &disk->hosts[i];

                xmlWriterAddLit(w, "<host");
                xmlWriterEscape(w, " name='%s'", h->name);
                xmlWriterEscape(w, " port='%s'", h->port);
                if (h->transportSet)
                    xmlWriterAdd(w, " transport='%s'",
                                 domainDiskTransportTypeToString(h->transport));
                xmlWriterEscape(w, " socket='%s'", h->socket);
                xmlWriterAddLit(w, "/>\n");
            }
            xmlWriterAdjustIndent(w, -2);
            xmlWriterAddLit(w, "</source>\n");
        }
    }

    xmlWriterEscape(w, "<target dev='%s'", disk->dst);
    if (disk->bus)
        xmlWriterAdd(w, " bus='%s'", domainDiskBusTypeToString(disk->bus));
    if (disk->tray == DOMAIN_DISK_TRAY_OPEN)
        xmlWriterAdd(w, " tray='%s'", domainDiskTrayTypeToString(disk->tray));
    if (disk->removable)
        xmlWriterAdd(w, " removable='%s'", domainTristateSwitchTypeToString(disk->removable));
    xmlWriterAddLit(w, "/>\n");

    if (disk->readonly)
        xmlWriterAddLit(w, "<readonly/>\n");
    if (disk->shareable)
        xmlWriterAddLit(w, "<shareable/>\n");
    if (disk->transient)
        xmlWriterAddLit(w, "<transient/>\n");
    xmlWriterEscape(w, "<serial>%s</serial>\n", disk->serial);
    xmlWriterEscape(w, "<wwn>%s</wwn>\n", disk->wwn);
    xmlWriterEscape(w, "<vendor>%s</vendor>\n", disk->vendor);
    xmlWriterEscape(w, "<product>%s</product>\n", disk->product);
    domainDeviceInfoFormat(w, &disk->info, flags);

    xmlWriterAdjustIndent(w, -2);
    xmlWriterAddLit(w, "</disk>\n");
}

/**
 * domainDiskNameToIndex:
 * @name: target device name such as "vda", "hdc", "sdaa"
 *
 * Returns: the drive number encoded by the letters after the prefix
 * ("a" = 0, "z" = 25, "aa" = 26 ...), or -1 when @name has no known
 * prefix or is malformed.
 */
int
domainDiskNameToIndex(const char *name)
{
    static const char *const prefixes[] = { "fd", "hd", "vd", "sd", "xvd", "ubd" };
    const char *p = NULL;
    long idx = 0;
    size_t i;
    size_t letters = 0;

    if (!name)
        return -1;
    for (i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        if (strPrefix(name, prefixes[i])) {
            p = name + strlen(prefixes[i]);
            break;
        }
    }
    if (!p || !*p)
        return -1;
    /* base-26 with "a" = 0 and "aa" = 26 */
    for (; *p >= 'a' && *p <= 'z'; p++, letters++) {
        idx = (idx + (letters ? 1 : 0)) * 26 + (*p - 'a');
        if (idx > 1000000)
            return -1;
    }
    if (letters == 0)
        return -1;
    /* optionally followed by a partition number */
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p)
        return -1;
    return (int)idx;
}

/* Sorted insertion: disks of one bus stay ordered by drive index. */
static size_t
domainDiskInsertPosition(const DomainDef *def, const DomainDiskDef *disk)
{
    ssize_t insertAt = -1;
    ssize_t i;
    int newIdx = domainDiskNameToIndex(disk->dst);

    for (i = (ssize_t)def->ndisks - 1; i >= 0; i--) {
        const DomainDiskDef *cur = def->disks[i];

        if (cur->bus != disk->bus)
            continue;
        if (domainDiskNameToIndex(cur->dst) > newIdx)
            insertAt = i;
        else if (insertAt == -1)
            insertAt = i + 1;
    }
    return insertAt < 0 ? def->ndisks : (size_t)insertAt;
}

/**
 * domainDefInsertDisk:
 * @def: definition
 * @disk: disk; ownership passes to @def
 *
 * Inserts @disk after the disks of its bus with lower drive numbers, the
 * order libvirt keeps (and formats) disks in.
 */
void
domainDefInsertDisk(DomainDef *def, DomainDiskDef *disk)
{
    size_t pos = domainDiskInsertPosition(def, disk);

    def->disks = g_renew(DomainDiskDef *, def->disks, def->ndisks + 1);
    memmove(def->disks + pos + 1, def->disks + pos,
            (def->ndisks - pos) * sizeof(DomainDiskDef *));
    def->disks[pos] = disk;
    def->ndisks++;
}

/* ------------------------------------------------------------------ */
/* Controllers                                                         */

/**
 * domainDefInsertController:
 * @def: definition
 * @ctrl: controller; ownership passes to @def
 *
 * Inserts @ctrl after the controllers of its type with lower indexes (the
 * order libvirt keeps controllers in).
 */
void
domainDefInsertController(DomainDef *def, DomainControllerDef *ctrl)
{
    ssize_t insertAt = -1;
    ssize_t i;
    size_t pos;

    for (i = (ssize_t)def->ncontrollers - 1; i >= 0; i--) {
        const DomainControllerDef *cur = def->controllers[i];

        if (cur->type != ctrl->type)
            continue;
        if (cur->idx > ctrl->idx)
            insertAt = i;
        else if (insertAt == -1)
            insertAt = i + 1;
    }
    pos = insertAt < 0 ? def->ncontrollers : (size_t)insertAt;
    def->controllers = g_renew(DomainControllerDef *, def->controllers,
                               def->ncontrollers + 1);
    memmove(def->controllers + pos + 1, def->controllers + pos,
            (def->ncontrollers - pos) * sizeof(DomainControllerDef *));
    def->controllers[pos] = ctrl;
    def->ncontrollers++;
}

static DomainControllerDef *
domainControllerDefParse(const DomainDef *def, xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainControllerDef) ctrl = domainControllerDefNew(DOMAIN_CONTROLLER_TYPE_IDE, -1);
    g_autofree char *model = NULL;
    xmlNodePtr child;
    int idx = -1;
    int rc;

    if (xmlUtilPropEnum(node, "type", domainControllerTypeFromString, 0, &ctrl->type) < 0)
        return NULL;
    if ((rc = xmlUtilPropInt(node, "index", 10, 0, &idx)) < 0)
        return NULL;
    if (rc > 0 && idx < 0) {
        reportError(VIR_ERR_XML_ERROR, _("Cannot parse controller index %1$d"), idx);
        return NULL;
    }
    if (rc == 0) {
        size_t i;

        /* next free index of this type */
        idx = 0;
        for (i = 0; i < def->ncontrollers; i++) {
            if (def->controllers[i]->type == ctrl->type && def->controllers[i]->idx >= idx)
                idx = def->controllers[i]->idx + 1;
        }
    }
    ctrl->idx = idx;

    if ((model = xmlUtilProp(node, "model"))) {
        if (!domainControllerModelCheck(ctrl->type, model)) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("Unknown model type '%1$s'"), model);
            return NULL;
        }
        ctrl->model = g_steal_pointer(&model);
    }
    if (xmlUtilPropInt(node, "ports", 10, 0, &ctrl->ports) < 0 ||
        xmlUtilPropInt(node, "vectors", 10, 0, &ctrl->vectors) < 0)
        return NULL;

    if ((child = xmlUtilChild(node, "driver"))) {
        if (xmlUtilPropUInt(child, "queues", 10, 0, &ctrl->queues) < 0 ||
            xmlUtilPropUInt(child, "iothread", 10, 0, &ctrl->iothread) < 0)
            return NULL;
    }
    if ((child = xmlUtilChild(node, "master"))) {
        ctrl->hasMaster = true;
        if (xmlUtilPropUInt(child, "startport", 10, 0, &ctrl->masterStartport) < 0)
            return NULL;
    }
    if ((child = xmlUtilChild(node, "model")))
        ctrl->modelName = xmlUtilProp(child, "name");
    if ((child = xmlUtilChild(node, "target"))) {
        if (xmlUtilPropInt(child, "chassisNr", 10, 0, &ctrl->targetChassisNr) < 0 ||
            xmlUtilPropInt(child, "chassis", 10, 0, &ctrl->targetChassis) < 0 ||
            xmlUtilPropInt(child, "port", 0, 0, &ctrl->targetPort) < 0 ||
            xmlUtilPropInt(child, "busNr", 10, 0, &ctrl->targetBusNr) < 0 ||
            xmlUtilPropInt(child, "index", 10, 0, &ctrl->targetIndex) < 0 ||
            xmlUtilPropEnum(child, "hotplug", domainTristateSwitchTypeFromString,
                            XML_UTIL_PROP_NONZERO, &ctrl->targetHotplug) < 0)
            return NULL;
    }
    if (domainDeviceInfoParse(node, &ctrl->info, flags, false) < 0)
        return NULL;
    return g_steal_pointer(&ctrl);
}

static void
domainControllerDefFormat(XmlWriter *w, const DomainControllerDef *ctrl, unsigned int flags)
{
    XmlWriter child;

    xmlWriterAdd(w, "<controller type='%s' index='%d'",
                 domainControllerTypeToString(ctrl->type), ctrl->idx);
    xmlWriterEscape(w, " model='%s'", ctrl->model);
    if (ctrl->ports != -1)
        xmlWriterAdd(w, " ports='%d'", ctrl->ports);
    if (ctrl->vectors != -1)
        xmlWriterAdd(w, " vectors='%d'", ctrl->vectors);

    xmlWriterInit(&child, w->indent + 2);
    if (ctrl->queues || ctrl->iothread) {
        xmlWriterAddLit(&child, "<driver");
        if (ctrl->queues)
            xmlWriterAdd(&child, " queues='%u'", ctrl->queues);
        if (ctrl->iothread)
            xmlWriterAdd(&child, " iothread='%u'", ctrl->iothread);
        xmlWriterAddLit(&child, "/>\n");
    }
    if (ctrl->hasMaster)
        xmlWriterAdd(&child, "<master startport='%u'/>\n", ctrl->masterStartport);
    xmlWriterEscape(&child, "<model name='%s'/>\n", ctrl->modelName);
    if (ctrl->targetChassisNr != -1 || ctrl->targetChassis != -1 || ctrl->targetPort != -1 ||
        ctrl->targetBusNr != -1 || ctrl->targetIndex != -1 || ctrl->targetHotplug) {
        xmlWriterAddLit(&child, "<target");
        if (ctrl->targetChassisNr != -1)
            xmlWriterAdd(&child, " chassisNr='%d'", ctrl->targetChassisNr);
        if (ctrl->targetChassis != -1)
            xmlWriterAdd(&child, " chassis='%d'", ctrl->targetChassis);
        if (ctrl->targetPort != -1)
            xmlWriterAdd(&child, " port='0x%x'", (unsigned int)ctrl->targetPort);
        if (ctrl->targetBusNr != -1)
            xmlWriterAdd(&child, " busNr='%d'", ctrl->targetBusNr);
        if (ctrl->targetIndex != -1)
            xmlWriterAdd(&child, " index='%d'", ctrl->targetIndex);
        if (ctrl->targetHotplug)
            xmlWriterAdd(&child, " hotplug='%s'",
                         domainTristateSwitchTypeToString(ctrl->targetHotplug));
        xmlWriterAddLit(&child, "/>\n");
    }
    domainDeviceInfoFormat(&child, &ctrl->info, flags);

    if (xmlWriterIsEmpty(&child)) {
        xmlWriterAddLit(w, "/>\n");
    } else {
        xmlWriterAddLit(w, ">\n");
        xmlWriterAddWriter(w, &child);
        xmlWriterAddLit(w, "</controller>\n");
    }
    xmlWriterClear(&child);
}

/* ------------------------------------------------------------------ */
/* Network interfaces                                                  */

static bool
domainNetModelIsValid(const char *model)
{
    const char *p;

    for (p = model; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
            return false;
    }
    return *model != '\0';
}

/*
 * Names a driver generates ("vnetN", "macvtapN", "macvlanN") are not part of
 * the persistent definition (libvirt's rule), unless an unmanaged tap
 * device happens to use one.
 */
static bool
domainNetIfnameIsGenerated(const DomainNetDef *net)
{
    if (!net->ifname)
        return false;
    if (net->type == DOMAIN_NET_TYPE_ETHERNET && net->managedTap == DOMAIN_TRISTATE_BOOL_NO)
        return false;
    return strPrefix(net->ifname, "vnet") || strPrefix(net->ifname, "macvtap") ||
        strPrefix(net->ifname, "macvlan");
}

static DomainNetDef *
domainNetDefParse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainNetDef) net = g_new0(DomainNetDef, 1);
    g_autofree char *mac = NULL;
    xmlNodePtr source = xmlUtilChild(node, "source");
    xmlNodePtr child;
    const char *typestr;

    if (xmlUtilPropEnum(node, "type", domainNetTypeFromString, 0, &net->type) < 0)
        return NULL;
    typestr = domainNetTypeToString(net->type);

    if ((child = xmlUtilChild(node, "mac")) && (mac = xmlUtilProp(child, "address"))) {
        if (macParse(mac, &net->mac) < 0) {
            reportError(VIR_ERR_XML_ERROR, _("unable to parse mac address '%1$s'"), mac);
            return NULL;
        }
        if (macIsMulticast(&net->mac)) {
            reportError(VIR_ERR_XML_ERROR,
                        _("expected unicast mac address, found multicast '%1$s'"), mac);
            return NULL;
        }
    } else if (macGenerate((const unsigned char[])MAC_PREFIX_QEMU, &net->mac) < 0) {
        return NULL;
    }

    switch ((DomainNetType)net->type) {
    case DOMAIN_NET_TYPE_NETWORK:
        if (!source) {
            reportError(VIR_ERR_XML_ERROR,
                        _("interface type='%1$s' requires a 'source' element"), typestr);
            return NULL;
        }
        net->network = xmlUtilProp(source, "network");
        net->portgroup = xmlUtilProp(source, "portgroup");
        if (!net->network) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("No <source> 'network' attribute specified with <interface type='network'/>"));
            return NULL;
        }
        break;
    case DOMAIN_NET_TYPE_BRIDGE:
        if (!source) {
            reportError(VIR_ERR_XML_ERROR,
                        _("interface type='%1$s' requires a 'source' element"), typestr);
            return NULL;
        }
        if (!(net->bridge = xmlUtilProp(source, "bridge"))) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("No <source> 'bridge' attribute specified with <interface type='bridge'/>"));
            return NULL;
        }
        break;
    case DOMAIN_NET_TYPE_DIRECT:
        if (!source) {
            reportError(VIR_ERR_XML_ERROR,
                        _("interface type='%1$s' requires a 'source' element"), typestr);
            return NULL;
        }
        if (!(net->dev = xmlUtilProp(source, "dev"))) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("No <source> 'dev' attribute specified with <interface type='direct'/>"));
            return NULL;
        }
        if (xmlUtilPropEnum(source, "mode", domainNetDirectModeTypeFromString, 0,
                            &net->directMode) < 0)
            return NULL;
        break;
    case DOMAIN_NET_TYPE_SERVER:
    case DOMAIN_NET_TYPE_CLIENT:
    case DOMAIN_NET_TYPE_MCAST:
    case DOMAIN_NET_TYPE_UDP:
        if (!source) {
            reportError(VIR_ERR_XML_ERROR,
                        _("interface type='%1$s' requires a 'source' element"), typestr);
            return NULL;
        }
        net->sockAddress = xmlUtilProp(source, "address");
        if (xmlUtilPropUInt(source, "port", 10, XML_UTIL_PROP_REQUIRED, &net->sockPort) < 0)
            return NULL;
        if (net->type == DOMAIN_NET_TYPE_UDP) {
            if (!(child = xmlUtilChild(source, "local"))) {
                reportError(VIR_ERR_XML_ERROR, "%s",
                            _("<local> element is required for udp interfaces"));
                return NULL;
            }
            net->localAddress = xmlUtilProp(child, "address");
            if (xmlUtilPropUInt(child, "port", 10, XML_UTIL_PROP_REQUIRED,
                                &net->localPort) < 0)
                return NULL;
        }
        break;
    case DOMAIN_NET_TYPE_VHOSTUSER: {
        g_autofree char *stype = NULL;
        g_autofree char *mode = NULL;

        if (!source) {
            reportError(VIR_ERR_XML_ERROR,
                        _("interface type='%1$s' requires a 'source' element"), typestr);
            return NULL;
        }
        stype = xmlUtilProp(source, "type");
        mode = xmlUtilProp(source, "mode");
        if (!streq(stype, "unix")) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("Type='%1$s' unsupported for <interface type='vhostuser'>"),
                        NULLSTR(stype));
            return NULL;
        }
        if (!(net->vhostPath = xmlUtilProp(source, "path"))) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("Missing 'path' attribute for <interface type='vhostuser'>"));
            return NULL;
        }
        if (!streq(mode, "server") && !streq(mode, "client")) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("Invalid 'mode' attribute '%1$s' for <interface type='vhostuser'>"),
                        NULLSTR(mode));
            return NULL;
        }
        net->vhostServer = streq(mode, "server");
        break;
    }
    case DOMAIN_NET_TYPE_USER:
    case DOMAIN_NET_TYPE_ETHERNET:
        break;
    case DOMAIN_NET_TYPE_INTERNAL:
    case DOMAIN_NET_TYPE_HOSTDEV:
    case DOMAIN_NET_TYPE_VDPA:
    case DOMAIN_NET_TYPE_NULL:
    case DOMAIN_NET_TYPE_VDS:
    case DOMAIN_NET_TYPE_LAST:
    default:
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported interface type '%1$s'"), typestr);
        return NULL;
    }

    if ((child = xmlUtilChild(node, "target"))) {
        net->ifname = xmlUtilProp(child, "dev");
        if (net->ifname && !*net->ifname)
            g_clear_pointer(&net->ifname, g_free);
        if (xmlUtilPropEnum(child, "managed", domainTristateBoolTypeFromString,
                            XML_UTIL_PROP_NONZERO, &net->managedTap) < 0)
            return NULL;
        if ((flags & DOMAIN_DEF_PARSE_INACTIVE) && domainNetIfnameIsGenerated(net))
            g_clear_pointer(&net->ifname, g_free);
    }
    if ((child = xmlUtilChild(node, "script")))
        net->script = xmlUtilProp(child, "path");
    if ((child = xmlUtilChild(node, "downscript")))
        net->downscript = xmlUtilProp(child, "path");
    if ((child = xmlUtilChild(node, "model"))) {
        net->model = xmlUtilProp(child, "type");
        if (net->model && !domainNetModelIsValid(net->model)) {
            reportError(VIR_ERR_INVALID_ARG, "%s", _("Model name contains invalid characters"));
            return NULL;
        }
    }
    if ((child = xmlUtilChild(node, "driver"))) {
        net->driverName = xmlUtilProp(child, "name");
        if (xmlUtilPropUInt(child, "queues", 10, 0, &net->driverQueues) < 0)
            return NULL;
    }
    if ((child = xmlUtilChild(node, "link"))) {
        g_autofree char *state = xmlUtilProp(child, "state");

        if (state && (net->linkState = domainNetLinkStateTypeFromString(state)) <= 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("unknown interface link state '%1$s'"), state);
            return NULL;
        }
    }
    if ((child = xmlUtilChild(node, "mtu"))) {
        g_autofree char *size = xmlUtilProp(child, "size");

        if (!size || strParseUInt(size, 10, &net->mtu) < 0) {
            reportError(VIR_ERR_XML_ERROR, "%s", _("malformed mtu size"));
            return NULL;
        }
    }
    if (domainDeviceInfoParse(node, &net->info, flags, true) < 0)
        return NULL;
    return g_steal_pointer(&net);
}

static void
domainNetDefFormat(XmlWriter *w, const DomainNetDef *net, unsigned int flags)
{
    char mac[MAC_STRING_BUFLEN];

    xmlWriterAdd(w, "<interface type='%s'>\n", domainNetTypeToString(net->type));
    xmlWriterAdjustIndent(w, 2);
    xmlWriterAdd(w, "<mac address='%s'/>\n", macFormat(&net->mac, mac));

    switch ((DomainNetType)net->type) {
    case DOMAIN_NET_TYPE_NETWORK:
        xmlWriterEscape(w, "<source network='%s'", net->network);
        xmlWriterEscape(w, " portgroup='%s'", net->portgroup);
        xmlWriterAddLit(w, "/>\n");
        break;
    case DOMAIN_NET_TYPE_BRIDGE:
        xmlWriterEscape(w, "<source bridge='%s'/>\n", net->bridge);
        break;
    case DOMAIN_NET_TYPE_VHOSTUSER:
        xmlWriterEscape(w, "<source type='unix' path='%s'", net->vhostPath);
        xmlWriterAdd(w, " mode='%s'/>\n", net->vhostServer ? "server" : "client");
        break;
    case DOMAIN_NET_TYPE_DIRECT:
        xmlWriterEscape(w, "<source dev='%s'", net->dev);
        xmlWriterAdd(w, " mode='%s'/>\n", domainNetDirectModeTypeToString(net->directMode));
        break;
    case DOMAIN_NET_TYPE_SERVER:
    case DOMAIN_NET_TYPE_CLIENT:
    case DOMAIN_NET_TYPE_MCAST:
    case DOMAIN_NET_TYPE_UDP:
        xmlWriterAddLit(w, "<source");
        xmlWriterEscape(w, " address='%s'", net->sockAddress);
        xmlWriterAdd(w, " port='%u'", net->sockPort);
        if (net->type != DOMAIN_NET_TYPE_UDP) {
            xmlWriterAddLit(w, "/>\n");
            break;
        }
        xmlWriterAddLit(w, ">\n");
        xmlWriterAdjustIndent(w, 2);
        xmlWriterAddLit(w, "<local");
        xmlWriterEscape(w, " address='%s'", net->localAddress);
        xmlWriterAdd(w, " port='%u'/>\n", net->localPort);
        xmlWriterAdjustIndent(w, -2);
        xmlWriterAddLit(w, "</source>\n");
        break;
    default:
        break;
    }

    xmlWriterEscape(w, "<script path='%s'/>\n", net->script);
    xmlWriterEscape(w, "<downscript path='%s'/>\n", net->downscript);
    if (net->ifname &&
        !((flags & DOMAIN_DEF_FORMAT_INACTIVE) && domainNetIfnameIsGenerated(net))) {
        xmlWriterEscape(w, "<target dev='%s'", net->ifname);
        if (net->managedTap)
            xmlWriterAdd(w, " managed='%s'", domainTristateBoolTypeToString(net->managedTap));
        xmlWriterAddLit(w, "/>\n");
    }
    xmlWriterEscape(w, "<model type='%s'/>\n", net->model);
    if (net->driverName || net->driverQueues) {
        xmlWriterAddLit(w, "<driver");
        xmlWriterEscape(w, " name='%s'", net->driverName);
        if (net->driverQueues)
            xmlWriterAdd(w, " queues='%u'", net->driverQueues);
        xmlWriterAddLit(w, "/>\n");
    }
    if (net->linkState)
        xmlWriterAdd(w, "<link state='%s'/>\n", domainNetLinkStateTypeToString(net->linkState));
    if (net->mtu)
        xmlWriterAdd(w, "<mtu size='%u'/>\n", net->mtu);
    domainDeviceInfoFormat(w, &net->info, flags);
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAddLit(w, "</interface>\n");
}

/* ------------------------------------------------------------------ */
/* Character devices                                                   */

static int
domainChrSourceParse(DomainChrSourceDef *src, xmlNodePtr parent, unsigned int flags)
{
    g_autofree xmlNodePtr *sources = NULL;
    size_t nsources = xmlUtilChildren(parent, "source", &sources);
    size_t i;

    for (i = 0; i < nsources; i++) {
        xmlNodePtr s = sources[i];
        g_autofree char *mode = xmlUtilProp(s, "mode");
        bool bind = streq(mode, "bind");

        switch ((DomainChrType)src->type) {
        case DOMAIN_CHR_TYPE_PTY:
        case DOMAIN_CHR_TYPE_DEV:
        case DOMAIN_CHR_TYPE_FILE:
        case DOMAIN_CHR_TYPE_PIPE:
        case DOMAIN_CHR_TYPE_UNIX:
            if (!src->path)
                src->path = xmlUtilProp(s, "path");
            if (src->type == DOMAIN_CHR_TYPE_UNIX && mode)
                src->listen = bind;
            if (src->type == DOMAIN_CHR_TYPE_FILE &&
                xmlUtilPropEnum(s, "append", domainTristateSwitchTypeFromString,
                                XML_UTIL_PROP_NONZERO, &src->append) < 0)
                return -1;
            break;
        case DOMAIN_CHR_TYPE_TCP:
            /* the first <source> describes the socket */
            if (i == 0) {
                src->host = xmlUtilProp(s, "host");
                src->service = xmlUtilProp(s, "service");
                src->listen = bind;
            }
            break;
        case DOMAIN_CHR_TYPE_UDP:
            if (bind && !src->bindHost && !src->bindService) {
                src->bindHost = xmlUtilProp(s, "host");
                src->bindService = xmlUtilProp(s, "service");
            } else if (!bind && !src->host && !src->service) {
                src->host = xmlUtilProp(s, "host");
                src->service = xmlUtilProp(s, "service");
            }
            break;
        case DOMAIN_CHR_TYPE_SPICEPORT:
            if (!src->channel)
                src->channel = xmlUtilProp(s, "channel");
            break;
        default:
            break;
        }
    }

    /* A pty's path is allocated at start: live data only. */
    if (src->type == DOMAIN_CHR_TYPE_PTY && (flags & DOMAIN_DEF_PARSE_INACTIVE))
        g_clear_pointer(&src->path, g_free);

    switch ((DomainChrType)src->type) {
    case DOMAIN_CHR_TYPE_UNIX:
        /* without any <source> the driver picks a path */
        if (nsources == 0)
            break;
        G_GNUC_FALLTHROUGH;
    case DOMAIN_CHR_TYPE_DEV:
    case DOMAIN_CHR_TYPE_FILE:
    case DOMAIN_CHR_TYPE_PIPE:
        if (!src->path) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("Missing source path attribute for char device"));
            return -1;
        }
        break;
    case DOMAIN_CHR_TYPE_TCP:
        if (!src->host) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("Missing source host attribute for char device"));
            return -1;
        }
        if (!src->service) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("Missing source service attribute for char device"));
            return -1;
        }
        break;
    case DOMAIN_CHR_TYPE_UDP:
        if (!src->service) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("Missing source service attribute for char device"));
            return -1;
        }
        break;
    case DOMAIN_CHR_TYPE_SPICEPORT:
        if (!src->channel) {
            reportError(VIR_ERR_XML_ERROR, "%s",
                        _("Missing source channel attribute for char device"));
            return -1;
        }
        break;
    default:
        break;
    }

    if (src->type == DOMAIN_CHR_TYPE_TCP) {
        xmlNodePtr proto = xmlUtilChild(parent, "protocol");
        int rc = 0;

        if (proto && (rc = xmlUtilPropEnum(proto, "type", domainChrTcpProtocolTypeFromString,
                                           0, &src->protocol)) < 0)
            return -1;
        src->protocolSet = true;
    }
    return 0;
}

static DomainChrDef *
domainChrDefParse(xmlNodePtr node, int deviceType, unsigned int flags)
{
    g_autoptr(DomainChrDef) chr = domainChrDefNew(deviceType);
    g_autofree char *type = xmlUtilProp(node, "type");
    xmlNodePtr target = xmlUtilChild(node, "target");

    if (type && (chr->source.type = domainChrTypeFromString(type)) < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unknown type presented to host for character device: %1$s"), type);
        return NULL;
    }
    if (domainChrSourceParse(&chr->source, node, flags) < 0)
        return NULL;

    if (target) {
        g_autofree char *port = xmlUtilProp(target, "port");
        g_autofree char *ttype = xmlUtilProp(target, "type");

        if (ttype) {
            int t = -1;

            if (deviceType == DOMAIN_CHR_DEVICE_SERIAL)
                t = domainChrSerialTargetTypeFromString(ttype);
            else if (deviceType == DOMAIN_CHR_DEVICE_CONSOLE)
                t = domainChrConsoleTargetTypeFromString(ttype);
            else if (deviceType == DOMAIN_CHR_DEVICE_CHANNEL)
                t = domainChrChannelTargetTypeFromString(ttype);
            if (t <= 0) {
                reportError(VIR_ERR_XML_ERROR,
                            _("unknown target type '%1$s' specified for character device"),
                            ttype);
                return NULL;
            }
            chr->targetType = t;
        }
        if (deviceType == DOMAIN_CHR_DEVICE_CHANNEL) {
            if (chr->targetType == DOMAIN_CHR_CHANNEL_TARGET_GUESTFWD) {
                unsigned int p;

                chr->targetAddr = xmlUtilProp(target, "address");
                if (!chr->targetAddr) {
                    reportError(VIR_ERR_XML_ERROR,
                                _("Missing required attribute '%1$s' in element '%2$s'"),
                                "address", "target");
                    return NULL;
                }
                if (xmlUtilPropUInt(target, "port", 10, XML_UTIL_PROP_REQUIRED, &p) < 0)
                    return NULL;
                chr->targetPort = (int)p;
                g_clear_pointer(&port, g_free);
            } else if (chr->targetType == DOMAIN_CHR_CHANNEL_TARGET_VIRTIO ||
                       chr->targetType == DOMAIN_CHR_CHANNEL_TARGET_XEN) {
                chr->targetName = xmlUtilProp(target, "name");
                if (!(flags & DOMAIN_DEF_PARSE_INACTIVE) &&
                    xmlUtilPropEnum(target, "state", domainChrChannelStateTypeFromString,
                                    XML_UTIL_PROP_NONZERO, &chr->targetChannelState) < 0)
                    return NULL;
                g_clear_pointer(&port, g_free);
            }
        }
        if (port) {
            unsigned int p;

            if (strParseUInt(port, 10, &p) < 0 || p > G_MAXINT) {
                reportError(VIR_ERR_XML_ERROR, _("Invalid port number: %1$s"), port);
                return NULL;
            }
            chr->targetPort = (int)p;
        }
        if (deviceType == DOMAIN_CHR_DEVICE_SERIAL) {
            xmlNodePtr model = xmlUtilChild(target, "model");

            if (model)
                chr->targetModel = xmlUtilProp(model, "name");
        }
    }
    if (deviceType == DOMAIN_CHR_DEVICE_CHANNEL &&
        chr->targetType == DOMAIN_CHR_CHANNEL_TARGET_NONE) {
        reportError(VIR_ERR_XML_ERROR, "%s",
                    _("target type must be specified for channel device"));
        return NULL;
    }
    if (domainDeviceInfoParse(node, &chr->info, flags, false) < 0)
        return NULL;
    return g_steal_pointer(&chr);
}

static void
domainChrSourceFormat(XmlWriter *w, const DomainChrSourceDef *src, unsigned int flags)
{
    switch ((DomainChrType)src->type) {
    case DOMAIN_CHR_TYPE_PTY:
        if (src->path && !(flags & DOMAIN_DEF_FORMAT_INACTIVE))
            xmlWriterEscape(w, "<source path='%s'/>\n", src->path);
        break;
    case DOMAIN_CHR_TYPE_DEV:
    case DOMAIN_CHR_TYPE_PIPE:
        xmlWriterEscape(w, "<source path='%s'/>\n", src->path);
        break;
    case DOMAIN_CHR_TYPE_FILE:
        xmlWriterEscape(w, "<source path='%s'", src->path);
        if (src->append)
            xmlWriterAdd(w, " append='%s'", domainTristateSwitchTypeToString(src->append));
        xmlWriterAddLit(w, "/>\n");
        break;
    case DOMAIN_CHR_TYPE_UNIX:
        if (!src->path)
            break;
        xmlWriterAdd(w, "<source mode='%s'", src->listen ? "bind" : "connect");
        xmlWriterEscape(w, " path='%s'/>\n", src->path);
        break;
    case DOMAIN_CHR_TYPE_TCP:
        xmlWriterAdd(w, "<source mode='%s'", src->listen ? "bind" : "connect");
        xmlWriterEscape(w, " host='%s'", src->host);
        xmlWriterEscape(w, " service='%s'/>\n", src->service);
        xmlWriterAdd(w, "<protocol type='%s'/>\n",
                     domainChrTcpProtocolTypeToString(src->protocol));
        break;
    case DOMAIN_CHR_TYPE_UDP:
        if (src->bindHost || src->bindService) {
            xmlWriterAddLit(w, "<source mode='bind'");
            xmlWriterEscape(w, " host='%s'", src->bindHost);
            xmlWriterEscape(w, " service='%s'", src->bindService);
            xmlWriterAddLit(w, "/>\n");
        }
        if (src->host || src->service) {
            xmlWriterAddLit(w, "<source mode='connect'");
            xmlWriterEscape(w, " host='%s'", src->host);
            xmlWriterEscape(w, " service='%s'", src->service);
            xmlWriterAddLit(w, "/>\n");
        }
        break;
    case DOMAIN_CHR_TYPE_SPICEPORT:
        xmlWriterEscape(w, "<source channel='%s'/>\n", src->channel);
        break;
    default:
        break;
    }
}

static void
domainChrDefFormat(XmlWriter *w, const DomainChrDef *chr, unsigned int flags)
{
    const char *elem = domainChrDeviceTypeToString(chr->deviceType);
    bool tty = chr->deviceType == DOMAIN_CHR_DEVICE_CONSOLE &&
        chr->source.type == DOMAIN_CHR_TYPE_PTY && chr->source.path &&
        !(flags & DOMAIN_DEF_FORMAT_INACTIVE);

    xmlWriterAdd(w, "<%s type='%s'", elem, domainChrTypeToString(chr->source.type));
    if (tty)
        xmlWriterEscape(w, " tty='%s'", chr->source.path);
    xmlWriterAddLit(w, ">\n");
    xmlWriterAdjustIndent(w, 2);
    domainChrSourceFormat(w, &chr->source, flags);

    switch ((DomainChrDeviceType)chr->deviceType) {
    case DOMAIN_CHR_DEVICE_SERIAL:
    case DOMAIN_CHR_DEVICE_PARALLEL:
        xmlWriterAddLit(w, "<target");
        if (chr->targetType && chr->deviceType == DOMAIN_CHR_DEVICE_SERIAL)
            xmlWriterAdd(w, " type='%s'", domainChrSerialTargetTypeToString(chr->targetType));
        xmlWriterAdd(w, " port='%d'", chr->targetPort);
        if (chr->targetModel) {
            xmlWriterAddLit(w, ">\n");
            xmlWriterAdjustIndent(w, 2);
            xmlWriterEscape(w, "<model name='%s'/>\n", chr->targetModel);
            xmlWriterAdjustIndent(w, -2);
            xmlWriterAddLit(w, "</target>\n");
        } else {
            xmlWriterAddLit(w, "/>\n");
        }
        break;
    case DOMAIN_CHR_DEVICE_CONSOLE:
        xmlWriterAdd(w, "<target type='%s' port='%d'/>\n",
                     domainChrConsoleTargetTypeToString(chr->targetType), chr->targetPort);
        break;
    case DOMAIN_CHR_DEVICE_CHANNEL:
        xmlWriterAdd(w, "<target type='%s'",
                     domainChrChannelTargetTypeToString(chr->targetType));
        if (chr->targetType == DOMAIN_CHR_CHANNEL_TARGET_GUESTFWD) {
            xmlWriterEscape(w, " address='%s'", chr->targetAddr);
            xmlWriterAdd(w, " port='%d'", chr->targetPort);
        } else {
            xmlWriterEscape(w, " name='%s'", chr->targetName);
            if (chr->targetChannelState && !(flags & DOMAIN_DEF_FORMAT_INACTIVE))
                xmlWriterAdd(w, " state='%s'",
                             domainChrChannelStateTypeToString(chr->targetChannelState));
        }
        xmlWriterAddLit(w, "/>\n");
        break;
    case DOMAIN_CHR_DEVICE_LAST:
        break;
    }
    domainDeviceInfoFormat(w, &chr->info, flags);
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</%s>\n", elem);
}

/* ------------------------------------------------------------------ */
/* Graphics                                                            */

/* SPICE's single-attribute children, in the order libvirt formats them. */
typedef struct {
    const char *elem;
    const char *attr;
} DomainSpiceOptSpec;

static const DomainSpiceOptSpec domainSpiceOpts[] = {
    { "channel", "mode" },          /* plus name= */
    { "image", "compression" },
    { "jpeg", "compression" },
    { "zlib", "compression" },
    { "playback", "compression" },
    { "streaming", "mode" },
    { "mouse", "mode" },
    { "clipboard", "copypaste" },
    { "filetransfer", "enable" },
    { "gl", "enable" },             /* plus rendernode= */
};

static int
domainGraphicsParsePort(xmlNodePtr node, const char *attr, const char *what, int *ret)
{
    g_autofree char *val = xmlUtilProp(node, attr);

    if (!val)
        return 0;
    if (strParseInt(val, 10, ret) < 0) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot parse %1$s %2$s %3$s"), what,
                    attr, val);
        return -1;
    }
    return 1;
}

static int
domainGraphicsParseListens(DomainGraphicsDef *gr, xmlNodePtr node, unsigned int flags)
{
    g_autofree xmlNodePtr *listens = NULL;
    g_autofree char *listenAttr = xmlUtilProp(node, "listen");
    size_t n = xmlUtilChildren(node, "listen", &listens);
    size_t i;

    if (n > 16) {
        reportError(VIR_ERR_XML_ERROR, "%s", _("too many <listen> elements (limit 16)"));
        return -1;
    }
    gr->listens = g_new0(DomainGraphicsListenDef, n + 1);
    for (i = 0; i < n; i++) {
        DomainGraphicsListenDef *l = &gr->listens[gr->nListens];

        if (xmlUtilPropEnum(listens[i], "type", domainGraphicsListenTypeFromString,
                            XML_UTIL_PROP_REQUIRED, &l->type) < 0)
            return -1;
        switch ((DomainGraphicsListenType)l->type) {
        case DOMAIN_GRAPHICS_LISTEN_ADDRESS:
            l->address = xmlUtilProp(listens[i], "address");
            break;
        case DOMAIN_GRAPHICS_LISTEN_NETWORK:
            l->network = xmlUtilProp(listens[i], "network");
            /* the address a network resolves to is live data */
            if (!(flags & DOMAIN_DEF_PARSE_INACTIVE))
                l->address = xmlUtilProp(listens[i], "address");
            break;
        case DOMAIN_GRAPHICS_LISTEN_SOCKET:
            l->socket = xmlUtilProp(listens[i], "socket");
            break;
        case DOMAIN_GRAPHICS_LISTEN_NONE:
        case DOMAIN_GRAPHICS_LISTEN_LAST:
            break;
        }
        gr->nListens++;
    }

    if (listenAttr) {
        if (gr->nListens > 0 && gr->listens[0].type == DOMAIN_GRAPHICS_LISTEN_ADDRESS &&
            gr->listens[0].address) {
            if (!streq(gr->listens[0].address, listenAttr)) {
                reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                            _("graphics 'listen' attribute '%1$s' must match 'address' attribute of first listen element (found '%2$s')"),
                            listenAttr, gr->listens[0].address);
                return -1;
            }
        } else if (gr->nListens > 0 &&
                   gr->listens[0].type == DOMAIN_GRAPHICS_LISTEN_ADDRESS) {
            gr->listens[0].address = g_steal_pointer(&listenAttr);
        } else if (gr->nListens == 0) {
            gr->listens[0].type = DOMAIN_GRAPHICS_LISTEN_ADDRESS;
            gr->listens[0].address = g_steal_pointer(&listenAttr);
            gr->nListens = 1;
        }
    }
    return 0;
}

static DomainGraphicsDef *
domainGraphicsDefParse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainGraphicsDef) gr = g_new0(DomainGraphicsDef, 1);
    const char *typestr;
    g_autofree char *autoport = NULL;
    xmlNodePtr child;
    int rc;

    if (xmlUtilPropEnum(node, "type", domainGraphicsTypeFromString,
                        XML_UTIL_PROP_REQUIRED, &gr->type) < 0)
        return NULL;
    typestr = domainGraphicsTypeToString(gr->type);

    switch ((DomainGraphicsType)gr->type) {
    case DOMAIN_GRAPHICS_TYPE_VNC:
    case DOMAIN_GRAPHICS_TYPE_SPICE:
    case DOMAIN_GRAPHICS_TYPE_RDP:
        if ((rc = domainGraphicsParsePort(node, "port", typestr, &gr->port)) < 0)
            return NULL;
        if (gr->type == DOMAIN_GRAPHICS_TYPE_VNC) {
            /* No port or port -1 means "pick one at start". */
            if (rc == 0 || gr->port == -1) {
                gr->autoport = true;
                if (gr->port == -1)
                    gr->port = 0;
            }
        } else if (gr->port == -1) {
            gr->autoport = true;
            gr->port = 0;
        }
        if (gr->type == DOMAIN_GRAPHICS_TYPE_SPICE &&
            domainGraphicsParsePort(node, "tlsPort", "spice", &gr->tlsPort) < 0)
            return NULL;
        if ((autoport = xmlUtilProp(node, "autoport"))) {
            if (streq(autoport, "yes"))
                gr->autoport = true;
            else if (streq(autoport, "no"))
                gr->autoport = false;
        }
        if (gr->autoport && (flags & DOMAIN_DEF_PARSE_INACTIVE)) {
            gr->port = 0;
            if (gr->type == DOMAIN_GRAPHICS_TYPE_SPICE)
                gr->tlsPort = 0;
        }
        if (gr->type == DOMAIN_GRAPHICS_TYPE_VNC) {
            if (domainGraphicsParsePort(node, "websocket", "vnc", &gr->websocket) < 0)
                return NULL;
            gr->sharePolicy = xmlUtilProp(node, "sharePolicy");
        }
        if (gr->type == DOMAIN_GRAPHICS_TYPE_SPICE)
            gr->defaultMode = xmlUtilProp(node, "defaultMode");
        if (gr->type != DOMAIN_GRAPHICS_TYPE_RDP)
            gr->connected = xmlUtilProp(node, "connected");
        if (gr->type == DOMAIN_GRAPHICS_TYPE_RDP &&
            (xmlUtilPropEnum(node, "multiUser", domainTristateBoolTypeFromString,
                             XML_UTIL_PROP_NONZERO, &gr->multiUser) < 0 ||
             xmlUtilPropEnum(node, "replaceUser", domainTristateBoolTypeFromString,
                             XML_UTIL_PROP_NONZERO, &gr->replaceUser) < 0))
            return NULL;
        gr->keymap = xmlUtilProp(node, "keymap");
        if (gr->type != DOMAIN_GRAPHICS_TYPE_RDP) {
            gr->passwd = xmlUtilProp(node, "passwd");
            gr->passwdValidTo = xmlUtilProp(node, "passwdValidTo");
        }
        if (domainGraphicsParseListens(gr, node, flags) < 0)
            return NULL;
        if (gr->type == DOMAIN_GRAPHICS_TYPE_VNC) {
            g_autofree char *socket = xmlUtilProp(node, "socket");

            if (socket && gr->nListens == 0) {
                gr->listens[0].type = DOMAIN_GRAPHICS_LISTEN_SOCKET;
                gr->listens[0].socket = g_steal_pointer(&socket);
                gr->nListens = 1;
            }
        }
        break;
    case DOMAIN_GRAPHICS_TYPE_SDL:
    case DOMAIN_GRAPHICS_TYPE_DESKTOP:
        gr->display = xmlUtilProp(node, "display");
        if (gr->type == DOMAIN_GRAPHICS_TYPE_SDL)
            gr->xauth = xmlUtilProp(node, "xauth");
        if (xmlUtilPropEnum(node, "fullscreen", domainTristateBoolTypeFromString,
                            XML_UTIL_PROP_NONZERO, &gr->fullscreen) < 0)
            return NULL;
        break;
    case DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS:
        if ((child = xmlUtilChild(node, "gl")))
            gr->rendernode = xmlUtilProp(child, "rendernode");
        break;
    case DOMAIN_GRAPHICS_TYPE_DBUS:
    case DOMAIN_GRAPHICS_TYPE_LAST:
        break;
    }

    if (gr->type == DOMAIN_GRAPHICS_TYPE_SPICE) {
        xmlNodePtr cur;

        gr->spiceOpts = g_new0(DomainGraphicsSpiceOpt, 1);
        for (cur = node->children; cur; cur = cur->next) {
            size_t k;

            if (cur->type != XML_ELEMENT_NODE || cur->ns)
                continue;
            for (k = 0; k < G_N_ELEMENTS(domainSpiceOpts); k++) {
                DomainGraphicsSpiceOpt *opt;

                if (!xmlStrEqual(cur->name, BAD_CAST domainSpiceOpts[k].elem))
                    continue;
                if (gr->nSpiceOpts >= 64) {
                    reportError(VIR_ERR_XML_ERROR, "%s",
                                _("too many spice options (limit 64)"));
                    return NULL;
                }
                gr->spiceOpts = g_renew(DomainGraphicsSpiceOpt, gr->spiceOpts,
                                        gr->nSpiceOpts + 1);
                opt = &gr->spiceOpts[gr->nSpiceOpts++];
                memset(opt, 0, sizeof(*opt));
                opt->kind = (int)k;
                opt->value = xmlUtilProp(cur, domainSpiceOpts[k].attr);
                if (k == 0)
                    opt->extra = xmlUtilProp(cur, "name");
                else if (streq(domainSpiceOpts[k].elem, "gl"))
                    opt->extra = xmlUtilProp(cur, "rendernode");
                break;
            }
        }
    }
    return g_steal_pointer(&gr);
}

static void
domainGraphicsListenFormat(XmlWriter *w, const DomainGraphicsListenDef *l,
                           unsigned int flags)
{
    xmlWriterAdd(w, "<listen type='%s'", domainGraphicsListenTypeToString(l->type));
    switch ((DomainGraphicsListenType)l->type) {
    case DOMAIN_GRAPHICS_LISTEN_ADDRESS:
        xmlWriterEscape(w, " address='%s'", l->address);
        break;
    case DOMAIN_GRAPHICS_LISTEN_NETWORK:
        if (!(flags & DOMAIN_DEF_FORMAT_INACTIVE))
            xmlWriterEscape(w, " address='%s'", l->address);
        xmlWriterEscape(w, " network='%s'", l->network);
        break;
    case DOMAIN_GRAPHICS_LISTEN_SOCKET:
        xmlWriterEscape(w, " socket='%s'", l->socket);
        break;
    case DOMAIN_GRAPHICS_LISTEN_NONE:
    case DOMAIN_GRAPHICS_LISTEN_LAST:
        break;
    }
    xmlWriterAddLit(w, "/>\n");
}

/* Password attributes: only with a password, the password itself only
 * with DOMAIN_DEF_FORMAT_SECURE. */
static void
domainGraphicsAuthFormat(XmlWriter *w, const DomainGraphicsDef *gr, unsigned int flags)
{
    if (!gr->passwd)
        return;
    if (flags & DOMAIN_DEF_FORMAT_SECURE)
        xmlWriterEscape(w, " passwd='%s'", gr->passwd);
    xmlWriterEscape(w, " passwdValidTo='%s'", gr->passwdValidTo);
    xmlWriterEscape(w, " connected='%s'", gr->connected);
}

static void
domainGraphicsDefFormat(XmlWriter *w, const DomainGraphicsDef *gr, unsigned int flags)
{
    const DomainGraphicsListenDef *first = gr->nListens ? &gr->listens[0] : NULL;
    bool inactive = (flags & DOMAIN_DEF_FORMAT_INACTIVE) != 0;
    bool ports = first && (first->type == DOMAIN_GRAPHICS_LISTEN_ADDRESS ||
                           first->type == DOMAIN_GRAPHICS_LISTEN_NETWORK);
    XmlWriter child;
    size_t i;

    xmlWriterAdd(w, "<graphics type='%s'", domainGraphicsTypeToString(gr->type));
    switch ((DomainGraphicsType)gr->type) {
    case DOMAIN_GRAPHICS_TYPE_VNC:
        if (first && first->type == DOMAIN_GRAPHICS_LISTEN_SOCKET) {
            xmlWriterEscape(w, " socket='%s'", first->socket);
        } else if (ports) {
            if (gr->port && (!gr->autoport || !inactive))
                xmlWriterAdd(w, " port='%d'", gr->port);
            else if (gr->autoport)
                xmlWriterAddLit(w, " port='-1'");
            xmlWriterAdd(w, " autoport='%s'", gr->autoport ? "yes" : "no");
            if (gr->websocket)
                xmlWriterAdd(w, " websocket='%d'", gr->websocket);
        }
        if (first && first->type == DOMAIN_GRAPHICS_LISTEN_ADDRESS)
            xmlWriterEscape(w, " listen='%s'", first->address);
        xmlWriterEscape(w, " keymap='%s'", gr->keymap);
        xmlWriterEscape(w, " sharePolicy='%s'", gr->sharePolicy);
        domainGraphicsAuthFormat(w, gr, flags);
        break;
    case DOMAIN_GRAPHICS_TYPE_SPICE:
        if (ports) {
            if (gr->port && (!gr->autoport || !inactive))
                xmlWriterAdd(w, " port='%d'", gr->port);
            if (gr->tlsPort && (!gr->autoport || !inactive))
                xmlWriterAdd(w, " tlsPort='%d'", gr->tlsPort);
            xmlWriterAdd(w, " autoport='%s'", gr->autoport ? "yes" : "no");
        }
        if (first && first->type == DOMAIN_GRAPHICS_LISTEN_ADDRESS)
            xmlWriterEscape(w, " listen='%s'", first->address);
        xmlWriterEscape(w, " keymap='%s'", gr->keymap);
        xmlWriterEscape(w, " defaultMode='%s'", gr->defaultMode);
        domainGraphicsAuthFormat(w, gr, flags);
        break;
    case DOMAIN_GRAPHICS_TYPE_RDP:
        if (ports) {
            if (gr->port)
                xmlWriterAdd(w, " port='%d'", gr->port);
            else if (gr->autoport)
                xmlWriterAddLit(w, " port='0'");
            if (gr->autoport)
                xmlWriterAddLit(w, " autoport='yes'");
        }
        if (gr->multiUser)
            xmlWriterAdd(w, " multiUser='%s'", domainTristateBoolTypeToString(gr->multiUser));
        if (gr->replaceUser)
            xmlWriterAdd(w, " replaceUser='%s'",
                         domainTristateBoolTypeToString(gr->replaceUser));
        if (first && first->type == DOMAIN_GRAPHICS_LISTEN_ADDRESS)
            xmlWriterEscape(w, " listen='%s'", first->address);
        break;
    case DOMAIN_GRAPHICS_TYPE_SDL:
    case DOMAIN_GRAPHICS_TYPE_DESKTOP:
        xmlWriterEscape(w, " display='%s'", gr->display);
        xmlWriterEscape(w, " xauth='%s'", gr->xauth);
        if (gr->fullscreen)
            xmlWriterAdd(w, " fullscreen='%s'", domainTristateBoolTypeToString(gr->fullscreen));
        break;
    case DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS:
    case DOMAIN_GRAPHICS_TYPE_DBUS:
    case DOMAIN_GRAPHICS_TYPE_LAST:
        break;
    }

    xmlWriterInit(&child, w->indent + 2);
    for (i = 0; i < gr->nListens; i++) {
        /* the socket of a VNC socket listen is already the attribute */
        domainGraphicsListenFormat(&child, &gr->listens[i], flags);
    }
    if (gr->type == DOMAIN_GRAPHICS_TYPE_SPICE) {
        size_t k;

        for (k = 0; k < G_N_ELEMENTS(domainSpiceOpts); k++) {
            for (i = 0; i < gr->nSpiceOpts; i++) {
                const DomainGraphicsSpiceOpt *opt = &gr->spiceOpts[i];

                if (opt->kind != (int)k)
                    continue;
                xmlWriterAdd(&child, "<%s", domainSpiceOpts[k].elem);
                if (k == 0)
                    xmlWriterEscape(&child, " name='%s'", opt->extra);
                xmlWriterAdd(&child, " %s=", domainSpiceOpts[k].attr);
                xmlWriterEscape(&child, "'%s'", opt->value ? opt->value : "");
                if (k != 0)
                    xmlWriterEscape(&child, " rendernode='%s'", opt->extra);
                xmlWriterAddLit(&child, "/>\n");
            }
        }
    }
    if (gr->type == DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS)
        xmlWriterEscape(&child, "<gl rendernode='%s'/>\n", gr->rendernode);

    if (xmlWriterIsEmpty(&child)) {
        xmlWriterAddLit(w, "/>\n");
    } else {
        xmlWriterAddLit(w, ">\n");
        xmlWriterAddWriter(w, &child);
        xmlWriterAddLit(w, "</graphics>\n");
    }
    xmlWriterClear(&child);
}

/* ------------------------------------------------------------------ */
/* Video, input, memballoon, rng, watchdog                             */

static int
domainVideoParseSize(xmlNodePtr model, const char *attr, unsigned int *ret)
{
    g_autofree char *val = xmlUtilProp(model, attr);

    if (!val)
        return 0;
    if (strParseUInt(val, 10, ret) < 0) {
        reportError(VIR_ERR_XML_ERROR, _("cannot parse video %1$s '%2$s'"), attr, val);
        return -1;
    }
    return 0;
}

static DomainVideoDef *
domainVideoDefParse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainVideoDef) video = domainVideoDefNew();
    xmlNodePtr model = xmlUtilChild(node, "model");

    if (model) {
        g_autofree char *type = xmlUtilProp(model, "type");
        g_autofree char *primary = xmlUtilProp(model, "primary");
        xmlNodePtr accel;

        if (type && (video->type = domainVideoTypeFromString(type)) < 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown video model '%1$s'"), type);
            return NULL;
        }
        if (domainVideoParseSize(model, "ram", &video->ram) < 0 ||
            domainVideoParseSize(model, "vram", &video->vram) < 0 ||
            domainVideoParseSize(model, "vram64", &video->vram64) < 0 ||
            domainVideoParseSize(model, "vgamem", &video->vgamem) < 0 ||
            domainVideoParseSize(model, "heads", &video->heads) < 0)
            return NULL;
        video->primary = streq(primary, "yes");
        if ((accel = xmlUtilChild(model, "acceleration"))) {
            if (xmlUtilPropEnum(accel, "accel3d", domainTristateBoolTypeFromString,
                                XML_UTIL_PROP_NONZERO, &video->accel3d) < 0 ||
                xmlUtilPropEnum(accel, "accel2d", domainTristateBoolTypeFromString,
                                XML_UTIL_PROP_NONZERO, &video->accel2d) < 0)
                return NULL;
        }
    }
    if (domainDeviceInfoParse(node, &video->info, flags, false) < 0)
        return NULL;
    return g_steal_pointer(&video);
}

static void
domainVideoDefFormat(XmlWriter *w, const DomainVideoDef *video, unsigned int flags)
{
    xmlWriterAddLit(w, "<video>\n");
    xmlWriterAdjustIndent(w, 2);
    xmlWriterAdd(w, "<model type='%s'", domainVideoTypeToString(video->type));
    if (video->ram)
        xmlWriterAdd(w, " ram='%u'", video->ram);
    if (video->vram)
        xmlWriterAdd(w, " vram='%u'", video->vram);
    if (video->vram64)
        xmlWriterAdd(w, " vram64='%u'", video->vram64);
    if (video->vgamem)
        xmlWriterAdd(w, " vgamem='%u'", video->vgamem);
    if (video->heads)
        xmlWriterAdd(w, " heads='%u'", video->heads);
    if (video->primary)
        xmlWriterAddLit(w, " primary='yes'");
    if (video->accel3d || video->accel2d) {
        xmlWriterAddLit(w, ">\n");
        xmlWriterAdjustIndent(w, 2);
        xmlWriterAddLit(w, "<acceleration");
        if (video->accel3d)
            xmlWriterAdd(w, " accel3d='%s'", domainTristateBoolTypeToString(video->accel3d));
        if (video->accel2d)
            xmlWriterAdd(w, " accel2d='%s'", domainTristateBoolTypeToString(video->accel2d));
        xmlWriterAddLit(w, "/>\n");
        xmlWriterAdjustIndent(w, -2);
        xmlWriterAddLit(w, "</model>\n");
    } else {
        xmlWriterAddLit(w, "/>\n");
    }
    domainDeviceInfoFormat(w, &video->info, flags);
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAddLit(w, "</video>\n");
}

static DomainInputDef *
domainInputDefParse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainInputDef) input = g_new0(DomainInputDef, 1);
    g_autofree char *type = xmlUtilProp(node, "type");
    g_autofree char *bus = xmlUtilProp(node, "bus");
    xmlNodePtr source;

    if (!type) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("missing input device type"));
        return NULL;
    }
    if ((input->type = domainInputTypeFromString(type)) < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown input device type '%1$s'"), type);
        return NULL;
    }
    if (bus && (input->bus = domainInputBusTypeFromString(bus)) <= 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown input bus type '%1$s'"), bus);
        return NULL;
    }
    if ((source = xmlUtilChild(node, "source"))) {
        if (input->type == DOMAIN_INPUT_TYPE_EVDEV) {
            input->evdev = xmlUtilProp(source, "dev");
            input->evdevGrab = xmlUtilProp(source, "grab");
            input->evdevRepeat = xmlUtilProp(source, "repeat");
            input->evdevGrabToggle = xmlUtilProp(source, "grabToggle");
        } else {
            input->evdev = xmlUtilProp(source, "evdev");
        }
    }
    if ((input->type == DOMAIN_INPUT_TYPE_PASSTHROUGH ||
         input->type == DOMAIN_INPUT_TYPE_EVDEV) && !input->evdev) {
        reportError(VIR_ERR_XML_ERROR, _("Missing evdev path for input device %1$s"), type);
        return NULL;
    }
    if (domainDeviceInfoParse(node, &input->info, flags, false) < 0)
        return NULL;
    return g_steal_pointer(&input);
}

static void
domainInputDefFormat(XmlWriter *w, const DomainInputDef *input, unsigned int flags)
{
    XmlWriter child;

    xmlWriterAdd(w, "<input type='%s'", domainInputTypeToString(input->type));
    if (input->bus)
        xmlWriterAdd(w, " bus='%s'", domainInputBusTypeToString(input->bus));
    xmlWriterInit(&child, w->indent + 2);
    if (input->type == DOMAIN_INPUT_TYPE_EVDEV && input->evdev) {
        xmlWriterEscape(&child, "<source dev='%s'", input->evdev);
        xmlWriterEscape(&child, " grab='%s'", input->evdevGrab);
        xmlWriterEscape(&child, " repeat='%s'", input->evdevRepeat);
        xmlWriterEscape(&child, " grabToggle='%s'", input->evdevGrabToggle);
        xmlWriterAddLit(&child, "/>\n");
    } else {
        xmlWriterEscape(&child, "<source evdev='%s'/>\n", input->evdev);
    }
    domainDeviceInfoFormat(&child, &input->info, flags);
    if (xmlWriterIsEmpty(&child)) {
        xmlWriterAddLit(w, "/>\n");
    } else {
        xmlWriterAddLit(w, ">\n");
        xmlWriterAddWriter(w, &child);
        xmlWriterAddLit(w, "</input>\n");
    }
    xmlWriterClear(&child);
}

static DomainMemballoonDef *
domainMemballoonDefParse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainMemballoonDef) balloon = g_new0(DomainMemballoonDef, 1);
    xmlNodePtr stats;

    if (xmlUtilPropEnum(node, "model", domainMemballoonModelTypeFromString,
                        XML_UTIL_PROP_REQUIRED, &balloon->model) < 0 ||
        xmlUtilPropEnum(node, "autodeflate", domainTristateSwitchTypeFromString,
                        XML_UTIL_PROP_NONZERO, &balloon->autodeflate) < 0 ||
        xmlUtilPropEnum(node, "freePageReporting", domainTristateSwitchTypeFromString,
                        XML_UTIL_PROP_NONZERO, &balloon->freePageReporting) < 0)
        return NULL;
    if ((stats = xmlUtilChild(node, "stats")) &&
        xmlUtilPropUInt(stats, "period", 10, 0, &balloon->period) < 0)
        return NULL;
    if (domainDeviceInfoParse(node, &balloon->info, flags, false) < 0)
        return NULL;
    return g_steal_pointer(&balloon);
}

static void
domainMemballoonDefFormat(XmlWriter *w, const DomainMemballoonDef *balloon,
                          unsigned int flags)
{
    XmlWriter child;

    xmlWriterAdd(w, "<memballoon model='%s'", domainMemballoonModelTypeToString(balloon->model));
    if (balloon->autodeflate)
        xmlWriterAdd(w, " autodeflate='%s'",
                     domainTristateSwitchTypeToString(balloon->autodeflate));
    if (balloon->freePageReporting)
        xmlWriterAdd(w, " freePageReporting='%s'",
                     domainTristateSwitchTypeToString(balloon->freePageReporting));
    xmlWriterInit(&child, w->indent + 2);
    if (balloon->period)
        xmlWriterAdd(&child, "<stats period='%u'/>\n", balloon->period);
    domainDeviceInfoFormat(&child, &balloon->info, flags);
    if (xmlWriterIsEmpty(&child)) {
        xmlWriterAddLit(w, "/>\n");
    } else {
        xmlWriterAddLit(w, ">\n");
        xmlWriterAddWriter(w, &child);
        xmlWriterAddLit(w, "</memballoon>\n");
    }
    xmlWriterClear(&child);
}

static DomainRngDef *
domainRngDefParse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainRngDef) rng = g_new0(DomainRngDef, 1);
    g_autofree char *model = xmlUtilProp(node, "model");
    g_autofree char *bmodel = NULL;
    g_autofree xmlNodePtr *backends = NULL;
    xmlNodePtr rate;
    size_t nbackends;

    if (!model) {
        reportError(VIR_ERR_XML_ERROR, "%s", _("missing RNG device model"));
        return NULL;
    }
    if ((rng->model = domainRngModelTypeFromString(model)) < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown RNG model '%1$s'"), model);
        return NULL;
    }
    nbackends = xmlUtilChildren(node, "backend", &backends);
    if (nbackends != 1) {
        reportError(VIR_ERR_XML_ERROR, "%s", _("only one RNG backend is supported"));
        return NULL;
    }
    if (!(bmodel = xmlUtilProp(backends[0], "model"))) {
        reportError(VIR_ERR_XML_ERROR, "%s", _("missing RNG device backend model"));
        return NULL;
    }
    if ((rng->backend = domainRngBackendTypeFromString(bmodel)) < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown RNG backend model '%1$s'"), bmodel);
        return NULL;
    }
    switch ((DomainRngBackend)rng->backend) {
    case DOMAIN_RNG_BACKEND_RANDOM:
        rng->randomFile = xmlUtilContent(backends[0]);
        if (rng->randomFile && !*rng->randomFile)
            g_clear_pointer(&rng->randomFile, g_free);
        if (!rng->randomFile)
            rng->randomFile = g_strdup("/dev/random");
        break;
    case DOMAIN_RNG_BACKEND_EGD: {
        g_autofree char *type = xmlUtilProp(backends[0], "type");

        if (!type) {
            reportError(VIR_ERR_XML_ERROR, "%s", _("missing EGD backend type"));
            return NULL;
        }
        rng->egd = g_new0(DomainChrSourceDef, 1);
        if ((rng->egd->type = domainChrTypeFromString(type)) < 0) {
            reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                        _("unknown backend type '%1$s' for egd"), type);
            return NULL;
        }
        if (domainChrSourceParse(rng->egd, backends[0], flags) < 0)
            return NULL;
        break;
    }
    case DOMAIN_RNG_BACKEND_BUILTIN:
    case DOMAIN_RNG_BACKEND_LAST:
        break;
    }
    if ((rate = xmlUtilChild(node, "rate"))) {
        if (xmlUtilPropUInt(rate, "bytes", 10, XML_UTIL_PROP_REQUIRED, &rng->rateBytes) < 0 ||
            xmlUtilPropUInt(rate, "period", 10, 0, &rng->ratePeriod) < 0)
            return NULL;
    }
    if (domainDeviceInfoParse(node, &rng->info, flags, false) < 0)
        return NULL;
    return g_steal_pointer(&rng);
}

static void
domainRngDefFormat(XmlWriter *w, const DomainRngDef *rng, unsigned int flags)
{
    xmlWriterAdd(w, "<rng model='%s'>\n", domainRngModelTypeToString(rng->model));
    xmlWriterAdjustIndent(w, 2);
    if (rng->rateBytes) {
        xmlWriterAdd(w, "<rate bytes='%u'", rng->rateBytes);
        if (rng->ratePeriod)
            xmlWriterAdd(w, " period='%u'", rng->ratePeriod);
        xmlWriterAddLit(w, "/>\n");
    }
    xmlWriterAdd(w, "<backend model='%s'", domainRngBackendTypeToString(rng->backend));
    switch ((DomainRngBackend)rng->backend) {
    case DOMAIN_RNG_BACKEND_RANDOM:
        xmlWriterEscape(w, ">%s</backend>\n", rng->randomFile);
        break;
    case DOMAIN_RNG_BACKEND_EGD:
        xmlWriterAdd(w, " type='%s'>\n", domainChrTypeToString(rng->egd->type));
        xmlWriterAdjustIndent(w, 2);
        domainChrSourceFormat(w, rng->egd, flags);
        xmlWriterAdjustIndent(w, -2);
        xmlWriterAddLit(w, "</backend>\n");
        break;
    case DOMAIN_RNG_BACKEND_BUILTIN:
    case DOMAIN_RNG_BACKEND_LAST:
        xmlWriterAddLit(w, "/>\n");
        break;
    }
    domainDeviceInfoFormat(w, &rng->info, flags);
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAddLit(w, "</rng>\n");
}

static DomainWatchdogDef *
domainWatchdogDefParse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainWatchdogDef) wd = g_new0(DomainWatchdogDef, 1);
    g_autofree char *model = xmlUtilProp(node, "model");
    g_autofree char *action = xmlUtilProp(node, "action");

    if (!model) {
        reportError(VIR_ERR_INTERNAL_ERROR, "%s", _("watchdog must contain model name"));
        return NULL;
    }
    if ((wd->model = domainWatchdogModelTypeFromString(model)) < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown watchdog model '%1$s'"), model);
        return NULL;
    }
    if (action && (wd->action = domainWatchdogActionTypeFromString(action)) < 0) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, _("unknown watchdog action '%1$s'"), action);
        return NULL;
    }
    if (domainDeviceInfoParse(node, &wd->info, flags, false) < 0)
        return NULL;
    return g_steal_pointer(&wd);
}

static void
domainWatchdogDefFormat(XmlWriter *w, const DomainWatchdogDef *wd, unsigned int flags)
{
    XmlWriter child;

    xmlWriterAdd(w, "<watchdog model='%s' action='%s'",
                 domainWatchdogModelTypeToString(wd->model),
                 domainWatchdogActionTypeToString(wd->action));
    xmlWriterInit(&child, w->indent + 2);
    domainDeviceInfoFormat(&child, &wd->info, flags);
    if (xmlWriterIsEmpty(&child)) {
        xmlWriterAddLit(w, "/>\n");
    } else {
        xmlWriterAddLit(w, ">\n");
        xmlWriterAddWriter(w, &child);
        xmlWriterAddLit(w, "</watchdog>\n");
    }
    xmlWriterClear(&child);
}

/* ------------------------------------------------------------------ */
/* <devices>                                                           */

static int
domainDevicesCount(xmlNodePtr devices, const char *name, xmlNodePtr **ret)
{
    size_t n = xmlUtilChildren(devices, name, ret);

    if (n > DOMAIN_MAX_DEVICES) {
        reportError(VIR_ERR_XML_ERROR, _("too many <%1$s> devices (limit %2$d)"),
                    name, DOMAIN_MAX_DEVICES);
        return -1;
    }
    return (int)n;
}

#define DOMAIN_PARSE_LIST(elem, parsefn, count, array, type) \
    do { \
        g_autofree xmlNodePtr *nodes_ = NULL; \
        int n_ = domainDevicesCount(devices, elem, &nodes_); \
        int i_; \
        if (n_ < 0) \
            return -1; \
        def->array = g_new0(type *, n_ ? n_ : 1); \
        for (i_ = 0; i_ < n_; i_++) { \
            type *dev_ = parsefn; \
            if (!dev_) \
                return -1; \
            def->array[def->count++] = dev_; \
        } \
    } while (0)

/**
 * domainDefParseDevices:
 * @def: definition being built
 * @devices: the <devices> element, or NULL
 * @flags: DomainDefParseFlags
 *
 * Parses every known device element; unknown elements are ignored, as
 * libvirt does without schema validation.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
domainDefParseDevices(DomainDef *def, xmlNodePtr devices, unsigned int flags)
{
    int n;
    int i;

    if (!devices)
        return 0;
    def->emulator = xmlUtilChildContent(devices, "emulator");

    {
        g_autofree xmlNodePtr *nodes = NULL;

        if ((n = domainDevicesCount(devices, "disk", &nodes)) < 0)
            return -1;
        for (i = 0; i < n; i++) {
            DomainDiskDef *disk = domainDiskDefParse(nodes[i], flags);

            if (!disk)
                return -1;
            if (flags & DOMAIN_DEF_PARSE_KEEP_ORDER) {
                def->disks = g_renew(DomainDiskDef *, def->disks, def->ndisks + 1);
                def->disks[def->ndisks++] = disk;
            } else {
                domainDefInsertDisk(def, disk);
            }
        }
    }
    {
        g_autofree xmlNodePtr *nodes = NULL;

        if ((n = domainDevicesCount(devices, "controller", &nodes)) < 0)
            return -1;
        for (i = 0; i < n; i++) {
            g_autoptr(DomainControllerDef) ctrl = domainControllerDefParse(def, nodes[i], flags);
            size_t j;

            if (!ctrl)
                return -1;
            for (j = 0; j < def->ncontrollers; j++) {
                if (def->controllers[j]->type == ctrl->type &&
                    def->controllers[j]->idx == ctrl->idx &&
                    !ctrl->hasMaster && !def->controllers[j]->hasMaster) {
                    reportError(VIR_ERR_XML_ERROR,
                                _("Multiple '%1$s' controllers with index '%2$d'"),
                                domainControllerTypeToString(ctrl->type), ctrl->idx);
                    return -1;
                }
            }
            domainDefInsertController(def, g_steal_pointer(&ctrl));
        }
    }
    DOMAIN_PARSE_LIST("interface", domainNetDefParse(nodes_[i_], flags),
                      nnets, nets, DomainNetDef);
    DOMAIN_PARSE_LIST("serial", domainChrDefParse(nodes_[i_], DOMAIN_CHR_DEVICE_SERIAL, flags),
                      nserials, serials, DomainChrDef);
    DOMAIN_PARSE_LIST("parallel", domainChrDefParse(nodes_[i_], DOMAIN_CHR_DEVICE_PARALLEL, flags),
                      nparallels, parallels, DomainChrDef);
    DOMAIN_PARSE_LIST("console", domainChrDefParse(nodes_[i_], DOMAIN_CHR_DEVICE_CONSOLE, flags),
                      nconsoles, consoles, DomainChrDef);
    DOMAIN_PARSE_LIST("channel", domainChrDefParse(nodes_[i_], DOMAIN_CHR_DEVICE_CHANNEL, flags),
                      nchannels, channels, DomainChrDef);
    DOMAIN_PARSE_LIST("input", domainInputDefParse(nodes_[i_], flags),
                      ninputs, inputs, DomainInputDef);
    DOMAIN_PARSE_LIST("graphics", domainGraphicsDefParse(nodes_[i_], flags),
                      ngraphics, graphics, DomainGraphicsDef);
    DOMAIN_PARSE_LIST("rng", domainRngDefParse(nodes_[i_], flags),
                      nrngs, rngs, DomainRngDef);

    {
        g_autofree xmlNodePtr *nodes = NULL;

        if ((n = domainDevicesCount(devices, "video", &nodes)) < 0)
            return -1;
        def->videos = g_new0(DomainVideoDef *, n ? n : 1);
        for (i = 0; i < n; i++) {
            DomainVideoDef *video = domainVideoDefParse(nodes[i], flags);

            if (!video)
                return -1;
            /* the primary video goes first, as libvirt keeps it */
            if (video->primary && def->nvideos > 0) {
                memmove(def->videos + 1, def->videos, def->nvideos * sizeof(*def->videos));
                def->videos[0] = video;
                def->nvideos++;
            } else {
                def->videos[def->nvideos++] = video;
            }
        }
    }

    {
        g_autofree xmlNodePtr *nodes = NULL;

        if ((n = domainDevicesCount(devices, "watchdog", &nodes)) < 0)
            return -1;
        if (n > 1) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("only a single watchdog device is supported"));
            return -1;
        }
        if (n == 1 && !(def->watchdog = domainWatchdogDefParse(nodes[0], flags)))
            return -1;
    }
    {
        g_autofree xmlNodePtr *nodes = NULL;

        if ((n = domainDevicesCount(devices, "memballoon", &nodes)) < 0)
            return -1;
        if (n > 1) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("only a single memory balloon device is supported"));
            return -1;
        }
        if (n == 1 && !(def->memballoon = domainMemballoonDefParse(nodes[0], flags)))
            return -1;
    }
    return 0;
}

/**
 * domainDefFormatDevices:
 * @w: writer positioned inside <devices>
 * @def: definition
 * @flags: DomainDefFormatFlags
 *
 * Writes the devices in libvirt's order.
 */
void
domainDefFormatDevices(XmlWriter *w, const DomainDef *def, unsigned int flags)
{
    size_t i;

    xmlWriterEscape(w, "<emulator>%s</emulator>\n", def->emulator);
    for (i = 0; i < def->ndisks; i++)
        domainDiskDefFormat(w, def->disks[i], flags);
    for (i = 0; i < def->ncontrollers; i++)
        domainControllerDefFormat(w, def->controllers[i], flags);
    domainRawFormat(w, def, "devices/lease");
    domainRawFormat(w, def, "devices/filesystem");
    for (i = 0; i < def->nnets; i++)
        domainNetDefFormat(w, def->nets[i], flags);
    domainRawFormat(w, def, "devices/smartcard");
    for (i = 0; i < def->nserials; i++)
        domainChrDefFormat(w, def->serials[i], flags);
    for (i = 0; i < def->nparallels; i++)
        domainChrDefFormat(w, def->parallels[i], flags);
    for (i = 0; i < def->nconsoles; i++)
        domainChrDefFormat(w, def->consoles[i], flags);
    for (i = 0; i < def->nchannels; i++)
        domainChrDefFormat(w, def->channels[i], flags);
    for (i = 0; i < def->ninputs; i++)
        domainInputDefFormat(w, def->inputs[i], flags);
    domainRawFormat(w, def, "devices/tpm");
    for (i = 0; i < def->ngraphics; i++)
        domainGraphicsDefFormat(w, def->graphics[i], flags);
    domainRawFormat(w, def, "devices/sound");
    domainRawFormat(w, def, "devices/audio");
    for (i = 0; i < def->nvideos; i++)
        domainVideoDefFormat(w, def->videos[i], flags);
    domainRawFormat(w, def, "devices/hostdev");
    domainRawFormat(w, def, "devices/redirdev");
    domainRawFormat(w, def, "devices/redirfilter");
    domainRawFormat(w, def, "devices/hub");
    if (def->watchdog)
        domainWatchdogDefFormat(w, def->watchdog, flags);
    if (def->memballoon)
        domainMemballoonDefFormat(w, def->memballoon, flags);
    for (i = 0; i < def->nrngs; i++)
        domainRngDefFormat(w, def->rngs[i], flags);
    domainRawFormat(w, def, "devices/nvram");
    domainRawFormat(w, def, "devices/panic");
    domainRawFormat(w, def, "devices/shmem");
    domainRawFormat(w, def, "devices/memory");
    domainRawFormat(w, def, "devices/iommu");
    domainRawFormat(w, def, "devices/vsock");
    domainRawFormat(w, def, "devices/crypto");
}
