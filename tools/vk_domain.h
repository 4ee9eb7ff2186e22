/* vk_domain.h: domain management commands and the domain lookup shared by all commands */
#pragma once

#include "vk_ctl.h"

/* Ways a domain argument may be matched (virsh accepts name, id or UUID) */
enum {
    VK_DOMAIN_BY_ID = 1 << 0,
    VK_DOMAIN_BY_UUID = 1 << 1,
    VK_DOMAIN_BY_NAME = 1 << 2,
    VK_DOMAIN_BY_ANY = VK_DOMAIN_BY_ID | VK_DOMAIN_BY_UUID | VK_DOMAIN_BY_NAME,
};

virDomainPtr vkDomainLookup(VkCtl *ctl, const VkCmd *cmd, const char *optname,
                            unsigned int by, const char **retName);

bool vkDomainCmdAutostart(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdCreate(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdDefine(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdDestroy(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdDomjobabort(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdDomjobinfo(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdDumpxml(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdReboot(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdReset(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdResume(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdSetmaxmem(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdSetmem(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdSetvcpus(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdShutdown(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdStart(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdSuspend(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdUndefine(VkCtl *ctl, const VkCmd *cmd);
bool vkDomainCmdVcpucount(VkCtl *ctl, const VkCmd *cmd);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);
