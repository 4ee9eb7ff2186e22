/* Building XML text: auto-indented appends, escaping, child elements. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/*
 * An output buffer that indents every line it starts by the current
 * indentation (2 spaces per level), like libvirt's formatters do.
 */
typedef struct {
    GString *str;
    int indent;        /* in spaces */
} XmlWriter;

void xmlWriterInit(XmlWriter *w, int indent);
void xmlWriterClear(XmlWriter *w);
char *xmlWriterSteal(XmlWriter *w);
bool xmlWriterIsEmpty(const XmlWriter *w);
void xmlWriterAdjustIndent(XmlWriter *w, int delta);

void xmlWriterAdd(XmlWriter *w, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void xmlWriterAddLit(XmlWriter *w, const char *text);
void xmlWriterEscape(XmlWriter *w, const char *fmt, const char *str);
void xmlWriterAddWriter(XmlWriter *w, XmlWriter *child);
void xmlWriterElement(XmlWriter *w, const char *name, XmlWriter *attrs,
                      XmlWriter *child);
void xmlWriterEscapeOneLine(XmlWriter *w, const char *fmt, const char *str);

typedef enum {
    XML_WRITER_ESCAPE_TEXT = 0,     /* element text: newlines kept */
    XML_WRITER_ESCAPE_ATTR,         /* attribute value: \n \t \r as references */
    XML_WRITER_ESCAPE_ALL,          /* both, so the result is one line */
} XmlWriterEscapeMode;
void xmlWriterEscapeText(GString *out, const char *str, int mode);
