/*
 * libxml2 helpers: safe parsing of untrusted documents with libvirt's error
 * reports, element/attribute accessors with checked conversions, XPath
 * helpers, autoptr cleanups.  Prefix "xmlUtil" (plain "xml" is libxml2's).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

/* Largest document we accept (characters). */
#define XML_UTIL_MAX_DOC_SIZE (10 * 1024 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlNode, xmlFreeNode);

/* xmlFree is a variable in libxml2, so wrap it for g_autoptr(xmlChar). */
void xmlUtilFreeChar(xmlChar *str);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlChar, xmlUtilFreeChar);

xmlDocPtr xmlUtilParse(const char *xml, const char *filename,
                       const char *url, const char *rootName, int errDomain);
xmlDocPtr xmlUtilParseFile(const char *path, const char *rootName,
                           int errDomain);
xmlXPathContextPtr xmlUtilXPathNew(xmlDocPtr doc, xmlNodePtr node);

/* Tree access (elements without a namespace, as XPath "./name" selects). */
bool xmlUtilNodeIs(xmlNodePtr node, const char *name);
xmlNodePtr xmlUtilChild(xmlNodePtr node, const char *name);
size_t xmlUtilChildren(xmlNodePtr node, const char *name, xmlNodePtr **ret);
char *xmlUtilContent(xmlNodePtr node);
char *xmlUtilChildContent(xmlNodePtr node, const char *name);
char *xmlUtilProp(xmlNodePtr node, const char *name);
bool xmlUtilHasProp(xmlNodePtr node, const char *name);

/* Flags for the checked attribute readers. */
typedef enum {
    XML_UTIL_PROP_REQUIRED = 1 << 0,  /* missing is an error */
    XML_UTIL_PROP_NONZERO = 1 << 1,   /* 0 (or enum value 0) is an error */
} XmlUtilPropFlags;

/*
 * Checked attribute readers.  Return 1 when the attribute was present and
 * valid (*ret written), 0 when absent and not required (*ret untouched),
 * -1 with libvirt's VIR_ERR_XML_ERROR message naming attribute and element.
 */
int xmlUtilPropEnum(xmlNodePtr node, const char *name,
                    int (*fromString)(const char *), unsigned int flags,
                    int *ret);
int xmlUtilPropUInt(xmlNodePtr node, const char *name, int base,
                    unsigned int flags, unsigned int *ret);
int xmlUtilPropInt(xmlNodePtr node, const char *name, int base,
                   unsigned int flags, int *ret);
int xmlUtilPropULongLong(xmlNodePtr node, const char *name, int base,
                         unsigned int flags, unsigned long long *ret);
int xmlUtilPropLongLong(xmlNodePtr node, const char *name, int base,
                        unsigned int flags, long long *ret);

/* XPath, relative to ctxt->node. */
char *xmlUtilXPathString(const char *expr, xmlXPathContextPtr ctxt);
xmlNodePtr xmlUtilXPathNode(const char *expr, xmlXPathContextPtr ctxt);
int xmlUtilXPathNodeSet(const char *expr, xmlXPathContextPtr ctxt,
                        xmlNodePtr **ret);
int xmlUtilXPathULongLong(const char *expr, xmlXPathContextPtr ctxt,
                          unsigned long long *ret);
bool xmlUtilXPathBoolean(const char *expr, xmlXPathContextPtr ctxt);

char *xmlUtilNodeDump(xmlDocPtr doc, xmlNodePtr node, int level, bool format);
void xmlUtilStripBlanks(xmlNodePtr node);
