/* Lookup in the generated procedure table of the rpc tests and fuzz target. */
#include "rpc_test_procs.h"

/**
 * rpcTestProcLookup:
 * @proc: a REMOTE_PROGRAM procedure number
 *
 * Returns: the table entry of @proc, or NULL when libvirt defines no such
 * procedure.
 */
const RpcTestProc *
rpcTestProcLookup(int proc)
{
    const RpcTestProc *p = NULL;

    if (proc < 1 || (size_t)proc > remoteTestProcsCount)
        return NULL;
    p = &remoteTestProcs[proc - 1];
    return p->proc == proc ? p : NULL;
}
