/*
 * table_writer.c - the CSV and XLSX backends behind tw_*.
 *
 * A writer holds a pointer to its backend's operations (row, finish); the shared code
 * handles the temporary name, the rename and the row count. Invariant: `tmp` exists on
 * disk from tw_open until tw_close renamed it or tw_abort / a failed close unlinked it.
 */
#include "io/table_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "io/xlsx.h"

typedef struct tw_ops {
    int (*row)(tw *w, const char *const *cells, size_t n, fk_err *err);
    int (*finish)(tw *w, fk_err *err); /* flush and close the file; always releases it */
} tw_ops;

struct tw {
    const tw_ops *ops;
    char *path, *tmp;
    size_t rows;            /* rows written, header included */
    /* CSV */
    FILE *f;
    strbuf line;
    /* XLSX */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
};

bool tw_path_is_xlsx(const char *path)
{
    size_t n = strlen(path);
    return n >= 5 && !strcasecmp(path + n - 5, ".xlsx");
}

/* ---- CSV ---------------------------------------------------------------------- */

static bool needs_quotes(const char *s)
{
    size_t n = strlen(s);
    if (n && (s[0] == ' ' || s[n - 1] == ' '))
        return true;
    return strpbrk(s, ",\"\r\n") != NULL;
}

void tw_csv_cell(strbuf *sb, const char *s)
{
    if (!needs_quotes(s)) {
        sb_append(sb, s);
        return;
    }
    sb_append_char(sb, '"');
    for (; *s; s++) {
        if (*s == '"')
            sb_append_char(sb, '"');
        sb_append_char(sb, *s);
    }
    sb_append_char(sb, '"');
}

static int csv_row(tw *w, const char *const *cells, size_t n, fk_err *err)
{
    sb_reset(&w->line);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_append_char(&w->line, ',');
        tw_csv_cell(&w->line, cells[i] ? cells[i] : "");
    }
    sb_append(&w->line, "\r\n");
    if (fwrite(w->line.buf, 1, w->line.len, w->f) != w->line.len)
        return fk_fail(err, FK_EIO, "", "%s: write failed: %s", w->path, strerror(errno));
    return 0;
}

static int csv_finish(tw *w, fk_err *err)
{
    int bad = fflush(w->f) != 0 || ferror(w->f) || fsync(fileno(w->f)) != 0;
    int saved = errno;
    bad |= fclose(w->f) != 0;
    w->f = NULL;
    if (bad)
        return fk_fail(err, FK_EIO, "", "%s: write failed: %s", w->path, strerror(saved));
    return 0;
}

static const tw_ops csv_ops = {csv_row, csv_finish};

static int csv_open(tw *w, fk_err *err)
{
    w->f = fopen(w->tmp, "wb");
    if (!w->f)
        return fk_fail(err, FK_EIO, "", "%s: %s", w->tmp, strerror(errno));
    if (fwrite("\xEF\xBB\xBF", 1, 3, w->f) != 3) {
        fclose(w->f);
        w->f = NULL;
        return fk_fail(err, FK_EIO, "", "%s: write failed", w->tmp);
    }
    w->ops = &csv_ops;
    return 0;
}

/* ---- XLSX --------------------------------------------------------------------- */

static int xlsx_row(tw *w, const char *const *cells, size_t n, fk_err *err)
{
    if (w->rows >= LXW_ROW_MAX)
        return fk_fail(err, FK_ETOOBIG, "", "more rows than an XLSX sheet holds (%d); "
                       "export as CSV", LXW_ROW_MAX);
    if (n > LXW_COL_MAX)
        return fk_fail(err, FK_ETOOBIG, "", "more columns than an XLSX sheet holds");
    lxw_format *fmt = w->rows == 0 ? w->bold : NULL;
    if (w->rows == 0 && n > 0) {
        fk_xlsx.worksheet_set_column(w->ws, 0, (lxw_col_t)(n - 1), 16, NULL);
        fk_xlsx.worksheet_freeze_panes(w->ws, 1, 0);
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = cells[i] ? cells[i] : "";
        if (!*s)
            continue;
        lxw_error e = fk_xlsx.worksheet_write_string(w->ws, (lxw_row_t)w->rows,
                                                     (lxw_col_t)i, s, fmt);
        if (e != LXW_NO_ERROR)
            return fk_fail(err, e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED ? FK_ETOOBIG : FK_EIO,
                           "", "%s: row %zu: %s", w->path, w->rows + 1,
                           fk_xlsx.lxw_strerror(e));
    }
    return 0;
}

static int xlsx_finish(tw *w, fk_err *err)
{
    lxw_error e = fk_xlsx.workbook_close(w->wb);
    w->wb = NULL;
    if (e != LXW_NO_ERROR)
        return fk_fail(err, FK_EIO, "", "%s: %s", w->path, fk_xlsx.lxw_strerror(e));
    return 0;
}

static const tw_ops xlsx_ops = {xlsx_row, xlsx_finish};

static int xlsx_open(tw *w, const char *sheet, fk_err *err)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    if (xlsx_load(err) != 0) /* libxlsxwriter is loaded by the first XLSX file (io/xlsx.h) */
        return -1;
    w->wb = fk_xlsx.workbook_new_opt(w->tmp, &opt);
    if (!w->wb)
        return fk_fail(err, FK_EIO, "", "%s: cannot create workbook", w->tmp);
    w->ws = fk_xlsx.workbook_add_worksheet(w->wb, sheet ? sheet : "data");
    w->bold = fk_xlsx.workbook_add_format(w->wb);
    if (!w->ws || !w->bold) {
        fk_xlsx.workbook_close(w->wb);
        w->wb = NULL;
        unlink(w->tmp);
        return fk_fail(err, FK_EIO, "", "%s: cannot create worksheet", w->tmp);
    }
    fk_xlsx.format_set_bold(w->bold);
    w->ops = &xlsx_ops;
    return 0;
}

/* ---- shared ------------------------------------------------------------------- */

static void tw_free(tw *w)
{
    sb_free(&w->line);
    free(w->path);
    free(w->tmp);
    free(w);
}

tw *tw_open_as(const char *path, tw_format fmt, const char *sheet, fk_err *err)
{
    tw *w = fk_calloc(1, sizeof *w);
    w->path = fk_strdup(path);
    size_t n = strlen(path) + 5;
    w->tmp = fk_malloc(n);
    snprintf(w->tmp, n, "%s.tmp", path);
    int rc = fmt == TW_XLSX ? xlsx_open(w, sheet, err) : csv_open(w, err);
    if (rc != 0) {
        tw_free(w);
        return NULL;
    }
    return w;
}

tw *tw_open(const char *path, const char *sheet, fk_err *err)
{
    return tw_open_as(path, tw_path_is_xlsx(path) ? TW_XLSX : TW_CSV, sheet, err);
}

int tw_row(tw *w, const char *const *cells, size_t n, fk_err *err)
{
    if (w->ops->row(w, cells, n, err) != 0)
        return -1;
    w->rows++;
    return 0;
}

size_t tw_rows(const tw *w)
{
    return w->rows ? w->rows - 1 : 0;
}

int tw_close(tw *w, fk_err *err)
{
    int rc = w->ops->finish(w, err);
    if (rc == 0 && rename(w->tmp, w->path) != 0)
        rc = fk_fail(err, FK_EIO, "", "%s: %s", w->path, strerror(errno));
    if (rc != 0)
        unlink(w->tmp);
    tw_free(w);
    return rc;
}

void tw_abort(tw *w)
{
    if (!w)
        return;
    w->ops->finish(w, NULL);
    unlink(w->tmp);
    tw_free(w);
}
