/*
 * memcheck.c: a working set whose every word has a known expected value, so
 * that any change made behind the guest's back (a page lost or mangled by a
 * migration, a write from outside) is found and reported with its address.
 *
 * Every word of page p at address a holds memcheckFill(a), except word 0,
 * which holds memcheckStamp(a, g): g is the number of times the dirtier has
 * written page p.  The dirtier walks the pages in order, one word per page,
 * wrapping around; so at any moment pages below dirtyPos have been written
 * dirtyGen + 1 times and the others dirtyGen times, and no per-page record
 * is needed.  Filling, dirtying and verifying all run on the main loop, never
 * in interrupt context, so they always agree.
 *
 * The guest's own code and read-only data are covered by a checksum taken at
 * start-up and compared at the end of every pass.
 */
#include "memcheck.h"

#include "serial.h"

#define MEMCHECK_MUL_FILL 0x9E3779B1u
#define MEMCHECK_ADD_FILL 0x6A09E667u
#define MEMCHECK_MUL_GEN 0x85EBCA77u
#define MEMCHECK_XOR_STAMP 0xC2B2AE3Du
#define MEMCHECK_REPORT_MAX 8           /* CORRUPT lines per pass */

typedef struct {
    volatile uint32_t *base;
    uint32_t npages;
    uint32_t filled;                    /* pages initialised so far */
    uint32_t dirtyPos;                  /* next page the dirtier writes */
    uint32_t dirtyGen;                  /* completed dirtier cycles */
    uint32_t dirtied;                   /* page writes by the dirtier (wraps) */
    bool verifying;
    uint32_t verifyPos;                 /* next page to verify in this pass */
    uint32_t passes;                    /* completed verification passes */
    uint32_t badWords;                  /* bad words found in this pass */
    uint32_t textSum;                   /* checksum of code + rodata at start */
} Memcheck;

static Memcheck memcheck;

/* linker script symbols */
extern const char vkguestTextStart[];
extern const char vkguestRodataEnd[];

static inline uint32_t
memcheckFill(uint32_t addr)
{
    return addr * MEMCHECK_MUL_FILL + MEMCHECK_ADD_FILL;
}

static inline uint32_t
memcheckStamp(uint32_t addr, uint32_t gen)
{
    return (addr * MEMCHECK_MUL_FILL) ^ (gen * MEMCHECK_MUL_GEN) ^ MEMCHECK_XOR_STAMP;
}

static uint32_t
memcheckTextSum(void)
{
    const uint32_t *p = (const uint32_t *)(const void *)vkguestTextStart;
    const uint32_t *end = (const uint32_t *)(const void *)vkguestRodataEnd;
    uint32_t sum = 0;

    for (; p < end; p++)
        sum = ((sum << 5) | (sum >> 27)) ^ *p;
    return sum;
}

static volatile uint32_t *
memcheckPage(uint32_t page)
{
    return memcheck.base + page * MEMCHECK_PAGE_WORDS;
}

static uint32_t
memcheckGen(uint32_t page)
{
    return memcheck.dirtyGen + (page < memcheck.dirtyPos ? 1 : 0);
}

/**
 * memcheckInit:
 * @base: page-aligned start of the working set
 * @npages: its size in pages (0 disables the working set)
 *
 * Records the working set and the checksum of the guest's code; the pages
 * are written later by memcheckFillStep().
 */
void
memcheckInit(uintptr_t base, uint32_t npages)
{
    memcheck.base = (volatile uint32_t *)base;
    memcheck.npages = npages;
    memcheck.textSum = memcheckTextSum();
}

/**
 * memcheckFillStep:
 * @maxPages: most pages to initialise in this call
 *
 * Writes the expected contents of the next pages of the working set.
 *
 * Returns: true while pages remain to be filled.
 */
bool
memcheckFillStep(uint32_t maxPages)
{
    while (maxPages-- > 0 && memcheck.filled < memcheck.npages) {
        volatile uint32_t *w = memcheckPage(memcheck.filled);
        uint32_t addr = (uint32_t)(uintptr_t)w;
        uint32_t val;
        uint32_t i;

        w[0] = memcheckStamp(addr, 0);
        val = memcheckFill(addr + 4);
        for (i = 1; i < MEMCHECK_PAGE_WORDS; i++) {
            w[i] = val;
            val += 4 * MEMCHECK_MUL_FILL;
        }
        memcheck.filled++;
    }
    return memcheck.filled < memcheck.npages;
}

/**
 * memcheckIsFilled:
 *
 * Returns: true once every page of the working set holds its expected value.
 */
bool
memcheckIsFilled(void)
{
    return memcheck.filled == memcheck.npages;
}

/**
 * memcheckDirty:
 * @npages: how many pages to write
 *
 * Writes word 0 of the next @npages pages of the working set (cycling), each
 * with a value that changes on every visit.  Does nothing before the working
 * set is filled or when it is empty.
 */
void
memcheckDirty(uint32_t npages)
{
    if (!memcheckIsFilled() || memcheck.npages == 0)
        return;
    while (npages-- > 0) {
        volatile uint32_t *w = memcheckPage(memcheck.dirtyPos);

        w[0] = memcheckStamp((uint32_t)(uintptr_t)w, memcheck.dirtyGen + 1);
        memcheck.dirtied++;
        if (++memcheck.dirtyPos == memcheck.npages) {
            memcheck.dirtyPos = 0;
            memcheck.dirtyGen++;
        }
    }
}

/**
 * memcheckDirtied:
 *
 * Returns: the number of page writes done by memcheckDirty() (wraps at 2^32).
 */
uint32_t
memcheckDirtied(void)
{
    return memcheck.dirtied;
}

/**
 * memcheckVerifyStart:
 *
 * Begins a verification pass over the whole working set, carried out by
 * memcheckVerifyStep().  Ignored while a pass is running.
 */
void
memcheckVerifyStart(void)
{
    if (memcheck.verifying)
        return;
    memcheck.verifying = true;
    memcheck.verifyPos = 0;
    memcheck.badWords = 0;
}

static void
memcheckReport(volatile uint32_t *w, uint32_t expected, uint32_t found)
{
    memcheck.badWords++;
    if (memcheck.badWords <= MEMCHECK_REPORT_MAX)
        serialPrintf("CORRUPT addr=0x%08x expected=0x%08x found=0x%08x\n",
                     (uint32_t)(uintptr_t)w, expected, found);
    /* repair it, so that one bad word is reported once */
    *w = expected;
}

static void
memcheckVerifyPage(uint32_t page)
{
    volatile uint32_t *w = memcheckPage(page);
    uint32_t addr = (uint32_t)(uintptr_t)w;
    uint32_t expected = memcheckStamp(addr, memcheckGen(page));
    uint32_t i;

    if (w[0] != expected)
        memcheckReport(&w[0], expected, w[0]);
    expected = memcheckFill(addr + 4);
    for (i = 1; i < MEMCHECK_PAGE_WORDS; i++) {
        uint32_t found = w[i];

        if (found != expected)
            memcheckReport(&w[i], expected, found);
        expected += 4 * MEMCHECK_MUL_FILL;
    }
}

static void
memcheckVerifyFinish(void)
{
    uint32_t sum = memcheckTextSum();

    memcheck.verifying = false;
    memcheck.passes++;
    if (sum != memcheck.textSum) {
        serialPrintf("CORRUPT text expected_sum=0x%08x found_sum=0x%08x\n",
                     memcheck.textSum, sum);
        memcheck.textSum = sum;
        memcheck.badWords++;
    }
    if (memcheck.badWords == 0)
        serialPrintf("CHECK OK %u pages=%u\n", memcheck.passes, memcheck.npages);
    else
        serialPrintf("CHECK FAILED %u bad_words=%u\n", memcheck.passes, memcheck.badWords);
}

/**
 * memcheckVerifyStep:
 * @maxPages: most pages to verify in this call
 *
 * Continues the running pass.  Each bad word is reported on its own
 * "CORRUPT addr=... expected=... found=..." line (at most 8 per pass) and
 * repaired; the end of a pass prints "CHECK OK n pages=N" or
 * "CHECK FAILED n bad_words=N".
 *
 * Returns: true while the pass is still running.
 */
bool
memcheckVerifyStep(uint32_t maxPages)
{
    if (!memcheck.verifying)
        return false;
    while (maxPages-- > 0 && memcheck.verifyPos < memcheck.npages)
        memcheckVerifyPage(memcheck.verifyPos++);
    if (memcheck.verifyPos == memcheck.npages)
        memcheckVerifyFinish();
    return memcheck.verifying;
}

/**
 * memcheckIsVerifying:
 *
 * Returns: true while a verification pass is running.
 */
bool
memcheckIsVerifying(void)
{
    return memcheck.verifying;
}

/**
 * memcheckPasses:
 *
 * Returns: the number of completed verification passes.
 */
uint32_t
memcheckPasses(void)
{
    return memcheck.passes;
}

/**
 * memcheckCorruptSelf:
 *
 * Self-test for selftest_corrupt=1: flips the bits of one word in the middle
 * of the working set with a plain store that the bookkeeping above knows
 * nothing about, exactly as a foreign write would, and says where.  The
 * next pass must report it.
 */
void
memcheckCorruptSelf(void)
{
    volatile uint32_t *w;

    if (memcheck.npages == 0) {
        serialPuts("SELFTEST no working set to corrupt\n");
        return;
    }
    w = memcheckPage(memcheck.npages / 2) + 17;
    serialPrintf("SELFTEST corrupting addr=0x%08x\n", (uint32_t)(uintptr_t)w);
    *w = ~*w;
}
