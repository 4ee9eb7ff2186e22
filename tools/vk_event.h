/* vk_event.h: the event command and the text virsh prints for each domain event */
#pragma once

#include "vk_ctl.h"

bool vkEventCmdEvent(VkCtl *ctl, const VkCmd *cmd);
void vkEventDone(void);

const char *vkEventName(size_t idx);
size_t vkEventCount(void);

char *vkEventLifecycleText(const char *domname, int event, int detail);
