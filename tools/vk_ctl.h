/* vk_ctl.h: state of one virtkit run: connection, output, errors, logging */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "vk_cmd.h"

/* Debug levels of -d (the same numbers as virsh's) */
typedef enum {
    VK_LOG_DEBUG = 0,
    VK_LOG_INFO = 1,
    VK_LOG_NOTICE = 2,
    VK_LOG_WARNING = 3,
    VK_LOG_ERROR = 4,
} VkLogLevel;

struct _VkCtl {
    virConnectPtr conn;        /* NULL until the first command that needs it */
    char *uri;                 /* URI to connect to; NULL means the default choice */
    bool readonly;
    bool quiet;                /* -q: no headers, no informational lines */
    bool timing;               /* -t: print how long each command took */
    bool interactive;          /* running the shell */
    bool quit;                 /* "quit" or "exit" ran */
    int debug;                 /* -d level, or -1 for none */
    char *logfile;             /* -l FILE */
    int logfd;                 /* -1 when no log file */
    int keepaliveInterval;     /* -k, -1 when not given */
    int keepaliveCount;        /* -K, -1 when not given */
    char *escape;              /* -e: console escape sequence, for a later console command */

    GMutex lock;               /* protects the fields below */
    char *lastError;           /* message of the last library error not yet reported */
    int lastErrorCode;

    gint disconnected;         /* atomic: set by the close callback when the connection died */
    char *connURI;             /* the URI ctl->conn was opened with (close messages) */

    GThread *eventThread;      /* runs virEventRunDefaultImpl() */
    gint eventQuit;            /* atomic: asks the event thread to stop */
};

VkCtl *vkCtlNew(void);
void vkCtlFree(VkCtl *ctl);

const char *vkCtlDefaultURI(bool *retExplicit);

int vkCtlEventLoopStart(VkCtl *ctl);
void vkCtlEventLoopStop(VkCtl *ctl);

int vkCtlConnect(VkCtl *ctl, const char *uri, bool readonly);
void vkCtlDisconnect(VkCtl *ctl);
virConnectPtr vkCtlConn(VkCtl *ctl);

void vkPrint(VkCtl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void vkPrintExtra(VkCtl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void vkError(VkCtl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void vkDebug(VkCtl *ctl, VkLogLevel level, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

void vkSetError(VkCtl *ctl, const char *message);
void vkReportError(VkCtl *ctl);
void vkResetError(VkCtl *ctl);
int vkLastErrorCode(VkCtl *ctl);

int vkCtlOpenLogFile(VkCtl *ctl);
bool vkCtlRunCommands(VkCtl *ctl, const VkCmd *cmds);
