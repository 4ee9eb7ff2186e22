/* vk_util.c: small helpers of the CLI: checked number parsing, escaping, widths
 *
 * tools/ may use only the public API, so the CLI carries its own copies of
 * the few generic helpers it needs instead of linking src/util.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>

#include "vk_util.h"

/**
 * vkParseInt:
 * @str: decimal text, optionally signed
 * @ret: where to store the value
 *
 * Parses the whole of @str as an int.
 *
 * Returns: 0 on success, -1 if @str is not a number or out of range.
 */
int
vkParseInt(const char *str, int *ret)
{
    char *end = NULL;
    gint64 val;

    errno = 0;
    val = g_ascii_strtoll(str, &end, 10);
    if (errno != 0 || end == str || *end != '\0' || val < INT_MIN || val > INT_MAX)
        return -1;
    *ret = (int) val;
    return 0;
}

/**
 * vkParseUIntPositive:
 * @str: decimal text without a minus sign
 * @ret: where to store the value
 *
 * Parses the whole of @str as an unsigned int; a negative number is an
 * error (virsh rejects "-1" for counts rather than wrapping it).
 *
 * Returns: 0 on success, -1 on malformed or out-of-range input.
 */
int
vkParseUIntPositive(const char *str, unsigned int *ret)
{
    unsigned long long val;
    const char *end = NULL;

    if (vkParseULLPrefix(str, &val, &end) < 0 || *end != '\0' || val > UINT_MAX)
        return -1;
    *ret = (unsigned int) val;
    return 0;
}

/**
 * vkParseULLPrefix:
 * @str: text starting with a decimal number
 * @ret: where to store the value
 * @retEnd: set to the first character after the number
 *
 * Parses the leading unsigned decimal number of @str; a minus sign is an
 * error.  Trailing text is left to the caller (a unit suffix, for example).
 *
 * Returns: 0 on success, -1 if there is no number or it overflows.
 */
int
vkParseULLPrefix(const char *str, unsigned long long *ret, const char **retEnd)
{
    char *end = NULL;
    guint64 val;

    if (strchr(str, '-'))
        return -1;
    errno = 0;
    val = g_ascii_strtoull(str, &end, 10);
    if (errno != 0 || end == str)
        return -1;
    *ret = val;
    *retEnd = end;
    return 0;
}

/**
 * vkScaleInteger:
 * @value: number to scale in place
 * @suffix: unit suffix following the number ("", "k", "KiB", "MB", "b", ...)
 * @scale: multiplier used when @suffix is empty
 * @limit: largest acceptable result
 * @retError: set to an error message (caller owns) on failure
 *
 * Applies libvirt's unit rules for scaled integers: "b"/"byte(s)" is 1,
 * a single letter or a letter plus "iB" is a power of 1024, a letter plus
 * "B" is a power of 1000; letters are k, m, g, t, p, e (any case).
 * The messages match libvirt's so that virtkit prints what virsh prints.
 *
 * Returns: 0 on success, -1 on an unknown suffix or overflow.
 */
int
vkScaleInteger(unsigned long long *value, const char *suffix, unsigned long long scale,
               unsigned long long limit, char **retError)
{
    if (*suffix == '\0') {
        /* @scale applies */
    } else if (g_ascii_strcasecmp(suffix, "b") == 0 ||
               g_ascii_strcasecmp(suffix, "byte") == 0 ||
               g_ascii_strcasecmp(suffix, "bytes") == 0) {
        scale = 1;
    } else {
        unsigned long long base;
        int power;

        if (suffix[1] == '\0' || g_ascii_strcasecmp(suffix + 1, "iB") == 0) {
            base = 1024;
        } else if (g_ascii_tolower(suffix[1]) == 'b' && suffix[2] == '\0') {
            base = 1000;
        } else {
            *retError = g_strdup_printf("invalid argument: unknown suffix '%s'", suffix);
            return -1;
        }
        switch (g_ascii_tolower(suffix[0])) {
        case 'k': power = 1; break;
        case 'm': power = 2; break;
        case 'g': power = 3; break;
        case 't': power = 4; break;
        case 'p': power = 5; break;
        case 'e': power = 6; break;
        default:
            *retError = g_strdup_printf("invalid argument: unknown suffix '%s'", suffix);
            return -1;
        }
        scale = 1;
        while (power-- > 0)
            scale *= base;
    }

    if (*value && *value > limit / scale) {
        *retError = g_strdup_printf("numerical overflow: value too large: %llu%s",
                                    *value, suffix);
        return -1;
    }
    *value *= scale;
    return 0;
}

/**
 * vkEscapeShell:
 * @buf: buffer to append to
 * @str: word to quote
 *
 * Appends @str quoted for a POSIX shell: unchanged when it holds no shell
 * meta character, otherwise in single quotes with embedded quotes written
 * as '\''.  Used by "echo --shell".
 */
void
vkEscapeShell(GString *buf, const char *str)
{
    const char *p;

    if (*str && !strpbrk(str, "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~")) {
        g_string_append(buf, str);
        return;
    }
    g_string_append_c(buf, '\'');
    for (p = str; *p; p++) {
        if (*p == '\'')
            g_string_append(buf, "'\\'");
        g_string_append_c(buf, *p);
    }
    g_string_append_c(buf, '\'');
}

/**
 * vkEscapeXML:
 * @buf: buffer to append to
 * @str: text to escape
 *
 * Appends @str with the XML special characters replaced by entities;
 * control characters other than tab, newline and carriage return are
 * dropped.  Used by "echo --xml".
 */
void
vkEscapeXML(GString *buf, const char *str)
{
    const unsigned char *p;

    for (p = (const unsigned char *) str; *p; p++) {
        switch (*p) {
        case '<': g_string_append(buf, "&lt;"); break;
        case '>': g_string_append(buf, "&gt;"); break;
        case '&': g_string_append(buf, "&amp;"); break;
        case '"': g_string_append(buf, "&quot;"); break;
        case '\'': g_string_append(buf, "&apos;"); break;
        default:
            if (*p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r')
                g_string_append_c(buf, (char) *p);
            break;
        }
    }
}

/**
 * vkSafeDisplay:
 * @str: text for a table cell
 * @retWidth: set to the number of terminal columns the result takes
 *
 * Returns a copy of @str in which characters that cannot be printed are
 * written as \xNN, and measures its display width (wide characters count
 * two columns).  Invalid multi-byte sequences are escaped byte by byte.
 *
 * Returns: a new string (caller owns).
 */
char *
vkSafeDisplay(const char *str, size_t *retWidth)
{
    GString *out = g_string_new(NULL);
    mbstate_t st;
    const char *p = str;
    size_t len = strlen(str);
    size_t width = 0;

    memset(&st, 0, sizeof(st));
    while (*p) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, len - (size_t) (p - str), &st);

        if (n == (size_t) -1 || n == (size_t) -2 || n == 0) {
            g_string_append_printf(out, "\\x%02x", (unsigned char) *p);
            width += 4;
            memset(&st, 0, sizeof(st));
            p++;
            continue;
        }
        if (iswprint((wint_t) wc)) {
            int w = wcwidth(wc);

            g_string_append_len(out, p, (gssize) n);
            width += w > 0 ? (size_t) w : 0;
        } else {
            size_t i;

            for (i = 0; i < n; i++)
                g_string_append_printf(out, "\\x%02x", (unsigned char) p[i]);
            width += 4 * n;
        }
        p += n;
    }
    *retWidth = width;
    return g_string_free(out, FALSE);
}

/**
 * vkPrettyCapacity:
 * @val: a number of bytes
 * @retUnit: set to the unit of the returned value ("B", "KiB", ... "EiB")
 *
 * Returns: @val expressed in the largest binary unit that keeps it >= 1.
 */
double
vkPrettyCapacity(unsigned long long val, const char **retUnit)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double limit = 1024;
    double div = 1;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(units) - 1; i++) {
        if ((double) val < limit)
            break;
        div = limit;
        limit *= 1024;
    }
    *retUnit = units[i];
    return (double) val / div;
}

/**
 * vkTimestampNow:
 *
 * Returns: the current UTC time as "YYYY-MM-DD HH:MM:SS.mmm+0000", the form
 * virsh prints before events with --timestamp (caller owns).
 */
char *
vkTimestampNow(void)
{
    gint64 now = g_get_real_time();
    time_t secs = (time_t) (now / G_USEC_PER_SEC);
    int msecs = (int) ((now % G_USEC_PER_SEC) / 1000);
    struct tm tm;

    gmtime_r(&secs, &tm);
    return g_strdup_printf("%04d-%02d-%02d %02d:%02d:%02d.%03d+0000",
                           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                           tm.tm_hour, tm.tm_min, tm.tm_sec, msecs);
}
