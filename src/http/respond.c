#include "http/respond.h"

int http_status_of(fk_code code)
{
    switch (code) {
    case FK_OK: return 200;
    case FK_EINVAL: return 400;
    case FK_EUNAUTH: return 401;
    case FK_EFORBIDDEN: return 403;
    case FK_ENOTFOUND: return 404;
    case FK_EMETHOD: return 405;
    case FK_ECONFLICT: return 409;
    case FK_ETOOBIG: return 413;
    case FK_EREF: return 422;
    case FK_EGONE: return 410;
    case FK_ETOOMANY: return 429;
    case FK_EBUSY: return 503;
    case FK_EIO:
    case FK_EINTERNAL: return 500;
    }
    return 500;
}

json_t *http_error_json(const fk_err *err)
{
    return json_pack("{s:{s:s, s:s, s:s}}", "error", "code", fk_code_name(err->code), "message",
                     err->message[0] ? err->message : fk_code_name(err->code), "field",
                     err->field);
}
