/* Helpers shared by the benchmark programs (public API only). */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

void benchFail(const char *prog, const char *what);
void benchIgnoreError(void *opaque, virErrorPtr err);
void benchJsonString(const char *s);
