#include "http/static_files.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/mhd.h"

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
    {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
    {".ico", "image/x-icon"}, {".woff2", "font/woff2"},
};

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

static int answer_text(struct MHD_Connection *c, int status, const char *text)
{
    struct MHD_Response *r = fk_mhd.create_response_from_buffer(strlen(text), (void *)text,
                                                             MHD_RESPMEM_PERSISTENT);
    fk_mhd.add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    enum MHD_Result ok = fk_mhd.queue_response(c, (unsigned)status, r);
    fk_mhd.destroy_response(r);
    return ok == MHD_YES ? status : 0;
}

static bool safe_path(const char *url)
{
    return url[0] == '/' && !strstr(url, "/.") && !strstr(url, "//") && !strchr(url, '\\');
}

int static_serve(struct MHD_Connection *c, const char *web_dir, const char *url,
                 const char *method)
{
    char path[1024];
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return answer_text(c, 405, "method not allowed\n");
    if (!web_dir || !safe_path(url))
        return answer_text(c, 404, "not found\n");
    if (!strcmp(url, "/"))
        url = "/index.html";
    if (!strcmp(url, "/vendor/echarts.min.js"))
        url = "/node_modules/echarts/dist/echarts.min.js";
    if ((size_t)snprintf(path, sizeof path, "%s%s", web_dir, url) >= sizeof path)
        return answer_text(c, 404, "not found\n");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        return answer_text(c, 404, "not found\n");
    }
    struct MHD_Response *r = fk_mhd.create_response_from_fd((uint64_t)sb.st_size, fd);
    fk_mhd.add_response_header(r, "Content-Type", type_of(path));
    fk_mhd.add_response_header(r, "Cache-Control", "no-cache");
    fk_mhd.add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = fk_mhd.queue_response(c, MHD_HTTP_OK, r);
    fk_mhd.destroy_response(r);
    return ok == MHD_YES ? 200 : 0;
}
