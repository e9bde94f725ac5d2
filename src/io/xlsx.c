/*
 * xlsx.c - libxlsxwriter loaded on first use (contract: xlsx.h). FK_XLSX_SONAME is the
 * library the build found (the Makefile reads it from the linker's libxlsxwriter.so).
 */
#include "io/xlsx.h"

#include "base/dynlib.h"

#ifndef FK_XLSX_SONAME
#define FK_XLSX_SONAME "libxlsxwriter.so.4"
#endif

xlsx_api fk_xlsx;

#define SYM(f) {#f, &fk_xlsx.f}
static const dynlib_sym syms[] = {
    SYM(workbook_new_opt), SYM(workbook_add_worksheet), SYM(workbook_add_format),
    SYM(workbook_close), SYM(format_set_bold), SYM(worksheet_set_column),
    SYM(worksheet_freeze_panes), SYM(worksheet_write_string), SYM(lxw_strerror),
};

static dynlib lib = {.what = "libxlsxwriter (XLSX files)", .soname = FK_XLSX_SONAME,
                     .syms = syms, .nsyms = sizeof syms / sizeof syms[0]};

int xlsx_load(fk_err *err)
{
    return dynlib_load(&lib, err);
}
