/* vk_qemu.c: QEMU-specific commands (libvirt-qemu): qemu-monitor-command
 *
 * Output and the wrapping of bare command names follow virsh 9.0:
 *   qemu-monitor-command VM query-status          -> {"execute":"query-status"}
 *   qemu-monitor-command VM qom-get '"path":"/machine"' '"property":"type"'
 *                     -> {"execute":"qom-get","arguments":{"path":...,"property":...}}
 * --pretty re-indents the reply (two spaces, "key": value), --return-value
 * prints only its "return" member.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libvirt/libvirt-qemu.h>

#include "vk_cmd.h"
#include "vk_domain.h"
#include "vk_qemu.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put);

/* A JSON value parsed from the whole of @text, or NULL. */
static json_object *
vkQemuParse(const char *text)
{
    json_tokener *tok = json_tokener_new();
    json_object *obj = json_tokener_parse_ex(tok, text, (int)strlen(text));

    if (obj && (json_tokener_get_error(tok) != json_tokener_success ||
                json_tokener_get_parse_end(tok) != strlen(text))) {
        json_object_put(obj);
        obj = NULL;
    }
    json_tokener_free(tok);
    return obj;
}

/**
 * vkQemuWrapQMP:
 * @words: the command words as given
 * @nwords: how many
 *
 * Joins the words with spaces; unless that is a JSON object already, a
 * first word that is not JSON is taken as the command name and the rest as
 * its arguments (one JSON object, or "key":value members).
 *
 * Returns: the command text (caller frees with g_free).
 */
char *
vkQemuWrapQMP(char *const *words, size_t nwords)
{
    g_autofree char *full = g_strjoinv(" ", (char **)words);
    g_autoptr(json_object) fulljson = vkQemuParse(full);
    g_autoptr(json_object) first = NULL;
    g_autoptr(json_object) wrapped = NULL;

    if (nwords == 0 || (fulljson && json_object_is_type(fulljson, json_type_object)))
        return g_steal_pointer(&full);
    if ((first = vkQemuParse(words[0])))
        return g_steal_pointer(&full);
    wrapped = json_object_new_object();
    json_object_object_add(wrapped, "execute", json_object_new_string(words[0]));
    if (nwords > 1) {
        g_autofree char *rest = g_strjoinv(" ", (char **)words + 1);
        g_autofree char *members = g_strjoinv(",", (char **)words + 1);
        g_autofree char *braced = g_strdup_printf("{%s}", members);
        json_object *args = vkQemuParse(rest);

        if (!args || !json_object_is_type(args, json_type_object)) {
            json_object_put(args);
            args = vkQemuParse(braced);
        }
        if (!args || !json_object_is_type(args, json_type_object)) {
            /* not arguments we understand: let QEMU say what is wrong */
            json_object_put(args);
            return g_steal_pointer(&full);
        }
        json_object_object_add(wrapped, "arguments", args);
    }
    return g_strdup(json_object_to_json_string_ext(
        wrapped, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Appends @obj to @out, pretty: two-space indent, "key": value. */
static void
vkQemuFormatPretty(GString *out, json_object *obj, int depth)
{
    size_t i;

    if (json_object_is_type(obj, json_type_object) && json_object_object_length(obj) > 0) {
        bool first = true;

        g_string_append(out, "{\n");
        json_object_object_foreach(obj, key, val) {
            g_autofree char *qkey = NULL;
            json_object *k = json_object_new_string(key);

            qkey = g_strdup(json_object_to_json_string_ext(k, JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(k);
            if (!first)
                g_string_append(out, ",\n");
            first = false;
            g_string_append_printf(out, "%*s%s: ", (depth + 1) * 2, "", qkey);
            vkQemuFormatPretty(out, val, depth + 1);
        }
        g_string_append_printf(out, "\n%*s}", depth * 2, "");
    } else if (json_object_is_type(obj, json_type_array) && json_object_array_length(obj) > 0) {
        g_string_append(out, "[\n");
        for (i = 0; i < json_object_array_length(obj); i++) {
            if (i > 0)
                g_string_append(out, ",\n");
            g_string_append_printf(out, "%*s", (depth + 1) * 2, "");
            vkQemuFormatPretty(out, json_object_array_get_idx(obj, i), depth + 1);
        }
        g_string_append_printf(out, "\n%*s]", depth * 2, "");
    } else if (json_object_is_type(obj, json_type_object) ||
               json_object_is_type(obj, json_type_array)) {
        /* empty: virsh's (yajl's) beautifier leaves an empty line inside */
        bool isObj = json_object_is_type(obj, json_type_object);

        g_string_append_printf(out, "%c\n\n%*s%c", isObj ? '{' : '[', depth * 2, "",
                               isObj ? '}' : ']');
    } else {
        g_string_append(out, json_object_to_json_string_ext(
                                 obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    }
}

/**
 * vkQemuFormatJSON:
 * @text: QEMU's reply as JSON text
 * @pretty: indent it
 * @returnValue: only its "return" member
 * @retError: set to a message (caller frees) when NULL is returned
 *
 * Returns: the text to print (caller frees with g_free), or NULL.
 */
char *
vkQemuFormatJSON(const char *text, bool pretty, bool returnValue, char **retError)
{
    g_autoptr(json_object) reply = vkQemuParse(text);
    json_object *value = reply;
    GString *out;

    if (!reply) {
        *retError = g_strdup_printf("cannot parse JSON: '%s'", text);
        return NULL;
    }
    if (returnValue && (!json_object_is_type(reply, json_type_object) ||
                        !json_object_object_get_ex(reply, "return", &value))) {
        *retError = g_strdup("'return' member missing");
        return NULL;
    }
    if (!pretty)
        return g_strdup(json_object_to_json_string_ext(
            value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    out = g_string_new(NULL);
    vkQemuFormatPretty(out, value, 0);
    return g_string_free(out, FALSE);
}

/**
 * vkQemuCmdMonitorCommand:
 * @ctl: run state
 * @cmd: parsed "qemu-monitor-command" command
 *
 * Sends a QMP command (or with --hmp an HMP command line) to the domain's
 * QEMU and prints the reply.
 *
 * Returns: true on success.
 */
bool
vkQemuCmdMonitorCommand(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    g_autofree char *monitorCmd = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *error = NULL;
    bool hmp = vkCmdOptBool(cmd, "hmp");
    bool pretty = vkCmdOptBool(cmd, "pretty");
    bool returnValue = vkCmdOptBool(cmd, "return-value");
    const VkCmdOpt *opt = NULL;
    char *result = NULL;

    if (!vkCmdCheckExclusive(ctl, hmp, "hmp", pretty, "pretty") ||
        !vkCmdCheckExclusive(ctl, hmp, "hmp", returnValue, "return-value"))
        return false;
    if (vkCmdOptRaw(cmd, "pass-fds")) {
        vkError(ctl, "%s", "--pass-fds is not supported by virtkit");
        return false;
    }
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    while ((opt = vkCmdOptArgvNext(cmd, opt)))
        g_ptr_array_add(words, (char *)opt->value);
    g_ptr_array_add(words, NULL);
    if (hmp)
        monitorCmd = g_strjoinv(" ", (char **)words->pdata);
    else
        monitorCmd = vkQemuWrapQMP((char *const *)words->pdata, words->len - 1);

    if (virDomainQemuMonitorCommand(dom, monitorCmd, &result,
                                    hmp ? VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP : 0) < 0)
        return false;
    if (pretty || returnValue) {
        formatted = vkQemuFormatJSON(result, pretty, returnValue, &error);
        free(result);
        if (!formatted) {
            vkError(ctl, "%s", error);
            return false;
        }
        /* as virsh: no newline of its own after a re-formatted reply */
        vkPrint(ctl, "%s", formatted);
    } else {
        vkPrint(ctl, "%s\n", result);
        free(result);
    }
    return true;
}
