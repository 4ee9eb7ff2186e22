/* vk_cmd.h: command and option definitions, the command-line parser and option getters */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct _VkCtl VkCtl;
typedef struct _VkCmd VkCmd;

/* How an option takes its value.  Every option that is not VK_OPT_BOOL may
 * also be given positionally: bare words fill those options in the order
 * of the table, skipping options already given by name (virsh's rule),
 * unless flagged VK_OFLAG_NAMED_ONLY (virsh's VSH_OFLAG_REQ_OPT). */
typedef enum {
    VK_OPT_BOOL,    /* --name, no value */
    VK_OPT_STRING,  /* --name VALUE (help shows "--name <string>") */
    VK_OPT_INT,     /* --name NUMBER (help shows "--name <number>") */
    VK_OPT_DATA,    /* main positional argument (help shows "[--name] <string>") */
    VK_OPT_ARGV,    /* takes every remaining bare word */
} VkOptType;

/* VkOptDef.flags */
enum {
    VK_OFLAG_REQUIRED = 1 << 0,  /* the command cannot run without it */
    VK_OFLAG_EMPTY_OK = 1 << 1,  /* an empty string value is accepted */
    VK_OFLAG_NAMED_ONLY = 1 << 2, /* only as --name VALUE, never from a bare word */
};

/* What the interactive shell offers when completing an option's value */
typedef enum {
    VK_COMPLETE_NONE,
    VK_COMPLETE_DOMAIN,   /* domain names; VkOptDef.completeFlags filters the list */
    VK_COMPLETE_EVENT,    /* domain event names */
    VK_COMPLETE_COMMAND,  /* command names */
    VK_COMPLETE_FILE,     /* file names */
} VkComplete;

typedef struct {
    const char *name;
    VkOptType type;
    unsigned int flags;
    const char *help;
    VkComplete complete;
    unsigned int completeFlags;  /* virConnectListAllDomains() flags */
} VkOptDef;

typedef bool (*VkCmdHandler)(VkCtl *ctl, const VkCmd *cmd);

/* VkCmdDef.flags */
enum {
    VK_CMD_FLAG_NOCONNECT = 1 << 0,  /* runs without a hypervisor connection */
};

typedef struct {
    const char *name;
    const char *group;       /* keyword of the command's group (see vk_commands.c) */
    VkCmdHandler handler;
    const VkOptDef *opts;    /* terminated by an entry with name NULL; may be NULL */
    const char *help;        /* one line, shown in command lists */
    const char *desc;        /* longer description for "help COMMAND" */
    unsigned int flags;
} VkCmdDef;

typedef struct _VkCmdOpt VkCmdOpt;
struct _VkCmdOpt {
    const VkOptDef *def;
    char *value;             /* NULL for VK_OPT_BOOL */
    VkCmdOpt *next;
};

/* One parsed command: the definition and the options given, in the order
 * they appeared.  Commands of one line are chained through @next. */
struct _VkCmd {
    const VkCmdDef *def;
    VkCmdOpt *opts;
    VkCmd *next;
};

void vkCmdFree(VkCmd *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VkCmd, vkCmdFree);

int vkCmdParseString(const char *line, VkCmd **retCmds, char **retError);
int vkCmdParseArgv(int argc, char *const *argv, VkCmd **retCmds, char **retError);

/* Tokenizer state shared with the shell's completion code */
typedef enum {
    VK_TOKEN_ERROR,   /* malformed input; an error message is returned */
    VK_TOKEN_ARG,     /* one word */
    VK_TOKEN_END_CMD, /* ';', a newline or a comment ended a command */
    VK_TOKEN_END,     /* no more input */
} VkToken;

VkToken vkCmdNextToken(const char **pos, bool lenient, char **retWord, char **retError);

const VkOptDef *vkCmdDefFindOpt(const VkCmdDef *def, const char *name);
char *vkCmdSynopsis(const VkCmdDef *def);

/* Option getters used by the command handlers */
bool vkCmdOptBool(const VkCmd *cmd, const char *name);
const char *vkCmdOptRaw(const VkCmd *cmd, const char *name);
int vkCmdOptString(VkCtl *ctl, const VkCmd *cmd, const char *name, const char **retValue);
int vkCmdOptInt(VkCtl *ctl, const VkCmd *cmd, const char *name, int *retValue);
int vkCmdOptUInt(VkCtl *ctl, const VkCmd *cmd, const char *name, unsigned int *retValue);
int vkCmdOptScaled(VkCtl *ctl, const VkCmd *cmd, const char *name, unsigned long long scale,
                   unsigned long long max, unsigned long long *retValue);
int vkCmdOptTimeoutMs(VkCtl *ctl, const VkCmd *cmd, int *retTimeout);
const VkCmdOpt *vkCmdOptArgvNext(const VkCmd *cmd, const VkCmdOpt *prev);

bool vkCmdCheckExclusive(VkCtl *ctl, bool a, const char *nameA, bool b, const char *nameB);
bool vkCmdCheckRequires(VkCtl *ctl, bool opt, const char *name, bool needed,
                        const char *neededName);
