/* io.h: x86 port I/O and a few CPU instructions for vkguest. */
#pragma once

#include <stdint.h>

static inline void
ioOutb(uint16_t port, uint8_t val)
{
    __asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline void
ioOutw(uint16_t port, uint16_t val)
{
    __asm__ volatile("outw %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t
ioInb(uint16_t port)
{
    uint8_t val;

    __asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
    return val;
}

static inline uint16_t
ioInw(uint16_t port)
{
    uint16_t val;

    __asm__ volatile("inw %1, %0" : "=a"(val) : "Nd"(port));
    return val;
}

/*
 * Read a 16-bit word at a fixed physical address (e.g. the BIOS data area).
 * The empty asm hides the constant from the compiler, which would otherwise
 * treat small addresses as invalid pointers.
 */
static inline uint16_t
ioPeek16(uintptr_t addr)
{
    const volatile uint16_t *p;

    __asm__("" : "=r"(p) : "0"(addr));
    return *p;
}

/* Read access to port 0x80 (POST diagnostics): a short, harmless delay. */
static inline void
ioDelay(void)
{
    ioOutb(0x80, 0);
}

static inline void
cpuCli(void)
{
    __asm__ volatile("cli" ::: "memory");
}

static inline void
cpuSti(void)
{
    __asm__ volatile("sti" ::: "memory");
}

/*
 * Enable interrupts and halt until the next one.  "sti" only takes effect
 * after the following instruction, so no interrupt can slip in between the
 * caller's last check (done with interrupts off) and the "hlt".
 */
static inline void
cpuStiHlt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}

/* Stop this CPU for good. */
static inline __attribute__((noreturn)) void
cpuHaltForever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt" ::: "memory");
}
