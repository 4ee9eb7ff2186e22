/* libxml2 helpers: safe parsing, checked accessors, XPath. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#define ERR_DOMAIN VIR_FROM_XML
#include "util/error.h"
#include "util/str.h"
#include "util/xml.h"

/**
 * xmlUtilFreeChar:
 * @str: string allocated by libxml2, or NULL
 *
 * Releases @str with libxml2's allocator (for g_autoptr(xmlChar)).
 */
void
xmlUtilFreeChar(xmlChar *str)
{
    if (str)
        xmlFree(str);
}

typedef struct {
    const char *url;
    int errDomain;
    bool reported;
} XmlUtilParseState;

/*
 * The text of the input line the parser stopped on, at most 80 characters
 * either side of the position, and a "----^" marker below it; libvirt's
 * way of showing where a document is broken.
 */
static void
xmlUtilErrorContext(xmlParserCtxtPtr ctxt, char **line, char **pointer)
{
    const xmlChar *cur;
    const xmlChar *base;
    const xmlChar *start;
    const xmlChar *end;

    *line = NULL;
    *pointer = g_strdup("^");
    if (!ctxt || !ctxt->input || !ctxt->input->cur || !ctxt->input->base)
        return;
    cur = ctxt->input->cur;
    base = ctxt->input->base;
    if (cur < base)
        return;
    if (*cur == '\n' && cur > base)
        cur--;
    start = cur;
    while (start > base && start[-1] != '\n' && start[-1] != '\r' &&
           cur - start < 80)
        start--;
    end = cur;
    while (*end && *end != '\n' && *end != '\r' && end - cur < 80)
        end++;
    if (end > start) {
        GString *marker = g_string_new(NULL);
        const xmlChar *q;

        *line = g_strndup((const char *)start, (gsize)(end - start));
        for (q = start; q < cur; q++)
            g_string_append_c(marker, '-');
        g_string_append_c(marker, '^');
        g_free(*pointer);
        *pointer = g_string_free(marker, FALSE);
    }
}

static void
xmlUtilParseErrorHandler(void *userData, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = userData;
    XmlUtilParseState *st;
    g_autofree char *line = NULL;
    g_autofree char *pointer = NULL;

    if (!ctxt || !ctxt->_private || !err)
        return;
    st = ctxt->_private;
    /* Only the first real error: later ones are usually consequences. */
    if (st->reported || err->level < XML_ERR_ERROR)
        return;
    st->reported = true;

    xmlUtilErrorContext(ctxt, &line, &pointer);
    /* Inside an entity there is no file name: libvirt then says "at line". */
    if (ctxt->input && ctxt->input->filename)
        errorReport(st->errDomain, VIR_ERR_XML_DETAIL, __FILE__, __func__, __LINE__,
                    "%s:%d: %s%s\n%s", ctxt->input->filename, err->line,
                    err->message ? err->message : "", line ? line : "(null)",
                    pointer);
    else
        errorReport(st->errDomain, VIR_ERR_XML_DETAIL, __FILE__, __func__, __LINE__,
                    "at line %d: %s%s\n%s", err->line,
                    err->message ? err->message : "", line ? line : "(null)",
                    pointer);
}

static gpointer
xmlUtilInitOnce(gpointer data G_GNUC_UNUSED)
{
    xmlInitParser();
    return NULL;
}

/**
 * xmlUtilParse:
 * @xml: the document text (NUL-terminated)
 * @filename: file it came from (used in messages), or NULL
 * @url: name for messages when @filename is NULL, e.g. "(domain_definition)"
 * @rootName: required name of the root element, or NULL for any
 * @errDomain: virErrorDomain for syntax errors (the caller's, as libvirt)
 *
 * Parses an untrusted document: no network access, no external entities
 * or DTD loading, libxml2's default depth and size limits, and at most
 * XML_UTIL_MAX_DOC_SIZE characters.  Syntax errors are VIR_ERR_XML_DETAIL
 * "URL:LINE: message" with the offending line and a marker; a wrong root
 * element is VIR_ERR_XML_ERROR "expecting root element of 'A', not 'B'".
 *
 * Returns: the document (caller frees with xmlFreeDoc / g_autoptr), or
 * NULL with an error reported.
 */
xmlDocPtr
xmlUtilParse(const char *xml, const char *filename, const char *url,
             const char *rootName, int errDomain)
{
    static GOnce once = G_ONCE_INIT;
    g_autoptr(xmlParserCtxt) pctxt = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    XmlUtilParseState st = { 0 };
    xmlNodePtr root;
    size_t len;

    g_once(&once, xmlUtilInitOnce, NULL);

    st.url = filename ? filename : (url ? url : "[inline data]");
    st.errDomain = errDomain;

    if (!xml) {
        errorReport(errDomain, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                    "%s", _("missing XML document"));
        return NULL;
    }
    len = strlen(xml);
    if (len > XML_UTIL_MAX_DOC_SIZE) {
        errorReport(errDomain, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                    _("XML document of %1$zu bytes exceeds the limit of %2$d bytes"),
                    len, XML_UTIL_MAX_DOC_SIZE);
        return NULL;
    }

    if (!(pctxt = xmlNewParserCtxt())) {
        reportError(VIR_ERR_NO_MEMORY, "%s", _("cannot create XML parser"));
        return NULL;
    }
    pctxt->_private = &st;
    pctxt->sax->serror = xmlUtilParseErrorHandler;
    pctxt->sax->error = NULL;
    pctxt->sax->warning = NULL;
    pctxt->vctxt.error = NULL;
    pctxt->vctxt.warning = NULL;

    doc = xmlCtxtReadMemory(pctxt, xml, (int)len, filename ? filename : url,
                            NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
    if (!doc || !pctxt->wellFormed) {
        if (!st.reported) {
            errorReport(errDomain, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                        _("failed to parse xml document '%1$s'"), st.url);
        }
        return NULL;
    }

    root = xmlDocGetRootElement(doc);
    if (!root) {
        errorReport(errDomain, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                    "%s", _("missing root element"));
        return NULL;
    }
    if (rootName && !xmlStrEqual(root->name, BAD_CAST rootName)) {
        reportError(VIR_ERR_XML_ERROR, _("expecting root element of '%1$s', not '%2$s'"),
                    rootName, (const char *)root->name);
        return NULL;
    }
    return g_steal_pointer(&doc);
}

/**
 * xmlUtilParseFile:
 * @path: file to read
 * @rootName: required root element name, or NULL
 * @errDomain: virErrorDomain for syntax errors
 *
 * Reads @path (at most XML_UTIL_MAX_DOC_SIZE bytes) and parses it like
 * xmlUtilParse, naming the file in messages.
 *
 * Returns: the document (caller frees), or NULL with an error reported.
 */
xmlDocPtr
xmlUtilParseFile(const char *path, const char *rootName, int errDomain)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) gerr = NULL;
    gsize len = 0;
    struct stat sb;

    if (stat(path, &sb) < 0) {
        reportSystemError(errno, _("Failed to open file '%1$s'"), path);
        return NULL;
    }
    if (S_ISREG(sb.st_mode) && sb.st_size > XML_UTIL_MAX_DOC_SIZE) {
        errorReport(errDomain, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                    _("XML document '%1$s' exceeds the limit of %2$d bytes"),
                    path, XML_UTIL_MAX_DOC_SIZE);
        return NULL;
    }
    if (!g_file_get_contents(path, &text, &len, &gerr)) {
        reportError(VIR_ERR_SYSTEM_ERROR, _("Failed to read file '%1$s': %2$s"),
                    path, gerr->message);
        return NULL;
    }
    if (strlen(text) != len) {
        errorReport(errDomain, VIR_ERR_XML_ERROR, __FILE__, __func__, __LINE__,
                    _("file '%1$s' contains a NUL character"), path);
        return NULL;
    }
    return xmlUtilParse(text, path, NULL, rootName, errDomain);
}

/**
 * xmlUtilXPathNew:
 * @doc: document
 * @node: context node, or NULL for the root element
 *
 * Returns: a new XPath context (caller frees with xmlXPathFreeContext).
 */
xmlXPathContextPtr
xmlUtilXPathNew(xmlDocPtr doc, xmlNodePtr node)
{
    xmlXPathContextPtr ctxt = xmlXPathNewContext(doc);

    if (!ctxt)
        g_error("out of memory creating an XPath context");
    ctxt->node = node ? node : xmlDocGetRootElement(doc);
    return ctxt;
}

/**
 * xmlUtilNodeIs:
 * @node: node or NULL
 * @name: element name
 *
 * Returns: true when @node is an element called @name without namespace.
 */
bool
xmlUtilNodeIs(xmlNodePtr node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && !node->ns &&
        xmlStrEqual(node->name, BAD_CAST name);
}

/**
 * xmlUtilChild:
 * @node: parent element
 * @name: child element name
 *
 * Returns: the first child element of @node named @name (no namespace),
 * or NULL.  The pointer belongs to the document.
 */
xmlNodePtr
xmlUtilChild(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    if (!node)
        return NULL;
    for (cur = node->children; cur; cur = cur->next) {
        if (xmlUtilNodeIs(cur, name))
            return cur;
    }
    return NULL;
}

/**
 * xmlUtilChildren:
 * @node: parent element
 * @name: child element name
 * @ret: set to a new array of the matching children (caller frees the
 *       array with g_free, not the nodes), NULL when there are none
 *
 * Returns: the number of child elements of @node named @name.
 */
size_t
xmlUtilChildren(xmlNodePtr node, const char *name, xmlNodePtr **ret)
{
    xmlNodePtr cur;
    GPtrArray *arr = NULL;
    size_t n;

    *ret = NULL;
    if (!node)
        return 0;
    for (cur = node->children; cur; cur = cur->next) {
        if (!xmlUtilNodeIs(cur, name))
            continue;
        if (!arr)
            arr = g_ptr_array_new();
        g_ptr_array_add(arr, cur);
    }
    if (!arr)
        return 0;
    n = arr->len;
    *ret = (xmlNodePtr *)g_ptr_array_free(arr, FALSE);
    return n;
}

/**
 * xmlUtilContent:
 * @node: element or NULL
 *
 * Returns: the text content of @node (entity references expanded) as a
 * new string (caller frees), or NULL for NULL.
 */
char *
xmlUtilContent(xmlNodePtr node)
{
    g_autoptr(xmlChar) content = NULL;

    if (!node)
        return NULL;
    content = xmlNodeGetContent(node);
    return g_strdup(content ? (const char *)content : "");
}

/**
 * xmlUtilChildContent:
 * @node: parent element
 * @name: child element name
 *
 * Returns: the content of the first child named @name as a new string, or
 * NULL when there is no such child or its content is empty (the way
 * libvirt treats an empty element: as absent).
 */
char *
xmlUtilChildContent(xmlNodePtr node, const char *name)
{
    g_autofree char *content = xmlUtilContent(xmlUtilChild(node, name));

    if (!content || !*content)
        return NULL;
    return g_steal_pointer(&content);
}

/**
 * xmlUtilProp:
 * @node: element or NULL
 * @name: attribute name (no namespace)
 *
 * Returns: the attribute value as a new string (caller frees), or NULL
 * when absent.
 */
char *
xmlUtilProp(xmlNodePtr node, const char *name)
{
    g_autoptr(xmlChar) val = NULL;

    if (!node)
        return NULL;
    val = xmlGetNoNsProp(node, BAD_CAST name);
    if (!val)
        return NULL;
    return g_strdup((const char *)val);
}

/**
 * xmlUtilHasProp:
 * @node: element or NULL
 * @name: attribute name
 *
 * Returns: true when @node carries the attribute (without namespace).
 */
bool
xmlUtilHasProp(xmlNodePtr node, const char *name)
{
    return node && xmlHasNsProp(node, BAD_CAST name, NULL) != NULL;
}

static int
xmlUtilPropMissing(xmlNodePtr node, const char *name, unsigned int flags)
{
    if (flags & XML_UTIL_PROP_REQUIRED) {
        reportError(VIR_ERR_XML_ERROR,
                    _("Missing required attribute '%1$s' in element '%2$s'"),
                    name, (const char *)node->name);
        return -1;
    }
    return 0;
}

static int
xmlUtilPropZero(xmlNodePtr node, const char *name)
{
    reportError(VIR_ERR_XML_ERROR,
                _("Invalid value for attribute '%1$s' in element '%2$s': Zero is not permitted"),
                name, (const char *)node->name);
    return -1;
}

/**
 * xmlUtilPropEnum:
 * @node: element
 * @name: attribute name
 * @fromString: the enum's FromString function (-1 for unknown)
 * @flags: XmlUtilPropFlags (NONZERO refuses the enum's value 0)
 * @ret: the value, written when present and valid
 *
 * Returns: 1 present and valid, 0 absent (not required), -1 with
 * VIR_ERR_XML_ERROR "Invalid value for attribute 'A' in element 'E': 'V'.".
 */
int
xmlUtilPropEnum(xmlNodePtr node, const char *name,
                int (*fromString)(const char *), unsigned int flags, int *ret)
{
    g_autofree char *val = xmlUtilProp(node, name);
    int v;

    if (!val)
        return xmlUtilPropMissing(node, name, flags);
    v = fromString(val);
    if (v < 0 || (v == 0 && (flags & XML_UTIL_PROP_NONZERO))) {
        reportError(VIR_ERR_XML_ERROR,
                    _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'."),
                    name, (const char *)node->name, val);
        return -1;
    }
    *ret = v;
    return 1;
}

/* strtoul-like leniency: leading blanks and a '+' are accepted. */
static const char *
xmlUtilNumberStart(const char *s)
{
    while (g_ascii_isspace(*s))
        s++;
    if (*s == '+' && s[1] != '-' && s[1] != '+')
        s++;
    return s;
}

/**
 * xmlUtilPropULongLong:
 * @node: element
 * @name: attribute name
 * @base: 10, 16 or 0 (auto)
 * @flags: XmlUtilPropFlags
 * @ret: written when present and valid
 *
 * Returns: 1 present and valid, 0 absent (not required), -1 with
 * VIR_ERR_XML_ERROR "... Expected non-negative integer value" or
 * "... Zero is not permitted".
 */
int
xmlUtilPropULongLong(xmlNodePtr node, const char *name, int base,
                     unsigned int flags, unsigned long long *ret)
{
    g_autofree char *val = xmlUtilProp(node, name);
    uint64_t v;

    if (!val)
        return xmlUtilPropMissing(node, name, flags);
    if (strParseUInt64(xmlUtilNumberStart(val), base, &v) < 0) {
        reportError(VIR_ERR_XML_ERROR,
                    _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'. Expected non-negative integer value"),
                    name, (const char *)node->name, val);
        return -1;
    }
    if (v == 0 && (flags & XML_UTIL_PROP_NONZERO))
        return xmlUtilPropZero(node, name);
    *ret = v;
    return 1;
}

/**
 * xmlUtilPropUInt:
 * @node: element
 * @name: attribute name
 * @base: 10, 16 or 0 (auto)
 * @flags: XmlUtilPropFlags
 * @ret: written when present and valid
 *
 * Like xmlUtilPropULongLong, limited to unsigned int.
 *
 * Returns: 1, 0 or -1 as xmlUtilPropULongLong.
 */
int
xmlUtilPropUInt(xmlNodePtr node, const char *name, int base,
                unsigned int flags, unsigned int *ret)
{
    g_autofree char *val = xmlUtilProp(node, name);
    unsigned int v;

    if (!val)
        return xmlUtilPropMissing(node, name, flags);
    if (strParseUInt(xmlUtilNumberStart(val), base, &v) < 0) {
        reportError(VIR_ERR_XML_ERROR,
                    _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'. Expected non-negative integer value"),
                    name, (const char *)node->name, val);
        return -1;
    }
    if (v == 0 && (flags & XML_UTIL_PROP_NONZERO))
        return xmlUtilPropZero(node, name);
    *ret = v;
    return 1;
}

/**
 * xmlUtilPropLongLong:
 * @node: element
 * @name: attribute name
 * @base: 10, 16 or 0 (auto)
 * @flags: XmlUtilPropFlags
 * @ret: written when present and valid
 *
 * Returns: 1, 0, or -1 with "... Expected integer value".
 */
int
xmlUtilPropLongLong(xmlNodePtr node, const char *name, int base,
                    unsigned int flags, long long *ret)
{
    g_autofree char *val = xmlUtilProp(node, name);
    int64_t v;
    const char *s;

    if (!val)
        return xmlUtilPropMissing(node, name, flags);
    s = val;
    while (g_ascii_isspace(*s))
        s++;
    if (strParseInt64(s, base, &v) < 0) {
        reportError(VIR_ERR_XML_ERROR,
                    _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'. Expected integer value"),
                    name, (const char *)node->name, val);
        return -1;
    }
    if (v == 0 && (flags & XML_UTIL_PROP_NONZERO))
        return xmlUtilPropZero(node, name);
    *ret = v;
    return 1;
}

/**
 * xmlUtilPropInt:
 * @node: element
 * @name: attribute name
 * @base: 10, 16 or 0 (auto)
 * @flags: XmlUtilPropFlags
 * @ret: written when present and valid
 *
 * Returns: 1, 0, or -1 with "... Expected integer value".
 */
int
xmlUtilPropInt(xmlNodePtr node, const char *name, int base,
               unsigned int flags, int *ret)
{
    long long v = 0;
    int rc = xmlUtilPropLongLong(node, name, base, flags, &v);

    if (rc <= 0)
        return rc;
    if (v < INT_MIN || v > INT_MAX) {
        g_autofree char *val = xmlUtilProp(node, name);

        reportError(VIR_ERR_XML_ERROR,
                    _("Invalid value for attribute '%1$s' in element '%2$s': '%3$s'. Expected integer value"),
                    name, (const char *)node->name, val);
        return -1;
    }
    *ret = (int)v;
    return 1;
}

static xmlXPathObjectPtr
xmlUtilXPathEval(const char *expr, xmlXPathContextPtr ctxt)
{
    if (!ctxt || !expr)
        return NULL;
    return xmlXPathEval(BAD_CAST expr, ctxt);
}

/**
 * xmlUtilXPathString:
 * @expr: an XPath expression yielding a string, e.g. "string(./name[1])"
 * @ctxt: context (ctxt->node is the starting point)
 *
 * Returns: the result as a new string (caller frees), or NULL when the
 * expression fails or yields an empty string.
 */
char *
xmlUtilXPathString(const char *expr, xmlXPathContextPtr ctxt)
{
    g_autoptr(xmlXPathObject) obj = xmlUtilXPathEval(expr, ctxt);

    if (!obj || obj->type != XPATH_STRING || !obj->stringval || !obj->stringval[0])
        return NULL;
    return g_strdup((const char *)obj->stringval);
}

/**
 * xmlUtilXPathNode:
 * @expr: an XPath expression selecting nodes
 * @ctxt: context
 *
 * Returns: the first selected node (owned by the document), or NULL.
 */
xmlNodePtr
xmlUtilXPathNode(const char *expr, xmlXPathContextPtr ctxt)
{
    g_autoptr(xmlXPathObject) obj = xmlUtilXPathEval(expr, ctxt);

    if (!obj || obj->type != XPATH_NODESET || !obj->nodesetval ||
        obj->nodesetval->nodeNr <= 0)
        return NULL;
    return obj->nodesetval->nodeTab[0];
}

/**
 * xmlUtilXPathNodeSet:
 * @expr: an XPath expression selecting nodes
 * @ctxt: context
 * @ret: set to a new array of the nodes (caller g_frees the array), or
 *       NULL when none; may itself be NULL to only count
 *
 * Returns: the number of selected nodes, or -1 with VIR_ERR_XML_ERROR when
 * @expr is not a node-set expression.
 */
int
xmlUtilXPathNodeSet(const char *expr, xmlXPathContextPtr ctxt, xmlNodePtr **ret)
{
    g_autoptr(xmlXPathObject) obj = xmlUtilXPathEval(expr, ctxt);
    int n;

    if (ret)
        *ret = NULL;
    if (!obj)
        return 0;
    if (obj->type != XPATH_NODESET) {
        reportError(VIR_ERR_XML_ERROR, _("Incorrect xpath '%1$s'"), expr);
        return -1;
    }
    if (!obj->nodesetval || obj->nodesetval->nodeNr <= 0)
        return 0;
    n = obj->nodesetval->nodeNr;
    if (ret)
        *ret = g_memdup2(obj->nodesetval->nodeTab, sizeof(xmlNodePtr) * (gsize)n);
    return n;
}

/**
 * xmlUtilXPathULongLong:
 * @expr: an XPath expression yielding a string, e.g. "string(./memory)"
 * @ctxt: context
 * @ret: written on success
 *
 * Returns: 0 on success, -1 when the result is absent (nothing reported),
 * -2 when it is not a non-negative integer (nothing reported).
 */
int
xmlUtilXPathULongLong(const char *expr, xmlXPathContextPtr ctxt,
                      unsigned long long *ret)
{
    g_autofree char *str = xmlUtilXPathString(expr, ctxt);
    uint64_t v;

    if (!str)
        return -1;
    if (strParseUInt64(str, 10, &v) < 0)
        return -2;
    *ret = v;
    return 0;
}

/**
 * xmlUtilXPathBoolean:
 * @expr: an XPath expression, e.g. "boolean(./features/acpi)"
 * @ctxt: context
 *
 * Returns: the expression's truth value (false on evaluation failure).
 */
bool
xmlUtilXPathBoolean(const char *expr, xmlXPathContextPtr ctxt)
{
    g_autoptr(xmlXPathObject) obj = xmlUtilXPathEval(expr, ctxt);

    if (!obj)
        return false;
    return xmlXPathCastToBoolean(obj) != 0;
}

/**
 * xmlUtilNodeDump:
 * @doc: document of @node
 * @node: node to serialise
 * @level: indentation level of @node (2 spaces per level)
 * @format: pretty-print children
 *
 * Returns: @node serialised by libxml2 as a new string (caller frees).
 */
char *
xmlUtilNodeDump(xmlDocPtr doc, xmlNodePtr node, int level, bool format)
{
    g_autoptr(xmlBuffer) buf = xmlBufferCreate();

    if (!buf)
        g_error("out of memory creating an XML buffer");
    if (xmlNodeDump(buf, doc, node, level, format ? 1 : 0) < 0)
        return g_strdup("");
    return g_strdup((const char *)xmlBufferContent(buf));
}

/**
 * xmlUtilStripBlanks:
 * @node: element
 *
 * Removes text nodes consisting only of blanks from the subtree below
 * @node, so that libxml2's formatter re-indents it.
 */
void
xmlUtilStripBlanks(xmlNodePtr node)
{
    xmlNodePtr cur;
    xmlNodePtr next;

    if (!node)
        return;
    for (cur = node->children; cur; cur = next) {
        next = cur->next;
        if (cur->type == XML_TEXT_NODE && xmlIsBlankNode(cur)) {
            xmlUnlinkNode(cur);
            xmlFreeNode(cur);
        } else if (cur->type == XML_ELEMENT_NODE) {
            xmlUtilStripBlanks(cur);
        }
    }
}
