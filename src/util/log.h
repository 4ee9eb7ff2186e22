/* Categorised logging with filters ("qemu.monitor:debug,*:warn") and outputs. */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef enum {
    LOG_LEVEL_DEBUG = 1,
    LOG_LEVEL_INFO,
    LOG_LEVEL_WARN,
    LOG_LEVEL_ERROR,
    LOG_LEVEL_NONE,
} LogLevel;

/* Declares the category of the current source file. */
#define LOG_INIT(category) \
    static const char *const logCategory G_GNUC_UNUSED = (category)

void logMessage(const char *category, LogLevel level, const char *file,
                int line, const char *func, const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);
bool logEnabled(const char *category, LogLevel level);

#define LOG_AT_(level, ...) \
    do { \
        if (logEnabled(logCategory, (level))) \
            logMessage(logCategory, (level), __FILE__, __LINE__, __func__, \
                       __VA_ARGS__); \
    } while (0)

#define LOG_DEBUG(...) LOG_AT_(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define LOG_INFO(...) LOG_AT_(LOG_LEVEL_INFO, __VA_ARGS__)
#define LOG_WARN(...) LOG_AT_(LOG_LEVEL_WARN, __VA_ARGS__)
#define LOG_ERROR(...) LOG_AT_(LOG_LEVEL_ERROR, __VA_ARGS__)

int logSetFilters(const char *filters);
int logSetOutputs(const char *outputs);
void logSetDefaultLevel(LogLevel level);
void logInitFromEnv(void);
