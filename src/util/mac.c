/* MAC addresses: parse, format, generate, compare. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#define ERR_DOMAIN VIR_FROM_NONE
#include "util/error.h"
#include "util/mac.h"

/**
 * macParse:
 * @str: text such as "52:54:00:ab:cd:ef"
 * @ret: written only on success
 *
 * Six groups of one or two hexadecimal digits (either case) separated by
 * ':', nothing before or after — the forms libvirt accepts.  Reports
 * nothing: callers report with their own context.
 *
 * Returns: 0 on success, -1 on malformed text.
 */
int
macParse(const char *str, MacAddr *ret)
{
    MacAddr tmp;
    const char *p = str;
    size_t i;

    if (!str)
        return -1;
    for (i = 0; i < MAC_BUFLEN; i++) {
        int hi = g_ascii_xdigit_value(p[0]);
        int lo;

        if (hi < 0)
            return -1;
        p++;
        lo = g_ascii_xdigit_value(p[0]);
        if (lo >= 0) {
            tmp.addr[i] = (unsigned char)((hi << 4) | lo);
            p++;
        } else {
            tmp.addr[i] = (unsigned char)hi;
        }
        if (i + 1 < MAC_BUFLEN) {
            if (*p != ':')
                return -1;
            p++;
        }
    }
    if (*p != '\0')
        return -1;
    *ret = tmp;
    return 0;
}

/**
 * macFormat:
 * @mac: address
 * @buf: MAC_STRING_BUFLEN bytes
 *
 * Writes the lower-case colon-separated form into @buf.
 *
 * Returns: @buf.
 */
const char *
macFormat(const MacAddr *mac, char *buf)
{
    g_snprintf(buf, MAC_STRING_BUFLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
               mac->addr[0], mac->addr[1], mac->addr[2],
               mac->addr[3], mac->addr[4], mac->addr[5]);
    return buf;
}

/**
 * macGenerate:
 * @prefix: the three leading bytes (vendor part), e.g. MAC_PREFIX_QEMU
 * @ret: written on success
 *
 * Builds an address with @prefix and three random bytes.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
macGenerate(const unsigned char prefix[3], MacAddr *ret)
{
    unsigned char rnd[3];
    size_t got = 0;

    while (got < sizeof(rnd)) {
        ssize_t n = getrandom(rnd + got, sizeof(rnd) - got, 0);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            reportSystemError(errno, "%s", _("cannot read random bytes for a MAC address"));
            return -1;
        }
        got += (size_t)n;
    }
    memcpy(ret->addr, prefix, 3);
    memcpy(ret->addr + 3, rnd, 3);
    return 0;
}

/**
 * macIsMulticast:
 * @mac: address
 *
 * Returns: true when the group bit of the first byte is set.
 */
bool
macIsMulticast(const MacAddr *mac)
{
    return (mac->addr[0] & 0x01) != 0;
}

/**
 * macIsUnicast:
 * @mac: address
 *
 * Returns: true when the group bit of the first byte is clear.
 */
bool
macIsUnicast(const MacAddr *mac)
{
    return !macIsMulticast(mac);
}

/**
 * macEqual:
 * @a: address
 * @b: address
 *
 * Returns: true when both addresses are identical.
 */
bool
macEqual(const MacAddr *a, const MacAddr *b)
{
    return memcmp(a->addr, b->addr, MAC_BUFLEN) == 0;
}
