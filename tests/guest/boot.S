/* vkguest entry: multiboot v1 header, flat GDT, stack, interrupt stubs. */

#define MB_MAGIC        0x1BADB002
/* bit 0: page-align modules, bit 1: give us the memory map */
#define MB_FLAGS        0x00000003
#define MB_CHECKSUM     (-(MB_MAGIC + MB_FLAGS))

#define CODE_SEL        0x08
#define DATA_SEL        0x10

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long MB_CHECKSUM

    .section .bss
    .balign 16
bootStack:
    .skip 16384
bootStackTop:

    .section .rodata
    .balign 8
bootGdt:
    /*
     * Flat 4 GiB segments with the "accessed" bit preset, so the CPU never
     * writes to this table (it sits in the checksummed read-only data).
     */
    .quad 0                         /* null descriptor */
    .quad 0x00CF9B000000FFFF        /* 0x08: code, 32-bit */
    .quad 0x00CF93000000FFFF        /* 0x10: data */
bootGdtEnd:
bootGdtPtr:
    .word bootGdtEnd - bootGdt - 1
    .long bootGdt

    .text
    .globl _start
    .type _start, @function
_start:
    /* eax = multiboot magic, ebx = physical address of the info block */
    cli
    cld
    lgdt bootGdtPtr
    ljmp $CODE_SEL, $1f
1:
    movw $DATA_SEL, %cx
    movw %cx, %ds
    movw %cx, %es
    movw %cx, %fs
    movw %cx, %gs
    movw %cx, %ss
    movl $bootStackTop, %esp
    xorl %ebp, %ebp
    pushl $0                        /* clear EFLAGS (IF, DF, AC ...) */
    popfl
    pushl %ebx
    pushl %eax
    call guestMain
    /* guestMain never returns; stop hard if it does */
2:
    cli
    hlt
    jmp 2b
    .size _start, . - _start

/*
 * Interrupt stubs.  Every vector gets a stub that pushes a dummy error code
 * (when the CPU does not push one) and its vector number, then jumps to the
 * common path, which calls intrDispatch(frame) with the stack layout of
 * IntrFrame in intr.h.
 */
#define STUB_NOERR(n) \
    .balign 16; intrStub##n: pushl $0; pushl $n; jmp intrCommon
#define STUB_ERR(n) \
    .balign 16; intrStub##n: pushl $n; jmp intrCommon

intrCommon:
    pushal
    cld
    pushl %esp
    call intrDispatch
    addl $4, %esp
    popal
    addl $8, %esp                   /* vector + error code */
    /*
     * Return without "iret".  Some KVM implementations (e.g. kvm-pvm,
     * used where the host has no hardware virtualization) emulate every
     * instruction of a guest outside 64-bit mode, and their emulator only
     * knows real-mode iret.  We never change privilege level or code
     * segment, so popping EFLAGS and EIP ourselves is equivalent.  The
     * frame [EIP, CS, EFLAGS] becomes [EFLAGS, EIP] before popfl; ret.
     * An interrupt taken between popfl and ret simply nests.
     */
    pushl %eax
    movl 4(%esp), %eax              /* EIP */
    xchgl %eax, 12(%esp)            /* EFLAGS slot := EIP, eax := EFLAGS */
    movl %eax, 8(%esp)              /* CS slot := EFLAGS */
    popl %eax
    addl $4, %esp                   /* drop the old EIP slot */
    popfl
    ret

STUB_NOERR(0)
STUB_NOERR(1)
STUB_NOERR(2)
STUB_NOERR(3)
STUB_NOERR(4)
STUB_NOERR(5)
STUB_NOERR(6)
STUB_NOERR(7)
STUB_ERR(8)
STUB_NOERR(9)
STUB_ERR(10)
STUB_ERR(11)
STUB_ERR(12)
STUB_ERR(13)
STUB_ERR(14)
STUB_NOERR(15)
STUB_NOERR(16)
STUB_ERR(17)
STUB_NOERR(18)
STUB_NOERR(19)
STUB_NOERR(20)
STUB_NOERR(21)
STUB_NOERR(22)
STUB_NOERR(23)
STUB_NOERR(24)
STUB_NOERR(25)
STUB_NOERR(26)
STUB_NOERR(27)
STUB_NOERR(28)
STUB_NOERR(29)
STUB_ERR(30)
STUB_NOERR(31)
/* the 16 legacy PIC lines, remapped to vectors 32..47 */
STUB_NOERR(32)
STUB_NOERR(33)
STUB_NOERR(34)
STUB_NOERR(35)
STUB_NOERR(36)
STUB_NOERR(37)
STUB_NOERR(38)
STUB_NOERR(39)
STUB_NOERR(40)
STUB_NOERR(41)
STUB_NOERR(42)
STUB_NOERR(43)
STUB_NOERR(44)
STUB_NOERR(45)
STUB_NOERR(46)
STUB_NOERR(47)

    .section .rodata
    .balign 4
    .globl intrStubTable
intrStubTable:
    .long intrStub0, intrStub1, intrStub2, intrStub3
    .long intrStub4, intrStub5, intrStub6, intrStub7
    .long intrStub8, intrStub9, intrStub10, intrStub11
    .long intrStub12, intrStub13, intrStub14, intrStub15
    .long intrStub16, intrStub17, intrStub18, intrStub19
    .long intrStub20, intrStub21, intrStub22, intrStub23
    .long intrStub24, intrStub25, intrStub26, intrStub27
    .long intrStub28, intrStub29, intrStub30, intrStub31
    .long intrStub32, intrStub33, intrStub34, intrStub35
    .long intrStub36, intrStub37, intrStub38, intrStub39
    .long intrStub40, intrStub41, intrStub42, intrStub43
    .long intrStub44, intrStub45, intrStub46, intrStub47

    .section .note.GNU-stack, "", @progbits
