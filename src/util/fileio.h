/* Whole reads and writes on file descriptors, and little-endian fields of file headers. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int fdWriteAll(int fd, const void *buf, size_t len);
ssize_t fdReadAll(int fd, void *buf, size_t len);
int fdSyncClose(int fd);
void filePutU32LE(unsigned char *p, uint32_t v);
uint32_t fileGetU32LE(const unsigned char *p);
