/* Fixed-size bit sets with libvirt's "0-3,^2,8" text form (CPU sets). */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct _Bitmap Bitmap;

Bitmap *bitmapNew(size_t nbits);
void bitmapFree(Bitmap *map);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Bitmap, bitmapFree);
Bitmap *bitmapCopy(const Bitmap *map);

size_t bitmapSize(const Bitmap *map);
int bitmapSetBit(Bitmap *map, size_t bit);
int bitmapClearBit(Bitmap *map, size_t bit);
bool bitmapIsSet(const Bitmap *map, size_t bit);
size_t bitmapCount(const Bitmap *map);
bool bitmapIsEmpty(const Bitmap *map);
bool bitmapEqual(const Bitmap *a, const Bitmap *b);
ssize_t bitmapNextSet(const Bitmap *map, ssize_t pos);

int bitmapParse(const char *str, size_t nbits, Bitmap **ret);
char *bitmapFormat(const Bitmap *map);
