/*
 * qr.h - a QR code as SVG text (libqrencode), for the health code's image.
 *
 * The symbol is drawn as one path of unit squares on a white square with the standard
 * quiet zone of 4 modules on each side, so the SVG's viewBox is (modules + 8) units wide;
 * the dark modules take `colour` (the code's colour, as health codes are shown).
 * Error correction level M, byte mode, the smallest version that fits. Pure; thread-safe
 * (libqrencode keeps no state between calls).
 */
#ifndef FK_CODES_QR_H
#define FK_CODES_QR_H

#include "base/err.h"
#include "base/strbuf.h"

#define CODE_QR_QUIET 4

/* Append the SVG of `text` to out; *modules (may be NULL) gets the symbol's width in
 * modules (17 + 4 x version). FK_EINVAL when the text does not fit a QR code. */
int code_qr_svg(const char *text, const char *colour, strbuf *out, int *modules, fk_err *err);

#endif
