/* serial.c: a polled 16550 UART driver and a tiny printf for COM1. */
#include "serial.h"

#include <stdbool.h>
#include <stdint.h>

#include "io.h"

#define SERIAL_BASE 0x3f8
#define SERIAL_THR (SERIAL_BASE + 0)    /* transmit holding (DLAB=0) */
#define SERIAL_DLL (SERIAL_BASE + 0)    /* divisor low (DLAB=1) */
#define SERIAL_IER (SERIAL_BASE + 1)    /* interrupt enable (DLAB=0) */
#define SERIAL_DLM (SERIAL_BASE + 1)    /* divisor high (DLAB=1) */
#define SERIAL_FCR (SERIAL_BASE + 2)
#define SERIAL_LCR (SERIAL_BASE + 3)
#define SERIAL_MCR (SERIAL_BASE + 4)
#define SERIAL_LSR (SERIAL_BASE + 5)

#define SERIAL_LSR_THRE 0x20            /* transmitter holding register empty */

/* Upper bound on the wait for the transmitter, so a wedged UART cannot hang us. */
#define SERIAL_SPIN_MAX 100000

/**
 * serialInit:
 *
 * Programs COM1 for 115200 baud, 8 data bits, no parity, one stop bit, FIFOs
 * on, interrupts off (output is polled).
 */
void
serialInit(void)
{
    ioOutb(SERIAL_IER, 0x00);
    ioOutb(SERIAL_LCR, 0x80);           /* DLAB on */
    ioOutb(SERIAL_DLL, 0x01);           /* 115200 / 1 */
    ioOutb(SERIAL_DLM, 0x00);
    ioOutb(SERIAL_LCR, 0x03);           /* 8N1, DLAB off */
    ioOutb(SERIAL_FCR, 0xC7);           /* FIFO on, cleared, 14-byte threshold */
    ioOutb(SERIAL_MCR, 0x03);           /* DTR, RTS */
}

/**
 * serialPutc:
 * @c: byte to send; '\n' is sent as "\r\n"
 *
 * Waits (boundedly) for the transmitter and sends @c.
 */
void
serialPutc(char c)
{
    int spin;

    if (c == '\n')
        serialPutc('\r');
    for (spin = 0; spin < SERIAL_SPIN_MAX; spin++) {
        if (ioInb(SERIAL_LSR) & SERIAL_LSR_THRE)
            break;
    }
    ioOutb(SERIAL_THR, (uint8_t)c);
}

/**
 * serialPuts:
 * @s: NUL-terminated string, sent as is
 */
void
serialPuts(const char *s)
{
    while (*s)
        serialPutc(*s++);
}

static void
serialPutNumber(uint32_t val, unsigned int base, int width, bool zeroPad, bool negative)
{
    static const char digits[] = "0123456789abcdef";
    char buf[16];
    int n = 0;

    do {
        buf[n++] = digits[val % base];
        val /= base;
    } while (val != 0);
    if (negative)
        width--;
    if (negative && zeroPad)
        serialPutc('-');
    for (; width > n; width--)
        serialPutc(zeroPad ? '0' : ' ');
    if (negative && !zeroPad)
        serialPutc('-');
    while (n > 0)
        serialPutc(buf[--n]);
}

/**
 * serialVPrintf:
 * @fmt: format with the conversions %s %c %d %u %x %p %% and an optional
 *       '0' flag and decimal width (e.g. "%08x"); no length modifiers
 * @ap: arguments
 *
 * Formats and sends a string.  Unknown conversions are printed verbatim.
 */
void
serialVPrintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        bool zeroPad = false;
        int width = 0;

        if (*fmt != '%') {
            serialPutc(*fmt);
            continue;
        }
        fmt++;
        if (*fmt == '0') {
            zeroPad = true;
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');

        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);

            serialPuts(s ? s : "(null)");
            break;
        }
        case 'c':
            serialPutc((char)va_arg(ap, int));
            break;
        case 'd': {
            int v = va_arg(ap, int);

            if (v < 0)
                serialPutNumber((uint32_t)0 - (uint32_t)v, 10, width, zeroPad, true);
            else
                serialPutNumber((uint32_t)v, 10, width, zeroPad, false);
            break;
        }
        case 'u':
            serialPutNumber(va_arg(ap, unsigned int), 10, width, zeroPad, false);
            break;
        case 'x':
            serialPutNumber(va_arg(ap, unsigned int), 16, width, zeroPad, false);
            break;
        case 'p':
            serialPuts("0x");
            serialPutNumber((uint32_t)(uintptr_t)va_arg(ap, void *), 16, 8, true, false);
            break;
        case '%':
            serialPutc('%');
            break;
        case '\0':
            return;
        default:
            serialPutc('%');
            serialPutc(*fmt);
            break;
        }
    }
}

/**
 * serialPrintf:
 * @fmt: see serialVPrintf()
 * @...: arguments
 *
 * Formats and sends a string on COM1.
 */
void
serialPrintf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    serialVPrintf(fmt, ap);
    va_end(ap);
}
