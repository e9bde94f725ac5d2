/*
 * static_files.h - the web console's files, served read-only from one directory.
 *
 * "/" is index.html; "/vendor/echarts.min.js" maps to the npm-installed ECharts in
 * web_dir/node_modules. Paths with "..", hidden segments or backslashes are refused.
 * Thread-safe (no state).
 */
#ifndef FK_HTTP_STATIC_FILES_H
#define FK_HTTP_STATIC_FILES_H

struct MHD_Connection;

/* Queue the answer for url (GET/HEAD only); returns the status sent, or 0 when
 * queueing failed. */
int static_serve(struct MHD_Connection *c, const char *web_dir, const char *url,
                 const char *method);

#endif
