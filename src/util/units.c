/* Scaled integers with libvirt's unit suffixes. */
#include <string.h>

#include "util/error.h"   /* ERR_DOMAIN stays VIR_FROM_NONE, as libvirt's */
#include "util/str.h"
#include "util/units.h"

/*
 * Multiplier for one suffix: "b"/"bytes" = 1; a letter among k m g t p e
 * (either case) alone or followed by "iB" means a power of 1024, followed
 * by "B" a power of 1000.  Returns 0 for an unknown suffix.
 */
static uint64_t
unitsSuffixScale(const char *suffix)
{
    static const char letters[] = "kmgtpe";
    const char *pos;
    uint64_t base;
    uint64_t scale = 1;
    int power;
    int i;

    if (strCaseEq(suffix, "b") || strCaseEq(suffix, "bytes"))
        return 1;
    pos = strchr(letters, g_ascii_tolower(suffix[0]));
    if (!suffix[0] || !pos)
        return 0;
    power = (int)(pos - letters) + 1;
    if (suffix[1] == '\0' || strCaseEq(suffix + 1, "iB"))
        base = 1024;
    else if (strCaseEq(suffix + 1, "B"))
        base = 1000;
    else
        return 0;
    for (i = 0; i < power; i++)
        scale *= base;
    return scale;
}

/**
 * unitsScale:
 * @value: in: the number as written; out: the number of bytes (or of the
 *         unit @defaultScale stands for)
 * @suffix: the unit as written, NULL or "" for @defaultScale
 * @defaultScale: multiplier when there is no suffix (e.g. 1024 for KiB)
 * @limit: the largest acceptable result
 *
 * Errors are libvirt's: an unknown suffix is VIR_ERR_INVALID_ARG
 * "unknown suffix 'X'"; a result above @limit is VIR_ERR_OVERFLOW
 * "value too large: NX".
 *
 * Returns: 0 on success, -1 with an error reported (*@value untouched).
 */
int
unitsScale(uint64_t *value, const char *suffix, uint64_t defaultScale,
           uint64_t limit)
{
    uint64_t scale = defaultScale;

    if (suffix && *suffix) {
        scale = unitsSuffixScale(suffix);
        if (scale == 0) {
            reportError(VIR_ERR_INVALID_ARG, _("unknown suffix '%1$s'"), suffix);
            return -1;
        }
    }
    if (scale == 0 || (*value && *value > limit / scale)) {
        reportError(VIR_ERR_OVERFLOW, _("value too large: %1$llu%2$s"),
                    (unsigned long long)*value, suffix ? suffix : "");
        return -1;
    }
    *value *= scale;
    return 0;
}
