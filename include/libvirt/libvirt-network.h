/* libvirt-network.h: virtual networks (only the handle type so far). */

/*
 * Part of virtkit's libvirt-compatible public API (libvirt 9.0.0 level).
 * Names, values and prototypes follow libvirt; see include/libvirt/README.md.
 * Included through <libvirt/libvirt.h> only.  The network API itself is not
 * implemented yet; virError refers to this handle type.
 */

#ifndef LIBVIRT_NETWORK_H
#define LIBVIRT_NETWORK_H

#ifndef __VIR_LIBVIRT_H_INCLUDES__
# error "include <libvirt/libvirt.h> instead of this file"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handle of a virtual network. */
typedef struct _virNetwork virNetwork;
typedef virNetwork *virNetworkPtr;

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_NETWORK_H */
