/*
 * respond.h - the single place where internal errors become HTTP.
 *
 * http_status_of maps an fk_code to a status; http_error_json builds
 * {"error":{"code","message","field"}}. Nothing else in the program chooses an error
 * status. Pure, thread-safe.
 */
#ifndef FK_HTTP_RESPOND_H
#define FK_HTTP_RESPOND_H

#include <jansson.h>

#include "base/err.h"

int http_status_of(fk_code code);
json_t *http_error_json(const fk_err *err);

#endif
