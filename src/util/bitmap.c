/* Fixed-size bit sets with libvirt's "0-3,^2,8" text form. */
#include <string.h>

#include "util/bitmap.h"
#include "util/error.h"   /* VIR_FROM_NONE, as libvirt's bitmap errors */
#include "util/str.h"

struct _Bitmap {
    size_t nbits;
    guint64 *words;
};

#define BITMAP_WORD_BITS 64
#define BITMAP_NWORDS(n) (((n) + BITMAP_WORD_BITS - 1) / BITMAP_WORD_BITS)

/**
 * bitmapNew:
 * @nbits: capacity in bits (bits 0 .. @nbits-1)
 *
 * Returns: a new all-clear bitmap (caller frees with bitmapFree).
 */
Bitmap *
bitmapNew(size_t nbits)
{
    Bitmap *map = g_new0(Bitmap, 1);

    map->nbits = nbits;
    map->words = g_new0(guint64, BITMAP_NWORDS(nbits) ? BITMAP_NWORDS(nbits) : 1);
    return map;
}

/**
 * bitmapFree:
 * @map: bitmap or NULL
 *
 * Releases @map.
 */
void
bitmapFree(Bitmap *map)
{
    if (!map)
        return;
    g_free(map->words);
    g_free(map);
}

/**
 * bitmapCopy:
 * @map: bitmap or NULL
 *
 * Returns: a deep copy (caller frees), or NULL for NULL.
 */
Bitmap *
bitmapCopy(const Bitmap *map)
{
    Bitmap *copy;

    if (!map)
        return NULL;
    copy = bitmapNew(map->nbits);
    memcpy(copy->words, map->words, BITMAP_NWORDS(map->nbits) * sizeof(guint64));
    return copy;
}

/**
 * bitmapSize:
 * @map: bitmap
 *
 * Returns: the capacity in bits.
 */
size_t
bitmapSize(const Bitmap *map)
{
    return map->nbits;
}

/**
 * bitmapSetBit:
 * @map: bitmap
 * @bit: bit number
 *
 * Returns: 0, or -1 (nothing reported) when @bit is out of range.
 */
int
bitmapSetBit(Bitmap *map, size_t bit)
{
    if (bit >= map->nbits)
        return -1;
    map->words[bit / BITMAP_WORD_BITS] |= G_GUINT64_CONSTANT(1) << (bit % BITMAP_WORD_BITS);
    return 0;
}

/**
 * bitmapClearBit:
 * @map: bitmap
 * @bit: bit number
 *
 * Returns: 0, or -1 (nothing reported) when @bit is out of range.
 */
int
bitmapClearBit(Bitmap *map, size_t bit)
{
    if (bit >= map->nbits)
        return -1;
    map->words[bit / BITMAP_WORD_BITS] &= ~(G_GUINT64_CONSTANT(1) << (bit % BITMAP_WORD_BITS));
    return 0;
}

/**
 * bitmapIsSet:
 * @map: bitmap
 * @bit: bit number
 *
 * Returns: true when @bit is in range and set.
 */
bool
bitmapIsSet(const Bitmap *map, size_t bit)
{
    if (bit >= map->nbits)
        return false;
    return (map->words[bit / BITMAP_WORD_BITS] >> (bit % BITMAP_WORD_BITS)) & 1;
}

/**
 * bitmapCount:
 * @map: bitmap
 *
 * Returns: the number of set bits.
 */
size_t
bitmapCount(const Bitmap *map)
{
    size_t n = 0;
    size_t i;

    for (i = 0; i < BITMAP_NWORDS(map->nbits); i++)
        n += (size_t)__builtin_popcountll(map->words[i]);
    return n;
}

/**
 * bitmapIsEmpty:
 * @map: bitmap
 *
 * Returns: true when no bit is set.
 */
bool
bitmapIsEmpty(const Bitmap *map)
{
    return bitmapCount(map) == 0;
}

/**
 * bitmapEqual:
 * @a: bitmap or NULL
 * @b: bitmap or NULL
 *
 * Returns: true when both hold the same set bits (NULL equals only NULL).
 */
bool
bitmapEqual(const Bitmap *a, const Bitmap *b)
{
    ssize_t i = -1;
    ssize_t j = -1;

    if (!a || !b)
        return a == b;
    do {
        i = bitmapNextSet(a, i);
        j = bitmapNextSet(b, j);
        if (i != j)
            return false;
    } while (i >= 0);
    return true;
}

/**
 * bitmapNextSet:
 * @map: bitmap
 * @pos: last position seen, -1 to start
 *
 * Returns: the first set bit after @pos, or -1 when there is none.
 */
ssize_t
bitmapNextSet(const Bitmap *map, ssize_t pos)
{
    size_t bit;

    for (bit = (size_t)(pos + 1); bit < map->nbits; bit++) {
        guint64 word = map->words[bit / BITMAP_WORD_BITS] >> (bit % BITMAP_WORD_BITS);

        if (word == 0) {
            /* skip to the next word */
            bit |= BITMAP_WORD_BITS - 1;
            continue;
        }
        bit += (size_t)__builtin_ctzll(word);
        if (bit < map->nbits)
            return (ssize_t)bit;
        break;
    }
    return -1;
}

static bool
bitmapParseNumber(const char **p, size_t nbits, size_t *ret)
{
    uint64_t v = 0;
    const char *s = *p;

    if (!g_ascii_isdigit(*s))
        return false;
    while (g_ascii_isdigit(*s)) {
        v = v * 10 + (uint64_t)(*s - '0');
        if (v >= nbits)
            return false;
        s++;
    }
    *p = s;
    *ret = (size_t)v;
    return true;
}

/**
 * bitmapParse:
 * @str: text like "0-3,^2,8" (blanks allowed around items)
 * @nbits: capacity; every bit named must be below it
 * @ret: the new bitmap on success (caller frees)
 *
 * Items are a bit number, a range "a-b" with a <= b, or "^n" to clear a
 * bit set by an earlier item.  Malformed text is VIR_ERR_INVALID_ARG
 * "Failed to parse bitmap 'TEXT'" (libvirt's).  The result may be empty.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
bitmapParse(const char *str, size_t nbits, Bitmap **ret)
{
    g_autoptr(Bitmap) map = bitmapNew(nbits);
    const char *p = str;
    bool any = false;

    if (!str)
        goto error;

    while (true) {
        bool negate = false;
        size_t first;
        size_t last;
        size_t i;

        while (g_ascii_isspace(*p))
            p++;
        if (*p == '^') {
            negate = true;
            p++;
        }
        if (!bitmapParseNumber(&p, nbits, &first))
            goto error;
        last = first;
        if (!negate && *p == '-') {
            p++;
            if (!bitmapParseNumber(&p, nbits, &last) || last < first)
                goto error;
        }
        for (i = first; i <= last; i++) {
            if (negate)
                bitmapClearBit(map, i);
            else
                bitmapSetBit(map, i);
        }
        any = true;
        while (g_ascii_isspace(*p))
            p++;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '\0')
            break;
        goto error;
    }
    if (!any)
        goto error;
    *ret = g_steal_pointer(&map);
    return 0;

 error:
    reportError(VIR_ERR_INVALID_ARG, _("Failed to parse bitmap '%1$s'"), str ? str : "");
    return -1;
}

/**
 * bitmapFormat:
 * @map: bitmap
 *
 * Formats the set bits as comma-separated bit numbers and "a-b" runs,
 * ascending (the form libvirt prints; "" for an empty map).
 *
 * Returns: a new string (caller frees).
 */
char *
bitmapFormat(const Bitmap *map)
{
    GString *out = g_string_new(NULL);
    ssize_t start = bitmapNextSet(map, -1);

    while (start >= 0) {
        ssize_t end = start;
        ssize_t next;

        while ((next = bitmapNextSet(map, end)) == end + 1)
            end = next;
        if (out->len)
            g_string_append_c(out, ',');
        if (end > start)
            g_string_append_printf(out, "%zd-%zd", start, end);
        else
            g_string_append_printf(out, "%zd", start);
        start = next;
    }
    return g_string_free(out, FALSE);
}
