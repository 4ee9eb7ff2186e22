/* qemu_graphics.c: display ports of running domains.
 *
 * As libvirt's QEMU driver: a <graphics type='vnc'|'spice'> with
 * autoport='yes' that listens on an address gets the lowest free port of
 * qemu.conf's remote_display_port_min..remote_display_port_max at start
 * (written into the live definition, so the live XML and the status XML
 * show it); an explicit port inside that range is reserved too, so no
 * autoport guest is handed it.  The ports are released when the domain
 * stops and reserved again, from the status XML, when a driver instance
 * reconnects to a running QEMU.
 */
#define ERR_DOMAIN VIR_FROM_QEMU

#include "qemu/qemu_graphics.h"
#include "util/error.h"
#include "util/log.h"
#include "util/port_allocator.h"


LOG_INIT("qemu.graphics");

#define QEMU_GRAPHICS_DEFAULT_LISTEN "127.0.0.1"

/* A graphics device whose port this module manages, listening on TCP. */
static bool
qemuGraphicsHasTcpPort(const DomainGraphicsDef *gr)
{
    if (gr->type != DOMAIN_GRAPHICS_TYPE_VNC && gr->type != DOMAIN_GRAPHICS_TYPE_SPICE)
        return false;
    if (gr->nListens == 0)
        return true;
    return gr->listens[0].type == DOMAIN_GRAPHICS_LISTEN_ADDRESS ||
           gr->listens[0].type == DOMAIN_GRAPHICS_LISTEN_NETWORK;
}

/**
 * qemuGraphicsReservePorts:
 * @driver: the driver
 * @def: the live definition of a domain about to start (domain locked)
 *
 * Gives every autoport vnc/spice display a free port (def's port is set),
 * reserves explicit ports of the display range and fills in the listen
 * address of displays that have none (127.0.0.1, where QEMU listens).
 *
 * Returns: 0, or -1 with an error (no free port; an explicit port another
 * domain holds) and nothing left reserved.
 */
int
qemuGraphicsReservePorts(QemuDriver *driver, DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        DomainGraphicsDef *gr = def->graphics[i];
        unsigned int port;

        if (!qemuGraphicsHasTcpPort(gr))
            continue;
        /* The address QEMU will listen on shows in the live XML, as
         * libvirt's (vnc_listen / spice_listen default to 127.0.0.1). */
        if (gr->nListens > 0 && gr->listens[0].type == DOMAIN_GRAPHICS_LISTEN_ADDRESS &&
            !gr->listens[0].address) {
            gr->listens[0].address = g_strdup(QEMU_GRAPHICS_DEFAULT_LISTEN);
            gr->listens[0].fromConfig = true;
        }
        if (gr->autoport) {
            if (portAllocatorAcquire(driver->displayPorts, &port) < 0)
                goto error;
            gr->port = (int)port;
        } else if (gr->port > 0 && portAllocatorSetUsed(driver->displayPorts, gr->port) < 0) {
            goto error;
        }
    }
    return 0;

 error:
    {
        g_autoptr(SavedError) saved = errorSave();

        while (i-- > 0) {
            DomainGraphicsDef *gr = def->graphics[i];

            if (!qemuGraphicsHasTcpPort(gr))
                continue;
            portAllocatorRelease(driver->displayPorts, gr->port > 0 ? gr->port : 0);
            if (gr->autoport)
                gr->port = 0;
        }
    }
    return -1;
}

/**
 * qemuGraphicsRestorePorts:
 * @driver: the driver (reconnecting)
 * @def: the live definition from a running domain's status XML
 *
 * Reserves the ports a QEMU found running already listens on.  A port
 * reserved twice is logged and ignored: the QEMU keeps it either way.
 */
void
qemuGraphicsRestorePorts(QemuDriver *driver, const DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        const DomainGraphicsDef *gr = def->graphics[i];

        if (!qemuGraphicsHasTcpPort(gr) || gr->port <= 0)
            continue;
        if (portAllocatorSetUsed(driver->displayPorts, gr->port) < 0) {
            LOG_WARN("domain '%s': display port %d is reserved twice, ignoring", def->name,
                     gr->port);
            errorReset();
        }
    }
}

/**
 * qemuGraphicsReleasePorts:
 * @driver: the driver
 * @def: the live definition of a domain that stopped (domain locked)
 *
 * Releases the display ports of @def; autoport displays forget theirs.
 */
void
qemuGraphicsReleasePorts(QemuDriver *driver, DomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        DomainGraphicsDef *gr = def->graphics[i];

        if (!qemuGraphicsHasTcpPort(gr) || gr->port <= 0)
            continue;
        portAllocatorRelease(driver->displayPorts, gr->port);
        if (gr->autoport)
            gr->port = 0;
    }
}
