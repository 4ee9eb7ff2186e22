/* MAC addresses: parse, format, generate, compare. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define MAC_BUFLEN 6
#define MAC_STRING_BUFLEN (MAC_BUFLEN * 3)   /* "xx:xx:xx:xx:xx:xx" + NUL */
#define MAC_PREFIX_QEMU { 0x52, 0x54, 0x00 } /* what libvirt gives KVM guests */

typedef struct {
    unsigned char addr[MAC_BUFLEN];
} MacAddr;

int macParse(const char *str, MacAddr *ret);
const char *macFormat(const MacAddr *mac, char *buf);
int macGenerate(const unsigned char prefix[3], MacAddr *ret);
bool macIsMulticast(const MacAddr *mac);
bool macIsUnicast(const MacAddr *mac);
bool macEqual(const MacAddr *a, const MacAddr *b);
