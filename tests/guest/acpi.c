/*
 * acpi.c: find the FADT through RSDP -> RSDT, switch the chipset to ACPI mode,
 * arm the fixed power-button event, and enter S5 (soft off).
 *
 * The fixed-hardware register layout and table offsets follow the ACPI
 * specification (sections 5.2.5 RSDP, 5.2.7 RSDT, 5.2.9 FADT, 4.8.3 PM1
 * registers).  The power button is polled from the main loop: the SCI line
 * stays masked at the PIC, so no interrupt handler has to acknowledge it.
 */
#include "acpi.h"

#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "lib.h"
#include "serial.h"

#define ACPI_PM1_PWRBTN 0x0100          /* PWRBTN_STS / PWRBTN_EN, bit 8 */
#define ACPI_PM1_SCI_EN 0x0001
#define ACPI_PM1_SLP_EN 0x2000
#define ACPI_PM1_SLP_TYP_SHIFT 10

/*
 * SLP_TYP for S5 when the DSDT cannot be read.  QEMU's PIIX4 (machine "pc")
 * and ICH9 (machine "q35") power management both treat SLP_TYP 0 as soft
 * off, and the \_S5 package in the DSDT that QEMU generates for both says 0.
 */
#define ACPI_S5_FALLBACK 0

typedef struct {
    bool found;
    uint32_t smiCmd;
    uint8_t acpiEnable;
    uint16_t pm1aEvt;
    uint16_t pm1bEvt;
    uint16_t pm1aCnt;
    uint16_t pm1bCnt;
    uint8_t pm1EvtLen;
    uint16_t s5Type;
} AcpiState;

static AcpiState acpiState;

static uint32_t
acpiRead32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static bool
acpiChecksumOk(const uint8_t *p, uint32_t len)
{
    uint8_t sum = 0;
    uint32_t i;

    for (i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum == 0;
}

static const uint8_t *
acpiScanRsdp(uintptr_t start, uintptr_t end)
{
    uintptr_t addr;

    for (addr = start; addr + 20 <= end; addr += 16) {
        const uint8_t *p = (const uint8_t *)addr;

        if (memcmp(p, "RSD PTR ", 8) == 0 && acpiChecksumOk(p, 20))
            return p;
    }
    return NULL;
}

static const uint8_t *
acpiFindRsdp(void)
{
    /* the first KiB of the EBDA (segment at 0x40e), then the BIOS area */
    uintptr_t ebda = (uintptr_t)ioPeek16(0x40e) << 4;
    const uint8_t *rsdp = NULL;

    if (ebda >= 0x80000 && ebda < 0xA0000)
        rsdp = acpiScanRsdp(ebda, ebda + 1024);
    if (!rsdp)
        rsdp = acpiScanRsdp(0xE0000, 0x100000);
    return rsdp;
}

static const uint8_t *
acpiFindTable(const uint8_t *rsdt, const char *sig)
{
    uint32_t len = acpiRead32(rsdt + 4);
    uint32_t off;

    for (off = 36; off + 4 <= len; off += 4) {
        const uint8_t *table = (const uint8_t *)(uintptr_t)acpiRead32(rsdt + off);

        if (table && memcmp(table, sig, 4) == 0 &&
            acpiChecksumOk(table, acpiRead32(table + 4)))
            return table;
    }
    return NULL;
}

/*
 * Find "Name(_S5_, Package() { SLP_TYPa, ... })" in the DSDT's AML:
 * NameOp 0x08 is optional before the name; then PackageOp 0x12, PkgLength
 * (1..4 bytes, the top two bits of the first byte say how many follow),
 * NumElements, then the first element: ZeroOp 0x00, OneOp 0x01,
 * or BytePrefix 0x0A + byte.
 */
static int
acpiParseS5(const uint8_t *dsdt, uint16_t *ret)
{
    uint32_t len = acpiRead32(dsdt + 4);
    uint32_t i;

    for (i = 36; i + 4 + 8 <= len; i++) {
        const uint8_t *p = dsdt + i;

        if (memcmp(p, "_S5_", 4) != 0)
            continue;
        p += 4;
        if (*p != 0x12)
            continue;
        p++;
        p += 1 + ((*p >> 6) & 3);       /* skip PkgLength */
        p++;                            /* skip NumElements */
        switch (*p) {
        case 0x00:
        case 0x01:
            *ret = *p;
            return 0;
        case 0x0A:
            *ret = (uint16_t)(p[1] & 7);
            return 0;
        default:
            return -1;                  /* not a constant we understand */
        }
    }
    return -1;
}

/**
 * acpiInit:
 *
 * Locates the FADT, reads the PM1 register blocks and the S5 sleep type,
 * switches to ACPI mode (write of ACPI_ENABLE to SMI_CMD when SCI_EN is
 * clear), clears a stale power-button status and enables the power-button
 * event.  Prints one "VKGUEST acpi ..." line describing what it found.
 * Without ACPI the guest keeps running and ignores the power button.
 */
void
acpiInit(void)
{
    const uint8_t *rsdp = acpiFindRsdp();
    const uint8_t *rsdt;
    const uint8_t *fadt;
    const uint8_t *dsdt;
    AcpiState *st = &acpiState;
    const char *s5Source = "fallback";
    int spin;

    if (!rsdp) {
        serialPuts("VKGUEST acpi none (no RSDP): power button ignored\n");
        return;
    }
    rsdt = (const uint8_t *)(uintptr_t)acpiRead32(rsdp + 16);
    if (!rsdt || memcmp(rsdt, "RSDT", 4) != 0 || !acpiChecksumOk(rsdt, acpiRead32(rsdt + 4))) {
        serialPuts("VKGUEST acpi none (bad RSDT): power button ignored\n");
        return;
    }
    fadt = acpiFindTable(rsdt, "FACP");
    if (!fadt || acpiRead32(fadt + 4) < 90) {
        serialPuts("VKGUEST acpi none (no FADT): power button ignored\n");
        return;
    }

    st->smiCmd = acpiRead32(fadt + 48);
    st->acpiEnable = fadt[52];
    st->pm1aEvt = (uint16_t)acpiRead32(fadt + 56);
    st->pm1bEvt = (uint16_t)acpiRead32(fadt + 60);
    st->pm1aCnt = (uint16_t)acpiRead32(fadt + 64);
    st->pm1bCnt = (uint16_t)acpiRead32(fadt + 68);
    st->pm1EvtLen = fadt[88];
    st->s5Type = ACPI_S5_FALLBACK;

    dsdt = (const uint8_t *)(uintptr_t)acpiRead32(fadt + 40);
    if (dsdt && memcmp(dsdt, "DSDT", 4) == 0 && acpiParseS5(dsdt, &st->s5Type) == 0)
        s5Source = "dsdt";

    if (!st->pm1aEvt || !st->pm1aCnt || st->pm1EvtLen < 4) {
        serialPuts("VKGUEST acpi none (no PM1 registers): power button ignored\n");
        return;
    }

    if (!(ioInw(st->pm1aCnt) & ACPI_PM1_SCI_EN) && st->smiCmd && st->acpiEnable) {
        ioOutb((uint16_t)st->smiCmd, st->acpiEnable);
        for (spin = 0; spin < 100000; spin++) {
            if (ioInw(st->pm1aCnt) & ACPI_PM1_SCI_EN)
                break;
        }
    }

    /* status bits are write-1-to-clear */
    ioOutw(st->pm1aEvt, ACPI_PM1_PWRBTN);
    ioOutw((uint16_t)(st->pm1aEvt + st->pm1EvtLen / 2), ACPI_PM1_PWRBTN);
    st->found = true;

    serialPrintf("VKGUEST acpi pm1a_evt=0x%x pm1a_cnt=0x%x smi_cmd=0x%x s5_typ=%u (%s) sci_en=%u\n",
                 st->pm1aEvt, st->pm1aCnt, st->smiCmd, st->s5Type, s5Source,
                 ioInw(st->pm1aCnt) & ACPI_PM1_SCI_EN);
}

/**
 * acpiPowerButtonPressed:
 *
 * Returns: true once the power button has been pressed (the status bit is
 * cleared when seen); false without ACPI.
 */
bool
acpiPowerButtonPressed(void)
{
    if (!acpiState.found)
        return false;
    if (!(ioInw(acpiState.pm1aEvt) & ACPI_PM1_PWRBTN))
        return false;
    ioOutw(acpiState.pm1aEvt, ACPI_PM1_PWRBTN);
    return true;
}

/**
 * acpiPowerOff:
 *
 * Asks for S5 by writing SLP_TYP|SLP_EN to PM1a_CNT (and PM1b_CNT when there
 * is one).  QEMU stops the machine asynchronously, so the CPU may go on for
 * a moment: the caller waits a while before calling it a failure.
 *
 * Returns: -1 without ACPI, 0 once the request was written.
 */
int
acpiPowerOff(void)
{
    uint16_t val;

    if (!acpiState.found)
        return -1;
    val = (uint16_t)((ioInw(acpiState.pm1aCnt) & ~(7u << ACPI_PM1_SLP_TYP_SHIFT)) |
                     ((uint32_t)acpiState.s5Type << ACPI_PM1_SLP_TYP_SHIFT) | ACPI_PM1_SLP_EN);
    ioOutw(acpiState.pm1aCnt, val);
    if (acpiState.pm1bCnt)
        ioOutw(acpiState.pm1bCnt, val);
    return 0;
}
