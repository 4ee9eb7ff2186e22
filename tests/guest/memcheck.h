/* memcheck.h: the working set: fill, dirty, verify. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define MEMCHECK_PAGE_SIZE 4096u
#define MEMCHECK_PAGE_WORDS (MEMCHECK_PAGE_SIZE / 4)

void memcheckInit(uintptr_t base, uint32_t npages);
bool memcheckFillStep(uint32_t maxPages);
bool memcheckIsFilled(void);
void memcheckDirty(uint32_t npages);
uint32_t memcheckDirtied(void);
void memcheckVerifyStart(void);
bool memcheckVerifyStep(uint32_t maxPages);
bool memcheckIsVerifying(void);
uint32_t memcheckPasses(void);
void memcheckCorruptSelf(void);
