/* Elements libvirt knows that this model keeps without interpreting them. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "util/error.h"
#include "util/str.h"
#include "util/xml.h"
#include "conf/domain_raw.h"

/**
 * domainRawFree:
 * @raw: element or NULL
 *
 * Releases @raw.
 */
void
domainRawFree(DomainRawDef *raw)
{
    if (!raw)
        return;
    g_free(raw->name);
    g_free(raw->xml);
    g_free(raw);
}

/* Top-level elements libvirt knows that are kept uninterpreted. */
static const char *const domainRawTopLevel[] = {
    "genid", "blkiotune", "memtune", "memoryBacking", "vcpus", "iothreads",
    "iothreadids", "defaultiothread", "cputune", "resource", "sysinfo",
    "bootloader", "bootloader_args", "idmap", "on_lockfailure", "pm", "perf",
    "seclabel", "keywrap", "launchSecurity", NULL,
};

/* Device elements libvirt knows that are kept uninterpreted. */
static const char *const domainRawDevices[] = {
    "lease", "filesystem", "smartcard", "tpm", "sound", "audio",
    "hostdev", "redirdev", "redirfilter", "hub", "nvram", "panic", "shmem",
    "memory", "iommu", "vsock", "crypto", NULL,
};

static bool
domainRawIsKnown(const char *const *table, const xmlChar *name)
{
    size_t i;

    for (i = 0; table[i]; i++) {
        if (xmlStrEqual(name, BAD_CAST table[i]))
            return true;
    }
    return false;
}

/*
 * Writes @node in libvirt's style: single-quoted attributes, children one
 * per line two spaces deeper, text-only elements on one line; comments and
 * blank text dropped.  Aliases a driver assigned are live data and are
 * dropped when parsing a persistent definition.
 */
static void
domainRawSerialize(XmlWriter *w, xmlNodePtr node, unsigned int flags, int depth)
{
    xmlAttrPtr attr;
    xmlNodePtr cur;
    bool hasElem = false;
    bool hasText = false;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            hasElem = true;
        else if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE ||
                  cur->type == XML_ENTITY_REF_NODE) && !xmlIsBlankNode(cur))
            hasText = true;
    }

    xmlWriterAdd(w, "<%s", (const char *)node->name);
    for (attr = node->properties; attr; attr = attr->next) {
        g_autoptr(xmlChar) val = xmlNodeListGetString(node->doc, attr->children, 1);

        if (attr->ns && attr->ns->prefix)
            xmlWriterAdd(w, " %s:%s=", (const char *)attr->ns->prefix,
                         (const char *)attr->name);
        else
            xmlWriterAdd(w, " %s=", (const char *)attr->name);
        xmlWriterEscapeOneLine(w, "'%s'", val ? (const char *)val : "");
    }
    if (!hasElem && !hasText) {
        xmlWriterAddLit(w, "/>\n");
        return;
    }
    if (!hasElem || hasText || depth > 32) {
        /* text (or mixed) content stays on one line, as written */
        g_autoptr(xmlChar) content = xmlNodeGetContent(node);

        xmlWriterEscapeOneLine(w, ">%s", content ? (const char *)content : "");
        xmlWriterAdd(w, "</%s>\n", (const char *)node->name);
        return;
    }
    xmlWriterAddLit(w, ">\n");
    xmlWriterAdjustIndent(w, 2);
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if ((flags & DOMAIN_DEF_PARSE_INACTIVE) && xmlUtilNodeIs(cur, "alias")) {
            g_autofree char *alias = xmlUtilProp(cur, "name");

            if (!strPrefix(alias, "ua-"))
                continue;
        }
        domainRawSerialize(w, cur, flags, depth + 1);
    }
    xmlWriterAdjustIndent(w, -2);
    xmlWriterAdd(w, "</%s>\n", (const char *)node->name);
}

/**
 * domainRawParse:
 * @def: definition being built
 * @parent: <domain> or <devices>, or NULL
 * @devices: true when @parent is <devices>
 * @flags: DomainDefParseFlags
 *
 * Keeps the children of @parent that libvirt knows and this model does
 * not interpret, in document order.
 *
 * Returns: 0, or -1 with an error (too many elements).
 */
int
domainRawParse(DomainDef *def, xmlNodePtr parent, bool devices, unsigned int flags)
{
    const char *const *table = devices ? domainRawDevices : domainRawTopLevel;
    const char *prefix = devices ? "devices/" : "";
    xmlNodePtr cur;
    size_t count = 0;

    for (cur = parent ? parent->children : NULL; cur; cur = cur->next) {
        DomainRawDef *raw;
        XmlWriter w;

        if (cur->type != XML_ELEMENT_NODE || cur->ns ||
            !domainRawIsKnown(table, cur->name))
            continue;
        if (++count > DOMAIN_MAX_DEVICES) {
            reportError(VIR_ERR_XML_ERROR, _("too many elements in <%1$s> (limit %2$d)"),
                        (const char *)parent->name, DOMAIN_MAX_DEVICES);
            return -1;
        }
        xmlWriterInit(&w, 0);
        domainRawSerialize(&w, cur, flags, 0);
        raw = g_new0(DomainRawDef, 1);
        raw->name = g_strdup_printf("%s%s", prefix, (const char *)cur->name);
        raw->xml = xmlWriterSteal(&w);
        raw->hasBoot = xmlUtilChild(cur, "boot") != NULL;
        def->raws = g_renew(DomainRawDef *, def->raws, def->nraws + 1);
        def->raws[def->nraws++] = raw;
    }
    return 0;
}

/**
 * domainRawHas:
 * @def: definition
 * @name: element name ("devices/NAME" for devices)
 *
 * Returns: true when @def holds an uninterpreted element called @name.
 */
bool
domainRawHas(const DomainDef *def, const char *name)
{
    size_t i;

    for (i = 0; i < def->nraws; i++) {
        if (streq(def->raws[i]->name, name))
            return true;
    }
    return false;
}

/**
 * domainRawFormat:
 * @w: writer
 * @def: definition
 * @name: element name ("devices/NAME" for devices)
 *
 * Writes the uninterpreted elements called @name, in document order.
 */
void
domainRawFormat(XmlWriter *w, const DomainDef *def, const char *name)
{
    size_t i;

    for (i = 0; i < def->nraws; i++) {
        g_auto(GStrv) lines = NULL;
        size_t j;

        if (!streq(def->raws[i]->name, name))
            continue;
        lines = g_strsplit(def->raws[i]->xml, "\n", 0);
        for (j = 0; lines[j]; j++) {
            if (!*lines[j])
                continue;
            xmlWriterAddLit(w, lines[j]);
            xmlWriterAddLit(w, "\n");
        }
    }
}

