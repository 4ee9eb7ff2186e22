/* The default event loop: handles and timers as GSources on GLib's default main context. */
#include <glib-unix.h>

#include "util/event_glib.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("util.event_glib");

/*
 * Every watch and timer is a record in a table keyed by its number plus,
 * while it is live, a GSource attached to the default GMainContext.  The
 * source only carries the number: dispatch looks the record up under the
 * lock, copies the callback and calls it unlocked, so callbacks may add,
 * update or remove anything (themselves included) and other threads may
 * do the same at any time.  Attaching, destroying or re-arming a source
 * wakes the context, so a loop blocked in poll() notices.
 *
 * Removal destroys the source at once (the callback never runs again
 * afterwards, unless it is running right now) and frees the opaque data
 * from an idle callback on the next loop iteration, as libvirt does: a
 * callback that removes itself may keep using its data until it returns.
 */

typedef struct {
    GSource source;
    int id;                         /* immutable */
} EventGlibSource;

typedef struct {
    int watch;                      /* immutable */
    int fd;                         /* immutable */
    int events;                     /* protected by eventGlibLock */
    virEventHandleCallback cb;      /* immutable */
    void *opaque;                   /* immutable */
    virFreeCallback ff;             /* immutable */
    GSource *source;                /* protected by eventGlibLock; NULL when events == 0 */
} EventGlibHandle;

typedef struct {
    int timer;                      /* immutable */
    int interval;                   /* protected by eventGlibLock */
    virEventTimeoutCallback cb;     /* immutable */
    void *opaque;                   /* immutable */
    virFreeCallback ff;             /* immutable */
    GSource *source;                /* protected by eventGlibLock */
} EventGlibTimeout;

static Mutex eventGlibLock;
static GHashTable *eventGlibHandles;   /* watch -> EventGlibHandle; protected by eventGlibLock */
static GHashTable *eventGlibTimeouts;  /* timer -> EventGlibTimeout; protected by eventGlibLock */
static int eventGlibNextWatch = 1;     /* protected by eventGlibLock */
static int eventGlibNextTimer = 1;     /* protected by eventGlibLock */

static GIOCondition
eventGlibToCondition(int events)
{
    GIOCondition cond = 0;

    if (events & VIR_EVENT_HANDLE_READABLE)
        cond |= G_IO_IN | G_IO_PRI;
    if (events & VIR_EVENT_HANDLE_WRITABLE)
        cond |= G_IO_OUT;
    if (events & VIR_EVENT_HANDLE_ERROR)
        cond |= G_IO_ERR;
    if (events & VIR_EVENT_HANDLE_HANGUP)
        cond |= G_IO_HUP;
    return cond;
}

static int
eventGlibFromCondition(GIOCondition cond)
{
    int events = 0;

    if (cond & (G_IO_IN | G_IO_PRI))
        events |= VIR_EVENT_HANDLE_READABLE;
    if (cond & G_IO_OUT)
        events |= VIR_EVENT_HANDLE_WRITABLE;
    if (cond & (G_IO_ERR | G_IO_NVAL))
        events |= VIR_EVENT_HANDLE_ERROR;
    if (cond & G_IO_HUP)
        events |= VIR_EVENT_HANDLE_HANGUP;
    return events;
}

/* --- file handles ------------------------------------------------------- */

typedef struct {
    EventGlibSource base;
    gpointer tag;                   /* immutable: g_source_add_unix_fd tag */
} EventGlibHandleSource;

/*
 * The loop thread reads a source's own fields only under eventGlibLock,
 * the lock under which other threads destroy and unref the source
 * (eventGlibHandleArmLocked, the removals): so the loop's last access is
 * ordered before a free in another thread in a way ThreadSanitizer sees.
 * GLib orders them too, but with its internal futex locks, which TSan
 * cannot see (it reported such frees as races).  For the same reason
 * handle sources have no check function: GLib's own test for a source
 * without one (ready when one of its fds polled ready) is what ours did.
 * GLib's own records (poll records, source lists), allocated by the loop
 * thread inside an iteration and freed by g_source_destroy() in another
 * thread under the context's futex lock, are hidden from TSan with
 * threadGlibInternalsBegin/End around the attach/destroy/unref calls.
 */
static gboolean
eventGlibHandleDispatch(GSource *source, GSourceFunc unused, gpointer data)
{
    EventGlibHandleSource *hs = (EventGlibHandleSource *)source;
    EventGlibHandle *h = NULL;
    virEventHandleCallback cb = NULL;
    void *opaque = NULL;
    int fd = -1;
    int watch;
    int events;

    mutexLock(&eventGlibLock);
    watch = hs->base.id;
    events = eventGlibFromCondition(g_source_query_unix_fd(source, hs->tag));
    h = g_hash_table_lookup(eventGlibHandles, GINT_TO_POINTER(watch));
    if (h && h->source == source) {
        cb = h->cb;
        opaque = h->opaque;
        fd = h->fd;
    }
    mutexUnlock(&eventGlibLock);

    if (cb)
        cb(watch, fd, events, opaque);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs eventGlibHandleFuncs = {
    .dispatch = eventGlibHandleDispatch,
};

/* Called with eventGlibLock held. */
static void
eventGlibHandleArmLocked(EventGlibHandle *h)
{
    EventGlibHandleSource *hs = NULL;

    if (h->source) {
        threadGlibInternalsBegin();
        g_source_destroy(h->source);
        g_source_unref(h->source);
        threadGlibInternalsEnd();
        h->source = NULL;
    }
    /* A handle watching nothing has no source, so that an error or
     * hang-up, which poll() reports regardless, cannot make it spin. */
    if (h->events == 0)
        return;
    hs = (EventGlibHandleSource *)g_source_new(&eventGlibHandleFuncs,
                                               sizeof(EventGlibHandleSource));
    hs->base.id = h->watch;
    if (h->fd >= 0)
        hs->tag = g_source_add_unix_fd(&hs->base.source, h->fd,
                                       eventGlibToCondition(h->events));
    g_source_set_name(&hs->base.source, "virtkit handle");
    h->source = &hs->base.source;
    threadGlibInternalsBegin();
    g_source_attach(h->source, NULL);
    threadGlibInternalsEnd();
}

static int
eventGlibAddHandle(int fd, int events, virEventHandleCallback cb, void *opaque,
                   virFreeCallback ff)
{
    EventGlibHandle *h = g_new0(EventGlibHandle, 1);
    int watch;

    h->fd = fd;
    h->events = events;
    h->cb = cb;
    h->opaque = opaque;
    h->ff = ff;

    mutexLock(&eventGlibLock);
    watch = h->watch = eventGlibNextWatch++;
    g_hash_table_insert(eventGlibHandles, GINT_TO_POINTER(watch), h);
    eventGlibHandleArmLocked(h);
    mutexUnlock(&eventGlibLock);
    LOG_DEBUG("watch %d: fd %d events 0x%x", watch, fd, events);
    return watch;
}

static void
eventGlibUpdateHandle(int watch, int events)
{
    EventGlibHandle *h = NULL;

    mutexLock(&eventGlibLock);
    h = g_hash_table_lookup(eventGlibHandles, GINT_TO_POINTER(watch));
    if (h && h->events != events) {
        h->events = events;
        eventGlibHandleArmLocked(h);
    }
    mutexUnlock(&eventGlibLock);
    if (!h)
        LOG_DEBUG("update of unknown watch %d, ignoring", watch);
}

typedef struct {
    virFreeCallback ff;
    void *opaque;
} EventGlibFree;

static gboolean
eventGlibFreeIdle(gpointer data)
{
    EventGlibFree *f = data;

    threadTakeOver(f);
    f->ff(f->opaque);
    g_free(f);
    return G_SOURCE_REMOVE;
}

/* Runs @ff(@opaque) on the next loop iteration. */
static void
eventGlibScheduleFree(virFreeCallback ff, void *opaque)
{
    EventGlibFree *f = NULL;
    GSource *idle = NULL;

    if (!ff)
        return;
    f = g_new0(EventGlibFree, 1);
    f->ff = ff;
    f->opaque = opaque;
    idle = g_idle_source_new();
    /* Above the watches and timers: a busy descriptor must not starve it
     * (libvirt runs these alone, first, in the next iteration). */
    g_source_set_priority(idle, G_PRIORITY_HIGH);
    g_source_set_callback(idle, eventGlibFreeIdle, f, NULL);
    g_source_set_name(idle, "virtkit free callback");
    threadHandOff(f);
    threadGlibInternalsBegin();
    g_source_attach(idle, NULL);
    g_source_unref(idle);
    threadGlibInternalsEnd();
}

static int
eventGlibRemoveHandle(int watch)
{
    EventGlibHandle *h = NULL;

    mutexLock(&eventGlibLock);
    if ((h = g_hash_table_lookup(eventGlibHandles, GINT_TO_POINTER(watch)))) {
        g_hash_table_remove(eventGlibHandles, GINT_TO_POINTER(watch));
        if (h->source) {
            threadGlibInternalsBegin();
            g_source_destroy(h->source);
            g_source_unref(h->source);
            threadGlibInternalsEnd();
        }
    }
    mutexUnlock(&eventGlibLock);

    if (!h) {
        LOG_DEBUG("removal of unknown watch %d", watch);
        return -1;
    }
    eventGlibScheduleFree(h->ff, h->opaque);
    g_free(h);
    return 0;
}

/* --- timers ------------------------------------------------------------- */

/* Called with eventGlibLock held (or before the source is shared). */
static void
eventGlibTimeoutArm(GSource *source, int interval)
{
    if (interval < 0)
        g_source_set_ready_time(source, -1);
    else if (interval == 0)
        g_source_set_ready_time(source, 0);
    else
        g_source_set_ready_time(source, g_get_monotonic_time() +
                                (gint64)interval * G_TIME_SPAN_MILLISECOND);
}

static gboolean
eventGlibTimeoutDispatch(GSource *source, GSourceFunc unused, gpointer data)
{
    EventGlibSource *ts = (EventGlibSource *)source;
    EventGlibTimeout *t = NULL;
    virEventTimeoutCallback cb = NULL;
    void *opaque = NULL;
    int timer;

    /* @ts is read under the lock only: see eventGlibHandleDispatch. */
    mutexLock(&eventGlibLock);
    timer = ts->id;
    t = g_hash_table_lookup(eventGlibTimeouts, GINT_TO_POINTER(timer));
    if (t && t->source == source) {
        /* Re-arm before the call, so that an update made by the callback
         * wins. */
        eventGlibTimeoutArm(source, t->interval);
        cb = t->cb;
        opaque = t->opaque;
    } else {
        g_source_set_ready_time(source, -1);
    }
    mutexUnlock(&eventGlibLock);

    if (cb)
        cb(timer, opaque);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs eventGlibTimeoutFuncs = {
    .dispatch = eventGlibTimeoutDispatch,
};

static int
eventGlibAddTimeout(int interval, virEventTimeoutCallback cb, void *opaque,
                    virFreeCallback ff)
{
    EventGlibTimeout *t = g_new0(EventGlibTimeout, 1);
    EventGlibSource *ts = NULL;
    int timer;

    t->interval = interval;
    t->cb = cb;
    t->opaque = opaque;
    t->ff = ff;
    ts = (EventGlibSource *)g_source_new(&eventGlibTimeoutFuncs,
                                         sizeof(EventGlibSource));
    g_source_set_name(&ts->source, "virtkit timer");
    t->source = &ts->source;

    mutexLock(&eventGlibLock);
    timer = t->timer = ts->id = eventGlibNextTimer++;
    g_hash_table_insert(eventGlibTimeouts, GINT_TO_POINTER(timer), t);
    eventGlibTimeoutArm(t->source, interval);
    threadGlibInternalsBegin();
    g_source_attach(t->source, NULL);
    threadGlibInternalsEnd();
    mutexUnlock(&eventGlibLock);
    LOG_DEBUG("timer %d: interval %d", timer, interval);
    return timer;
}

static void
eventGlibUpdateTimeout(int timer, int interval)
{
    EventGlibTimeout *t = NULL;

    mutexLock(&eventGlibLock);
    if ((t = g_hash_table_lookup(eventGlibTimeouts, GINT_TO_POINTER(timer)))) {
        t->interval = interval;
        eventGlibTimeoutArm(t->source, interval);
    }
    mutexUnlock(&eventGlibLock);
    if (!t)
        LOG_DEBUG("update of unknown timer %d, ignoring", timer);
}

static int
eventGlibRemoveTimeout(int timer)
{
    EventGlibTimeout *t = NULL;

    mutexLock(&eventGlibLock);
    if ((t = g_hash_table_lookup(eventGlibTimeouts, GINT_TO_POINTER(timer)))) {
        g_hash_table_remove(eventGlibTimeouts, GINT_TO_POINTER(timer));
        threadGlibInternalsBegin();
        g_source_destroy(t->source);
        g_source_unref(t->source);
        threadGlibInternalsEnd();
    }
    mutexUnlock(&eventGlibLock);

    if (!t) {
        LOG_DEBUG("removal of unknown timer %d", timer);
        return -1;
    }
    eventGlibScheduleFree(t->ff, t->opaque);
    g_free(t);
    return 0;
}

/* --- registration ------------------------------------------------------- */

static gpointer
eventGlibInit(gpointer unused)
{
    eventGlibHandles = g_hash_table_new(g_direct_hash, g_direct_equal);
    eventGlibTimeouts = g_hash_table_new(g_direct_hash, g_direct_equal);
    /*
     * Create the default context (and its wake-up eventfd) now, in the
     * registering thread, before the program starts its loop thread.
     * Created lazily, it came into being in whichever thread got there
     * first and reached the other one through GLib's internal futex lock,
     * a hand-over ThreadSanitizer cannot see (it reported the eventfd as
     * raced between its creation and the loop's first read).
     */
    g_main_context_default();
    return NULL;
}

/**
 * eventGlibRegister:
 *
 * Makes the GLib-based loop the process's event loop implementation
 * (virEventRegisterDefaultImpl).  Watches and timers become sources on
 * the default GMainContext; any thread may add, update or remove them.
 * Run the loop with eventGlibRunOnce(), or with any GLib main loop on the
 * default context.  Calling it again is harmless.
 */
void
eventGlibRegister(void)
{
    static GOnce once = G_ONCE_INIT;
    EventImpl impl = {
        .addHandle = eventGlibAddHandle,
        .updateHandle = eventGlibUpdateHandle,
        .removeHandle = eventGlibRemoveHandle,
        .addTimeout = eventGlibAddTimeout,
        .updateTimeout = eventGlibUpdateTimeout,
        .removeTimeout = eventGlibRemoveTimeout,
    };

    g_once(&once, eventGlibInit, NULL);
    eventRegisterImpl(&impl);
}

/**
 * eventGlibRunOnce:
 *
 * Runs one iteration of the default main context: blocks until a watch
 * or timer is ready (or something wakes the context), then dispatches
 * everything ready.  Timers of interval 0 fire once per call.
 *
 * Returns: 0.
 */
int
eventGlibRunOnce(void)
{
    g_main_context_iteration(NULL, TRUE);
    return 0;
}
