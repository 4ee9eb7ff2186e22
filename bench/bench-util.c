/* Helpers shared by the benchmark programs (public API only). */
#include <stdio.h>

#include "bench-util.h"

/* Print "PROG: WHAT: <the library's last error>" on stderr. */
void
benchFail(const char *prog, const char *what)
{
    const char *msg = virGetLastErrorMessage();

    fprintf(stderr, "%s: %s: %s\n", prog, what, msg ? msg : "unknown error");
}

/* The library's default handler prints every error; we report our own. */
void
benchIgnoreError(void *opaque, virErrorPtr err)
{
    (void) opaque;
    (void) err;
}

/* Print @s as a JSON string literal on stdout. */
void
benchJsonString(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}
