/* URI parsing: scheme[+transport]://[user@][host][:port]/path?query */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct {
    char *name;
    char *value;
    bool ignore;   /* consumed by a driver; left out when re-formatting */
} UriParam;

typedef struct {
    char *scheme;     /* "test", "qemu+unix" ...; NULL only for a relative
                       * reference ("bogus"), which virConnectOpen rejects
                       * before any driver sees it */
    char *server;     /* host, NULL when absent */
    char *user;       /* NULL when absent */
    int port;         /* 0 when absent */
    char *path;       /* "/default", "/system", may be NULL */
    char *query;      /* raw query, NULL when absent */
    char *fragment;   /* NULL when absent */
    size_t nparams;
    UriParam *params; /* decoded query parameters, in order */
} ParsedUri;

int uriParse(const char *str, ParsedUri **ret);
char *uriFormat(const ParsedUri *uri);
char *uriFormatParams(const ParsedUri *uri);
const char *uriGetParam(const ParsedUri *uri, const char *name);
char *uriSchemeDriver(const ParsedUri *uri);
char *uriSchemeTransport(const ParsedUri *uri);
void uriFree(ParsedUri *uri);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ParsedUri, uriFree);
