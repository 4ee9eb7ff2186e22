/* UUIDs: random generation, parsing and formatting. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#define ERR_DOMAIN VIR_FROM_NONE
#include "util/error.h"
#include "util/uuid.h"

/**
 * uuidGenerate:
 * @uuid: VIR_UUID_BUFLEN bytes to fill
 *
 * Fills @uuid with a random (RFC 4122 version 4) UUID taken from the
 * kernel's random source.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
uuidGenerate(unsigned char *uuid)
{
    size_t got = 0;

    while (got < VIR_UUID_BUFLEN) {
        ssize_t n = getrandom(uuid + got, VIR_UUID_BUFLEN - got, 0);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            reportSystemError(errno, "%s", _("cannot read random bytes for a UUID"));
            return -1;
        }
        got += (size_t)n;
    }
    uuid[6] = (uuid[6] & 0x0F) | 0x40;   /* version 4 */
    uuid[8] = (uuid[8] & 0x3F) | 0x80;   /* RFC 4122 variant */
    return 0;
}

/**
 * uuidParse:
 * @str: textual UUID
 * @uuid: VIR_UUID_BUFLEN bytes, written only on success
 *
 * Accepts what libvirt accepts: 32 hexadecimal digits (either case) in
 * pairs, with '-' allowed between pairs anywhere (so both the canonical
 * 8-4-4-4-12 form and the bare 32-digit form), and leading or trailing
 * blanks.  Reports nothing: callers know what the text meant.
 *
 * Returns: 0 on success, -1 when @str is not a UUID.
 */
int
uuidParse(const char *str, unsigned char *uuid)
{
    unsigned char tmp[VIR_UUID_BUFLEN];
    const char *p = str;
    size_t i;

    if (!str)
        return -1;
    while (g_ascii_isspace(*p))
        p++;
    for (i = 0; i < VIR_UUID_BUFLEN; i++) {
        int hi;
        int lo;

        while (*p == '-')
            p++;
        hi = g_ascii_xdigit_value(p[0]);
        if (hi < 0)
            return -1;
        lo = g_ascii_xdigit_value(p[1]);
        if (lo < 0)
            return -1;
        tmp[i] = (unsigned char)((hi << 4) | lo);
        p += 2;
    }
    while (*p) {
        if (!g_ascii_isspace(*p))
            return -1;
        p++;
    }
    memcpy(uuid, tmp, VIR_UUID_BUFLEN);
    return 0;
}

/**
 * uuidFormat:
 * @uuid: VIR_UUID_BUFLEN bytes
 * @buf: VIR_UUID_STRING_BUFLEN bytes
 *
 * Writes the canonical lower-case 8-4-4-4-12 form into @buf.
 *
 * Returns: @buf.
 */
char *
uuidFormat(const unsigned char *uuid, char *buf)
{
    g_snprintf(buf, VIR_UUID_STRING_BUFLEN,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
               "%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5],
               uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
               uuid[12], uuid[13], uuid[14], uuid[15]);
    return buf;
}

/**
 * uuidIsNull:
 * @uuid: VIR_UUID_BUFLEN bytes
 *
 * Returns: true when every byte is zero.
 */
bool
uuidIsNull(const unsigned char *uuid)
{
    size_t i;

    for (i = 0; i < VIR_UUID_BUFLEN; i++) {
        if (uuid[i])
            return false;
    }
    return true;
}

/**
 * uuidEqual:
 * @a: VIR_UUID_BUFLEN bytes
 * @b: VIR_UUID_BUFLEN bytes
 *
 * Returns: true when both UUIDs are identical.
 */
bool
uuidEqual(const unsigned char *a, const unsigned char *b)
{
    return memcmp(a, b, VIR_UUID_BUFLEN) == 0;
}

/**
 * uuidHash:
 * @uuid: pointer to VIR_UUID_BUFLEN bytes
 *
 * GHashFunc for tables keyed by raw UUIDs.
 *
 * Returns: the hash.
 */
guint
uuidHash(gconstpointer uuid)
{
    const unsigned char *u = uuid;
    guint h = 0;
    size_t i;

    /* The bytes are random already; fold them. */
    for (i = 0; i < VIR_UUID_BUFLEN; i++)
        h = (h << 5) - h + u[i];
    return h;
}

/**
 * uuidHashEqual:
 * @a: pointer to VIR_UUID_BUFLEN bytes
 * @b: pointer to VIR_UUID_BUFLEN bytes
 *
 * GEqualFunc for tables keyed by raw UUIDs.
 *
 * Returns: TRUE when equal.
 */
gboolean
uuidHashEqual(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, VIR_UUID_BUFLEN) == 0;
}
