/* Building XML text: auto-indented appends, escaping, child elements. */
#include <stdarg.h>
#include <string.h>

#include "util/xmlwriter.h"

/**
 * xmlWriterInit:
 * @w: writer to initialise
 * @indent: starting indentation in spaces
 *
 * Prepares an empty writer; release with xmlWriterClear or xmlWriterSteal.
 */
void
xmlWriterInit(XmlWriter *w, int indent)
{
    w->str = g_string_new(NULL);
    w->indent = indent;
}

/**
 * xmlWriterClear:
 * @w: writer
 *
 * Frees the writer's text.
 */
void
xmlWriterClear(XmlWriter *w)
{
    if (w->str)
        g_string_free(w->str, TRUE);
    w->str = NULL;
}

/**
 * xmlWriterSteal:
 * @w: writer
 *
 * Returns: the text (caller frees); the writer is left empty and unusable
 * until initialised again.
 */
char *
xmlWriterSteal(XmlWriter *w)
{
    char *ret = g_string_free(w->str, FALSE);

    w->str = NULL;
    return ret;
}

/**
 * xmlWriterIsEmpty:
 * @w: writer
 *
 * Returns: true when nothing was written.
 */
bool
xmlWriterIsEmpty(const XmlWriter *w)
{
    return !w->str || w->str->len == 0;
}

/**
 * xmlWriterAdjustIndent:
 * @w: writer
 * @delta: spaces to add (negative to remove)
 *
 * Changes the indentation used for lines started from now on.
 */
void
xmlWriterAdjustIndent(XmlWriter *w, int delta)
{
    w->indent += delta;
    if (w->indent < 0)
        w->indent = 0;
}

static void
xmlWriterStartLine(XmlWriter *w)
{
    static const char spaces[] = "                                ";
    int left = w->indent;

    if (left <= 0 || (w->str->len != 0 && w->str->str[w->str->len - 1] != '\n'))
        return;
    while (left > 0) {
        int n = MIN(left, (int)sizeof(spaces) - 1);

        g_string_append_len(w->str, spaces, n);
        left -= n;
    }
}

/**
 * xmlWriterAddLit:
 * @w: writer
 * @text: text appended as is (indented if it starts a line)
 */
void
xmlWriterAddLit(XmlWriter *w, const char *text)
{
    if (!text || !*text)
        return;
    xmlWriterStartLine(w);
    g_string_append(w->str, text);
}

/**
 * xmlWriterAdd:
 * @w: writer
 * @fmt: printf format; the result is appended (indented if it starts a
 *       line).  Values from users must go through xmlWriterEscape.
 */
void
xmlWriterAdd(XmlWriter *w, const char *fmt, ...)
{
    va_list ap;

    if (!fmt || !*fmt)
        return;
    xmlWriterStartLine(w);
    va_start(ap, fmt);
    g_string_append_vprintf(w->str, fmt, ap);
    va_end(ap);
}

/**
 * xmlWriterEscapeText:
 * @out: destination
 * @str: text
 * @mode: XmlWriterEscapeMode
 *
 * Appends @str with & < > ' " replaced by entities and the control
 * characters XML 1.0 cannot carry dropped (as libvirt does).  A carriage
 * return is always written as a character reference, since a parser
 * would turn a literal one into a newline; in attribute mode newline and
 * tab are too (a parser turns literal ones into spaces), and in "all"
 * mode newlines as well, for text that must stay on one line.
 */
void
xmlWriterEscapeText(GString *out, const char *str, int mode)
{
    const unsigned char *p;

    for (p = (const unsigned char *)str; *p; p++) {
        switch (*p) {
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '\'':
            g_string_append(out, "&apos;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\r':
            g_string_append(out, "&#13;");
            break;
        case '\n':
            if (mode == XML_WRITER_ESCAPE_TEXT)
                g_string_append_c(out, '\n');
            else
                g_string_append(out, "&#10;");
            break;
        case '\t':
            if (mode == XML_WRITER_ESCAPE_ATTR)
                g_string_append(out, "&#9;");
            else
                g_string_append_c(out, '\t');
            break;
        default:
            if (*p >= 0x20)
                g_string_append_c(out, (char)*p);
            break;
        }
    }
}

static void
xmlWriterEscapeMode(XmlWriter *w, const char *fmt, const char *str, int mode)
{
    const char *pos;
    g_autoptr(GString) esc = NULL;

    if (!str)
        return;
    pos = strstr(fmt, "%s");
    if (!pos)
        return;
    /* a value right after a quote is an attribute value */
    if (mode == XML_WRITER_ESCAPE_TEXT && pos > fmt && (pos[-1] == '\'' || pos[-1] == '"'))
        mode = XML_WRITER_ESCAPE_ATTR;
    esc = g_string_new(NULL);
    xmlWriterEscapeText(esc, str, mode);
    xmlWriterStartLine(w);
    g_string_append_len(w->str, fmt, pos - fmt);
    g_string_append_len(w->str, esc->str, (gssize)esc->len);
    g_string_append(w->str, pos + 2);
}

/**
 * xmlWriterEscape:
 * @w: writer
 * @fmt: a format with exactly one "%s"; when the "%s" follows a quote it
 *       is an attribute value, otherwise element text
 * @str: value substituted, escaped; nothing is written when NULL
 */
void
xmlWriterEscape(XmlWriter *w, const char *fmt, const char *str)
{
    xmlWriterEscapeMode(w, fmt, str, XML_WRITER_ESCAPE_TEXT);
}

/**
 * xmlWriterEscapeOneLine:
 * @w: writer
 * @fmt: a format with exactly one "%s"
 * @str: value substituted, escaped so that it holds no line break
 *
 * For text that is re-indented line by line later.
 */
void
xmlWriterEscapeOneLine(XmlWriter *w, const char *fmt, const char *str)
{
    xmlWriterEscapeMode(w, fmt, str, XML_WRITER_ESCAPE_ALL);
}

/**
 * xmlWriterAddWriter:
 * @w: writer
 * @child: writer whose text is appended as is; it is emptied
 */
void
xmlWriterAddWriter(XmlWriter *w, XmlWriter *child)
{
    if (!xmlWriterIsEmpty(child))
        g_string_append_len(w->str, child->str->str, (gssize)child->str->len);
    g_string_truncate(child->str, 0);
}

/**
 * xmlWriterElement:
 * @w: writer
 * @name: element name
 * @attrs: attribute text (" a='1' b='2'") or NULL; emptied
 * @child: children already indented one level deeper, or NULL; emptied
 *
 * Writes "<name attrs/>" when there are no children, otherwise
 * "<name attrs>", the children and "</name>"; writes nothing when both
 * @attrs and @child are empty.
 */
void
xmlWriterElement(XmlWriter *w, const char *name, XmlWriter *attrs,
                 XmlWriter *child)
{
    bool noAttrs = !attrs || xmlWriterIsEmpty(attrs);
    bool noChild = !child || xmlWriterIsEmpty(child);

    if (noAttrs && noChild)
        return;
    xmlWriterAdd(w, "<%s", name);
    if (!noAttrs)
        xmlWriterAddWriter(w, attrs);
    if (noChild) {
        g_string_append(w->str, "/>\n");
        return;
    }
    g_string_append(w->str, ">\n");
    xmlWriterAddWriter(w, child);
    xmlWriterAdd(w, "</%s>\n", name);
}
