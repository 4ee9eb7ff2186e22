/*
 * libFuzzer target: RPC packet framing and decoding (src/rpc/ with the
 * REMOTE_PROGRAM payloads of src/remote/remote_protocol.x).
 *
 * The input is a byte stream as a peer would send it.  It is cut into
 * packets by the reader, fed in chunks whose size is the last input byte;
 * each packet's header is checked and its payload decoded with the type
 * its (program, procedure, type, status) calls for, then re-encoded.
 * Nothing may crash, leak or trip a sanitizer, and a payload that decodes
 * must encode again.  Seed corpus: the .bin files in tests/data/rpc/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_message.h"
#include "rpc/rpc_reader.h"
#include "rpc/keepalive_protocol.h"
#include "remote/remote_protocol.h"
#include "rpc_test_procs.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzzPayload(RpcMessage *msg)
{
    const RpcTestProc *proc = NULL;
    xdrproc_t filter = NULL;
    size_t psize = 0;
    void *payload = NULL;
    size_t rawLen = 0;

    if (rpcMessageCheckHeader(msg) < 0)
        return;

    if (msg->header.type == RPC_TYPE_CALL_WITH_FDS || msg->header.type == RPC_TYPE_REPLY_WITH_FDS) {
        if (rpcMessageDecodeNumFDs(msg) < 0)
            return;
    }

    if (msg->header.status == RPC_STATUS_ERROR && msg->header.type != RPC_TYPE_CALL) {
        virError err = {0};

        if (rpcMessageDecodeError(msg, &err) == 0) {
            g_autoptr(RpcMessage) out = rpcMessageNew();

            rpcMessageSetReplyHeader(out, &msg->header, RPC_STATUS_ERROR);
            if (rpcMessageEncodeError(out, &err) < 0)
                abort();
            errorClear(&err);
        }
        return;
    }

    if (msg->header.type == RPC_TYPE_STREAM) {
        (void)rpcMessageGetPayload(msg, &rawLen);
        return;
    }
    if (msg->header.type == RPC_TYPE_STREAM_HOLE) {
        rpc_stream_hole hole = {0};

        if (rpcMessageDecodePayload(msg, (xdrproc_t)xdr_rpc_stream_hole, &hole) == 0)
            xdr_free((xdrproc_t)xdr_rpc_stream_hole, &hole);
        return;
    }

    if (msg->header.prog == KEEPALIVE_PROGRAM) {
        (void)rpcMessageDecodePayload(msg, NULL, NULL);
        return;
    }
    if (rpcMessageCheckProgram(msg, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION) < 0)
        return;
    if (!(proc = rpcTestProcLookup(msg->header.proc)))
        return;

    switch ((int)msg->header.type) {
    case RPC_TYPE_CALL:
    case RPC_TYPE_CALL_WITH_FDS:
        filter = proc->args;
        psize = proc->argsSize;
        break;
    case RPC_TYPE_REPLY:
    case RPC_TYPE_REPLY_WITH_FDS:
        filter = proc->ret;
        psize = proc->retSize;
        break;
    case RPC_TYPE_MESSAGE:
        filter = proc->msg;
        psize = proc->msgSize;
        break;
    default:
        return;
    }

    if (!filter) {
        (void)rpcMessageDecodePayload(msg, NULL, NULL);
        return;
    }

    payload = g_malloc0(psize);
    if (rpcMessageDecodePayload(msg, filter, payload) == 0) {
        g_autoptr(RpcMessage) out = rpcMessageNew();

        out->header = msg->header;
        out->nfds = 0;
        if (out->header.type == RPC_TYPE_CALL_WITH_FDS)
            out->header.type = RPC_TYPE_CALL;
        if (out->header.type == RPC_TYPE_REPLY_WITH_FDS)
            out->header.type = RPC_TYPE_REPLY;
        /* What decoded within the limits must encode within them. */
        if (rpcMessageEncode(out, filter, payload) < 0)
            abort();
        xdr_free(filter, payload);
    }
    g_free(payload);
}

/**
 * LLVMFuzzerTestOneInput:
 * @data: the input, a byte stream from a peer
 * @size: its length
 *
 * libFuzzer's entry point: frames and decodes @data (see the top comment).
 *
 * Returns: 0 always; failures are crashes, leaks or aborts.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(RpcReader) reader = rpcReaderNew();
    size_t chunk = 1;
    size_t pos = 0;
    int packets = 0;

    /* Feed in chunks of (last byte) bytes, or all at once when it is 0,
     * so that raw packets (which mostly end in padding) work as seeds. */
    if (size > 0)
        chunk = data[size - 1] == 0 ? size : data[size - 1];

    while (pos < size && packets < 64) {
        size_t n = MIN(chunk, size - pos);
        RpcMessage *msg = NULL;
        int rc;

        rpcReaderFeed(reader, data + pos, n);
        pos += n;
        while ((rc = rpcReaderNext(reader, &msg)) == 1) {
            fuzzPayload(msg);
            rpcMessageFree(msg);
            packets++;
        }
        if (rc < 0)
            break;
    }

    /* A whole input taken as one packet exercises rpcMessageSetPacket. */
    {
        g_autoptr(RpcMessage) msg = rpcMessageNew();

        if (rpcMessageSetPacket(msg, data, size) == 0)
            fuzzPayload(msg);
    }

    errorReset();
    return 0;
}
