/* vk_devices.c: commands that read a domain's devices from its XML
 *
 * domblklist, domiflist and domdisplay have no API call of their own: like
 * virsh they fetch the domain's XML description (virDomainGetXMLDesc) and
 * pick the devices out of it with XPath.  Columns, the "-" placeholder, the
 * URI syntax of domdisplay and the messages are those of virsh 9.0, since
 * scripts parse them.
 */
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "vk_devices.h"
#include "vk_domain.h"
#include "vk_table.h"
#include "vk_util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject);

/* The graphics types domdisplay looks for, in the order it prints them */
static const char *const vkDevicesDisplaySchemes[] = { "vnc", "spice", "rdp" };

/* Fetches the XML description of @dom with @flags and parses it.  On
 * success *retDoc and *retCtxt (whose context node is the root element)
 * belong to the caller.  Returns -1 after printing an error. */
static int
vkDevicesGetXML(VkCtl *ctl, virDomainPtr dom, unsigned int flags,
                xmlDocPtr *retDoc, xmlXPathContextPtr *retCtxt)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    char *xml;

    if (!(xml = virDomainGetXMLDesc(dom, flags))) {
        vkError(ctl, "Failed to get domain description xml");
        return -1;
    }
    doc = xmlReadMemory(xml, (int) strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(xml);
    if (!doc || !xmlDocGetRootElement(doc) || !(ctxt = xmlXPathNewContext(doc))) {
        vkError(ctl, "Failed to parse domain description xml");
        return -1;
    }
    ctxt->node = xmlDocGetRootElement(doc);
    *retDoc = g_steal_pointer(&doc);
    *retCtxt = g_steal_pointer(&ctxt);
    return 0;
}

/* Evaluates the string expression @expr (usually "string(...)") relative
 * to @node (or to the context's current node when NULL).  Returns a copy
 * of the result (caller frees), or NULL when it is empty. */
static char *
vkDevicesXPathString(xmlXPathContextPtr ctxt, xmlNodePtr node, const char *expr)
{
    g_autoptr(xmlXPathObject) obj = NULL;

    if (node)
        ctxt->node = node;
    obj = xmlXPathEval(BAD_CAST expr, ctxt);
    if (!obj || obj->type != XPATH_STRING || !obj->stringval || !*obj->stringval)
        return NULL;
    return g_strdup((const char *) obj->stringval);
}

/* Evaluates the node-set expression @expr relative to the root element.
 * Returns the result (caller frees); its nodesetval may be NULL or empty. */
static xmlXPathObjectPtr
vkDevicesXPathNodes(xmlXPathContextPtr ctxt, const char *expr)
{
    ctxt->node = xmlDocGetRootElement(ctxt->doc);
    return xmlXPathEval(BAD_CAST expr, ctxt);
}

/* Parses a PCI address attribute as libvirt does: a C-style number
 * (decimal, 0x hex or 0 octal) no larger than @max; absent means 0. */
static int
vkDevicesParsePCIPart(xmlNodePtr node, const char *name, guint64 max, unsigned int *ret)
{
    g_autofree char *val = (char *) xmlGetProp(node, BAD_CAST name);
    const char *digits = val;
    guint base = 10;
    guint64 num = 0;

    if (!val) {
        *ret = 0;
        return 0;
    }
    if (g_str_has_prefix(val, "0x") || g_str_has_prefix(val, "0X")) {
        digits = val + 2;
        base = 16;
    } else if (val[0] == '0' && val[1]) {
        digits = val + 1;
        base = 8;
    }
    if (!g_ascii_string_to_unsigned(digits, base, 0, max, &num, NULL))
        return -1;
    *ret = (unsigned int) num;
    return 0;
}

/* The source column of an NVMe disk: nvme://DOMAIN:BUS:SLOT.FUNCTION/NAMESPACE */
static char *
vkDevicesNVMeSource(xmlXPathContextPtr ctxt, xmlNodePtr disk)
{
    g_autofree char *ns = vkDevicesXPathString(ctxt, disk, "string(./source/@namespace)");
    g_autoptr(xmlXPathObject) obj = NULL;
    xmlNodePtr addr;
    unsigned int domain;
    unsigned int bus;
    unsigned int slot;
    unsigned int function;

    ctxt->node = disk;
    obj = xmlXPathEval(BAD_CAST "./source/address", ctxt);
    if (!ns || !obj || !obj->nodesetval || obj->nodesetval->nodeNr < 1)
        return NULL;
    addr = obj->nodesetval->nodeTab[0];
    if (vkDevicesParsePCIPart(addr, "domain", 0xFFFF, &domain) < 0 ||
        vkDevicesParsePCIPart(addr, "bus", 0xFF, &bus) < 0 ||
        vkDevicesParsePCIPart(addr, "slot", 0x1F, &slot) < 0 ||
        vkDevicesParsePCIPart(addr, "function", 0x7, &function) < 0)
        return NULL;
    return g_strdup_printf("nvme://%04x:%02x:%02x.%u/%s", domain, bus, slot, function, ns);
}

/**
 * vkDevicesCmdDomblklist:
 * @ctl: run state
 * @cmd: parsed "domblklist" command
 *
 * Prints a table of the domain's disks: target and source, with --details
 * also the disk type and device kind.  A disk without a source shows "-".
 *
 * Returns: true on success.
 */
bool
vkDevicesCmdDomblklist(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlXPathObject) disks = NULL;
    g_autoptr(VkTable) table = NULL;
    bool details = vkCmdOptBool(cmd, "details");
    unsigned int flags = 0;
    int i;

    if (vkCmdOptBool(cmd, "inactive"))
        flags |= VIR_DOMAIN_XML_INACTIVE;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkDevicesGetXML(ctl, dom, flags, &doc, &ctxt) < 0)
        return false;

    if (details)
        table = vkTableNew("Type", "Device", "Target", "Source", NULL);
    else
        table = vkTableNew("Target", "Source", NULL);

    disks = vkDevicesXPathNodes(ctxt, "./devices/disk");
    for (i = 0; disks && disks->nodesetval && i < disks->nodesetval->nodeNr; i++) {
        xmlNodePtr disk = disks->nodesetval->nodeTab[i];
        g_autofree char *type = vkDevicesXPathString(ctxt, disk, "string(./@type)");
        g_autofree char *device = NULL;
        g_autofree char *target = NULL;
        g_autofree char *source = NULL;

        if (details) {
            device = vkDevicesXPathString(ctxt, disk, "string(./@device)");
            if (!type || !device) {
                /* virsh prints this one on standard output */
                vkPrint(ctl, "unable to query block list details");
                return false;
            }
        }
        if (!(target = vkDevicesXPathString(ctxt, disk, "string(./target/@dev)"))) {
            vkError(ctl, "unable to query block list");
            return false;
        }
        if (type && vkStreq(type, "nvme")) {
            if (!(source = vkDevicesNVMeSource(ctxt, disk))) {
                vkError(ctl, "Unable to query NVMe disk address");
                return false;
            }
        } else {
            /* the first of these attributes in document order */
            source = vkDevicesXPathString(ctxt, disk,
                                          "string(./source/@file|./source/@dev|"
                                          "./source/@dir|./source/@name|"
                                          "./source/@volume)");
        }
        if (details)
            vkTableAddRow(table, type, device, target, source ? source : "-", NULL);
        else
            vkTableAddRow(table, target, source ? source : "-", NULL);
    }
    vkTablePrint(table, ctl);
    return true;
}

/**
 * vkDevicesCmdDomiflist:
 * @ctl: run state
 * @cmd: parsed "domiflist" command
 *
 * Prints a table of the domain's network interfaces: host-side device,
 * type, source, model and MAC address ("-" for what is not set).
 *
 * Returns: true on success.
 */
bool
vkDevicesCmdDomiflist(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlXPathObject) ifaces = NULL;
    g_autoptr(VkTable) table = NULL;
    unsigned int flags = 0;
    int i;

    if (vkCmdOptBool(cmd, "inactive"))
        flags |= VIR_DOMAIN_XML_INACTIVE;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkDevicesGetXML(ctl, dom, flags, &doc, &ctxt) < 0)
        return false;

    table = vkTableNew("Interface", "Type", "Source", "Model", "MAC", NULL);
    ifaces = vkDevicesXPathNodes(ctxt, "./devices/interface");
    for (i = 0; ifaces && ifaces->nodesetval && i < ifaces->nodesetval->nodeNr; i++) {
        xmlNodePtr iface = ifaces->nodesetval->nodeTab[i];
        g_autofree char *type = vkDevicesXPathString(ctxt, iface, "string(./@type)");
        g_autofree char *source = vkDevicesXPathString(ctxt, iface,
                                                       "string(./source/@bridge|"
                                                       "./source/@dev|./source/@network|"
                                                       "./source/@name|./source/@path)");
        g_autofree char *target = vkDevicesXPathString(ctxt, iface, "string(./target/@dev)");
        g_autofree char *model = vkDevicesXPathString(ctxt, iface, "string(./model/@type)");
        g_autofree char *mac = vkDevicesXPathString(ctxt, iface, "string(./mac/@address)");

        /* the schema requires a type; an interface without one is skipped
         * rather than printed as a short row */
        if (!type)
            continue;
        vkTableAddRow(table, target ? target : "-", type, source ? source : "-",
                      model ? model : "-", mac ? mac : "-", NULL);
    }
    vkTablePrint(table, ctl);
    return true;
}

/* True if @addr is a numeric IPv4 or IPv6 address meaning "every address"
 * (0.0.0.0 or ::). */
static bool
vkDevicesIsWildcard(const char *addr)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_flags = AI_NUMERICHOST };
    struct addrinfo *res = NULL;
    bool wildcard = false;

    if (getaddrinfo(addr, NULL, &hints, &res) != 0 || !res)
        return false;
    if (res->ai_family == AF_INET) {
        const struct sockaddr_in *in4 = (const void *) res->ai_addr;

        wildcard = in4->sin_addr.s_addr == htonl(INADDR_ANY);
    } else if (res->ai_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *) res->ai_addr;

        wildcard = IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
    }
    freeaddrinfo(res);
    return wildcard;
}

/* The host part of the connection's URI (NULL for a local URI such as
 * qemu:///system): a display listening on every address is reached
 * through the host the connection goes to.  Caller frees. */
static char *
vkDevicesURIServer(VkCtl *ctl)
{
    g_autoptr(GUri) uri = NULL;
    char *str = virConnectGetURI(ctl->conn);
    const char *host;

    vkResetError(ctl);
    if (!str)
        return NULL;
    uri = g_uri_parse(str, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);
    free(str);
    if (!uri || !(host = g_uri_get_host(uri)) || !*host)
        return NULL;
    return g_strdup(host);
}

/* Reads the integer attribute @attr of the first graphics element of type
 * @scheme; 0 when absent or not a number. */
static int
vkDevicesGraphicsInt(xmlXPathContextPtr ctxt, const char *scheme, const char *attr)
{
    g_autofree char *expr = g_strdup_printf("string(/domain/devices/graphics[@type='%s']/%s)",
                                            scheme, attr);
    g_autofree char *val = vkDevicesXPathString(ctxt, NULL, expr);
    int num = 0;

    if (!val || vkParseInt(val, &num) < 0)
        return 0;
    return num;
}

static char *
vkDevicesGraphicsString(xmlXPathContextPtr ctxt, const char *scheme, const char *attr)
{
    g_autofree char *expr = g_strdup_printf("string(/domain/devices/graphics[@type='%s']/%s)",
                                            scheme, attr);

    return vkDevicesXPathString(ctxt, NULL, expr);
}

/* Builds the URI of the first display of type @scheme, or returns NULL
 * when the domain has none that can be reached (no port, no TLS port, no
 * socket).  @password: include the display's password. */
static char *
vkDevicesDisplayURI(VkCtl *ctl, xmlXPathContextPtr ctxt, const char *scheme, bool password)
{
    g_autoptr(GString) buf = NULL;
    g_autofree char *listen = NULL;
    g_autofree char *listenType = NULL;
    g_autofree char *sockpath = NULL;
    g_autofree char *passwd = NULL;
    bool vnc = vkStreq(scheme, "vnc");
    int port;
    int tlsPort;

    ctxt->node = xmlDocGetRootElement(ctxt->doc);
    port = vkDevicesGraphicsInt(ctxt, scheme, "@port");
    tlsPort = vkDevicesGraphicsInt(ctxt, scheme, "@tlsPort");
    listen = vkDevicesGraphicsString(ctxt, scheme, "@listen");
    listenType = vkDevicesGraphicsString(ctxt, scheme, "listen/@type");
    if (listenType && vkStreq(listenType, "socket"))
        sockpath = vkDevicesGraphicsString(ctxt, scheme, "listen/@socket");

    if (!port && !tlsPort && !sockpath)
        return NULL;

    if (!listen) {
        /* older daemons only fill in the <listen> child */
        listen = vkDevicesGraphicsString(ctxt, scheme, "listen/@address");
    } else if (vkDevicesIsWildcard(listen)) {
        g_free(listen);
        listen = vkDevicesURIServer(ctl);
    }
    if (password)
        passwd = vkDevicesGraphicsString(ctxt, scheme, "@passwd");

    buf = g_string_new(scheme);
    g_string_append(buf, sockpath ? "+unix://" : "://");
    if (vnc && passwd)
        g_string_append_printf(buf, ":%s@", passwd);
    if (sockpath)
        g_string_append(buf, sockpath);
    else if (!listen)
        g_string_append(buf, "localhost");
    else if (strchr(listen, ':'))
        g_string_append_printf(buf, "[%s]", listen);
    else
        g_string_append(buf, listen);

    /* VNC clients count display numbers from port 5900 */
    if (port)
        g_string_append_printf(buf, ":%d", vnc ? port - 5900 : port);
    if (tlsPort)
        g_string_append_printf(buf, "?tls-port=%d", tlsPort);
    if (vkStreq(scheme, "spice") && passwd)
        g_string_append_printf(buf, "%cpassword=%s", tlsPort ? '&' : '?', passwd);
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

/**
 * vkDevicesCmdDomdisplay:
 * @ctl: run state
 * @cmd: parsed "domdisplay" command
 *
 * Prints the URI a viewer connects to for the graphical display of a
 * running domain: the first of VNC, SPICE, RDP found (only --type's kind
 * when given), or with --all one line per kind.  As virsh, the single URI
 * is printed without a newline of its own.
 *
 * Returns: true if a display was found.
 */
bool
vkDevicesCmdDomdisplay(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    bool all = vkCmdOptBool(cmd, "all");
    bool password = vkCmdOptBool(cmd, "include-password");
    const char *type = NULL;
    unsigned int flags = 0;
    bool found = false;
    size_t i;

    if (!vkCmdCheckExclusive(ctl, all, "all", vkCmdOptRaw(cmd, "type") != NULL, "type"))
        return false;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (virDomainIsActive(dom) == 0) {
        vkError(ctl, "Domain is not running");
        return false;
    }
    vkResetError(ctl);
    if (password)
        flags |= VIR_DOMAIN_XML_SECURE;
    if (vkCmdOptString(ctl, cmd, "type", &type) < 0)
        return false;
    if (vkDevicesGetXML(ctl, dom, flags, &doc, &ctxt) < 0)
        return false;

    for (i = 0; i < G_N_ELEMENTS(vkDevicesDisplaySchemes); i++) {
        const char *scheme = vkDevicesDisplaySchemes[i];
        g_autofree char *uri = NULL;

        if (type && !vkStreq(type, scheme))
            continue;
        if (!(uri = vkDevicesDisplayURI(ctl, ctxt, scheme, password)))
            continue;
        found = true;
        if (!all) {
            vkPrint(ctl, "%s", uri);
            break;
        }
        vkPrint(ctl, "%s\n", uri);
    }

    if (!found) {
        if (type)
            vkError(ctl, "No graphical display with type '%s' found", type);
        else
            vkError(ctl, "No graphical display found");
        return false;
    }
    return true;
}
