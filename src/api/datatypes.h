/* The public handle objects (virConnect, virDomain) behind the opaque typedefs. */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "util/thread.h"
#include "util/uri.h"

typedef struct _HypervisorDriver HypervisorDriver;

/*
 * A connection handle.  Reference counted; the driver's connectClose runs
 * when the last reference goes.  Fields without a note are immutable after
 * virConnectOpen returns.
 */
struct _virConnect {
    unsigned int magic;           /* CONNECT_MAGIC while alive */
    gint refs;                    /* atomic */
    unsigned int flags;           /* VIR_CONNECT_RO ... */
    ParsedUri *uri;               /* parsed URI the driver accepted */
    char *uriString;              /* formatted canonical URI */
    HypervisorDriver *driver;
    void *privateData;            /* the driver's per-connection state */

    Mutex lock;                   /* protects the fields below */
    virError err;                 /* last error on this connection */
    virErrorFunc handler;         /* virConnSetErrorFunc */
    void *userData;
    virConnectCloseFunc closeCb;  /* virConnectRegisterCloseCallback */
    void *closeOpaque;
    virFreeCallback closeFreecb;
};

/*
 * A domain handle: a name/uuid/id snapshot bound to a connection.  Holds
 * a reference on the connection.  Immutable but for refs.
 */
struct _virDomain {
    unsigned int magic;           /* DOMAIN_MAGIC while alive */
    gint refs;                    /* atomic */
    virConnectPtr conn;
    char *name;                   /* in the handle's own allocation */
    unsigned char uuid[VIR_UUID_BUFLEN];
    int id;                       /* -1 when the domain is not running */
};

/*
 * A stream handle (src/api/libvirt-stream.c).  Created unbound by
 * virStreamNew; the driver call that opens it (virDomainOpenConsole,
 * virDomainScreenshot, ...) binds it by setting @driver and
 * @privateData once (streamBind), after which both are immutable until
 * the last reference goes and @driver->streamFree releases @privateData.
 */
typedef struct _StreamDriver StreamDriver;
struct _virStream {
    unsigned int magic;           /* STREAM_MAGIC while alive */
    gint refs;                    /* atomic */
    virConnectPtr conn;           /* referenced by the stream */
    unsigned int flags;           /* VIR_STREAM_NONBLOCK */
    const StreamDriver *driver;   /* NULL until bound */
    void *privateData;            /* the driver's state */
};

/* Marks live handles, so that a stale pointer is likely to be refused. */
#define CONNECT_MAGIC 0x76434f4eU   /* "vCON" */
#define DOMAIN_MAGIC 0x76444f4dU    /* "vDOM" */
#define STREAM_MAGIC 0x76535452U    /* "vSTR" */

virConnectPtr connectNew(void);
virConnectPtr connectRef(virConnectPtr conn);
int connectUnref(virConnectPtr conn);
bool connectIsValid(virConnectPtr conn);
bool connectIsReadOnly(virConnectPtr conn);
void connectCloseCallbackFire(virConnectPtr conn, int reason);

virDomainPtr domainHandleNew(virConnectPtr conn, const char *name,
                             const unsigned char *uuid, int id);
virDomainPtr domainHandleNewLen(virConnectPtr conn, const char *name, size_t len,
                                const unsigned char *uuid, int id);
virDomainPtr domainHandleRef(virDomainPtr dom);
void domainHandleUnref(virDomainPtr dom);
bool domainHandleIsValid(virDomainPtr dom);

virStreamPtr streamHandleNew(virConnectPtr conn, unsigned int flags);
virStreamPtr streamHandleRef(virStreamPtr st);
void streamHandleUnref(virStreamPtr st);
bool streamHandleIsValid(virStreamPtr st);
int streamBind(virStreamPtr st, const StreamDriver *driver, void *privateData);
