/* vk_monitor.h: domain monitoring commands: list, dominfo, domstate, domid, domname, domuuid */
#pragma once

#include "vk_ctl.h"

bool vkMonitorCmdDomid(VkCtl *ctl, const VkCmd *cmd);
bool vkMonitorCmdDominfo(VkCtl *ctl, const VkCmd *cmd);
bool vkMonitorCmdDomname(VkCtl *ctl, const VkCmd *cmd);
bool vkMonitorCmdDomstate(VkCtl *ctl, const VkCmd *cmd);
bool vkMonitorCmdDomuuid(VkCtl *ctl, const VkCmd *cmd);
bool vkMonitorCmdList(VkCtl *ctl, const VkCmd *cmd);

const char *vkMonitorStateName(int state);
const char *vkMonitorReasonName(int state, int reason);
