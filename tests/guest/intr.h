/* intr.h: interrupt descriptor table, legacy PIC and the PIT tick. */
#pragma once

#include <stdint.h>

/* What the stubs in boot.S leave on the stack for intrDispatch(). */
typedef struct {
    /* pushal, last pushed first */
    uint32_t edi, esi, ebp, espDummy, ebx, edx, ecx, eax;
    uint32_t vector;
    uint32_t errorCode;
    /* pushed by the CPU */
    uint32_t eip, cs, eflags;
} IntrFrame;

void intrInit(void);
void intrTimerStart(uint32_t hz);
uint32_t intrTicks(void);
void intrDispatch(IntrFrame *frame);
void intrTripleFault(void) __attribute__((noreturn));
