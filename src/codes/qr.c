/*
 * qr.c - QR code to SVG (contract: qr.h).
 */
#include "codes/qr.h"

#include <qrencode.h>
#include <string.h>

static const char *fill_of(const char *colour)
{
    if (colour && !strcmp(colour, "red"))
        return "#c62828";
    if (colour && !strcmp(colour, "yellow"))
        return "#b8860b";
    if (colour && !strcmp(colour, "green"))
        return "#1b7f3b";
    return "#000";
}

int code_qr_svg(const char *text, const char *colour, strbuf *out, int *modules, fk_err *err)
{
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q)
        return fk_fail(err, FK_EINVAL, "token", "token: does not fit a QR code");
    int w = q->width, side = w + 2 * CODE_QR_QUIET;
    sb_appendf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
               "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
               "fill=\"#fff\"/><path fill=\"%s\" d=\"", side, side, side, side, fill_of(colour));
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (q->data[y * w + x] & 1)
                sb_appendf(out, "M%d %dh1v1h-1z", x + CODE_QR_QUIET, y + CODE_QR_QUIET);
    sb_append(out, "\"/></svg>");
    if (modules)
        *modules = w;
    QRcode_free(q);
    return 0;
}
