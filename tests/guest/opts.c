/* opts.c: parse "key=value" words of the multiboot command line. */
#include "opts.h"

#include <stddef.h>

#include "lib.h"
#include "serial.h"

typedef struct {
    const char *name;
    size_t offset;
    uint32_t min;
    uint32_t max;
} OptsField;

static const OptsField optsFields[] = {
    { "heartbeat_ms", offsetof(Opts, heartbeatMs), 0, 3600000 },
    { "dirty_mib_s", offsetof(Opts, dirtyMibS), 0, 16384 },
    { "wss_mib", offsetof(Opts, wssMib), 0, 3072 },
    { "check_ms", offsetof(Opts, checkMs), 0, 3600000 },
    { "tick_hz", offsetof(Opts, tickHz), 10, 1000 },
    { "panic_after_s", offsetof(Opts, panicAfterS), 0, 86400 },
    { "selftest_corrupt", offsetof(Opts, selftestCorrupt), 0, 1 },
    { "random_mib", offsetof(Opts, randomMib), 0, 3072 },
    { "disk_write_ms", offsetof(Opts, diskWriteMs), 0, 3600000 },
};

#define OPTS_NFIELDS (sizeof(optsFields) / sizeof(optsFields[0]))

static uint32_t *
optsSlot(Opts *opts, const OptsField *field)
{
    return (uint32_t *)(void *)((char *)opts + field->offset);
}

static uint32_t
optsGet(const Opts *opts, const OptsField *field)
{
    return *(const uint32_t *)(const void *)((const char *)opts + field->offset);
}

/**
 * optsDefaults:
 * @opts: options to reset
 *
 * Sets the defaults: a heartbeat every 100 ms, an 8 MiB working set checked
 * every second, no dirtying, a 100 Hz tick, no panic, no self-test, no
 * random-data area.
 */
void
optsDefaults(Opts *opts)
{
    opts->heartbeatMs = 100;
    opts->dirtyMibS = 0;
    opts->wssMib = 8;
    opts->checkMs = 1000;
    opts->tickHz = 100;
    opts->panicAfterS = 0;
    opts->selftestCorrupt = 0;
    opts->randomMib = 0;
    opts->diskWriteMs = 0;
}

static void
optsParseWord(Opts *opts, const char *word, size_t len)
{
    size_t eq;
    size_t i;
    uint32_t val;

    for (eq = 0; eq < len && word[eq] != '='; eq++)
        ;
    if (eq == len)
        return;                         /* the kernel's file name, or a flag we do not know */

    for (i = 0; i < OPTS_NFIELDS; i++) {
        const OptsField *field = &optsFields[i];

        if (!libStrnEq(word, field->name, eq))
            continue;
        if (libParseU32(word + eq + 1, len - eq - 1, &val) < 0 ||
            val < field->min || val > field->max) {
            serialPrintf("VKGUEST warning: bad value for %s (allowed %u..%u), keeping %u\n",
                         field->name, field->min, field->max, optsGet(opts, field));
            return;
        }
        *optsSlot(opts, field) = val;
        return;
    }
    serialPuts("VKGUEST warning: unknown option '");
    for (i = 0; i < len; i++)
        serialPutc(word[i]);
    serialPuts("' ignored\n");
}

/**
 * optsParse:
 * @opts: options, already holding defaults
 * @cmdline: the multiboot command line (NUL-terminated), or NULL
 *
 * Applies every "key=value" word of @cmdline.  Words without '=' (QEMU puts
 * the kernel's file name first) are skipped; unknown keys and bad values
 * produce a warning line and are otherwise ignored.  A tick_hz that does not
 * divide 1000 falls back to 100.
 */
void
optsParse(Opts *opts, const char *cmdline)
{
    const char *p = cmdline;

    if (!p)
        return;
    while (*p) {
        const char *start;

        while (*p == ' ' || *p == '\t')
            p++;
        start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (p > start)
            optsParseWord(opts, start, (size_t)(p - start));
    }
    if (1000 % opts->tickHz != 0) {
        serialPrintf("VKGUEST warning: tick_hz=%u does not divide 1000, using 100\n",
                     opts->tickHz);
        opts->tickHz = 100;
    }
}

/**
 * optsPrint:
 * @opts: options to show
 *
 * Prints the "VKGUEST options ..." banner line with every option's value.
 */
void
optsPrint(const Opts *opts)
{
    size_t i;

    serialPuts("VKGUEST options");
    for (i = 0; i < OPTS_NFIELDS; i++) {
        const OptsField *field = &optsFields[i];

        serialPrintf(" %s=%u", field->name, optsGet(opts, field));
    }
    serialPutc('\n');
}
