/* Procedure table for tests and fuzzing: XDR routines of each procedure's payloads (generated). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <rpc/rpc.h>

typedef struct {
    int proc;
    const char *name; /* "CONNECT_OPEN" */
    xdrproc_t args;   /* NULL when the call carries nothing */
    size_t argsSize;
    xdrproc_t ret;
    size_t retSize;
    xdrproc_t msg; /* one-way messages (events) */
    size_t msgSize;
    bool described; /* the .x has at least one payload struct */
} RpcTestProc;

/* Indexed by position; entry i has proc i + 1 (numbers are dense). */
extern const RpcTestProc remoteTestProcs[];
extern const size_t remoteTestProcsCount;

const RpcTestProc *rpcTestProcLookup(int proc);
