/*
 * main.c: vkguest, virtkit's test guest.  Boots from QEMU's -kernel
 * (multiboot v1, 32-bit protected mode, no paging), then runs one loop:
 * heartbeat lines on COM1, page dirtying at a set rate, verification of the
 * working set, the ACPI power button, an optional panic.  The loop sleeps
 * with "hlt" whenever it has nothing to do.  See docs/test-guest.md.
 */
#include <stdint.h>

#include "acpi.h"
#include "intr.h"
#include "io.h"
#include "lib.h"
#include "memcheck.h"
#include "multiboot.h"
#include "opts.h"
#include "serial.h"

#define GUEST_VERSION "1"
#define GUEST_CMDLINE_MAX 1024
#define GUEST_MIB (1024u * 1024u)
#define GUEST_WSS_ALIGN (2u * GUEST_MIB)
#define GUEST_DIRTY_CHUNK 16            /* pages dirtied between two looks at the clock */
#define GUEST_PVPANIC_PORT 0x505
#define GUEST_ATA_BASE 0x1F0            /* primary IDE channel, legacy ports */
#define GUEST_ATA_SPIN 10000000u        /* status polls before giving up */
#define GUEST_PVPANIC_PANICKED 0x01

void guestMain(uint32_t magic, const MultibootInfo *mbi) __attribute__((noreturn));

/* Polls the primary channel's status until (status & @mask) == @want. */
static int
guestAtaWait(uint8_t mask, uint8_t want, uint8_t *retStatus)
{
    uint32_t i;
    uint8_t st = 0xFF;

    for (i = 0; i < GUEST_ATA_SPIN; i++) {
        st = ioInb(GUEST_ATA_BASE + 7);
        if (st == 0xFF)
            break;                      /* floating bus: no drive */
        if (!(st & 0x80) && (st & 0x01))
            break;                      /* ERR */
        if ((st & mask) == want) {
            *retStatus = st;
            return 0;
        }
    }
    *retStatus = st;
    return -1;
}

/*
 * disk_write_ms: writes sector 8 * @n (a new 4 KiB block each time) of the
 * primary master with ATA PIO (WRITE SECTORS, LBA28) and reports it as
 * "DISKWRITE n ok" or "DISKWRITE n error status=0xSS".  A host error policy
 * of 'stop' pauses the guest inside this call; it completes once resumed.
 */
static void
guestDiskWrite(uint32_t n, uint32_t nowMs)
{
    uint32_t lba = (n * 8u) & 0x0FFFFFFFu;
    uint8_t st;
    uint32_t i;

    if (guestAtaWait(0x80, 0x00, &st) < 0)
        goto error;
    ioOutb(GUEST_ATA_BASE + 6, (uint8_t)(0xE0 | ((lba >> 24) & 0x0F)));
    ioOutb(GUEST_ATA_BASE + 2, 1);
    ioOutb(GUEST_ATA_BASE + 3, (uint8_t)lba);
    ioOutb(GUEST_ATA_BASE + 4, (uint8_t)(lba >> 8));
    ioOutb(GUEST_ATA_BASE + 5, (uint8_t)(lba >> 16));
    ioOutb(GUEST_ATA_BASE + 7, 0x30);
    if (guestAtaWait(0x88, 0x08, &st) < 0)
        goto error;
    for (i = 0; i < 256; i++)
        ioOutw(GUEST_ATA_BASE, (uint16_t)(n + i));
    if (guestAtaWait(0x88, 0x00, &st) < 0)
        goto error;
    serialPrintf("DISKWRITE %u ok ms=%u\n", n, nowMs);
    return;

 error:
    serialPrintf("DISKWRITE %u error status=0x%02x ms=%u\n", n, st, nowMs);
}

extern char vkguestEnd[];               /* linker script: end of .bss */

static char guestCmdline[GUEST_CMDLINE_MAX];

/*
 * random_mib: an area right after the working set, filled once with
 * pseudo-random words (xorshift32), so that a migration has that much
 * incompressible, non-zero memory to move.  Nothing checks it.
 */
static volatile uint32_t *guestRandomBase;
static uint32_t guestRandomPages;
static uint32_t guestRandomFilled;
static uint32_t guestRandomState = 0x2545F491u;

/* Fills the next random-data page; returns true while pages remain. */
static bool
guestRandomFillStep(void)
{
    volatile uint32_t *w;
    uint32_t x = guestRandomState;
    uint32_t i;

    if (guestRandomFilled >= guestRandomPages)
        return false;
    w = guestRandomBase + guestRandomFilled * MEMCHECK_PAGE_WORDS;
    for (i = 0; i < MEMCHECK_PAGE_WORDS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        w[i] = x;
    }
    guestRandomState = x;
    guestRandomFilled++;
    return guestRandomFilled < guestRandomPages;
}

/*
 * Find the usable RAM range that holds the kernel (QEMU loads it at 1 MiB)
 * from the multiboot memory map, else from mem_upper.  Returns its end
 * (exclusive, clamped below 4 GiB), or 0 if unknown.
 */
static uint32_t
guestRamEnd(const MultibootInfo *mbi)
{
    uint64_t kernel = (uint64_t)(uintptr_t)vkguestEnd;
    uint32_t off;

    if (mbi->flags & MULTIBOOT_INFO_MMAP) {
        for (off = 0; off + sizeof(MultibootMmapEntry) <= mbi->mmapLength;) {
            const MultibootMmapEntry *e =
                (const MultibootMmapEntry *)(uintptr_t)(mbi->mmapAddr + off);
            uint64_t end = e->addr + e->len;

            if (e->type == MULTIBOOT_MMAP_AVAILABLE && e->addr <= kernel && end > kernel)
                return end > 0xFFFFF000ull ? 0xFFFFF000u : (uint32_t)end;
            off += e->size + 4;
        }
    }
    if (mbi->flags & MULTIBOOT_INFO_MEMORY)
        return GUEST_MIB + mbi->memUpper * 1024u;
    return 0;
}

static void __attribute__((noreturn))
guestPanic(const Opts *opts)
{
    uint8_t features = ioInb(GUEST_PVPANIC_PORT);

    serialPrintf("PANIC panic_after_s=%u\n", opts->panicAfterS);
    if (features != 0xFF && (features & GUEST_PVPANIC_PANICKED)) {
        serialPuts("PANIC pvpanic\n");
        ioOutb(GUEST_PVPANIC_PORT, GUEST_PVPANIC_PANICKED);
        cpuHaltForever();
    }
    serialPuts("PANIC triple-fault\n");
    intrTripleFault();
}

static void __attribute__((noreturn))
guestPowerOff(const Opts *opts)
{
    uint32_t start;

    serialPuts("POWEROFF\n");
    if (acpiPowerOff() == 0) {
        /* give the machine up to two seconds to stop */
        start = intrTicks();
        while (intrTicks() - start < 2 * opts->tickHz)
            cpuStiHlt();
    }
    serialPuts("POWEROFF FAILED\n");
    cpuHaltForever();
}

/**
 * guestMain:
 * @magic: EAX at entry, MULTIBOOT_BOOT_MAGIC when loaded by a multiboot loader
 * @mbi: the multiboot information block
 *
 * Entry point called by boot.S with interrupts disabled.  Never returns.
 */
void
guestMain(uint32_t magic, const MultibootInfo *mbi)
{
    Opts opts;
    uint32_t ramEnd;
    uint32_t wssStart;
    uint32_t wssPages = 0;
    uint32_t msPerTick;
    uint32_t pagesPerS;
    uint32_t lastTick = 0;
    uint32_t nowMs = 0;
    uint32_t nextHeartbeatMs = 0;
    uint32_t heartbeats = 0;
    uint32_t nextCheckMs = 0;
    uint32_t dirtyCredit = 0;
    uint32_t dirtyPending = 0;
    uint32_t selftestDone = 0;
    uint32_t nextDiskMs = 0;
    uint32_t diskWrites = 0;
    bool filled;

    serialInit();
    serialPuts("\nVKGUEST " GUEST_VERSION " booting\n");
    if (magic != MULTIBOOT_BOOT_MAGIC) {
        serialPrintf("VKGUEST not started by a multiboot loader (magic 0x%08x), halting\n",
                     magic);
        cpuHaltForever();
    }

    /* copy what we need from the info block before the working set may cover it */
    if ((mbi->flags & MULTIBOOT_INFO_CMDLINE) && mbi->cmdline) {
        const char *src = (const char *)(uintptr_t)mbi->cmdline;
        size_t n = libStrlen(src);

        if (n >= sizeof(guestCmdline))
            n = sizeof(guestCmdline) - 1;
        memcpy(guestCmdline, src, n);
        guestCmdline[n] = '\0';
    }
    ramEnd = guestRamEnd(mbi);

    serialPrintf("VKGUEST cmdline \"%s\"\n", guestCmdline);
    optsDefaults(&opts);
    optsParse(&opts, guestCmdline);
    optsPrint(&opts);

    intrInit();
    acpiInit();

    wssStart = ((uint32_t)(uintptr_t)vkguestEnd + GUEST_WSS_ALIGN - 1) & ~(GUEST_WSS_ALIGN - 1);
    if (ramEnd > wssStart) {
        uint32_t avail = (ramEnd - wssStart) / MEMCHECK_PAGE_SIZE;

        wssPages = opts.wssMib * (GUEST_MIB / MEMCHECK_PAGE_SIZE);
        if (wssPages > avail) {
            serialPrintf("VKGUEST warning: wss_mib=%u does not fit, using %u pages\n",
                         opts.wssMib, avail);
            wssPages = avail;
        }
    }
    memcheckInit(wssStart, wssPages);
    serialPrintf("VKGUEST memory ram_end=0x%08x wss_start=0x%08x wss_end=0x%08x pages=%u\n",
                 ramEnd, wssStart, wssStart + wssPages * MEMCHECK_PAGE_SIZE, wssPages);
    if (opts.randomMib) {
        uint32_t start = wssStart + wssPages * MEMCHECK_PAGE_SIZE;
        uint32_t avail = ramEnd > start ? (ramEnd - start) / MEMCHECK_PAGE_SIZE : 0;

        guestRandomBase = (volatile uint32_t *)(uintptr_t)start;
        guestRandomPages = opts.randomMib * (GUEST_MIB / MEMCHECK_PAGE_SIZE);
        if (guestRandomPages > avail) {
            serialPrintf("VKGUEST warning: random_mib=%u does not fit, using %u pages\n",
                         opts.randomMib, avail);
            guestRandomPages = avail;
        }
        serialPrintf("VKGUEST random start=0x%08x pages=%u\n", start, guestRandomPages);
    }

    msPerTick = 1000 / opts.tickHz;
    pagesPerS = opts.dirtyMibS * (GUEST_MIB / MEMCHECK_PAGE_SIZE);
    intrTimerStart(opts.tickHz);
    cpuSti();
    serialPuts("VKGUEST ready\n");

    filled = memcheckIsFilled();
    for (;;) {
        uint32_t ticks = intrTicks();

        if (ticks != lastTick) {
            uint32_t elapsed = ticks - lastTick;

            lastTick = ticks;
            nowMs = ticks * msPerTick;
            if (filled && pagesPerS) {
                uint32_t due;

                if (elapsed >= opts.tickHz) {
                    due = pagesPerS;
                    dirtyCredit = 0;
                } else {
                    /* < 1000 * 16384 * 256 + 1000: fits in 32 bits */
                    dirtyCredit += elapsed * pagesPerS;
                    due = dirtyCredit / opts.tickHz;
                    dirtyCredit -= due * opts.tickHz;
                }
                /* at most one second of backlog when the CPU cannot keep up */
                dirtyPending = dirtyPending + due > pagesPerS ? pagesPerS : dirtyPending + due;
            }
            if (acpiPowerButtonPressed())
                guestPowerOff(&opts);
            if (opts.panicAfterS && nowMs / 1000 >= opts.panicAfterS)
                guestPanic(&opts);
            if (filled && opts.checkMs && !memcheckIsVerifying() && nowMs >= nextCheckMs) {
                memcheckVerifyStart();
                nextCheckMs = nowMs + opts.checkMs;
            }
        }

        if (opts.diskWriteMs && nowMs >= nextDiskMs) {
            guestDiskWrite(diskWrites++, nowMs);
            nextDiskMs = nowMs + opts.diskWriteMs;
        }

        if (opts.heartbeatMs && nowMs >= nextHeartbeatMs) {
            serialPrintf("HEARTBEAT %u ms=%u dirtied=%u\n", heartbeats++, nowMs,
                         memcheckDirtied());
            nextHeartbeatMs += opts.heartbeatMs;
            if (nextHeartbeatMs <= nowMs)
                nextHeartbeatMs = nowMs + opts.heartbeatMs;
        }

        /*
         * Background work, one page at a time, until the next tick: timer
         * duties above stay punctual however slow the CPU is (TCG, or a KVM
         * that emulates every instruction).  Dirtying comes first, so that
         * the rate holds while the fill or a verification pass is running.
         */
        while (intrTicks() == lastTick) {
            if (dirtyPending) {
                uint32_t n = dirtyPending < GUEST_DIRTY_CHUNK ? dirtyPending : GUEST_DIRTY_CHUNK;

                memcheckDirty(n);
                dirtyPending -= n;
            } else if (!filled) {
                if (!memcheckFillStep(1)) {
                    filled = true;
                    nextCheckMs = nowMs;
                    serialPrintf("VKGUEST filled ms=%u\n", nowMs);
                    break;
                }
            } else if (guestRandomFilled < guestRandomPages) {
                if (!guestRandomFillStep()) {
                    serialPrintf("VKGUEST random filled ms=%u\n", nowMs);
                    break;
                }
            } else if (memcheckIsVerifying()) {
                memcheckVerifyStep(1);
            } else if (opts.selftestCorrupt && !selftestDone && memcheckPasses() >= 1) {
                memcheckCorruptSelf();
                selftestDone = 1;
            } else {
                cpuCli();
                if (intrTicks() == lastTick)
                    cpuStiHlt();
                else
                    cpuSti();
                break;
            }
        }
    }
}
