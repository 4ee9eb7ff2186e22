/* Keepalive: the PING/PONG program's packets and the dead-peer timer logic, without I/O. */
#define ERR_DOMAIN VIR_FROM_RPC

#include "rpc/rpc_keepalive.h"
#include "rpc/keepalive_protocol.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("rpc.keepalive");

/*
 * The rules follow libvirtd.conf's description of keepalive_interval and
 * keepalive_count (docs/daemon.md): every packet received from the peer
 * restarts the silence clock and refills the count; after each @interval
 * seconds of silence one PING goes out and the count drops by one; when
 * the peer is still silent with the count at 0, it is dead.  So a peer is
 * declared dead after interval * (count + 1) seconds without a packet,
 * having been sent @count PINGs; count 0 closes after one silent interval
 * without any PING.  Times are g_get_monotonic_time() microseconds.
 */
struct _RpcKeepalive {
    gint64 interval;    /* microseconds; immutable */
    unsigned int count; /* immutable */
    bool active;
    gint64 lastReceived;    /* when the peer last sent anything */
    gint64 lastPing;        /* when we last pinged, 0 if not since lastReceived */
    unsigned int countdown; /* PINGs left before the peer is dead */
};

/**
 * rpcKeepaliveNew:
 * @interval: seconds of silence before each PING (must be > 0)
 * @count: unanswered PINGs tolerated before the peer is declared dead
 *
 * Returns: a stopped keepalive state (caller owns).
 */
RpcKeepalive *
rpcKeepaliveNew(int interval, unsigned int count)
{
    RpcKeepalive *ka = g_new0(RpcKeepalive, 1);

    ka->interval = (gint64)MAX(interval, 1) * G_USEC_PER_SEC;
    ka->count = count;
    return ka;
}

/**
 * rpcKeepaliveFree:
 * @ka: a keepalive state, or NULL
 */
void
rpcKeepaliveFree(RpcKeepalive *ka)
{
    g_free(ka);
}

/**
 * rpcKeepaliveStart:
 * @ka: a keepalive state
 * @now: the current monotonic time
 *
 * Starts watching the peer, counting its silence from @now.  Starting an
 * active state again changes nothing.
 */
void
rpcKeepaliveStart(RpcKeepalive *ka, gint64 now)
{
    if (ka->active)
        return;
    ka->active = true;
    rpcKeepaliveReceived(ka, now);
}

/**
 * rpcKeepaliveIsActive:
 * @ka: a keepalive state
 *
 * Returns: true once rpcKeepaliveStart() was called.
 */
bool
rpcKeepaliveIsActive(const RpcKeepalive *ka)
{
    return ka->active;
}

/**
 * rpcKeepaliveReceived:
 * @ka: a keepalive state
 * @now: the current monotonic time
 *
 * Records that a packet (of any program) arrived from the peer.
 */
void
rpcKeepaliveReceived(RpcKeepalive *ka, gint64 now)
{
    ka->lastReceived = now;
    ka->lastPing = 0;
    ka->countdown = ka->count;
}

/**
 * rpcKeepaliveCheck:
 * @ka: an active keepalive state
 * @now: the current monotonic time
 * @retNext: set to the monotonic time of the next check
 *
 * Decides what the connection owner must do now.  After
 * RPC_KEEPALIVE_PING the owner sends a PING; after RPC_KEEPALIVE_DEAD it
 * closes the connection (*@retNext is then meaningless).
 *
 * Returns: the action.
 */
RpcKeepaliveAction
rpcKeepaliveCheck(RpcKeepalive *ka, gint64 now, gint64 *retNext)
{
    gint64 due = (ka->lastPing ? ka->lastPing : ka->lastReceived) + ka->interval;

    if (!ka->active) {
        *retNext = now + ka->interval;
        return RPC_KEEPALIVE_WAIT;
    }
    if (now < due) {
        *retNext = due;
        return RPC_KEEPALIVE_WAIT;
    }
    if (ka->countdown == 0) {
        LOG_DEBUG("peer silent for %" G_GINT64_FORMAT " ms", (now - ka->lastReceived) / 1000);
        *retNext = now;
        return RPC_KEEPALIVE_DEAD;
    }
    ka->countdown--;
    ka->lastPing = now;
    *retNext = now + ka->interval;
    return RPC_KEEPALIVE_PING;
}

/**
 * rpcKeepaliveIsMessage:
 * @msg: a received packet with a decoded header
 *
 * Returns: true when @msg belongs to KEEPALIVE_PROGRAM (of any version).
 */
bool
rpcKeepaliveIsMessage(const RpcMessage *msg)
{
    return msg->header.prog == KEEPALIVE_PROGRAM;
}

static RpcMessage *
rpcKeepaliveNewMessage(int proc)
{
    g_autoptr(RpcMessage) msg = rpcMessageNew();

    rpcMessageSetHeader(msg, KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION, proc, RPC_TYPE_MESSAGE,
                        RPC_KEEPALIVE_SERIAL, RPC_STATUS_OK);
    if (rpcMessageEncode(msg, NULL, NULL) < 0)
        return NULL;
    return g_steal_pointer(&msg);
}

/**
 * rpcKeepaliveNewPing:
 *
 * Returns: an encoded PING packet (caller owns), or NULL with an error
 * reported (cannot happen for a 28-byte packet, but callers check).
 */
RpcMessage *
rpcKeepaliveNewPing(void)
{
    return rpcKeepaliveNewMessage(KEEPALIVE_PROC_PING);
}

/**
 * rpcKeepaliveNewPong:
 *
 * Returns: an encoded PONG packet (caller owns), or NULL with an error
 * reported.
 */
RpcMessage *
rpcKeepaliveNewPong(void)
{
    return rpcKeepaliveNewMessage(KEEPALIVE_PROC_PONG);
}

/**
 * rpcKeepaliveHandleMessage:
 * @msg: a received KEEPALIVE_PROGRAM packet (rpcKeepaliveIsMessage)
 * @retReply: set to the packet to send back, or NULL when none is due
 *
 * A PING is answered with a PONG; a PONG needs nothing (its arrival
 * already counted as traffic).  Anything else (wrong version, type or
 * procedure, or a payload) is reported and ignored by the caller: libvirt
 * drops such packets without closing the connection.
 *
 * Returns: 0, or -1 with an error reported for a malformed packet.
 */
int
rpcKeepaliveHandleMessage(const RpcMessage *msg, RpcMessage **retReply)
{
    size_t payloadLen = 0;

    *retReply = NULL;
    rpcMessageGetPayload(msg, &payloadLen);
    if (msg->header.vers != KEEPALIVE_PROTOCOL_VERSION || msg->header.type != RPC_TYPE_MESSAGE ||
        msg->header.status != RPC_STATUS_OK || payloadLen != 0) {
        reportError(VIR_ERR_RPC,
                    _("malformed keepalive packet: version %1$u, type %2$d, status %3$d, %4$zu "
                      "payload bytes"),
                    msg->header.vers, (int)msg->header.type, (int)msg->header.status, payloadLen);
        return -1;
    }
    switch (msg->header.proc) {
    case KEEPALIVE_PROC_PING:
        if (!(*retReply = rpcKeepaliveNewPong()))
            return -1;
        return 0;
    case KEEPALIVE_PROC_PONG:
        return 0;
    default:
        reportError(VIR_ERR_RPC, _("unknown keepalive procedure %1$d"), msg->header.proc);
        return -1;
    }
}
