/* eventfmt-test.c: golden test of the lines "virtkit event" prints for lifecycle events
 *
 * Lifecycle events cannot be provoked inside one test:///default process
 * while "event" waits (the test driver's state is private to the process),
 * so the text is checked here directly: every (event, detail) pair,
 * including out-of-range values, against tests/data/cli/event-lifecycle.txt,
 * whose lines are those virsh 9.0 prints.
 *
 * Usage: eventfmt-test EXPECTED-FILE    (TEST_REGENERATE=1 rewrites it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "vk_event.h"

/* Number of details of each event type in libvirt 9.0, plus one unknown */
static const int vkTestDetails[] = {
    4,  /* DEFINED: ADDED, UPDATED, RENAMED, FROM_SNAPSHOT */
    2,  /* UNDEFINED: REMOVED, RENAMED */
    5,  /* STARTED: BOOTED, MIGRATED, RESTORED, FROM_SNAPSHOT, WAKEUP */
    9,  /* SUSPENDED: PAUSED ... POSTCOPY_FAILED */
    5,  /* RESUMED: UNPAUSED ... POSTCOPY_FAILED */
    7,  /* STOPPED: SHUTDOWN ... FROM_SNAPSHOT */
    3,  /* SHUTDOWN: FINISHED, GUEST, HOST */
    2,  /* PMSUSPENDED: MEMORY, DISK */
    2,  /* CRASHED: PANICKED, CRASHLOADED */
};

int
main(int argc, char **argv)
{
    g_autoptr(GString) actual = g_string_new(NULL);
    g_autofree char *expected = NULL;
    size_t ev;
    int detail;

    if (argc != 2) {
        fprintf(stderr, "usage: %s EXPECTED-FILE\n", argv[0]);
        return EXIT_FAILURE;
    }

    for (ev = 0; ev <= G_N_ELEMENTS(vkTestDetails); ev++) {
        int n = ev < G_N_ELEMENTS(vkTestDetails) ? vkTestDetails[ev] : 1;

        for (detail = 0; detail <= n; detail++) {
            g_autofree char *line = vkEventLifecycleText("guest-1", (int) ev, detail);

            g_string_append_printf(actual, "%zu %d ", ev, detail);
            g_string_append(actual, line);
        }
    }
    g_string_append(actual, "list:");
    for (ev = 0; ev < vkEventCount(); ev++)
        g_string_append_printf(actual, " %s", vkEventName(ev));
    g_string_append_c(actual, '\n');

    if (g_strcmp0(g_getenv("TEST_REGENERATE"), "1") == 0) {
        if (!g_file_set_contents(argv[1], actual->str, -1, NULL)) {
            fprintf(stderr, "cannot write %s\n", argv[1]);
            return EXIT_FAILURE;
        }
        printf("regenerated %s\n", argv[1]);
        return EXIT_SUCCESS;
    }
    if (!g_file_get_contents(argv[1], &expected, NULL, NULL)) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return EXIT_FAILURE;
    }
    if (strcmp(expected, actual->str) != 0) {
        fprintf(stderr, "event lines differ from %s\n--- expected\n%s--- actual\n%s",
                argv[1], expected, actual->str);
        return EXIT_FAILURE;
    }
    printf("ok: the event lines match %s\n", argv[1]);
    return EXIT_SUCCESS;
}
