/* Whole reads and writes on file descriptors, and little-endian fields of file headers. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "util/fileio.h"

/**
 * fdSyncClose:
 * @fd: a descriptor of a file just written (owned: closed in every case)
 *
 * Flushes the data of @fd to its storage, then closes it.  A FIFO, socket
 * or character device has nothing to flush (fdatasync's EINVAL / EROFS are
 * not errors).  May block for long on a large file: call it without locks
 * others need.
 *
 * Returns: 0, or -1 with errno set (nothing reported).
 */
int
fdSyncClose(int fd)
{
    int err = 0;

    if (fdatasync(fd) < 0 && errno != EINVAL && errno != EROFS)
        err = errno;
    if (close(fd) < 0 && err == 0)
        err = errno;
    if (err == 0)
        return 0;
    errno = err;
    return -1;
}

/**
 * fdWriteAll:
 * @fd: a blocking file descriptor
 * @buf: the bytes
 * @len: how many
 *
 * Writes all of @buf, again after short writes and EINTR.
 *
 * Returns: 0, or -1 with errno set (nothing reported).
 */
int
fdWriteAll(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

/**
 * fdReadAll:
 * @fd: a blocking file descriptor
 * @buf: where to read to
 * @len: how many bytes are wanted
 *
 * Reads until @len bytes came or the end of the file, again after short
 * reads and EINTR.
 *
 * Returns: the count read (less than @len only at the end of the file),
 * or -1 with errno set (nothing reported).
 */
ssize_t
fdReadAll(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += n;
    }
    return got;
}

/**
 * filePutU32LE:
 * @p: 4 bytes of a header
 * @v: the value
 *
 * Stores @v little-endian at @p (no alignment needed).
 */
void
filePutU32LE(unsigned char *p, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

/**
 * fileGetU32LE:
 * @p: 4 bytes of a header
 *
 * Returns: the little-endian value stored at @p.
 */
uint32_t
fileGetU32LE(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_LE(v);
}
