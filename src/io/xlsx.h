/*
 * xlsx.h - the libxlsxwriter functions table_writer.c calls, loaded with the first XLSX
 * file (base/dynlib.h: the library and its libcrypto, minizip and zlib cost every other
 * command part of its start). Call fk_xlsx.workbook_new_opt(...) where the library's
 * name is workbook_new_opt; the types are its header's.
 *
 * Contract: xlsx_load before any other use (table_writer.c's xlsx_open). Thread-safe;
 * the table is written once, by the first successful xlsx_load, and only read after.
 */
#ifndef FK_IO_XLSX_H
#define FK_IO_XLSX_H

#include <xlsxwriter.h>

#include "base/err.h"

typedef struct xlsx_api {
    __typeof__(&workbook_new_opt) workbook_new_opt;
    __typeof__(&workbook_add_worksheet) workbook_add_worksheet;
    __typeof__(&workbook_add_format) workbook_add_format;
    __typeof__(&workbook_close) workbook_close;
    __typeof__(&format_set_bold) format_set_bold;
    __typeof__(&worksheet_set_column) worksheet_set_column;
    __typeof__(&worksheet_freeze_panes) worksheet_freeze_panes;
    __typeof__(&worksheet_write_string) worksheet_write_string;
    __typeof__(&lxw_strerror) lxw_strerror;
} xlsx_api;

extern xlsx_api fk_xlsx;

/* 0, or -1 with FK_EIO naming the library and why it did not load. */
int xlsx_load(fk_err *err);

#endif
