/*
 * libFuzzer target: the daemon's packet decoding and REMOTE_PROGRAM dispatch
 * (src/rpc/rpc_server*.c, src/remote/remote_dispatch*.c), end to end.
 *
 * An in-process server, set up once as virtkitd sets up its own (the
 * remote dispatch installed, GLib's default context as the event loop,
 * which is also our library's event loop), listens on a read-write and a
 * read-only unix socket in a temporary directory.  Each input is one
 * client connection: the harness connects, writes the input as the
 * client's byte stream, half-closes, reads and discards whatever comes
 * back, and runs the loop until the server has closed the connection and
 * every call it started has finished.  Handlers call the public API on
 * the in-process test:///default driver, as in the daemon.
 *
 * The first input byte selects the client: bit 0 the read-only socket,
 * bit 1 no canned CONNECT_OPEN("test:///default") call before the input
 * (so by default the input's calls reach an open connection).  The driver
 * state is shared by all inputs (the daemon keeps test:///default open),
 * as it is between the clients of one daemon.
 *
 * Nothing may crash, hang, leak or trip a sanitizer.  Seeds: the *-call.bin
 * packets of tests/data/rpc/ behind a 0 byte (tests/fuzz/run-fuzz.sh).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "remote/remote_dispatch.h"
#include "remote/remote_protocol.h"
#include "rpc/rpc_message.h"
#include "rpc/rpc_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MODE_READONLY 0x1
#define FUZZ_MODE_NO_OPEN 0x2
/* A connection that is not finished by then is a hang: abort to report it. */
#define FUZZ_DEADLINE_SECS 20

static RpcServer *fuzzServer;
static RemoteDispatch *fuzzDispatch;
static char *fuzzSockRW;
static char *fuzzSockRO;
static RpcMessage *fuzzOpenCall;

static void
fuzzIgnoreError(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static double
fuzzNow(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fuzzSetup(void)
{
    RpcServerConfig cfg;
    char *dir = NULL;
    remote_connect_open_args open = { 0 };
    remote_nonnull_string uri = (char *)"test:///default";

    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0)
        abort();
    virSetErrorFunc(NULL, fuzzIgnoreError);

    rpcServerConfigInitDefaults(&cfg);
    cfg.maxWorkers = 4;
    cfg.prioWorkers = 1;
    /* No PINGs from the server: an input's connection lasts milliseconds. */
    cfg.keepaliveInterval = 0;
    fuzzServer = rpcServerNew(&cfg, g_main_context_default());
    fuzzDispatch = remoteDispatchNew();
    remoteDispatchInstall(fuzzDispatch, fuzzServer);

    if (!(dir = g_dir_make_tmp("rpcdispatchfuzz-XXXXXX", NULL)))
        abort();
    fuzzSockRW = g_build_filename(dir, "sock", NULL);
    fuzzSockRO = g_build_filename(dir, "sock-ro", NULL);
    if (rpcServerAddUnixService(fuzzServer, fuzzSockRW, 0700, getgid(), false) < 0 ||
        rpcServerAddUnixService(fuzzServer, fuzzSockRO, 0700, getgid(), true) < 0 ||
        rpcServerStart(fuzzServer) < 0)
        abort();
    g_free(dir);

    open.name = &uri;
    fuzzOpenCall = rpcMessageNew();
    rpcMessageSetHeader(fuzzOpenCall, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                        REMOTE_PROC_CONNECT_OPEN, RPC_TYPE_CALL, 0, RPC_STATUS_OK);
    if (rpcMessageEncode(fuzzOpenCall, (xdrproc_t)xdr_remote_connect_open_args, &open) < 0)
        abort();
}

static int
fuzzConnect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

    if (fd < 0)
        abort();
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    /* The listen backlog takes the connection before the loop accepts it. */
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        abort();
    return fd;
}

/* Runs the loop until nothing is left of the input's connection. */
static void
fuzzDrain(double deadline)
{
    GMainContext *ctx = g_main_context_default();

    while (rpcServerCountClients(fuzzServer) > 0 || rpcServerCountCalls(fuzzServer) > 0) {
        if (fuzzNow() > deadline)
            abort();
        if (!g_main_context_iteration(ctx, FALSE))
            g_usleep(100);
    }
    while (g_main_context_iteration(ctx, FALSE))
        ;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GMainContext *ctx = g_main_context_default();
    g_autoptr(GByteArray) out = g_byte_array_new();
    double deadline = fuzzNow() + FUZZ_DEADLINE_SECS;
    unsigned int mode = 0;
    size_t written = 0;
    bool shut = false;
    int fd;

    if (!fuzzServer)
        fuzzSetup();
    if (size > 0) {
        mode = data[0];
        data++;
        size--;
    }
    if (!(mode & FUZZ_MODE_NO_OPEN))
        g_byte_array_append(out, fuzzOpenCall->buffer, fuzzOpenCall->bufferLength);
    g_byte_array_append(out, data, size);

    fd = fuzzConnect(mode & FUZZ_MODE_READONLY ? fuzzSockRO : fuzzSockRW);
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        uint8_t buf[65536];
        ssize_t n;

        if (fuzzNow() > deadline)
            abort();
        if (written < out->len) {
            n = write(fd, out->data + written, out->len - written);
            if (n > 0)
                written += (size_t)n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                break; /* the server closed the connection (EPIPE, ECONNRESET) */
        }
        if (written == out->len && !shut) {
            shutdown(fd, SHUT_WR);
            shut = true;
        }
        n = read(fd, buf, sizeof(buf));
        if (n == 0)
            break;
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            break;
        if (n > 0)
            continue;
        if (!g_main_context_iteration(ctx, FALSE)) {
            /* Workers run the calls; their replies wake the loop. */
            pfd.events = POLLIN | (written < out->len ? POLLOUT : 0);
            poll(&pfd, 1, 1);
        }
    }
    close(fd);
    fuzzDrain(deadline);
    return 0;
}
