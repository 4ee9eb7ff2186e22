/* UUIDs: random generation, parsing (libvirt's accepted forms) and formatting. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>   /* VIR_UUID_BUFLEN, VIR_UUID_STRING_BUFLEN */

int uuidGenerate(unsigned char *uuid);
int uuidParse(const char *str, unsigned char *uuid);
char *uuidFormat(const unsigned char *uuid, char *buf);
bool uuidIsNull(const unsigned char *uuid);
bool uuidEqual(const unsigned char *a, const unsigned char *b);
guint uuidHash(gconstpointer uuid);
gboolean uuidHashEqual(gconstpointer a, gconstpointer b);
