/* Tests for util/fileio: whole reads and writes, sync-and-close, LE fields. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "testutils.h"
#include "util/fileio.h"

/* A regular file: written whole, read back whole, then synced and closed. */
static int
testRegularFile(const void *data)
{
    g_autofree char *path = NULL;
    char buf[64] = { 0 };
    int fd;

    if ((fd = g_file_open_tmp("vkfileio-XXXXXX", &path, NULL)) < 0) {
        testFail("no temporary file");
        return -1;
    }
    if (fdWriteAll(fd, "hello, file", 11) < 0 || lseek(fd, 0, SEEK_SET) != 0 ||
        fdReadAll(fd, buf, sizeof(buf)) != 11 || memcmp(buf, "hello, file", 11) != 0) {
        testFail("write or read back failed: %s", g_strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    if (fdSyncClose(fd) < 0) {
        testFail("fdSyncClose of a regular file: %s", g_strerror(errno));
        unlink(path);
        return -1;
    }
    /* closed: the descriptor is gone */
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) {
        testFail("the descriptor is still open");
        unlink(path);
        return -1;
    }
    unlink(path);
    return 0;
}

/* A pipe has nothing to flush: not an error, and it is closed. */
static int
testPipe(const void *data)
{
    int p[2];

    if (pipe(p) < 0) {
        testFail("no pipe");
        return -1;
    }
    if (fdSyncClose(p[1]) < 0) {
        testFail("fdSyncClose of a pipe: %s", g_strerror(errno));
        close(p[0]);
        return -1;
    }
    if (fcntl(p[1], F_GETFD) != -1 || errno != EBADF) {
        testFail("the pipe's end is still open");
        close(p[0]);
        return -1;
    }
    close(p[0]);
    return 0;
}

/* A descriptor that is not open: the error is returned with errno EBADF. */
static int
testBadFd(const void *data)
{
    int p[2];

    if (pipe(p) < 0) {
        testFail("no pipe");
        return -1;
    }
    close(p[0]);
    close(p[1]);
    errno = 0;
    if (fdSyncClose(p[1]) != -1 || errno != EBADF) {
        testFail("a closed descriptor: got errno %d, wanted EBADF", errno);
        return -1;
    }
    return 0;
}

static int
testLE(const void *data)
{
    unsigned char b[4];

    filePutU32LE(b, 0x01020304);
    if (b[0] != 4 || b[1] != 3 || b[2] != 2 || b[3] != 1 || fileGetU32LE(b) != 0x01020304) {
        testFail("little-endian field: %02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
        return -1;
    }
    return 0;
}

static int
mainBody(void)
{
    int ret = 0;

    if (testRun("regular file: write, read, sync and close", testRegularFile, NULL) < 0)
        ret = -1;
    if (testRun("pipe: nothing to flush, closed", testPipe, NULL) < 0)
        ret = -1;
    if (testRun("closed descriptor: EBADF", testBadFd, NULL) < 0)
        ret = -1;
    if (testRun("little-endian u32", testLE, NULL) < 0)
        ret = -1;
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mainBody);
}
