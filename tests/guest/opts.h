/* opts.h: vkguest's kernel command line options. */
#pragma once

#include <stdint.h>

typedef struct {
    uint32_t heartbeatMs;       /* heartbeat_ms: period of "HEARTBEAT n" lines, 0 = none */
    uint32_t dirtyMibS;         /* dirty_mib_s: MiB of working-set pages written per second */
    uint32_t wssMib;            /* wss_mib: size of the checked working set */
    uint32_t checkMs;           /* check_ms: start a verification pass this often, 0 = never */
    uint32_t tickHz;            /* tick_hz: timer rate, a divisor of 1000 in 10..1000 */
    uint32_t panicAfterS;       /* panic_after_s: panic this long after boot, 0 = never */
    uint32_t selftestCorrupt;   /* selftest_corrupt: 1 = corrupt own memory once */
    uint32_t randomMib;         /* random_mib: MiB after the working set filled with random data */
    uint32_t diskWriteMs;       /* disk_write_ms: period of one sector written to the IDE disk */
} Opts;

void optsDefaults(Opts *opts);
void optsParse(Opts *opts, const char *cmdline);
void optsPrint(const Opts *opts);
