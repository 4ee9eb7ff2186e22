/* Unit tests of src/rpc/rpc_message.c: encode/decode round trips, limits, header rules, errors. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_message.h"
#include "rpc/keepalive_protocol.h"
#include "remote/remote_protocol.h"
#include "util/error.h"

/* Asserts that the last call failed with @code and a message containing @frag. */
static void
assertError(int code, const char *frag)
{
    virErrorPtr err = errorGetSlot();

    if (err->code != code || !err->message || !strstr(err->message, frag)) {
        g_test_message("expected error %d containing '%s', got %d '%s'", code, frag, err->code,
                       err->message ? err->message : "(null)");
        g_test_fail();
    }
    errorReset();
}

/* A 28-byte packet with the given length word and header. */
static void
buildPacket(uint8_t *buf, uint32_t len, uint32_t prog, uint32_t vers, int32_t proc, int32_t type,
            uint32_t serial, int32_t status)
{
    uint32_t words[7] = {
        GUINT32_TO_BE(len),
        GUINT32_TO_BE(prog),
        GUINT32_TO_BE(vers),
        GUINT32_TO_BE((uint32_t)proc),
        GUINT32_TO_BE((uint32_t)type),
        GUINT32_TO_BE(serial),
        GUINT32_TO_BE((uint32_t)status),
    };

    memcpy(buf, words, sizeof(words));
}

static void
testRoundTripCall(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    char *name = (char *)"test:///default";
    remote_connect_open_args args = {.name = &name, .flags = 1};
    remote_connect_open_args out = {0};

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, REMOTE_PROC_CONNECT_OPEN,
                        RPC_TYPE_CALL, 2, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncode(msg, (xdrproc_t)xdr_remote_connect_open_args, &args), ==, 0);
    /* 28 + optional flag 4 + length 4 + 15 chars padded to 16 + flags 4 */
    g_assert_cmpuint(msg->bufferLength, ==, 56);

    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageCheckHeader(in), ==, 0);
    g_assert_cmpint(rpcMessageCheckProgram(in, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION), ==, 0);
    g_assert_cmpuint(in->header.prog, ==, REMOTE_PROGRAM);
    g_assert_cmpint(in->header.proc, ==, REMOTE_PROC_CONNECT_OPEN);
    g_assert_cmpuint(in->header.serial, ==, 2);
    g_assert_cmpint(rpcMessageDecodePayload(in, (xdrproc_t)xdr_remote_connect_open_args, &out), ==,
                    0);
    g_assert_nonnull(out.name);
    g_assert_cmpstr(*out.name, ==, "test:///default");
    g_assert_cmpuint(out.flags, ==, 1);
    xdr_free((xdrproc_t)xdr_remote_connect_open_args, &out);
}

static void
testRoundTripReply(void)
{
    g_autoptr(RpcMessage) call = rpcMessageNew();
    g_autoptr(RpcMessage) reply = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    remote_domain_get_state_ret ret = {.state = 3, .reason = 1};
    remote_domain_get_state_ret out = {0};

    rpcMessageSetHeader(call, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, REMOTE_PROC_DOMAIN_GET_STATE,
                        RPC_TYPE_CALL, 77, RPC_STATUS_OK);
    rpcMessageSetReplyHeader(reply, &call->header, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncode(reply, (xdrproc_t)xdr_remote_domain_get_state_ret, &ret), ==,
                    0);
    g_assert_cmpuint(reply->bufferLength, ==, 36);

    g_assert_cmpint(rpcMessageSetPacket(in, reply->buffer, reply->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageCheckReply(in, &call->header), ==, 0);
    g_assert_cmpint(in->header.type, ==, RPC_TYPE_REPLY);
    g_assert_cmpint(rpcMessageDecodePayload(in, (xdrproc_t)xdr_remote_domain_get_state_ret, &out),
                    ==, 0);
    g_assert_cmpint(out.state, ==, 3);
    g_assert_cmpint(out.reason, ==, 1);

    /* A reply with another serial, procedure or type is not this call's. */
    call->header.serial = 78;
    g_assert_cmpint(rpcMessageCheckReply(in, &call->header), ==, -1);
    assertError(VIR_ERR_RPC, "does not match the call");
    call->header.serial = 77;
    in->header.type = RPC_TYPE_MESSAGE;
    g_assert_cmpint(rpcMessageCheckReply(in, &call->header), ==, -1);
    assertError(VIR_ERR_RPC, "expected a reply");
}

static void
testVoidPayload(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    size_t len = 99;

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, REMOTE_PROC_CONNECT_CLOSE,
                        RPC_TYPE_CALL, 9, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncode(msg, NULL, NULL), ==, 0);
    g_assert_cmpuint(msg->bufferLength, ==, 28);
    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageDecodePayload(in, NULL, NULL), ==, 0);
    g_assert_nonnull(rpcMessageGetPayload(in, &len));
    g_assert_cmpuint(len, ==, 0);
}

static void
testHeaderRules(void)
{
    static const struct {
        int type;
        int status;
        bool ok;
    } cases[] = {
        {RPC_TYPE_CALL, RPC_STATUS_OK, true},
        {RPC_TYPE_CALL, RPC_STATUS_ERROR, false},
        {RPC_TYPE_CALL, RPC_STATUS_CONTINUE, false},
        {RPC_TYPE_REPLY, RPC_STATUS_OK, true},
        {RPC_TYPE_REPLY, RPC_STATUS_ERROR, true},
        {RPC_TYPE_REPLY, RPC_STATUS_CONTINUE, false},
        {RPC_TYPE_MESSAGE, RPC_STATUS_OK, true},
        {RPC_TYPE_MESSAGE, RPC_STATUS_ERROR, false},
        {RPC_TYPE_STREAM, RPC_STATUS_OK, true},
        {RPC_TYPE_STREAM, RPC_STATUS_ERROR, true},
        {RPC_TYPE_STREAM, RPC_STATUS_CONTINUE, true},
        {RPC_TYPE_CALL_WITH_FDS, RPC_STATUS_OK, true},
        {RPC_TYPE_REPLY_WITH_FDS, RPC_STATUS_ERROR, true},
        {RPC_TYPE_STREAM_HOLE, RPC_STATUS_CONTINUE, true},
        {RPC_TYPE_STREAM_HOLE, RPC_STATUS_OK, false},
        {RPC_TYPE_REPLY, 3, false},
        {RPC_TYPE_REPLY, -1, false},
        {7, RPC_STATUS_OK, false},
        {-1, RPC_STATUS_OK, false},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(RpcMessage) msg = rpcMessageNew();
        int rc;

        rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, 1, cases[i].type, 0, cases[i].status);
        rc = rpcMessageCheckHeader(msg);
        if ((rc == 0) != cases[i].ok) {
            g_test_message("type %d status %d: expected %s, got rc %d", cases[i].type,
                           cases[i].status, cases[i].ok ? "valid" : "invalid", rc);
            g_test_fail();
        }
        if (!cases[i].ok)
            g_assert_cmpint(errorGetCode(), ==, VIR_ERR_RPC);
        errorReset();
    }

    g_assert_cmpstr(rpcMessageTypeToString(RPC_TYPE_STREAM_HOLE), ==, "stream-hole");
    g_assert_null(rpcMessageTypeToString(RPC_TYPE_LAST));
    g_assert_cmpstr(rpcMessageStatusToString(RPC_STATUS_CONTINUE), ==, "continue");
    g_assert_null(rpcMessageStatusToString(-1));
}

static void
testFormatHeader(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autofree char *text = NULL;
    g_autofree char *odd = NULL;

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, 66, RPC_TYPE_CALL, 0, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncode(msg, NULL, NULL), ==, 0);
    text = rpcMessageFormatHeader(msg);
    g_assert_cmpstr(text, ==, "prog=0x20008086 vers=1 proc=66 type=call serial=0 status=ok len=28");
    msg->header.type = 42;
    msg->header.status = 9;
    odd = rpcMessageFormatHeader(msg);
    g_assert_cmpstr(odd, ==, "prog=0x20008086 vers=1 proc=66 type=42 serial=0 status=9 len=28");
}

static void
testWrongProgram(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    uint8_t buf[28];

    buildPacket(buf, 28, 0x12345678, 1, 1, RPC_TYPE_CALL, 0, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageSetPacket(msg, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(rpcMessageCheckProgram(msg, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION), ==, -1);
    assertError(VIR_ERR_RPC, "cannot find program 305419896 version 1");

    buildPacket(buf, 28, REMOTE_PROGRAM, 2, 1, RPC_TYPE_CALL, 0, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageSetPacket(msg, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(rpcMessageCheckProgram(msg, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION), ==, -1);
    assertError(VIR_ERR_RPC, "version 2");
    g_assert_cmpint(rpcMessageCheckProgram(msg, KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION), ==,
                    -1);
    errorReset();
}

/* The length word: libvirt's bounds, checked before anything is buffered. */
static void
testDecodeLength(void)
{
    static const struct {
        uint32_t len;
        bool ok;
        const char *frag;
    } cases[] = {
        {0, false, "too short"},
        {3, false, "too short"},
        {4, false, "too short"},
        {27, false, "too short"},
        {28, true, NULL},
        {65536, true, NULL},
        {RPC_MESSAGE_MAX + RPC_MESSAGE_LEN_MAX, true, NULL},
        {RPC_MESSAGE_MAX + RPC_MESSAGE_LEN_MAX + 1, false, "too large"},
        {0x7fffffff, false, "too large"},
        {0xffffffff, false, "too large"},
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(RpcMessage) msg = rpcMessageNew();
        uint32_t be = GUINT32_TO_BE(cases[i].len);
        int rc;

        msg->buffer = g_malloc(4);
        msg->bufferCapacity = 4;
        msg->bufferLength = 4;
        memcpy(msg->buffer, &be, 4);
        msg->bufferOffset = 4;
        rc = rpcMessageDecodeLength(msg);
        if ((rc == 0) != cases[i].ok) {
            g_test_message("length %u: expected %s", cases[i].len, cases[i].ok ? "ok" : "error");
            g_test_fail();
            continue;
        }
        if (cases[i].ok) {
            g_assert_cmpuint(msg->bufferLength, ==, cases[i].len);
            g_assert_cmpuint(msg->bufferOffset, ==, 4);
            g_assert_cmpuint(msg->bufferCapacity, >=, cases[i].len);
        } else {
            assertError(VIR_ERR_RPC, cases[i].frag);
        }
    }
}

static void
testSetPacketBad(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    uint8_t buf[64] = {0};

    /* Shorter than the length word. */
    g_assert_cmpint(rpcMessageSetPacket(msg, buf, 3), ==, -1);
    assertError(VIR_ERR_RPC, "too short");

    /* Length word and data disagree (truncated packet). */
    buildPacket(buf, 40, REMOTE_PROGRAM, 1, 1, RPC_TYPE_CALL, 0, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageSetPacket(msg, buf, 36), ==, -1);
    assertError(VIR_ERR_RPC, "says 40 bytes but 36");

    /* Garbage length. */
    memset(buf, 0xff, sizeof(buf));
    g_assert_cmpint(rpcMessageSetPacket(msg, buf, sizeof(buf)), ==, -1);
    assertError(VIR_ERR_RPC, "too large");
}

/* A call whose payload is cut short, or longer than its type. */
static void
testDecodePayloadBad(void)
{
    g_autoptr(RpcMessage) good = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    g_autofree uint8_t *bytes = NULL;
    char *name = (char *)"a-domain-name";
    remote_domain_lookup_by_name_args args = {.name = name};
    remote_domain_lookup_by_name_args out = {0};
    size_t len;
    size_t cut;
    uint32_t be;

    rpcMessageSetHeader(good, REMOTE_PROGRAM, 1, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, RPC_TYPE_CALL,
                        5, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncode(good, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &args),
                    ==, 0);
    len = good->bufferLength;

    /* Every truncation of the payload fails cleanly (and frees). */
    for (cut = 28; cut < len; cut++) {
        g_free(bytes);
        bytes = g_memdup2(good->buffer, cut);
        be = GUINT32_TO_BE((uint32_t)cut);
        memcpy(bytes, &be, 4);
        g_assert_cmpint(rpcMessageSetPacket(in, bytes, cut), ==, 0);
        memset(&out, 0, sizeof(out));
        g_assert_cmpint(
            rpcMessageDecodePayload(in, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &out), ==,
            -1);
        g_assert_null(out.name);
        assertError(VIR_ERR_RPC, "unable to decode the payload of procedure 23");
    }

    /* Trailing bytes after a complete payload. */
    g_free(bytes);
    bytes = g_malloc0(len + 8);
    memcpy(bytes, good->buffer, len);
    be = GUINT32_TO_BE((uint32_t)len + 8);
    memcpy(bytes, &be, 4);
    g_assert_cmpint(rpcMessageSetPacket(in, bytes, len + 8), ==, 0);
    memset(&out, 0, sizeof(out));
    g_assert_cmpint(
        rpcMessageDecodePayload(in, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &out), ==,
        -1);
    g_assert_null(out.name);
    assertError(VIR_ERR_RPC, "8 unexpected bytes");

    /* A string length beyond the packet. */
    g_free(bytes);
    bytes = g_memdup2(good->buffer, len);
    be = GUINT32_TO_BE(0x7ffffff0);
    memcpy(bytes + 28, &be, 4);
    g_assert_cmpint(rpcMessageSetPacket(in, bytes, len), ==, 0);
    memset(&out, 0, sizeof(out));
    g_assert_cmpint(
        rpcMessageDecodePayload(in, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &out), ==,
        -1);
    assertError(VIR_ERR_RPC, "unable to decode");
}

/* An array count over its limit is refused by the decoder. */
static void
testDecodeArrayLimit(void)
{
    g_autoptr(RpcMessage) in = rpcMessageNew();
    uint8_t buf[36];
    uint32_t words[2] = {GUINT32_TO_BE(REMOTE_AUTH_TYPE_LIST_MAX + 1), 0};
    remote_auth_list_ret out = {0};

    buildPacket(buf, sizeof(buf), REMOTE_PROGRAM, 1, REMOTE_PROC_AUTH_LIST, RPC_TYPE_REPLY, 0,
                RPC_STATUS_OK);
    memcpy(buf + 28, words, sizeof(words));
    g_assert_cmpint(rpcMessageSetPacket(in, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(rpcMessageDecodePayload(in, (xdrproc_t)xdr_remote_auth_list_ret, &out), ==, -1);
    g_assert_null(out.types.types_val);
    assertError(VIR_ERR_RPC, "unable to decode");
}

static void
testEncodeTooLarge(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autofree remote_nonnull_domain *doms = g_new0(remote_nonnull_domain, REMOTE_DOMAIN_LIST_MAX);
    g_autofree char *name = g_malloc(4097);
    g_autofree char *huge = g_malloc((size_t)REMOTE_STRING_MAX + 2);
    remote_connect_list_all_domains_ret ret = {0};
    remote_domain_lookup_by_name_args args = {0};
    size_t i;

    /* 16384 domains with 4 KiB names: within every array limit, but 64 MiB. */
    memset(name, 'n', 4096);
    name[4096] = '\0';
    for (i = 0; i < REMOTE_DOMAIN_LIST_MAX; i++) {
        doms[i].name = name;
        doms[i].id = -1;
    }
    ret.domains.domains_len = REMOTE_DOMAIN_LIST_MAX;
    ret.domains.domains_val = doms;
    ret.ret = REMOTE_DOMAIN_LIST_MAX;
    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                        RPC_TYPE_REPLY, 1, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncode(msg, (xdrproc_t)xdr_remote_connect_list_all_domains_ret, &ret),
                    ==, -1);
    assertError(VIR_ERR_RPC, "packet too large");

    /* 1000 of them fit: the buffer grows past its first size. */
    ret.domains.domains_len = 1000;
    g_assert_cmpint(rpcMessageEncode(msg, (xdrproc_t)xdr_remote_connect_list_all_domains_ret, &ret),
                    ==, 0);
    g_assert_cmpuint(msg->bufferLength, ==, 28 + 4 + 1000 * (4 + 4096 + 16 + 4) + 4);

    /* A string over REMOTE_STRING_MAX cannot be encoded at all. */
    memset(huge, 'x', (size_t)REMOTE_STRING_MAX + 1);
    huge[REMOTE_STRING_MAX + 1] = '\0';
    args.name = huge;
    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, RPC_TYPE_CALL, 1,
                        RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncode(msg, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &args),
                    ==, -1);
    assertError(VIR_ERR_RPC, "unable to encode the payload of procedure 23");

    /* Raw stream data over the payload limit. */
    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, 1, RPC_TYPE_STREAM, 1, RPC_STATUS_CONTINUE);
    g_assert_cmpint(rpcMessageEncodeRaw(msg, NULL, (size_t)RPC_MESSAGE_PAYLOAD_MAX + 1), ==, -1);
    assertError(VIR_ERR_RPC, "packet too large");
}

static void
testRawStream(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    const char data[] = "some raw stream bytes, not XDR";
    const uint8_t *payload = NULL;
    size_t len = 0;

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, REMOTE_PROC_DOMAIN_OPEN_CONSOLE, RPC_TYPE_STREAM,
                        12, RPC_STATUS_CONTINUE);
    g_assert_cmpint(rpcMessageEncodeRaw(msg, data, sizeof(data) - 1), ==, 0);
    g_assert_cmpuint(msg->bufferLength, ==, 28 + sizeof(data) - 1);
    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageCheckHeader(in), ==, 0);
    payload = rpcMessageGetPayload(in, &len);
    g_assert_cmpuint(len, ==, sizeof(data) - 1);
    g_assert_cmpmem(payload, len, data, sizeof(data) - 1);
}

static void
testStreamHole(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    rpc_stream_hole hole = {.length = G_GINT64_CONSTANT(0x123456789a), .flags = 0};
    rpc_stream_hole out = {0};
    static const uint8_t expect[] = {
        0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0x00, 0x00, 0x00, 0x00,
    };

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, 1, RPC_TYPE_STREAM_HOLE, 3, RPC_STATUS_CONTINUE);
    g_assert_cmpint(rpcMessageEncode(msg, (xdrproc_t)xdr_rpc_stream_hole, &hole), ==, 0);
    g_assert_cmpmem(msg->buffer + 28, msg->bufferLength - 28, expect, sizeof(expect));
    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageCheckHeader(in), ==, 0);
    g_assert_cmpint(rpcMessageDecodePayload(in, (xdrproc_t)xdr_rpc_stream_hole, &out), ==, 0);
    g_assert_cmpint(out.length, ==, hole.length);
}

static void
testNumFDs(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    remote_domain_get_state_args args = {.dom = {.name = (char *)"d", .id = 1}};
    remote_domain_get_state_args out = {0};
    uint8_t buf[32];
    uint32_t be;

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, REMOTE_PROC_DOMAIN_GET_STATE,
                        RPC_TYPE_CALL_WITH_FDS, 4, RPC_STATUS_OK);
    msg->nfds = 2;
    msg->fds = g_new(int, 2);
    msg->fds[0] = msg->fds[1] = -1;
    g_assert_cmpint(rpcMessageEncode(msg, (xdrproc_t)xdr_remote_domain_get_state_args, &args), ==,
                    0);

    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageDecodeNumFDs(in), ==, 0);
    g_assert_cmpuint(in->nfds, ==, 2);
    g_assert_cmpint(in->fds[0], ==, -1);
    g_assert_cmpint(rpcMessageDecodePayload(in, (xdrproc_t)xdr_remote_domain_get_state_args, &out),
                    ==, 0);
    g_assert_cmpstr(out.dom.name, ==, "d");
    xdr_free((xdrproc_t)xdr_remote_domain_get_state_args, &out);

    /* Over the limit, both ways. */
    msg->nfds = RPC_MESSAGE_NUM_FDS_MAX + 1;
    g_assert_cmpint(rpcMessageEncode(msg, (xdrproc_t)xdr_remote_domain_get_state_args, &args), ==,
                    -1);
    assertError(VIR_ERR_RPC, "too many file descriptors");
    msg->nfds = 0;

    buildPacket(buf, sizeof(buf), REMOTE_PROGRAM, 1, 1, RPC_TYPE_CALL_WITH_FDS, 0, RPC_STATUS_OK);
    be = GUINT32_TO_BE(RPC_MESSAGE_NUM_FDS_MAX + 1);
    memcpy(buf + 28, &be, 4);
    g_assert_cmpint(rpcMessageSetPacket(in, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(rpcMessageDecodeNumFDs(in), ==, -1);
    assertError(VIR_ERR_RPC, "too many file descriptors: 33");

    /* The count word missing altogether. */
    g_assert_cmpint(rpcMessageSetPacket(in, buf, 28), ==, -1);
    errorReset();
    buildPacket(buf, 28, REMOTE_PROGRAM, 1, 1, RPC_TYPE_CALL_WITH_FDS, 0, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageSetPacket(in, buf, 28), ==, 0);
    g_assert_cmpint(rpcMessageDecodeNumFDs(in), ==, -1);
    assertError(VIR_ERR_RPC, "too short");
}

/* virError -> rpc_error on the wire -> virError, every field kept. */
static void
testErrorRoundTrip(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    virError err = {
        .code = VIR_ERR_NO_DOMAIN,
        .domain = VIR_FROM_QEMU,
        .message = (char *)"Domain not found: no domain with matching name 't1'",
        .level = VIR_ERR_ERROR,
        .str1 = (char *)"Domain not found: %s",
        .str2 = (char *)"no domain with matching name 't1'",
        .int1 = -1,
        .int2 = -1,
    };
    virError out = {0};
    virErrorPtr slot = NULL;

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, RPC_TYPE_REPLY,
                        6, RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncodeError(msg, &err), ==, 0);
    g_assert_cmpint(msg->header.status, ==, RPC_STATUS_ERROR);
    g_assert_cmpuint(msg->bufferLength, ==, 192); /* as libvirtd's, see the golden test */

    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageCheckHeader(in), ==, 0);
    g_assert_cmpint(rpcMessageDecodeError(in, &out), ==, 0);
    g_assert_cmpint(out.code, ==, err.code);
    g_assert_cmpint(out.domain, ==, err.domain);
    g_assert_cmpint(out.level, ==, err.level);
    g_assert_cmpstr(out.message, ==, err.message);
    g_assert_cmpstr(out.str1, ==, err.str1);
    g_assert_cmpstr(out.str2, ==, err.str2);
    g_assert_null(out.str3);
    g_assert_cmpint(out.int1, ==, -1);
    g_assert_cmpint(out.int2, ==, -1);
    errorClear(&out);

    /* Reporting puts it in the calling thread's slot. */
    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageReportError(in), ==, -1);
    slot = errorGetSlot();
    g_assert_cmpint(slot->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(slot->domain, ==, VIR_FROM_QEMU);
    g_assert_cmpstr(slot->message, ==, err.message);
    g_assert_cmpstr(slot->str2, ==, err.str2);
    errorReset();
}

static void
testErrorFromThread(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    virError out = {0};

    /* NULL means the calling thread's error. */
    reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, REMOTE_PROC_DOMAIN_SUSPEND, RPC_TYPE_REPLY, 3,
                        RPC_STATUS_OK);
    g_assert_cmpint(rpcMessageEncodeError(msg, NULL), ==, 0);
    errorReset();
    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageDecodeError(in, &out), ==, 0);
    g_assert_cmpint(out.code, ==, VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(out.domain, ==, VIR_FROM_RPC);
    g_assert_cmpint(out.level, ==, VIR_ERR_ERROR);
    g_assert_cmpstr(out.message, ==, "Requested operation is not valid: domain is not running");
    errorClear(&out);

    /* No error anywhere: never a silent success. */
    g_assert_false(errorIsSet());
    g_assert_cmpint(rpcMessageEncodeError(msg, NULL), ==, 0);
    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageDecodeError(in, &out), ==, 0);
    g_assert_cmpint(out.code, ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(out.message, ==, "internal error: no error reported");
    errorClear(&out);
}

/* A peer that sends code 0 or no message still yields a usable error. */
static void
testErrorOddPeer(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) in = rpcMessageNew();
    rpc_error rerr = {.code = VIR_ERR_OK, .domain = VIR_FROM_REMOTE, .level = VIR_ERR_ERROR};
    virError out = {0};

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, 1, RPC_TYPE_REPLY, 0, RPC_STATUS_ERROR);
    g_assert_cmpint(rpcMessageEncode(msg, (xdrproc_t)xdr_rpc_error, &rerr), ==, 0);
    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    g_assert_cmpint(rpcMessageDecodeError(in, &out), ==, 0);
    g_assert_cmpint(out.code, ==, VIR_ERR_RPC);
    g_assert_nonnull(out.message);
    errorClear(&out);

    /* A truncated error payload: the decoding error is reported instead. */
    g_assert_cmpint(rpcMessageSetPacket(in, msg->buffer, msg->bufferLength), ==, 0);
    in->bufferLength -= 4;
    g_assert_cmpint(rpcMessageReportError(in), ==, -1);
    assertError(VIR_ERR_RPC, "unable to decode");
}

/* Encoding the same message object twice starts afresh each time. */
static void
testReuse(void)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    remote_connect_supports_feature_args args = {.feature = 10};
    g_autofree uint8_t *first = NULL;
    size_t firstLen;

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, RPC_TYPE_CALL,
                        1, RPC_STATUS_OK);
    g_assert_cmpint(
        rpcMessageEncode(msg, (xdrproc_t)xdr_remote_connect_supports_feature_args, &args), ==, 0);
    first = g_memdup2(msg->buffer, msg->bufferLength);
    firstLen = msg->bufferLength;
    g_assert_cmpint(
        rpcMessageEncode(msg, (xdrproc_t)xdr_remote_connect_supports_feature_args, &args), ==, 0);
    g_assert_cmpmem(msg->buffer, msg->bufferLength, first, firstLen);
    rpcMessageClear(msg);
    g_assert_cmpuint(msg->bufferLength, ==, 0);
    g_assert_cmpint(msg->header.proc, ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/rpc/message/round-trip-call", testRoundTripCall);
    g_test_add_func("/rpc/message/round-trip-reply", testRoundTripReply);
    g_test_add_func("/rpc/message/void-payload", testVoidPayload);
    g_test_add_func("/rpc/message/header-rules", testHeaderRules);
    g_test_add_func("/rpc/message/format-header", testFormatHeader);
    g_test_add_func("/rpc/message/wrong-program", testWrongProgram);
    g_test_add_func("/rpc/message/decode-length", testDecodeLength);
    g_test_add_func("/rpc/message/set-packet-bad", testSetPacketBad);
    g_test_add_func("/rpc/message/decode-payload-bad", testDecodePayloadBad);
    g_test_add_func("/rpc/message/decode-array-limit", testDecodeArrayLimit);
    g_test_add_func("/rpc/message/encode-too-large", testEncodeTooLarge);
    g_test_add_func("/rpc/message/raw-stream", testRawStream);
    g_test_add_func("/rpc/message/stream-hole", testStreamHole);
    g_test_add_func("/rpc/message/num-fds", testNumFDs);
    g_test_add_func("/rpc/message/error-round-trip", testErrorRoundTrip);
    g_test_add_func("/rpc/message/error-from-thread", testErrorFromThread);
    g_test_add_func("/rpc/message/error-odd-peer", testErrorOddPeer);
    g_test_add_func("/rpc/message/reuse", testReuse);

    return g_test_run();
}
