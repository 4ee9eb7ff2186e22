/* Scripted QMP server for tests: replays tests/data/qmp/<case>.replies, checks the commands. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qmpmock.h"
#include "qemutestutils.h"
#include "util/str.h"

/*
 * Script format, one directive per line ('#' starts a comment line):
 *   send TEXT        write TEXT + "\r\n" (greeting, reply, event, garbage)
 *   expect TEXT      read one line from the client; it must equal TEXT
 *   expect-quiet MS  the client must send nothing for MS milliseconds
 *   sleep MS         pause
 *   send-huge N      write a reply line whose string value has N bytes
 *   close            close the connection (EOF for the client)
 *   wait-eof         wait until the client closes the connection
 * After the last directive the mock waits for EOF, so a client that sends
 * more than the script expects fails.  Every wait is bounded.
 */

#define QMP_MOCK_WAIT_MS 5000

typedef enum {
    MOCK_SEND,
    MOCK_EXPECT,
    MOCK_EXPECT_QUIET,
    MOCK_SLEEP,
    MOCK_SEND_HUGE,
    MOCK_CLOSE,
    MOCK_WAIT_EOF,
} MockOp;

typedef struct {
    MockOp op;
    char *text;
    unsigned int num;
    unsigned int lineno;
} MockStep;

struct _QmpMock {
    char *name;
    char *dir;
    char *path;
    int listenFd;
    int connFd;
    GPtrArray *steps;       /* MockStep */
    GString *in;            /* bytes read, not yet consumed */
    GThread *thread;
    char *failure;          /* first failure, NULL while all is well */
};

static void
mockStepFree(MockStep *step)
{
    g_free(step->text);
    g_free(step);
}

static int
mockParseScript(QmpMock *mock, const char *path)
{
    g_autofree char *content = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) gerr = NULL;
    size_t i;

    if (!g_file_get_contents(path, &content, NULL, &gerr)) {
        testLog("# cannot read %s: %s", path, gerr->message);
        return -1;
    }
    lines = g_strsplit(content, "\n", -1);
    for (i = 0; lines[i]; i++) {
        const char *line = lines[i];
        const char *arg = strchr(line, ' ');
        g_autofree char *op = arg ? g_strndup(line, arg - line) : g_strdup(line);
        MockStep *step = NULL;
        unsigned int num = 0;

        if (line[0] == '\0' || line[0] == '#')
            continue;
        arg = arg ? arg + 1 : "";
        step = g_new0(MockStep, 1);
        step->lineno = i + 1;
        if (streq(op, "send")) {
            step->op = MOCK_SEND;
        } else if (streq(op, "expect")) {
            step->op = MOCK_EXPECT;
        } else if (streq(op, "expect-quiet")) {
            step->op = MOCK_EXPECT_QUIET;
        } else if (streq(op, "sleep")) {
            step->op = MOCK_SLEEP;
        } else if (streq(op, "send-huge")) {
            step->op = MOCK_SEND_HUGE;
        } else if (streq(op, "close")) {
            step->op = MOCK_CLOSE;
        } else if (streq(op, "wait-eof")) {
            step->op = MOCK_WAIT_EOF;
        } else {
            testLog("# %s:%zu: unknown directive '%s'", path, i + 1, op);
            mockStepFree(step);
            return -1;
        }
        if (step->op == MOCK_EXPECT_QUIET || step->op == MOCK_SLEEP ||
            step->op == MOCK_SEND_HUGE) {
            if (strParseUInt(arg, 10, &num) < 0) {
                testLog("# %s:%zu: bad number '%s'", path, i + 1, arg);
                mockStepFree(step);
                return -1;
            }
        }
        step->num = num;
        step->text = g_strdup(arg);
        g_ptr_array_add(mock->steps, step);
    }
    return 0;
}

static void G_GNUC_PRINTF(2, 3)
mockFail(QmpMock *mock, const char *fmt, ...)
{
    va_list ap;

    if (mock->failure)
        return;
    va_start(ap, fmt);
    mock->failure = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

static int
mockWrite(QmpMock *mock, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(mock->connFd, data, len, MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= n;
    }
    return 0;
}

/* Reads more bytes; 1 on data, 0 on EOF, -1 on timeout or error. */
static int
mockReadMore(QmpMock *mock, int timeoutMs)
{
    struct pollfd pfd = { .fd = mock->connFd, .events = POLLIN };
    char buf[65536];
    ssize_t n;
    int rc;

    do {
        rc = poll(&pfd, 1, timeoutMs);
    } while (rc < 0 && errno == EINTR);
    if (rc <= 0)
        return -1;
    n = recv(mock->connFd, buf, sizeof(buf), 0);
    if (n < 0)
        return errno == ECONNRESET ? 0 : -1;
    if (n == 0)
        return 0;
    g_string_append_len(mock->in, buf, n);
    return 1;
}

static char *
mockTakeLine(QmpMock *mock)
{
    char *nl = memchr(mock->in->str, '\n', mock->in->len);
    char *line = NULL;

    if (!nl)
        return NULL;
    line = g_strndup(mock->in->str, nl - mock->in->str);
    g_string_erase(mock->in, 0, nl - mock->in->str + 1);
    if (*line && line[strlen(line) - 1] == '\r')
        line[strlen(line) - 1] = '\0';
    return line;
}

static void
mockRunStep(QmpMock *mock, MockStep *step)
{
    g_autofree char *line = NULL;
    g_autofree char *text = NULL;
    gint64 deadline;
    int rc;

    switch (step->op) {
    case MOCK_SEND:
        text = g_strdup_printf("%s\r\n", step->text);
        if (mockWrite(mock, text, strlen(text)) < 0)
            mockFail(mock, "line %u: cannot send: %s", step->lineno, g_strerror(errno));
        break;

    case MOCK_SEND_HUGE: {
        GString *huge = g_string_new("{\"return\": \"");
        unsigned int i;

        for (i = 0; i < step->num; i++)
            g_string_append_c(huge, 'x');
        g_string_append(huge, "\"}\r\n");
        /* The client may hang up half-way: that is what it should do. */
        (void)mockWrite(mock, huge->str, huge->len);
        g_string_free(huge, TRUE);
        break;
    }

    case MOCK_EXPECT:
        deadline = g_get_monotonic_time() + QMP_MOCK_WAIT_MS * 1000;
        while (!(line = mockTakeLine(mock))) {
            int left = (int)((deadline - g_get_monotonic_time()) / 1000);

            if (left <= 0 || (rc = mockReadMore(mock, left)) < 0) {
                mockFail(mock, "line %u: no command from the client within %d ms, expected %s",
                         step->lineno, QMP_MOCK_WAIT_MS, step->text);
                return;
            }
            if (rc == 0) {
                mockFail(mock, "line %u: client closed the connection, expected %s",
                         step->lineno, step->text);
                return;
            }
        }
        if (!streq(line, step->text))
            mockFail(mock, "line %u: expected command\n#   %s\n# got\n#   %s", step->lineno,
                     step->text, line);
        break;

    case MOCK_EXPECT_QUIET:
        if (mock->in->len == 0) {
            rc = mockReadMore(mock, (int)step->num);
            if (rc == 0) {
                mockFail(mock, "line %u: client closed the connection while it should wait",
                         step->lineno);
                return;
            }
        }
        if (mock->in->len > 0)
            mockFail(mock, "line %u: client sent '%.*s' while a command was in flight",
                     step->lineno, (int)MIN(mock->in->len, 200), mock->in->str);
        break;

    case MOCK_SLEEP:
        g_usleep((gulong)step->num * 1000);
        break;

    case MOCK_CLOSE:
        close(mock->connFd);
        mock->connFd = -1;
        break;

    case MOCK_WAIT_EOF:
        deadline = g_get_monotonic_time() + QMP_MOCK_WAIT_MS * 1000;
        while (true) {
            int left = (int)((deadline - g_get_monotonic_time()) / 1000);

            if (mock->in->len > 0) {
                mockFail(mock, "line %u: unexpected data from the client: '%.*s'",
                         step->lineno, (int)MIN(mock->in->len, 200), mock->in->str);
                return;
            }
            if (left <= 0 || (rc = mockReadMore(mock, left)) < 0) {
                mockFail(mock, "line %u: the client did not close the connection",
                         step->lineno);
                return;
            }
            if (rc == 0)
                break;
        }
        break;
    }
}

static gpointer
mockThread(gpointer opaque)
{
    QmpMock *mock = opaque;
    struct pollfd pfd = { .fd = mock->listenFd, .events = POLLIN };
    MockStep eof = { .op = MOCK_WAIT_EOF, .text = (char *)"", .lineno = 0 };
    size_t i;

    if (poll(&pfd, 1, QMP_MOCK_WAIT_MS) <= 0 ||
        (mock->connFd = accept4(mock->listenFd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
        mockFail(mock, "the client did not connect");
        return NULL;
    }
    for (i = 0; i < mock->steps->len && !mock->failure; i++) {
        MockStep *step = mock->steps->pdata[i];

        if (mock->connFd < 0) {
            mockFail(mock, "line %u: directive after 'close'", step->lineno);
            break;
        }
        mockRunStep(mock, step);
    }
    if (!mock->failure && mock->connFd >= 0)
        mockRunStep(mock, &eof);
    if (mock->connFd >= 0)
        close(mock->connFd);
    mock->connFd = -1;
    return NULL;
}

/**
 * qmpMockNew:
 * @caseName: the script is tests/data/qmp/@caseName.replies
 *
 * Listens on a fresh unix socket and serves one connection from a thread.
 *
 * Returns: the mock, or NULL after printing why.
 */
QmpMock *
qmpMockNew(const char *caseName)
{
    g_autoptr(QmpMock) mock = g_new0(QmpMock, 1);
    g_autofree char *file = g_strdup_printf("%s.replies", caseName);
    g_autofree char *script = testDataPath(file);
    g_autoptr(GError) gerr = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    mock->name = g_strdup(caseName);
    mock->listenFd = -1;
    mock->connFd = -1;
    mock->steps = g_ptr_array_new_with_free_func((GDestroyNotify)mockStepFree);
    mock->in = g_string_new(NULL);
    if (mockParseScript(mock, script) < 0)
        return NULL;
    if (!(mock->dir = g_dir_make_tmp("vk-qmpmock-XXXXXX", &gerr))) {
        testLog("# cannot make temp dir: %s", gerr->message);
        return NULL;
    }
    mock->path = g_build_filename(mock->dir, "qmp.sock", NULL);
    g_strlcpy(addr.sun_path, mock->path, sizeof(addr.sun_path));
    if ((mock->listenFd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        bind(mock->listenFd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(mock->listenFd, 4) < 0) {
        testLog("# cannot listen on %s: %s", mock->path, g_strerror(errno));
        return NULL;
    }
    mock->thread = g_thread_new("qmp-mock", mockThread, mock);
    return g_steal_pointer(&mock);
}

/**
 * qmpMockGetPath:
 * @mock: a mock
 *
 * Returns: the socket path to connect to.
 */
const char *
qmpMockGetPath(QmpMock *mock)
{
    return mock->path;
}

/**
 * qmpMockFinish:
 * @mock: a mock
 *
 * Waits for the script to end (every step is bounded).
 *
 * Returns: 0 when the client sent exactly the expected commands, -1 after
 * printing the first difference.
 */
int
qmpMockFinish(QmpMock *mock)
{
    if (mock->thread) {
        g_thread_join(mock->thread);
        mock->thread = NULL;
    }
    if (mock->failure) {
        testLog("# mock monitor (%s.replies): %s", mock->name, mock->failure);
        return -1;
    }
    return 0;
}

/**
 * qmpMockFree:
 * @mock: a mock, or NULL
 *
 * Joins the server thread, closes the sockets and removes the temp dir.
 */
void
qmpMockFree(QmpMock *mock)
{
    if (!mock)
        return;
    if (mock->thread)
        g_thread_join(mock->thread);
    if (mock->connFd >= 0)
        close(mock->connFd);
    if (mock->listenFd >= 0)
        close(mock->listenFd);
    if (mock->path)
        unlink(mock->path);
    if (mock->dir)
        rmdir(mock->dir);
    g_ptr_array_free(mock->steps, TRUE);
    g_string_free(mock->in, TRUE);
    g_free(mock->failure);
    g_free(mock->path);
    g_free(mock->dir);
    g_free(mock->name);
    g_free(mock);
}
