/* list-domains: print the domains of a hypervisor connection as a table.
 *
 * Usage: list-domains [URI]
 *
 * Without URI the library picks its default connection (LIBVIRT_DEFAULT_URI
 * when set).  Try `list-domains test:///default` for the in-process test
 * driver.  Only the public API is used, so this file builds unchanged against
 * virtkit's libvirt.so.0 and against libvirt's own.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* One row of the table, filled before printing so that the column widths
 * can be computed. */
typedef struct {
    const char *name;   /* owned by the virDomainPtr it came from */
    int id;             /* -1 for an inactive domain */
    int state;          /* virDomainState */
} ListDomainsRow;

static const char *
listDomainsStateName(int state)
{
    /* The same words virsh prints in its State column. */
    switch ((virDomainState) state) {
    case VIR_DOMAIN_NOSTATE:
        return "no state";
    case VIR_DOMAIN_RUNNING:
        return "running";
    case VIR_DOMAIN_BLOCKED:
        return "idle";
    case VIR_DOMAIN_PAUSED:
        return "paused";
    case VIR_DOMAIN_SHUTDOWN:
        return "in shutdown";
    case VIR_DOMAIN_SHUTOFF:
        return "shut off";
    case VIR_DOMAIN_CRASHED:
        return "crashed";
    case VIR_DOMAIN_PMSUSPENDED:
        return "pmsuspended";
#ifdef VIR_ENUM_SENTINELS
    case VIR_DOMAIN_LAST:
        break;
#endif
    }
    return "unknown";
}

/* Running domains first, ordered by id, then inactive ones by name. */
static int
listDomainsRowCompare(const void *a, const void *b)
{
    const ListDomainsRow *ra = a;
    const ListDomainsRow *rb = b;

    if (ra->id >= 0 && rb->id >= 0)
        return (ra->id > rb->id) - (ra->id < rb->id);
    if (ra->id >= 0)
        return -1;
    if (rb->id >= 0)
        return 1;
    return strcmp(ra->name, rb->name);
}

/* The library's default handler prints every error to stderr; we print our
 * own message instead, once. */
static void
listDomainsIgnoreError(void *opaque, virErrorPtr err)
{
    (void) opaque;
    (void) err;
}

static void
listDomainsReportError(const char *what)
{
    const char *msg = virGetLastErrorMessage();

    fprintf(stderr, "list-domains: %s: %s\n", what, msg ? msg : "unknown error");
}

int
main(int argc, char **argv)
{
    const char *uri = NULL;
    virConnectPtr conn = NULL;
    virDomainPtr *domains = NULL;
    ListDomainsRow *rows = NULL;
    char *actualUri = NULL;
    int ndomains = 0;
    int nactive = 0;
    int nameWidth = 4;  /* strlen("Name") */
    int ret = EXIT_FAILURE;
    int i;

    if (argc > 2 || (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
                                   strcmp(argv[1], "--help") == 0))) {
        fprintf(argc > 2 ? stderr : stdout, "Usage: %s [URI]\n", argv[0]);
        return argc > 2 ? EXIT_FAILURE : EXIT_SUCCESS;
    }
    if (argc == 2)
        uri = argv[1];

    virSetErrorFunc(NULL, listDomainsIgnoreError);

    /* Listing needs no write access. */
    if (!(conn = virConnectOpenReadOnly(uri))) {
        listDomainsReportError(uri ? uri : "default connection");
        goto cleanup;
    }

    if ((ndomains = virConnectListAllDomains(conn, &domains, 0)) < 0) {
        listDomainsReportError("cannot list domains");
        goto cleanup;
    }

    if (!(rows = calloc(ndomains > 0 ? ndomains : 1, sizeof(*rows)))) {
        fprintf(stderr, "list-domains: out of memory\n");
        goto cleanup;
    }

    for (i = 0; i < ndomains; i++) {
        int reason;
        int len;

        rows[i].name = virDomainGetName(domains[i]);
        rows[i].id = virDomainIsActive(domains[i]) == 1 ?
            (int) virDomainGetID(domains[i]) : -1;
        if (virDomainGetState(domains[i], &rows[i].state, &reason, 0) < 0) {
            /* The domain may have gone between the listing and now. */
            rows[i].state = -1;
        }
        if (!rows[i].name)
            rows[i].name = "?";
        len = (int) strlen(rows[i].name);
        if (len > nameWidth)
            nameWidth = len;
        if (rows[i].id >= 0)
            nactive++;
    }
    qsort(rows, ndomains, sizeof(*rows), listDomainsRowCompare);

    actualUri = virConnectGetURI(conn);
    printf("Domains on %s\n\n", actualUri ? actualUri : (uri ? uri : "?"));
    printf(" %-4s %-*s   %s\n", "Id", nameWidth, "Name", "State");
    for (i = 0; i < 4 + 1 + nameWidth + 3 + 12; i++)
        putchar('-');
    putchar('\n');
    for (i = 0; i < ndomains; i++) {
        char id[16];

        if (rows[i].id >= 0)
            snprintf(id, sizeof(id), "%d", rows[i].id);
        else
            snprintf(id, sizeof(id), "-");
        printf(" %-4s %-*s   %s\n", id, nameWidth, rows[i].name,
               listDomainsStateName(rows[i].state));
    }
    printf("\n%d domain%s, %d active\n",
           ndomains, ndomains == 1 ? "" : "s", nactive);
    ret = EXIT_SUCCESS;

 cleanup:
    free(actualUri);
    free(rows);
    for (i = 0; i < ndomains; i++)
        virDomainFree(domains[i]);
    free(domains);
    if (conn)
        virConnectClose(conn);
    return ret;
}
