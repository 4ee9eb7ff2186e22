/* complete-test.c: what the shell offers for tab completion, on test:///default
 *
 * Each case is a line typed so far and the candidates expected for its
 * last word (the word starts after the last blank or ';').
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "vk_ctl.h"
#include "vk_shell.h"

typedef struct {
    const char *line;
    const char *expected;   /* candidates joined by blanks */
} VkCompleteCase;

static const VkCompleteCase cases[] = {
    { "domst", "domstate domstats" },
    { "domstate", "domstate" },
    { "dom", "domdisplay domid domjobabort domjobinfo domname domuuid domblkinfo domblklist "
             "domblkstat domiflist domifstat dominfo dommemstat domstate domstats domcapabilities" },
    { "uri; vcp", "vcpucount vcpuinfo" },
    { "uri; vcpuc", "vcpucount" },
    { "domstate ", "test --domain --reason" },
    { "domstate t", "test" },
    { "domstate test --r", "--reason" },
    { "domstate test --reason ", "" },
    { "domstate --domain ", "test" },
    { "suspend ", "test --domain" },
    { "resume ", "--domain" },
    { "start ", "--domain --paused --autodestroy --bypass-cache --force-boot --reset-nvram" },
    { "list --st", "--state-running --state-paused --state-shutoff --state-other" },
    { "list --all --a", "--autostart" },
    { "event --event lif", "lifecycle" },
    { "event --domain t", "test" },
    { "help setm", "setmaxmem setmem" },
    { "define ", "\001file" },
    { "nosuch ", "" },
    { "echo -- --", "" },
};

int
main(void)
{
    VkCtl *ctl = vkCtlNew();
    size_t i;
    int failed = 0;

    ctl->uri = g_strdup("test:///default");
    printf("1..%zu\n", G_N_ELEMENTS(cases));
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *line = cases[i].line;
        const char *word = line + strlen(line);
        g_auto(GStrv) got = NULL;
        g_autofree char *joined = NULL;

        while (word > line && word[-1] != ' ' && word[-1] != ';')
            word--;
        got = vkShellCandidates(ctl, line, (size_t) (word - line), word);
        joined = g_strjoinv(" ", got);
        if (strcmp(joined, cases[i].expected) == 0) {
            printf("ok %zu - '%s'\n", i + 1, line);
        } else {
            printf("not ok %zu - '%s'\n#   expected: '%s'\n#   actual:   '%s'\n",
                   i + 1, line, cases[i].expected, joined);
            failed++;
        }
    }
    vkCtlFree(ctl);
    return failed ? 1 : 0;
}
