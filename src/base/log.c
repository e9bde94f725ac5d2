#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

static log_level threshold = LOG_INFO;

void log_init_from_env(void)
{
    const char *v = getenv("FANGKONG_LOG");
    if (!v)
        return;
    if (!strcmp(v, "debug")) threshold = LOG_DEBUG;
    else if (!strcmp(v, "warn")) threshold = LOG_WARN;
    else if (!strcmp(v, "error")) threshold = LOG_ERROR;
}

void log_msg(log_level lvl, const char *module, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (lvl < threshold)
        return;
    char when[21], line[1024];
    fk_instant_format(fk_now(), when);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s %s: %s\n", when, names[lvl], module, line);
}
