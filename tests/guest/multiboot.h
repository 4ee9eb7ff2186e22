/* multiboot.h: the parts of the Multiboot 0.6.96 information block we read. */
#pragma once

#include <stdint.h>

#define MULTIBOOT_BOOT_MAGIC 0x2BADB002

#define MULTIBOOT_INFO_MEMORY 0x001     /* mem_lower / mem_upper valid */
#define MULTIBOOT_INFO_CMDLINE 0x004    /* cmdline valid */
#define MULTIBOOT_INFO_MMAP 0x040       /* mmap_length / mmap_addr valid */

#define MULTIBOOT_MMAP_AVAILABLE 1

typedef struct {
    uint32_t flags;
    uint32_t memLower;                  /* KiB below 1 MiB */
    uint32_t memUpper;                  /* KiB above 1 MiB, up to the first hole */
    uint32_t bootDevice;
    uint32_t cmdline;
    uint32_t modsCount;
    uint32_t modsAddr;
    uint32_t syms[4];
    uint32_t mmapLength;
    uint32_t mmapAddr;
} __attribute__((packed)) MultibootInfo;

/* One memory map entry; "size" does not count itself. */
typedef struct {
    uint32_t size;
    uint64_t addr;
    uint64_t len;
    uint32_t type;
} __attribute__((packed)) MultibootMmapEntry;
