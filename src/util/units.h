/* Scaled integers: "512 MiB" style values with libvirt's unit suffixes. */
#pragma once

#include <stdint.h>

int unitsScale(uint64_t *value, const char *suffix, uint64_t defaultScale,
               uint64_t limit);
