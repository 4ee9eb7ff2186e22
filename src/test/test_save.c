/* The test driver's save image file: a small header, then the domain XML. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_TEST

#include "test/test_save.h"
#include "util/error.h"
#include "util/fileio.h"

/*
 * Layout (our own; libvirt's test driver has a different one, and images
 * do not move between the two):
 *
 *   0  char[16]  magic "VirtkitTestSave\n"
 *  16  u32 LE    format version (1)
 *  20  u32 LE    length of the XML in bytes (no terminating NUL)
 *  24  u32 LE    1 if the domain was running when saved, 0 if paused
 *  28  u32 LE    reserved (0)
 *  32  XML
 */
#define TEST_SAVE_MAGIC "VirtkitTestSave\n"
#define TEST_SAVE_MAGIC_LEN 16
#define TEST_SAVE_VERSION 1
#define TEST_SAVE_HEADER_LEN 32
/* A domain XML larger than this is not something we wrote. */
#define TEST_SAVE_XML_MAX (16 * 1024 * 1024)

G_STATIC_ASSERT(sizeof(TEST_SAVE_MAGIC) - 1 == TEST_SAVE_MAGIC_LEN);

/**
 * testSaveImageWrite:
 * @path: the file to create or truncate (mode 0600)
 * @xml: the domain XML to store
 * @running: whether the domain ran (true) or was paused (false)
 *
 * Returns: 0, or -1 with an error reported (the file is removed again
 * when writing fails after it was created).
 */
int
testSaveImageWrite(const char *path, const char *xml, bool running)
{
    unsigned char header[TEST_SAVE_HEADER_LEN] = { 0 };
    size_t xmlLen = strlen(xml);
    int fd;

    if (xmlLen > TEST_SAVE_XML_MAX) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("domain XML too large to save (%1$zu bytes)"),
                    xmlLen);
        return -1;
    }
    memcpy(header, TEST_SAVE_MAGIC, TEST_SAVE_MAGIC_LEN);
    filePutU32LE(header + 16, TEST_SAVE_VERSION);
    filePutU32LE(header + 20, xmlLen);
    filePutU32LE(header + 24, running ? 1 : 0);

    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        reportSystemError(errno, _("cannot create save image '%1$s'"), path);
        return -1;
    }
    if (fdWriteAll(fd, header, sizeof(header)) < 0 ||
        fdWriteAll(fd, xml, xmlLen) < 0) {
        reportSystemError(errno, _("cannot write save image '%1$s'"), path);
        close(fd);
        unlink(path);
        return -1;
    }
    if (close(fd) < 0) {
        reportSystemError(errno, _("cannot write save image '%1$s'"), path);
        unlink(path);
        return -1;
    }
    return 0;
}

/**
 * testSaveImageRead:
 * @path: a file written by testSaveImageWrite
 * @retXml: set to the stored XML (caller frees) on success
 * @retRunning: set to the stored run state on success
 *
 * Returns: 0, or -1 with an error reported: VIR_ERR_SYSTEM_ERROR when the
 * file cannot be read, VIR_ERR_INTERNAL_ERROR when it is not an image of
 * ours (as libvirt's test driver reports a bad magic).
 */
int
testSaveImageRead(const char *path, char **retXml, bool *retRunning)
{
    unsigned char header[TEST_SAVE_HEADER_LEN];
    g_autofree char *xml = NULL;
    uint32_t version;
    uint32_t xmlLen;
    uint32_t running;
    ssize_t n;
    int fd;
    int ret = -1;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        reportSystemError(errno, _("cannot read domain image '%1$s'"), path);
        return -1;
    }
    if ((n = fdReadAll(fd, header, sizeof(header))) < 0) {
        reportSystemError(errno, _("cannot read domain image '%1$s'"), path);
        goto cleanup;
    }
    if (n < (ssize_t)sizeof(header) ||
        memcmp(header, TEST_SAVE_MAGIC, TEST_SAVE_MAGIC_LEN) != 0) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("'%1$s' is not a saved domain image (header magic mismatch)"), path);
        goto cleanup;
    }
    version = fileGetU32LE(header + 16);
    xmlLen = fileGetU32LE(header + 20);
    running = fileGetU32LE(header + 24);
    if (version != TEST_SAVE_VERSION) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("save image '%1$s' has unsupported format version %2$u"), path, version);
        goto cleanup;
    }
    if (xmlLen == 0 || xmlLen > TEST_SAVE_XML_MAX || running > 1) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("save image '%1$s' has a corrupt header"), path);
        goto cleanup;
    }
    xml = g_malloc(xmlLen + 1);
    if ((n = fdReadAll(fd, xml, xmlLen)) < 0) {
        reportSystemError(errno, _("cannot read domain image '%1$s'"), path);
        goto cleanup;
    }
    if (n != (ssize_t)xmlLen) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("save image '%1$s' is truncated"), path);
        goto cleanup;
    }
    xml[xmlLen] = '\0';
    *retXml = g_steal_pointer(&xml);
    *retRunning = running == 1;
    ret = 0;

 cleanup:
    close(fd);
    return ret;
}

/*
 * The test driver's core dump holds no guest state: only a marker, the
 * same 15 bytes (NUL included) libvirt's test driver writes, so a file
 * dumped by either looks the same.
 */
static const char testDumpMarker[] = "TestGuestMagic";

/**
 * testSaveDumpWrite:
 * @path: the file to create or truncate (mode 0600)
 * @name: the domain's name, for messages
 *
 * Writes the test driver's core dump of domain @name.  The messages
 * follow libvirt's test driver ("domain 'NAME' coredump: ...").
 *
 * Returns: 0, or -1 with an error reported (VIR_ERR_SYSTEM_ERROR); a file
 * that was created is removed again.
 */
int
testSaveDumpWrite(const char *path, const char *name)
{
    int fd;

    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        reportSystemError(errno, _("domain '%1$s' coredump: failed to open %2$s"), name, path);
        return -1;
    }
    if (fdWriteAll(fd, testDumpMarker, sizeof(testDumpMarker)) < 0) {
        reportSystemError(errno, _("domain '%1$s' coredump: failed to write to %2$s"), name,
                          path);
        close(fd);
        unlink(path);
        return -1;
    }
    if (close(fd) < 0) {
        reportSystemError(errno, _("domain '%1$s' coredump: failed to write to %2$s"), name,
                          path);
        unlink(path);
        return -1;
    }
    return 0;
}
