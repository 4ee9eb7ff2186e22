/* Tests for util/port_allocator: lowest free port, ports in use skipped, exhaustion, release. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutils.h"
#include "util/error.h"
#include "util/port_allocator.h"

/*
 * A listening socket on 127.0.0.1 at the first port of a free run of
 * @n ports found from a random start, so parallel runs rarely meet.
 * Returns the run's first port, or 0.
 */
static unsigned int
findFreeRun(unsigned int n)
{
    unsigned int tries;

    for (tries = 0; tries < 50; tries++) {
        unsigned int base = (unsigned int)g_random_int_range(20000, 29000);
        g_autoptr(PortAllocator) pa = portAllocatorNew("probe", base, base + n - 1);
        unsigned int port = 0;
        unsigned int i;
        bool ok = true;

        for (i = 0; i < n && ok; i++)
            ok = portAllocatorAcquire(pa, &port) == 0 && port == base + i;
        errorReset();
        if (ok)
            return base;
    }
    return 0;
}

static int
listenOn(unsigned int port)
{
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof(in)) < 0 || listen(fd, 1) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int
testAllocate(const void *data G_GNUC_UNUSED)
{
    unsigned int base = findFreeRun(4);
    g_autoptr(PortAllocator) pa = NULL;
    unsigned int a = 0;
    unsigned int b = 0;
    unsigned int c = 0;
    int fd;
    int ret = -1;

    if (!base) {
        testFail("no free run of 4 ports found");
        return -1;
    }
    pa = portAllocatorNew("display", base, base + 3);
    /* another process's listener (here: ours, on loopback) is skipped */
    if ((fd = listenOn(base)) < 0) {
        testFail("cannot listen on %u", base);
        return -1;
    }
    if (portAllocatorAcquire(pa, &a) < 0 || a != base + 1) {
        testFail("first: expected %u, got %u", base + 1, a);
        goto cleanup;
    }
    if (portAllocatorAcquire(pa, &b) < 0 || b != base + 2) {
        testFail("second: expected %u, got %u (reserved ports are not handed out twice)",
                 base + 2, b);
        goto cleanup;
    }
    /* set-used (reconnect) takes the last one; the range is then full */
    if (portAllocatorSetUsed(pa, base + 3) < 0 || !portAllocatorIsReserved(pa, base + 3)) {
        testFail("set-used %u failed", base + 3);
        goto cleanup;
    }
    if (portAllocatorSetUsed(pa, base + 3) == 0 || errorGetCode() != VIR_ERR_INTERNAL_ERROR) {
        testFail("set-used twice must fail with VIR_ERR_INTERNAL_ERROR");
        goto cleanup;
    }
    errorReset();
    if (portAllocatorAcquire(pa, &c) == 0 || errorGetCode() != VIR_ERR_INTERNAL_ERROR) {
        testFail("a full range must fail, got %u", c);
        goto cleanup;
    }
    {
        g_autofree char *want = g_strdup_printf(
            "internal error: Unable to find an unused port in range 'display' (%u-%u)", base,
            base + 3);

        if (testCompareStrings("exhausted", want, errorGetSlot()->message) < 0)
            goto cleanup;
    }
    errorReset();
    /* released: handed out again, lowest first */
    portAllocatorRelease(pa, a);
    if (portAllocatorIsReserved(pa, a) || portAllocatorAcquire(pa, &c) < 0 || c != a) {
        testFail("after release: expected %u again, got %u", a, c);
        goto cleanup;
    }
    /* out-of-range set-used is ignored (configuration changed) */
    if (portAllocatorSetUsed(pa, base + 100) < 0 || portAllocatorIsReserved(pa, base + 100)) {
        testFail("out-of-range set-used must be ignored");
        goto cleanup;
    }
    /* the listener gone, its port is free again */
    close(fd);
    fd = -1;
    if (portAllocatorAcquire(pa, &c) < 0 || c != base) {
        testFail("after the listener closed: expected %u, got %u", base, c);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    if (fd >= 0)
        close(fd);
    errorReset();
    return ret;
}

static int
mainBody(void)
{
    return testRun("allocate", testAllocate, NULL);
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mainBody);
}
