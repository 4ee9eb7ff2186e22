/* lib.c: minimal string and memory routines for the freestanding guest. */
#include "lib.h"

/* Byte-wise implementations: the guest only uses them on small buffers. */

void *
memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *
memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n--)
        *d++ = *s++;
    return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a;
    const unsigned char *y = b;
    size_t i;

    for (i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

/**
 * libStrlen:
 * @s: NUL-terminated string
 *
 * Returns: the length of @s in bytes.
 */
size_t
libStrlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

/**
 * libStrnEq:
 * @a: a string of at least @n bytes
 * @b: NUL-terminated string
 * @n: number of bytes of @a to compare
 *
 * Returns: true if the first @n bytes of @a are exactly the string @b.
 */
bool
libStrnEq(const char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (b[i] == '\0' || a[i] != b[i])
            return false;
    }
    return b[n] == '\0';
}

/**
 * libParseU32:
 * @s: digits (not NUL-terminated)
 * @len: number of bytes in @s
 * @ret: where to store the value
 *
 * Parses a decimal number that must use all of @s and fit in 32 bits.
 *
 * Returns: 0 on success (@ret set), -1 on a malformed or too large number.
 */
int
libParseU32(const char *s, size_t len, uint32_t *ret)
{
    uint32_t val = 0;
    size_t i;

    if (len == 0)
        return -1;
    for (i = 0; i < len; i++) {
        uint32_t digit;

        if (s[i] < '0' || s[i] > '9')
            return -1;
        digit = (uint32_t)(s[i] - '0');
        if (val > (UINT32_MAX - digit) / 10)
            return -1;
        val = val * 10 + digit;
    }
    *ret = val;
    return 0;
}
