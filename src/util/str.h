/* String predicates and checked number parsing. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* True when both strings are equal; NULL equals only NULL. */
static inline bool
streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* True when @s starts with @prefix (false if either is NULL). */
static inline bool
strPrefix(const char *s, const char *prefix)
{
    if (!s || !prefix)
        return false;
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* streq ignoring ASCII case. */
static inline bool
strCaseEq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return g_ascii_strcasecmp(a, b) == 0;
}

int strParseInt64(const char *s, int base, int64_t *ret);
int strParseUInt64(const char *s, int base, uint64_t *ret);
int strParseInt(const char *s, int base, int *ret);
int strParseUInt(const char *s, int base, unsigned int *ret);
int strParseULong(const char *s, int base, unsigned long *ret);
int strParseUInt64Prefix(const char *s, int base, uint64_t *ret, char **end);
int strParseDouble(const char *s, double *ret);
