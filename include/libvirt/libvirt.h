/* libvirt.h: the public API; includes every part in libvirt's order. */

/*
 * Part of virtkit's libvirt-compatible public API (libvirt 9.0.0 level).
 * Programs include this file (and <libvirt/virterror.h> for errors), never
 * the libvirt-*.h parts directly.  See include/libvirt/README.md.
 */

#ifndef LIBVIRT_H
#define LIBVIRT_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define __VIR_LIBVIRT_H_INCLUDES__
#include <libvirt/libvirt-common.h>
#include <libvirt/libvirt-host.h>
#include <libvirt/libvirt-domain.h>
/* libvirt-domain-checkpoint.h, libvirt-domain-snapshot.h: not yet */
#include <libvirt/libvirt-event.h>
/* libvirt-interface.h: not yet */
#include <libvirt/libvirt-network.h>
/* libvirt-nodedev.h, libvirt-nwfilter.h, libvirt-secret.h,
 * libvirt-storage.h: not yet */
#include <libvirt/libvirt-stream.h>
#undef __VIR_LIBVIRT_H_INCLUDES__

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_H */
