/*
 * log.h - one-line operator logs on standard error.
 *
 * "2022-05-01T08:00:00Z level module: message". The level threshold is process-wide
 * (FANGKONG_LOG=debug|info|warn|error, default info). Thread-safe: each line is
 * written with a single fprintf.
 */
#ifndef FK_BASE_LOG_H
#define FK_BASE_LOG_H

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

void log_init_from_env(void);
void log_msg(log_level lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_info(mod, ...) log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...) log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)
#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)

#endif
