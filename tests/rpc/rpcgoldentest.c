/*
 * Golden wire bytes: packets recorded between Debian's libvirt 9.0 client
 * and libvirtd (tests/data/rpc/NAME.bin, cut by tests/rpc/make-golden.sh).
 *
 * For every case: the header decodes to what the dissector printed in
 * NAME.txt, the payload decodes with our remote_protocol.x, re-encoding
 * the decoded struct gives the identical bytes, and the reader cuts the
 * same packet out of a byte stream.  Several cases also check decoded
 * fields, and build the packet from scratch, against the recorded values.
 */
#include <string.h>
#include <libvirt/libvirt.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_message.h"
#include "rpc/rpc_reader.h"
#include "rpc/keepalive_protocol.h"
#include "remote/remote_protocol.h"
#include "rpc_test_procs.h"
#include "util/error.h"

typedef struct {
    const char *name;
    /* Checks the decoded payload (struct of the proc's args/ret/msg, or a virError). */
    void (*check)(const RpcMessage *msg, const void *payload);
    /* Builds the same packet from the recorded values; compared byte for byte. */
    RpcMessage *(*build)(void);
} GoldenCase;

static void
loadFile(const char *name, const char *ext, char **retData, size_t *retLen)
{
    g_autofree char *path = g_strdup_printf("%s/%s.%s", RPC_TEST_DATA_DIR, name, ext);
    g_autoptr(GError) gerr = NULL;

    if (!g_file_get_contents(path, retData, retLen, &gerr))
        g_error("cannot read %s: %s", path, gerr->message);
}

/* Compares two byte strings, printing the first difference. */
static void
assertSameBytes(const char *what, const uint8_t *got, size_t gotLen, const uint8_t *want,
                size_t wantLen)
{
    size_t i;

    for (i = 0; i < MIN(gotLen, wantLen); i++) {
        if (got[i] != want[i])
            break;
    }
    if (i == gotLen && i == wantLen)
        return;
    g_test_message("%s: bytes differ at offset %zu (got %zu bytes, want %zu): "
                   "got 0x%02x want 0x%02x",
                   what, i, gotLen, wantLen, i < gotLen ? got[i] : 0, i < wantLen ? want[i] : 0);
    g_test_fail();
}

/* The number in "    key: TEXT (N)" or "    key: N" of the first packet. */
static gint64
txtHeaderField(const char *txt, const char *key)
{
    g_autofree char *needle = g_strdup_printf("\n    %s: ", key);
    const char *p = strstr(txt, needle);
    const char *paren = NULL;
    const char *eol = NULL;

    if (!p)
        g_error("no '%s' in the golden description", key);
    p += strlen(needle);
    eol = strchr(p, '\n');
    paren = strchr(p, '(');
    if (paren && (!eol || paren < eol))
        p = paren + 1;
    return g_ascii_strtoll(p, NULL, 0);
}

static xdrproc_t
payloadFilter(const RpcMessage *msg, size_t *retSize)
{
    const RpcTestProc *proc = NULL;

    *retSize = 0;
    if (msg->header.prog == KEEPALIVE_PROGRAM)
        return NULL;
    g_assert_cmpuint(msg->header.prog, ==, REMOTE_PROGRAM);
    if (msg->header.status == RPC_STATUS_ERROR) {
        *retSize = sizeof(rpc_error);
        return (xdrproc_t)xdr_rpc_error;
    }
    proc = rpcTestProcLookup(msg->header.proc);
    g_assert_nonnull(proc);
    switch ((int)msg->header.type) {
    case RPC_TYPE_CALL:
        *retSize = proc->argsSize;
        return proc->args;
    case RPC_TYPE_REPLY:
        *retSize = proc->retSize;
        return proc->ret;
    case RPC_TYPE_MESSAGE:
        *retSize = proc->msgSize;
        return proc->msg;
    }
    g_assert_not_reached();
    return NULL;
}

static void
testGolden(gconstpointer opaque)
{
    const GoldenCase *tc = opaque;
    g_autofree char *bin = NULL;
    g_autofree char *txt = NULL;
    size_t binLen = 0;
    size_t txtLen = 0;
    g_autoptr(RpcMessage) msg = rpcMessageNew();
    g_autoptr(RpcMessage) again = rpcMessageNew();
    g_autoptr(RpcReader) reader = rpcReaderNew();
    g_autoptr(RpcMessage) cut = NULL;
    g_autofree void *payload = NULL;
    xdrproc_t filter = NULL;
    size_t size = 0;
    size_t i;

    loadFile(tc->name, "bin", &bin, &binLen);
    loadFile(tc->name, "txt", &txt, &txtLen);

    /* Header, as the dissector read it. */
    g_assert_cmpint(rpcMessageSetPacket(msg, bin, binLen), ==, 0);
    g_assert_cmpint(rpcMessageCheckHeader(msg), ==, 0);
    g_assert_cmpint(msg->bufferLength, ==, txtHeaderField(txt, "length"));
    g_assert_cmpint(msg->header.prog, ==, txtHeaderField(txt, "program"));
    g_assert_cmpint(msg->header.vers, ==, txtHeaderField(txt, "version"));
    g_assert_cmpint(msg->header.proc, ==, txtHeaderField(txt, "procedure"));
    g_assert_cmpint(msg->header.type, ==, txtHeaderField(txt, "type"));
    g_assert_cmpint(msg->header.serial, ==, txtHeaderField(txt, "serial"));
    g_assert_cmpint(msg->header.status, ==, txtHeaderField(txt, "status"));

    /* Payload, with our protocol description, consumed exactly. */
    filter = payloadFilter(msg, &size);
    payload = g_malloc0(MAX(size, 1));
    if (rpcMessageDecodePayload(msg, filter, payload) < 0) {
        g_test_message("%s: %s", tc->name, errorGetSlot()->message);
        g_test_fail();
        return;
    }

    /* Re-encoding the decoded values gives libvirt's bytes. */
    rpcMessageSetHeader(again, msg->header.prog, msg->header.vers, msg->header.proc,
                        msg->header.type, msg->header.serial, msg->header.status);
    g_assert_cmpint(rpcMessageEncode(again, filter, payload), ==, 0);
    assertSameBytes("re-encoded", again->buffer, again->bufferLength, (const uint8_t *)bin, binLen);

    if (tc->check) {
        if (filter == (xdrproc_t)xdr_rpc_error) {
            virError err = {0};

            g_assert_cmpint(rpcMessageSetPacket(again, bin, binLen), ==, 0);
            g_assert_cmpint(rpcMessageDecodeError(again, &err), ==, 0);
            tc->check(msg, &err);
            errorClear(&err);
        } else {
            tc->check(msg, payload);
        }
    }
    if (filter)
        xdr_free(filter, payload);

    if (tc->build) {
        g_autoptr(RpcMessage) built = tc->build();

        g_assert_nonnull(built);
        assertSameBytes("built from recorded values", built->buffer, built->bufferLength,
                        (const uint8_t *)bin, binLen);
    }

    /* The reader cuts it out of a stream fed one byte at a time. */
    for (i = 0; i < binLen; i++) {
        g_assert_null(cut);
        g_assert_cmpint(rpcReaderNext(reader, &cut), ==, 0);
        rpcReaderFeed(reader, bin + i, 1);
    }
    g_assert_cmpint(rpcReaderNext(reader, &cut), ==, 1);
    assertSameBytes("read back", cut->buffer, cut->bufferLength, (const uint8_t *)bin, binLen);
    g_assert_cmpint(cut->header.proc, ==, msg->header.proc);
    g_assert_false(rpcReaderHasPartial(reader));
}

/* ---- Checks of recorded values ---- */

static const unsigned char uuidT1List[VIR_UUID_BUFLEN] = {
    0xdd, 0x35, 0x2e, 0xb3, 0xa1, 0xd0, 0x45, 0x2f, 0x8e, 0x63, 0xb7, 0xaa, 0xbb, 0x5e, 0xe6, 0x6d,
};

static const unsigned char uuidT1Event[VIR_UUID_BUFLEN] = {
    0x43, 0xc5, 0xeb, 0xa1, 0xde, 0x4c, 0x4b, 0x64, 0x97, 0xf8, 0x86, 0x75, 0x47, 0xa9, 0x27, 0x61,
};

static RpcMessage *
newEncoded(unsigned int prog, int proc, rpc_type type, unsigned int serial, rpc_status status,
           xdrproc_t filter, const void *data)
{
    RpcMessage *msg = rpcMessageNew();

    rpcMessageSetHeader(msg, prog, 1, proc, type, serial, status);
    if (rpcMessageEncode(msg, filter, data) < 0) {
        rpcMessageFree(msg);
        return NULL;
    }
    return msg;
}

static void
checkConnectOpenCall(const RpcMessage *msg, const void *payload)
{
    const remote_connect_open_args *args = payload;

    g_assert_cmpuint(msg->header.serial, ==, 2);
    g_assert_nonnull(args->name);
    g_assert_cmpstr(*args->name, ==, "qemu:///system");
    g_assert_cmpuint(args->flags, ==, 0);
}

static RpcMessage *
buildConnectOpenCall(void)
{
    char *name = (char *)"qemu:///system";
    remote_connect_open_args args = {.name = &name, .flags = 0};

    return newEncoded(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN, RPC_TYPE_CALL, 2, RPC_STATUS_OK,
                      (xdrproc_t)xdr_remote_connect_open_args, &args);
}

static RpcMessage *
buildAuthListCall(void)
{
    /* The first call of a connection has serial 0 and no payload. */
    return newEncoded(REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST, RPC_TYPE_CALL, 0, RPC_STATUS_OK, NULL,
                      NULL);
}

static void
checkAuthListReply(const RpcMessage *msg, const void *payload)
{
    const remote_auth_list_ret *ret = payload;

    g_assert_cmpuint(ret->types.types_len, ==, 1);
    g_assert_cmpint(ret->types.types_val[0], ==, REMOTE_AUTH_NONE);
}

static RpcMessage *
buildAuthListReply(void)
{
    remote_auth_type types[] = {REMOTE_AUTH_NONE};
    remote_auth_list_ret ret = {.types = {.types_len = 1, .types_val = types}};

    return newEncoded(REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST, RPC_TYPE_REPLY, 0, RPC_STATUS_OK,
                      (xdrproc_t)xdr_remote_auth_list_ret, &ret);
}

static void
checkSupportsFeatureCall(const RpcMessage *msg, const void *payload)
{
    const remote_connect_supports_feature_args *args = payload;

    g_assert_cmpint(args->feature, ==, REMOTE_FEATURE_PROGRAM_KEEPALIVE);
}

static void
checkSupportsFeatureReply(const RpcMessage *msg, const void *payload)
{
    const remote_connect_supports_feature_ret *ret = payload;

    g_assert_cmpint(ret->supported, ==, 1);
}

static void
checkListAllDomainsCall(const RpcMessage *msg, const void *payload)
{
    const remote_connect_list_all_domains_args *args = payload;

    g_assert_cmpint(args->need_results, ==, 1);
    g_assert_cmpuint(args->flags, ==, 3);
}

static void
checkListAllDomainsReply(const RpcMessage *msg, const void *payload)
{
    const remote_connect_list_all_domains_ret *ret = payload;

    g_assert_cmpuint(ret->domains.domains_len, ==, 1);
    g_assert_cmpstr(ret->domains.domains_val[0].name, ==, "t1");
    g_assert_cmpmem(ret->domains.domains_val[0].uuid, VIR_UUID_BUFLEN, uuidT1List, VIR_UUID_BUFLEN);
    g_assert_cmpint(ret->domains.domains_val[0].id, ==, -1);
    g_assert_cmpuint(ret->ret, ==, 1);
}

static RpcMessage *
buildListAllDomainsReply(void)
{
    remote_nonnull_domain dom = {.name = (char *)"t1", .id = -1};
    remote_connect_list_all_domains_ret ret = {
        .domains = {.domains_len = 1, .domains_val = &dom},
        .ret = 1,
    };

    memcpy(dom.uuid, uuidT1List, VIR_UUID_BUFLEN);
    return newEncoded(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, RPC_TYPE_REPLY, 6,
                      RPC_STATUS_OK, (xdrproc_t)xdr_remote_connect_list_all_domains_ret, &ret);
}

static void
checkGetStateReply(const RpcMessage *msg, const void *payload)
{
    const remote_domain_get_state_ret *ret = payload;

    g_assert_cmpint(ret->state, ==, 5); /* SHUTOFF */
    g_assert_cmpint(ret->reason, ==, 0);
}

static void
checkLookupByNameCall(const RpcMessage *msg, const void *payload)
{
    const remote_domain_lookup_by_name_args *args = payload;

    g_assert_cmpstr(args->name, ==, "t1");
}

static void
checkGetInfoReply(const RpcMessage *msg, const void *payload)
{
    const remote_domain_get_info_ret *ret = payload;

    g_assert_cmpuint(ret->state, ==, 5);
    g_assert_cmpuint(ret->maxMem, ==, 65536);
    g_assert_cmpuint(ret->memory, ==, 65536);
    g_assert_cmpuint(ret->nrVirtCpu, ==, 1);
    g_assert_cmpuint(ret->cpuTime, ==, 0);
}

static RpcMessage *
buildGetInfoReply(void)
{
    remote_domain_get_info_ret ret = {
        .state = 5,
        .maxMem = 65536,
        .memory = 65536,
        .nrVirtCpu = 1,
        .cpuTime = 0,
    };

    /* u_char and u_short take four bytes each: 60 bytes in all. */
    return newEncoded(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_INFO, RPC_TYPE_REPLY, 8, RPC_STATUS_OK,
                      (xdrproc_t)xdr_remote_domain_get_info_ret, &ret);
}

static void
checkSecurityModelReply(const RpcMessage *msg, const void *payload)
{
    const remote_node_get_security_model_ret *ret = payload;

    /* char<N> arrays: one XDR word per char, the NUL counted. */
    g_assert_cmpuint(ret->model.model_len, ==, 5);
    g_assert_cmpmem(ret->model.model_val, 5, "none", 5);
    g_assert_cmpuint(ret->doi.doi_len, ==, 2);
    g_assert_cmpmem(ret->doi.doi_val, 2, "0", 2);
}

static void
checkLookupErrorReply(const RpcMessage *msg, const void *payload)
{
    const virError *err = payload;

    g_assert_cmpint(err->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(err->domain, ==, VIR_FROM_QEMU);
    g_assert_cmpint(err->level, ==, VIR_ERR_ERROR);
    g_assert_cmpstr(err->message, ==, "Domain not found: no domain with matching name 't1'");
    g_assert_cmpstr(err->str1, ==, "Domain not found: %s");
    g_assert_cmpstr(err->str2, ==, "no domain with matching name 't1'");
    g_assert_null(err->str3);
    g_assert_cmpint(err->int1, ==, -1);
    g_assert_cmpint(err->int2, ==, -1);
}

static RpcMessage *
buildLookupErrorReply(void)
{
    RpcMessage *msg = rpcMessageNew();
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

    rpcMessageSetHeader(msg, REMOTE_PROGRAM, 1, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, RPC_TYPE_REPLY,
                        6, RPC_STATUS_OK);
    if (rpcMessageEncodeError(msg, &err) < 0)
        g_clear_pointer(&msg, rpcMessageFree);
    return msg;
}

static void
checkCreateErrorReply(const RpcMessage *msg, const void *payload)
{
    const virError *err = payload;

    g_assert_cmpint(err->code, ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpint(err->domain, ==, VIR_FROM_RPC);
    g_assert_cmpint(err->int1, ==, 2); /* errno ENOENT */
}

static void
checkJobInfoErrorReply(const RpcMessage *msg, const void *payload)
{
    const virError *err = payload;

    g_assert_cmpint(err->code, ==, VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(err->domain, ==, VIR_FROM_DOMAIN);
    g_assert_cmpstr(err->message, ==, "Requested operation is not valid: domain is not running");
}

static void
checkGetVersionReply(const RpcMessage *msg, const void *payload)
{
    const remote_connect_get_version_ret *ret = payload;

    g_assert_cmpuint(ret->hv_ver, ==, 7002022);
}

static void
checkGetTypeReply(const RpcMessage *msg, const void *payload)
{
    const remote_connect_get_type_ret *ret = payload;

    g_assert_cmpstr(ret->type, ==, "QEMU");
}

static void
checkEventRegisterCall(const RpcMessage *msg, const void *payload)
{
    const remote_connect_domain_event_callback_register_any_args *args = payload;

    g_assert_cmpint(args->eventID, ==, VIR_DOMAIN_EVENT_ID_LIFECYCLE);
    g_assert_null(args->dom);
}

static void
checkEventRegisterReply(const RpcMessage *msg, const void *payload)
{
    const remote_connect_domain_event_callback_register_any_ret *ret = payload;

    g_assert_cmpint(ret->callbackID, ==, 0);
}

static void
checkLifecycleEvent(const RpcMessage *msg, const void *payload)
{
    const remote_domain_event_callback_lifecycle_msg *ev = payload;

    /* Events from libvirtd carry serial 1. */
    g_assert_cmpuint(msg->header.serial, ==, RPC_EVENT_SERIAL);
    g_assert_cmpint(ev->callbackID, ==, 0);
    g_assert_cmpstr(ev->msg.dom.name, ==, "t1");
    g_assert_cmpmem(ev->msg.dom.uuid, VIR_UUID_BUFLEN, uuidT1Event, VIR_UUID_BUFLEN);
    g_assert_cmpint(ev->msg.dom.id, ==, 3);
    g_assert_cmpint(ev->msg.event, ==, VIR_DOMAIN_EVENT_RESUMED);
    g_assert_cmpint(ev->msg.detail, ==, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
}

static RpcMessage *
buildLifecycleEvent(void)
{
    remote_domain_event_callback_lifecycle_msg ev = {
        .callbackID = 0,
        .msg =
            {
                .dom = {.name = (char *)"t1", .id = 3},
                .event = VIR_DOMAIN_EVENT_RESUMED,
                .detail = VIR_DOMAIN_EVENT_RESUMED_UNPAUSED,
            },
    };

    memcpy(ev.msg.dom.uuid, uuidT1Event, VIR_UUID_BUFLEN);
    return newEncoded(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, RPC_TYPE_MESSAGE,
                      RPC_EVENT_SERIAL, RPC_STATUS_OK,
                      (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &ev);
}

static void
checkKeepalive(const RpcMessage *msg, const void *payload)
{
    g_assert_cmpuint(msg->header.prog, ==, KEEPALIVE_PROGRAM);
    g_assert_cmpuint(msg->header.serial, ==, RPC_KEEPALIVE_SERIAL);
    g_assert_cmpint(msg->header.type, ==, RPC_TYPE_MESSAGE);
    g_assert_cmpuint(msg->bufferLength, ==, 28);
}

static RpcMessage *
buildKeepalivePing(void)
{
    return newEncoded(KEEPALIVE_PROGRAM, KEEPALIVE_PROC_PING, RPC_TYPE_MESSAGE,
                      RPC_KEEPALIVE_SERIAL, RPC_STATUS_OK, NULL, NULL);
}

static RpcMessage *
buildKeepalivePong(void)
{
    return newEncoded(KEEPALIVE_PROGRAM, KEEPALIVE_PROC_PONG, RPC_TYPE_MESSAGE,
                      RPC_KEEPALIVE_SERIAL, RPC_STATUS_OK, NULL, NULL);
}

static void
checkBegin3ParamsCall(const RpcMessage *msg, const void *payload)
{
    const remote_domain_migrate_begin3_params_args *args = payload;
    const remote_typed_param *p = NULL;

    g_assert_cmpstr(args->dom.name, ==, "t1");
    g_assert_cmpint(args->dom.id, ==, 4);
    g_assert_cmpuint(args->params.params_len, ==, 1);
    p = &args->params.params_val[0];
    g_assert_cmpstr(p->field, ==, "migrate_uri");
    g_assert_cmpint(p->value.type, ==, REMOTE_TYPED_PARAM_STRING);
    g_assert_cmpstr(p->value.remote_typed_param_value_u.s, ==, "tcp://127.0.0.1:49200");
    g_assert_cmpuint(args->flags, ==, 257); /* LIVE | CHANGE_PROTECTION */
}

static void
checkBegin3ParamsReply(const RpcMessage *msg, const void *payload)
{
    const remote_domain_migrate_begin3_params_ret *ret = payload;

    g_assert_cmpuint(ret->cookie_out.cookie_out_len, >, 0);
    g_assert_true(g_str_has_prefix(ret->xml, "<domain"));
}

static void
checkJobInfoReply(const RpcMessage *msg, const void *payload)
{
    const remote_domain_get_job_info_ret *ret = payload;

    g_assert_cmpint(ret->type, ==, VIR_DOMAIN_JOB_UNBOUNDED);
}

static void
checkGetXMLDescReply(const RpcMessage *msg, const void *payload)
{
    const remote_domain_get_xml_desc_ret *ret = payload;

    g_assert_true(g_str_has_prefix(ret->xml, "<domain type='qemu'"));
}

static const GoldenCase cases[] = {
    {"auth-list-call", NULL, buildAuthListCall},
    {"auth-list-reply", checkAuthListReply, buildAuthListReply},
    {"supports-feature-call", checkSupportsFeatureCall, NULL},
    {"supports-feature-reply", checkSupportsFeatureReply, NULL},
    {"connect-open-call", checkConnectOpenCall, buildConnectOpenCall},
    {"connect-open-reply", NULL, NULL},
    {"register-close-callback-call", NULL, NULL},
    {"define-xml-call", NULL, NULL},
    {"list-all-domains-call", checkListAllDomainsCall, NULL},
    {"list-all-domains-reply", checkListAllDomainsReply, buildListAllDomainsReply},
    {"get-state-call", NULL, NULL},
    {"get-state-reply", checkGetStateReply, NULL},
    {"lookup-by-name-call", checkLookupByNameCall, NULL},
    {"lookup-by-name-reply", NULL, NULL},
    {"get-info-call", NULL, NULL},
    {"get-info-reply", checkGetInfoReply, buildGetInfoReply},
    {"node-get-security-model-reply", checkSecurityModelReply, NULL},
    {"get-security-label-reply", NULL, NULL},
    {"get-messages-reply", NULL, NULL},
    {"create-error-reply", checkCreateErrorReply, NULL},
    {"get-xml-desc-reply", checkGetXMLDescReply, NULL},
    {"get-type-reply", checkGetTypeReply, NULL},
    {"get-version-reply", checkGetVersionReply, NULL},
    {"get-hostname-reply", NULL, NULL},
    {"lookup-by-name-error-reply", checkLookupErrorReply, buildLookupErrorReply},
    {"event-callback-register-call", checkEventRegisterCall, NULL},
    {"event-callback-register-reply", checkEventRegisterReply, NULL},
    {"lifecycle-event", checkLifecycleEvent, buildLifecycleEvent},
    {"keepalive-ping", checkKeepalive, buildKeepalivePing},
    {"keepalive-pong", checkKeepalive, buildKeepalivePong},
    {"migrate-begin3-params-call", checkBegin3ParamsCall, NULL},
    {"migrate-begin3-params-reply", checkBegin3ParamsReply, NULL},
    {"get-job-info-reply", checkJobInfoReply, NULL},
    {"get-job-info-error-reply", checkJobInfoErrorReply, NULL},
};

/* All cases back to back in one stream, fed in uneven chunks. */
static void
testGoldenStream(void)
{
    g_autoptr(GByteArray) stream = g_byte_array_new();
    g_autoptr(RpcReader) reader = rpcReaderNew();
    size_t offsets[G_N_ELEMENTS(cases) + 1];
    size_t pos = 0;
    size_t got = 0;
    size_t chunk = 1;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *bin = NULL;
        size_t len = 0;

        loadFile(cases[i].name, "bin", &bin, &len);
        offsets[i] = stream->len;
        g_byte_array_append(stream, (const guint8 *)bin, len);
    }
    offsets[G_N_ELEMENTS(cases)] = stream->len;

    while (pos < stream->len || got < G_N_ELEMENTS(cases)) {
        RpcMessage *msg = NULL;
        size_t n = MIN(chunk, stream->len - pos);
        int rc;

        rpcReaderFeed(reader, stream->data + pos, n);
        pos += n;
        chunk = chunk * 7 % 1001 + 1;
        while ((rc = rpcReaderNext(reader, &msg)) == 1) {
            g_assert_cmpuint(got, <, G_N_ELEMENTS(cases));
            assertSameBytes(cases[got].name, msg->buffer, msg->bufferLength,
                            stream->data + offsets[got], offsets[got + 1] - offsets[got]);
            rpcMessageFree(msg);
            got++;
        }
        g_assert_cmpint(rc, ==, 0);
        if (n == 0)
            break;
    }
    g_assert_cmpuint(got, ==, G_N_ELEMENTS(cases));
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/rpc/golden/%s", cases[i].name);

        g_test_add_data_func(path, &cases[i], testGolden);
    }
    g_test_add_func("/rpc/golden/stream", testGoldenStream);

    return g_test_run();
}
