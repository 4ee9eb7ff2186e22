/* lib.h: the few C library routines the freestanding vkguest needs. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* The compiler may emit calls to these four even in freestanding mode. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t libStrlen(const char *s);
bool libStrnEq(const char *a, const char *b, size_t n);
int libParseU32(const char *s, size_t len, uint32_t *ret);
