/* intr.c: IDT set-up, the 8259 PIC, the 8254 PIT and interrupt dispatch. */
#include "intr.h"

#include "io.h"
#include "serial.h"

#define INTR_VECTORS 48                 /* 32 exceptions + 16 PIC lines */
#define INTR_PIC_BASE 32                /* vector of IRQ 0 */
#define INTR_CODE_SEL 0x08

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182u

typedef struct {
    uint16_t offsetLow;
    uint16_t selector;
    uint8_t zero;
    uint8_t flags;
    uint16_t offsetHigh;
} __attribute__((packed)) IntrGate;

typedef struct {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed)) IntrTablePtr;

extern const uint32_t intrStubTable[INTR_VECTORS];

static IntrGate intrIdt[INTR_VECTORS];
static volatile uint32_t intrTickCount;

/**
 * intrInit:
 *
 * Loads an IDT covering the CPU exceptions and the 16 PIC lines, remaps the
 * PICs to vectors 32..47 and masks every line.  Interrupts stay disabled.
 */
void
intrInit(void)
{
    IntrTablePtr ptr;
    int i;

    for (i = 0; i < INTR_VECTORS; i++) {
        intrIdt[i].offsetLow = (uint16_t)(intrStubTable[i] & 0xffff);
        intrIdt[i].selector = INTR_CODE_SEL;
        intrIdt[i].zero = 0;
        intrIdt[i].flags = 0x8E;        /* present, ring 0, 32-bit interrupt gate */
        intrIdt[i].offsetHigh = (uint16_t)(intrStubTable[i] >> 16);
    }
    ptr.limit = sizeof(intrIdt) - 1;
    ptr.base = (uint32_t)(uintptr_t)intrIdt;
    __asm__ volatile("lidt %0" : : "m"(ptr));

    /* ICW1..ICW4: edge triggered, cascaded, vector bases 32 and 40, 8086 mode */
    ioOutb(PIC1_CMD, 0x11);
    ioDelay();
    ioOutb(PIC2_CMD, 0x11);
    ioDelay();
    ioOutb(PIC1_DATA, INTR_PIC_BASE);
    ioDelay();
    ioOutb(PIC2_DATA, INTR_PIC_BASE + 8);
    ioDelay();
    ioOutb(PIC1_DATA, 0x04);            /* slave on line 2 */
    ioDelay();
    ioOutb(PIC2_DATA, 0x02);
    ioDelay();
    ioOutb(PIC1_DATA, 0x01);
    ioDelay();
    ioOutb(PIC2_DATA, 0x01);
    ioDelay();
    ioOutb(PIC1_DATA, 0xFF);
    ioOutb(PIC2_DATA, 0xFF);
}

/**
 * intrTimerStart:
 * @hz: tick rate, 19..1000
 *
 * Programs PIT channel 0 as a rate generator at @hz and unmasks IRQ 0.
 * Call with interrupts disabled; the caller enables them.
 */
void
intrTimerStart(uint32_t hz)
{
    uint32_t divisor = (PIT_HZ + hz / 2) / hz;

    ioOutb(PIT_CMD, 0x34);              /* channel 0, lobyte/hibyte, mode 2 */
    ioOutb(PIT_CH0, (uint8_t)(divisor & 0xff));
    ioOutb(PIT_CH0, (uint8_t)(divisor >> 8));
    ioOutb(PIC1_DATA, 0xFE);            /* only IRQ 0 */
}

/**
 * intrTicks:
 *
 * Returns: the number of timer interrupts since intrTimerStart() (wraps at
 * 2^32).
 */
uint32_t
intrTicks(void)
{
    return intrTickCount;
}

/**
 * intrTripleFault:
 *
 * Resets the machine the hard way: with an empty IDT, any interrupt becomes
 * a triple fault, which QEMU turns into a system reset (or an exit with
 * -no-reboot).
 */
void
intrTripleFault(void)
{
    IntrTablePtr ptr = { 0, 0 };

    cpuCli();
    __asm__ volatile("lidt %0; int3" : : "m"(ptr));
    cpuHaltForever();
}

/**
 * intrDispatch:
 * @frame: registers saved by the stub in boot.S
 *
 * Called by the stubs with interrupts disabled.  Counts timer ticks, ignores
 * spurious PIC interrupts, and reports CPU exceptions on the serial port
 * before halting (a test sees "EXCEPTION" rather than a silent hang).
 */
void
intrDispatch(IntrFrame *frame)
{
    uint32_t vec = frame->vector;

    if (vec == INTR_PIC_BASE) {
        intrTickCount++;
        ioOutb(PIC1_CMD, PIC_EOI);
        return;
    }
    if (vec >= INTR_PIC_BASE) {
        /* Masked lines can still raise a spurious IRQ 7 / 15: no EOI for those. */
        uint32_t irq = vec - INTR_PIC_BASE;

        if (irq != 7 && irq != 15) {
            if (irq >= 8)
                ioOutb(PIC2_CMD, PIC_EOI);
            ioOutb(PIC1_CMD, PIC_EOI);
        }
        return;
    }
    serialPrintf("EXCEPTION %u error=0x%x eip=0x%08x\n",
                 vec, frame->errorCode, frame->eip);
    cpuHaltForever();
}
