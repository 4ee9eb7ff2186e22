/* Checked number parsing: whole string consumed, range verified. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "util/str.h"

/*
 * All parsers return 0 and write *ret on success, -1 (leaving *ret alone)
 * when the text is empty, has trailing garbage, or is out of range.  They
 * do not report errors: callers know what the number meant and report it.
 */

/**
 * strParseInt64:
 * @s: text
 * @base: 0 (auto), 8, 10 or 16
 * @ret: result
 *
 * Returns: 0 on success, -1 on malformed or out-of-range input.
 */
int
strParseInt64(const char *s, int base, int64_t *ret)
{
    char *end = NULL;
    long long v;

    if (!s || !*s || g_ascii_isspace(*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, base);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *ret = v;
    return 0;
}

/**
 * strParseUInt64Prefix:
 * @s: text
 * @base: 0 (auto), 8, 10 or 16
 * @ret: result
 * @end: where parsing stopped (may be NULL to require full consumption)
 *
 * Like strParseUInt64 but allows a suffix when @end is given.  A leading
 * '-' is rejected (strtoull would silently wrap it).
 *
 * Returns: 0 on success, -1 on malformed or out-of-range input.
 */
int
strParseUInt64Prefix(const char *s, int base, uint64_t *ret, char **end)
{
    char *stop = NULL;
    unsigned long long v;

    if (!s || !*s || g_ascii_isspace(*s) || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    v = strtoull(s, &stop, base);
    if (errno != 0 || stop == s)
        return -1;
    if (end)
        *end = stop;
    else if (*stop != '\0')
        return -1;
    *ret = v;
    return 0;
}

/**
 * strParseUInt64:
 * @s: text
 * @base: 0 (auto), 8, 10 or 16
 * @ret: result
 *
 * Returns: 0 on success, -1 on malformed, negative or out-of-range input.
 */
int
strParseUInt64(const char *s, int base, uint64_t *ret)
{
    return strParseUInt64Prefix(s, base, ret, NULL);
}

/**
 * strParseInt:
 * @s: text
 * @base: 0 (auto), 8, 10 or 16
 * @ret: result
 *
 * Returns: 0 on success, -1 on malformed or out-of-range input.
 */
int
strParseInt(const char *s, int base, int *ret)
{
    int64_t v;

    if (strParseInt64(s, base, &v) < 0 || v < INT_MIN || v > INT_MAX)
        return -1;
    *ret = (int)v;
    return 0;
}

/**
 * strParseUInt:
 * @s: text
 * @base: 0 (auto), 8, 10 or 16
 * @ret: result
 *
 * Returns: 0 on success, -1 on malformed or out-of-range input.
 */
int
strParseUInt(const char *s, int base, unsigned int *ret)
{
    uint64_t v;

    if (strParseUInt64(s, base, &v) < 0 || v > UINT_MAX)
        return -1;
    *ret = (unsigned int)v;
    return 0;
}

/**
 * strParseULong:
 * @s: text
 * @base: 0 (auto), 8, 10 or 16
 * @ret: result
 *
 * Returns: 0 on success, -1 on malformed or out-of-range input.
 */
int
strParseULong(const char *s, int base, unsigned long *ret)
{
    uint64_t v;

    if (strParseUInt64(s, base, &v) < 0 || v > ULONG_MAX)
        return -1;
    *ret = (unsigned long)v;
    return 0;
}

/**
 * strParseDouble:
 * @s: text
 * @ret: result
 *
 * Returns: 0 on success, -1 on malformed input.
 */
int
strParseDouble(const char *s, double *ret)
{
    char *end = NULL;
    double v;

    if (!s || !*s || g_ascii_isspace(*s))
        return -1;
    errno = 0;
    v = g_ascii_strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *ret = v;
    return 0;
}
