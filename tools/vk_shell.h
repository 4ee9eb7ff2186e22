/* vk_shell.h: the interactive shell: line editing, history, completion */
#pragma once

#include "vk_ctl.h"

int vkShellRun(VkCtl *ctl);

char **vkShellCandidates(VkCtl *ctl, const char *line, size_t wordStart, const char *word);
