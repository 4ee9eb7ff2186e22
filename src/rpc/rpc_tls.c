/* TLS for RPC connections: x509 credentials, non-blocking handshake, record-layer I/O (GnuTLS). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_tls.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("rpc.tls");

/* Small packets written together are sealed into one record of at most this size. */
#define RPC_TLS_COALESCE 16384

/*
 * libvirt's confirmation step (compatibility, docs/internals/rpc.md): once
 * the handshake is done and the server accepted the client's certificate,
 * the server sends one encrypted byte 0x01; a server that refuses just
 * closes the connection.  The client waits for that byte before its first
 * call.
 */
#define RPC_TLS_CONFIRM_BYTE 1

typedef enum {
    RPC_TLS_STATE_HANDSHAKE,
    RPC_TLS_STATE_CONFIRM_SEND, /* server */
    RPC_TLS_STATE_CONFIRM_RECV, /* client */
    RPC_TLS_STATE_DONE,
} RpcTLSState;

struct _RpcTLSContext {
    gint refs;                                  /* atomic */
    bool isServer;                              /* immutable */
    bool verifyPeer;                            /* immutable */
    char *priority;                             /* immutable */
    gnutls_certificate_credentials_t creds;     /* immutable */
    char **allowedDNs;                          /* immutable once sessions exist; NULL: any */
};

/*
 * A session is used by one thread at a time for each direction: the
 * reader (event loop or the client's I/O owner) and the writer (under
 * its connection's lock); GnuTLS allows one sender beside one receiver.
 */
struct _RpcTLSSession {
    RpcTLSContext *ctx;         /* immutable, referenced */
    gnutls_session_t session;   /* immutable */
    int fd;                     /* immutable, not owned */
    char *hostname;             /* immutable: expected server name, client only */
    RpcTLSState state;          /* handshaking thread only */
    bool wantWrite;             /* handshaking thread only */
    bool sendPending;           /* writer only: a record waits to be retried */
    guint8 wbuf[RPC_TLS_COALESCE]; /* writer only */
};

static void
rpcTLSInit(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        /* GnuTLS >= 3.3 initialises itself; this only keeps its reference count. */
        gnutls_global_init();
        g_once_init_leave(&once, 1);
    }
}

/* Checks that @path can be read, with an error naming @what. */
static int
rpcTLSCheckFile(const char *what, const char *path)
{
    if (access(path, R_OK) < 0) {
        reportSystemError(errno, _("cannot read %1$s '%2$s'"), what, path);
        return -1;
    }
    return 0;
}

static RpcTLSContext *
rpcTLSContextNew(bool isServer, const char *caFile, const char *crlFile, const char *certFile,
                 const char *keyFile, bool verifyPeer, const char *priority)
{
    g_autoptr(RpcTLSContext) ctx = NULL;
    int rc;

    rpcTLSInit();
    if (rpcTLSCheckFile(_("CA certificate"), caFile) < 0 ||
        rpcTLSCheckFile(_("certificate"), certFile) < 0 ||
        rpcTLSCheckFile(_("private key"), keyFile) < 0)
        return NULL;
    if (crlFile && access(crlFile, R_OK) < 0) {
        LOG_DEBUG("no certificate revocation list '%s'", crlFile);
        crlFile = NULL;
    }

    ctx = g_new0(RpcTLSContext, 1);
    ctx->refs = 1;
    ctx->isServer = isServer;
    ctx->verifyPeer = verifyPeer;
    ctx->priority = g_strdup(priority && *priority ? priority : "NORMAL");
    if ((rc = gnutls_certificate_allocate_credentials(&ctx->creds)) < 0) {
        reportError(VIR_ERR_SYSTEM_ERROR, _("cannot allocate TLS credentials: %1$s"),
                    gnutls_strerror(rc));
        return NULL;
    }
    if ((rc = gnutls_certificate_set_x509_trust_file(ctx->creds, caFile,
                                                     GNUTLS_X509_FMT_PEM)) < 0) {
        reportError(VIR_ERR_SYSTEM_ERROR, _("cannot load CA certificate '%1$s': %2$s"), caFile,
                    gnutls_strerror(rc));
        return NULL;
    }
    if (rc == 0) {
        reportError(VIR_ERR_SYSTEM_ERROR, _("no CA certificate in '%1$s'"), caFile);
        return NULL;
    }
    if (crlFile && (rc = gnutls_certificate_set_x509_crl_file(ctx->creds, crlFile,
                                                             GNUTLS_X509_FMT_PEM)) < 0) {
        reportError(VIR_ERR_SYSTEM_ERROR,
                    _("cannot load certificate revocation list '%1$s': %2$s"), crlFile,
                    gnutls_strerror(rc));
        return NULL;
    }
    if ((rc = gnutls_certificate_set_x509_key_file(ctx->creds, certFile, keyFile,
                                                   GNUTLS_X509_FMT_PEM)) < 0) {
        /* The key's contents are never logged; the file names are enough. */
        reportError(VIR_ERR_SYSTEM_ERROR,
                    _("cannot load certificate '%1$s' with private key '%2$s': %3$s"), certFile,
                    keyFile, gnutls_strerror(rc));
        return NULL;
    }
    LOG_DEBUG("%s TLS credentials: CA '%s', certificate '%s', verify %d",
              isServer ? "server" : "client", caFile, certFile, verifyPeer);
    return g_steal_pointer(&ctx);
}

/**
 * rpcTLSContextNewServer:
 * @caFile: PEM file of the CA(s) whose client certificates are accepted
 * @crlFile: PEM revocation list, or NULL (a missing file is skipped)
 * @certFile: the server's certificate (PEM)
 * @keyFile: its private key (PEM)
 * @verifyPeer: require and check a client certificate (libvirtd's
 *              tls_no_verify_certificate = 0)
 * @priority: GnuTLS priority string, NULL for "NORMAL"
 *
 * Returns: the context (caller owns a reference), or NULL with an error
 * naming the file that could not be used.
 */
RpcTLSContext *
rpcTLSContextNewServer(const char *caFile, const char *crlFile, const char *certFile,
                       const char *keyFile, bool verifyPeer, const char *priority)
{
    return rpcTLSContextNew(true, caFile, crlFile, certFile, keyFile, verifyPeer, priority);
}

/**
 * rpcTLSContextNewClient:
 * @caFile: PEM file of the CA(s) trusted to sign server certificates
 * @certFile: the client's certificate (PEM)
 * @keyFile: its private key (PEM)
 * @verifyPeer: check the server's certificate and host name (libvirt's
 *              URI parameter no_verify=0)
 * @priority: GnuTLS priority string, NULL for "NORMAL"
 *
 * Returns: the context (caller owns a reference), or NULL with an error.
 */
RpcTLSContext *
rpcTLSContextNewClient(const char *caFile, const char *certFile, const char *keyFile,
                       bool verifyPeer, const char *priority)
{
    return rpcTLSContextNew(false, caFile, NULL, certFile, keyFile, verifyPeer, priority);
}

/**
 * rpcTLSContextSetAllowedDNs:
 * @ctx: a server context not used by any session yet
 * @patterns: glob patterns (libvirtd's tls_allowed_dn_list, e.g.
 *            "C=GB,O=virtkit tests,CN=*"); NULL or empty allows any
 *
 * Limits the clients a verifying server accepts to those whose
 * certificate's distinguished name matches one of @patterns.
 */
void
rpcTLSContextSetAllowedDNs(RpcTLSContext *ctx, const char *const *patterns)
{
    g_strfreev(ctx->allowedDNs);
    ctx->allowedDNs = patterns && patterns[0] ? g_strdupv((char **)patterns) : NULL;
}

/* Checks the client certificate's distinguished name against the allowed list. */
static int
rpcTLSSessionCheckDN(RpcTLSSession *sess)
{
    const gnutls_datum_t *certs = NULL;
    unsigned int ncerts = 0;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t dn = {0};
    bool ok = false;
    size_t i;

    if (!sess->ctx->allowedDNs)
        return 0;
    certs = gnutls_certificate_get_peers(sess->session, &ncerts);
    if (certs && ncerts > 0 && gnutls_x509_crt_init(&crt) == 0) {
        if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0 &&
            gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0) {
            for (i = 0; sess->ctx->allowedDNs[i] && !ok; i++)
                ok = g_pattern_match_simple(sess->ctx->allowedDNs[i], (const char *)dn.data);
        }
        gnutls_x509_crt_deinit(crt);
    }
    if (!ok) {
        reportError(VIR_ERR_AUTH_FAILED,
                    _("client certificate name '%1$s' is not in tls_allowed_dn_list"),
                    dn.data ? (const char *)dn.data : "");
        gnutls_free(dn.data);
        return -1;
    }
    gnutls_free(dn.data);
    return 0;
}

/**
 * rpcTLSContextRef:
 * @ctx: a context
 *
 * Returns: @ctx with one more reference.
 */
RpcTLSContext *
rpcTLSContextRef(RpcTLSContext *ctx)
{
    g_atomic_int_inc(&ctx->refs);
    return ctx;
}

/**
 * rpcTLSContextUnref:
 * @ctx: a context, or NULL
 *
 * Drops a reference; the last one frees the credentials.
 */
void
rpcTLSContextUnref(RpcTLSContext *ctx)
{
    if (!ctx || !g_atomic_int_dec_and_test(&ctx->refs))
        return;
    if (ctx->creds)
        gnutls_certificate_free_credentials(ctx->creds);
    g_free(ctx->priority);
    g_strfreev(ctx->allowedDNs);
    g_free(ctx);
}

/* --- transport callbacks: plain non-blocking socket calls ------------------ */

static ssize_t
rpcTLSPull(gnutls_transport_ptr_t opaque, void *buf, size_t len)
{
    RpcTLSSession *sess = opaque;

    return recv(sess->fd, buf, len, 0);
}

static ssize_t
rpcTLSVecPush(gnutls_transport_ptr_t opaque, const giovec_t *iov, int iovcnt)
{
    RpcTLSSession *sess = opaque;
    struct msghdr mh = {0};

    /* A vanished peer is EPIPE, never SIGPIPE (clients may not ignore it). */
    mh.msg_iov = (struct iovec *)iov;
    mh.msg_iovlen = iovcnt;
    return sendmsg(sess->fd, &mh, MSG_NOSIGNAL);
}

static int
rpcTLSErrno(gnutls_transport_ptr_t opaque G_GNUC_UNUSED)
{
    return errno;
}

/**
 * rpcTLSSessionNew:
 * @ctx: the side's credentials
 * @fd: a connected non-blocking socket (not owned; it must outlive the
 *      session)
 * @hostname: for a client, the server name its certificate must carry
 *            (also sent as SNI unless it is an address); NULL on a server
 *
 * Returns: a session ready for rpcTLSSessionHandshake (caller owns), or
 * NULL with an error reported.
 */
RpcTLSSession *
rpcTLSSessionNew(RpcTLSContext *ctx, int fd, const char *hostname)
{
    g_autoptr(RpcTLSSession) sess = g_new0(RpcTLSSession, 1);
    const char *errPos = NULL;
    int rc;

    sess->ctx = rpcTLSContextRef(ctx);
    sess->fd = fd;
    sess->hostname = g_strdup(hostname);
    sess->state = RPC_TLS_STATE_HANDSHAKE;
    if ((rc = gnutls_init(&sess->session,
                          (ctx->isServer ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK)) <
        0) {
        sess->session = NULL;
        reportError(VIR_ERR_SYSTEM_ERROR, _("cannot create a TLS session: %1$s"),
                    gnutls_strerror(rc));
        return NULL;
    }
    if ((rc = gnutls_priority_set_direct(sess->session, ctx->priority, &errPos)) < 0) {
        reportError(VIR_ERR_SYSTEM_ERROR, _("invalid TLS priority string '%1$s': %2$s"),
                    ctx->priority, gnutls_strerror(rc));
        return NULL;
    }
    if ((rc = gnutls_credentials_set(sess->session, GNUTLS_CRD_CERTIFICATE, ctx->creds)) < 0) {
        reportError(VIR_ERR_SYSTEM_ERROR, _("cannot set TLS credentials: %1$s"),
                    gnutls_strerror(rc));
        return NULL;
    }
    if (ctx->isServer) {
        /* Asked, then checked ourselves after the handshake (clear errors, no_verify). */
        gnutls_certificate_server_set_request(sess->session, GNUTLS_CERT_REQUEST);
    } else if (hostname && !g_hostname_is_ip_address(hostname)) {
        gnutls_server_name_set(sess->session, GNUTLS_NAME_DNS, hostname, strlen(hostname));
    }
    gnutls_transport_set_ptr(sess->session, sess);
    gnutls_transport_set_pull_function(sess->session, rpcTLSPull);
    gnutls_transport_set_vec_push_function(sess->session, rpcTLSVecPush);
    gnutls_transport_set_errno_function(sess->session, rpcTLSErrno);
    return g_steal_pointer(&sess);
}

/**
 * rpcTLSSessionFree:
 * @sess: a session, or NULL
 *
 * Frees the session without any closing exchange (the socket is about to
 * be closed anyway).
 */
void
rpcTLSSessionFree(RpcTLSSession *sess)
{
    if (!sess)
        return;
    if (sess->session)
        gnutls_deinit(sess->session);
    rpcTLSContextUnref(sess->ctx);
    g_free(sess->hostname);
    g_free(sess);
}

/* Checks the peer's certificate chain (and, on a client, the host name). */
static int
rpcTLSSessionVerifyPeer(RpcTLSSession *sess)
{
    bool server = sess->ctx->isServer;
    gnutls_typed_vdata_st data[2];
    unsigned int ndata = 0;
    unsigned int status = 0;
    unsigned int ncerts = 0;
    gnutls_datum_t text = {0};
    int rc;

    if (!sess->ctx->verifyPeer)
        return 0;
    if (!gnutls_certificate_get_peers(sess->session, &ncerts) || ncerts == 0) {
        if (server)
            reportError(VIR_ERR_AUTH_FAILED, "%s",
                        _("the client did not present a certificate signed by a trusted CA"));
        else
            reportError(VIR_ERR_AUTH_FAILED, "%s", _("the server did not present a certificate"));
        return -1;
    }

    memset(data, 0, sizeof(data));
    data[ndata].type = GNUTLS_DT_KEY_PURPOSE_OID;
    data[ndata].data = (unsigned char *)(server ? GNUTLS_KP_TLS_WWW_CLIENT
                                                : GNUTLS_KP_TLS_WWW_SERVER);
    ndata++;
    if (!server && sess->hostname) {
        data[ndata].type = GNUTLS_DT_DNS_HOSTNAME;
        data[ndata].data = (unsigned char *)sess->hostname;
        ndata++;
    }
    if ((rc = gnutls_certificate_verify_peers(sess->session, data, ndata, &status)) < 0) {
        reportError(VIR_ERR_AUTH_FAILED, _("cannot verify the TLS peer: %1$s"),
                    gnutls_strerror(rc));
        return -1;
    }
    if (status == 0)
        return server ? rpcTLSSessionCheckDN(sess) : 0;

    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) < 0)
        text.data = NULL;
    if (server)
        reportError(VIR_ERR_AUTH_FAILED, _("client certificate check failed: %1$s"),
                    text.data ? (const char *)text.data : _("unknown reason"));
    else if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
        reportError(VIR_ERR_AUTH_FAILED,
                    _("server certificate check failed: the certificate's owner does not match the hostname '%1$s'"),
                    sess->hostname);
    else
        reportError(VIR_ERR_AUTH_FAILED, _("server certificate check failed: %1$s"),
                    text.data ? (const char *)text.data : _("unknown reason"));
    gnutls_free(text.data);
    return -1;
}

/*
 * True for the GnuTLS codes that mean "call again later"; sets
 * @sess->wantWrite from the direction GnuTLS was blocked in.
 */
static bool
rpcTLSSessionBlocked(RpcTLSSession *sess, int rc)
{
    if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED)
        return false;
    sess->wantWrite = gnutls_record_get_direction(sess->session) == 1;
    return true;
}

/**
 * rpcTLSSessionHandshake:
 * @sess: a session
 *
 * Advances the handshake as far as the socket allows without blocking:
 * the TLS handshake, the check of the peer's certificate, then libvirt's
 * confirmation byte (sent by a server that accepted the client, awaited
 * by a client).  When it returns 0, wait until the socket is writable
 * (rpcTLSSessionWantsWrite) or readable and call again.
 *
 * Returns: 1 when the session is ready for records, 0 to call again, -1
 * with an error reported (the connection must be closed).
 */
int
rpcTLSSessionHandshake(RpcTLSSession *sess)
{
    guint8 byte = RPC_TLS_CONFIRM_BYTE;
    ssize_t n;
    int rc;

    for (;;) {
        switch (sess->state) {
        case RPC_TLS_STATE_HANDSHAKE:
            rc = gnutls_handshake(sess->session);
            if (rc == 0) {
                if (rpcTLSSessionVerifyPeer(sess) < 0)
                    return -1;
                sess->state = sess->ctx->isServer ? RPC_TLS_STATE_CONFIRM_SEND
                                                  : RPC_TLS_STATE_CONFIRM_RECV;
                continue;
            }
            if (rpcTLSSessionBlocked(sess, rc))
                return 0;
            if (!gnutls_error_is_fatal(rc)) {
                LOG_DEBUG("TLS handshake: %s, continuing", gnutls_strerror(rc));
                continue;
            }
            reportError(VIR_ERR_AUTH_FAILED, _("TLS handshake failed: %1$s"),
                        gnutls_strerror(rc));
            return -1;

        case RPC_TLS_STATE_CONFIRM_SEND:
            if (sess->sendPending)
                n = gnutls_record_send(sess->session, NULL, 0);
            else
                n = gnutls_record_send(sess->session, &byte, 1);
            if (rpcTLSSessionBlocked(sess, (int)n)) {
                sess->sendPending = true;
                return 0;
            }
            sess->sendPending = false;
            if (n < 0) {
                reportError(VIR_ERR_SYSTEM_ERROR, _("cannot send the TLS confirmation: %1$s"),
                            gnutls_strerror((int)n));
                return -1;
            }
            sess->state = RPC_TLS_STATE_DONE;
            continue;

        case RPC_TLS_STATE_CONFIRM_RECV:
            n = gnutls_record_recv(sess->session, &byte, 1);
            if (rpcTLSSessionBlocked(sess, (int)n))
                return 0;
            if (n != 1 || byte != RPC_TLS_CONFIRM_BYTE) {
                LOG_DEBUG("TLS confirmation: %zd (%s)", n,
                          n < 0 ? gnutls_strerror((int)n) : "no error");
                /* libvirt's client reports this as a system error too (code 38). */
                reportError(VIR_ERR_SYSTEM_ERROR, "%s",
                            _("Unable to read TLS confirmation: the server refused the connection (it did not accept our certificate or address)"));
                return -1;
            }
            sess->state = RPC_TLS_STATE_DONE;
            continue;

        case RPC_TLS_STATE_DONE:
        default:
            return 1;
        }
    }
}

/**
 * rpcTLSSessionWantsWrite:
 * @sess: a session whose handshake returned 0
 *
 * Returns: true when the handshake waits for the socket to be writable,
 * false when it waits for it to be readable.
 */
bool
rpcTLSSessionWantsWrite(const RpcTLSSession *sess)
{
    return sess->wantWrite;
}

/**
 * rpcTLSSessionIsDone:
 * @sess: a session
 *
 * Returns: true once the handshake (with the confirmation) completed.
 */
bool
rpcTLSSessionIsDone(const RpcTLSSession *sess)
{
    return sess->state == RPC_TLS_STATE_DONE;
}

/**
 * rpcTLSSessionRead:
 * @opaque: an RpcTLSSession whose handshake is done
 * @buf: destination
 * @len: room in @buf
 *
 * An RpcReaderReadFunc: decrypted bytes with read(2)'s conventions.  It
 * takes every byte GnuTLS already decrypted (up to @len), so that nothing
 * waits inside GnuTLS while the socket itself stays quiet; the caller
 * still asks rpcTLSSessionPending when its buffer filled up.
 *
 * Returns: bytes read, 0 at the end of the stream, -1 with errno
 * (EAGAIN when nothing is available, EIO on a TLS error).
 */
ssize_t
rpcTLSSessionRead(void *opaque, void *buf, size_t len)
{
    RpcTLSSession *sess = opaque;
    size_t got = 0;

    while (got < len) {
        ssize_t n = gnutls_record_recv(sess->session, (guint8 *)buf + got, len - got);

        if (n > 0) {
            got += n;
            if (gnutls_record_check_pending(sess->session) == 0)
                break;
            continue;
        }
        if (got > 0)
            break;
        if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION)
            return 0;
        if (n == GNUTLS_E_AGAIN) {
            errno = EAGAIN;
            return -1;
        }
        if (n == GNUTLS_E_INTERRUPTED) {
            errno = EINTR;
            return -1;
        }
        LOG_DEBUG("TLS receive failed: %s", gnutls_strerror((int)n));
        errno = n == GNUTLS_E_PULL_ERROR && errno ? errno : EIO;
        return -1;
    }
    return (ssize_t)got;
}

/**
 * rpcTLSSessionWrite:
 * @opaque: an RpcTLSSession whose handshake is done
 * @iov: buffers to send
 * @iovcnt: their number
 *
 * An RpcWriterWriteFunc: encrypts and sends with writev(2)'s conventions.
 * Small buffers are gathered into one record.  After EAGAIN the caller
 * must offer the same bytes again (RpcWriter does): the record GnuTLS
 * already sealed is sent first and its length returned.
 *
 * Returns: bytes consumed from @iov, or -1 with errno (EAGAIN when the
 * socket is full).
 */
ssize_t
rpcTLSSessionWrite(void *opaque, const struct iovec *iov, int iovcnt)
{
    RpcTLSSession *sess = opaque;
    const void *data = NULL;
    size_t len = 0;
    ssize_t n;

    if (sess->sendPending) {
        n = gnutls_record_send(sess->session, NULL, 0);
    } else {
        if (iovcnt <= 0)
            return 0;
        if (iovcnt == 1 || iov[0].iov_len >= RPC_TLS_COALESCE) {
            data = iov[0].iov_base;
            len = iov[0].iov_len;
        } else {
            int i;

            for (i = 0; i < iovcnt && len < RPC_TLS_COALESCE; i++) {
                size_t take = MIN(iov[i].iov_len, RPC_TLS_COALESCE - len);

                memcpy(sess->wbuf + len, iov[i].iov_base, take);
                len += take;
            }
            data = sess->wbuf;
        }
        n = gnutls_record_send(sess->session, data, len);
    }

    if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
        sess->sendPending = true;
        errno = n == GNUTLS_E_AGAIN ? EAGAIN : EINTR;
        return -1;
    }
    sess->sendPending = false;
    if (n < 0) {
        int saved = errno;

        LOG_DEBUG("TLS send failed: %s", gnutls_strerror((int)n));
        errno = n == GNUTLS_E_PUSH_ERROR && saved ? saved : EIO;
        return -1;
    }
    return n;
}

/**
 * rpcTLSSessionPending:
 * @opaque: an RpcTLSSession
 *
 * Returns: decrypted bytes GnuTLS holds that rpcTLSSessionRead has not
 * returned yet (the socket will not signal them).
 */
size_t
rpcTLSSessionPending(void *opaque)
{
    RpcTLSSession *sess = opaque;

    return gnutls_record_check_pending(sess->session);
}
