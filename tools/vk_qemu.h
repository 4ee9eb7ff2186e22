/* vk_qemu.h: QEMU-specific commands (libvirt-qemu): qemu-monitor-command */
#pragma once

#include "vk_ctl.h"

bool vkQemuCmdMonitorCommand(VkCtl *ctl, const VkCmd *cmd);
char *vkQemuWrapQMP(char *const *words, size_t nwords);
char *vkQemuFormatJSON(const char *text, bool pretty, bool returnValue, char **retError);
