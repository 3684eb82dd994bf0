/* labels-test-util.h: shared fixtures for the labels/ tests: a realistic label,
 * running the independent decoders (zbarimg, pdftoppm, rsvg-convert, dmtxread), and
 * reading back the fields of a ZPL job. */
#pragma once

#include <glib.h>

#include "pt-label.h"

/* A Fuji apple batch with Chinese and English text. */
extern const PtLabelContent pt_test_content;

/* TRUE when @tool is on PATH. */
gboolean pt_test_have(const char *tool);

/* Runs @argv; returns its stdout (transfer full), or NULL with the reason in the
 * test log when it exits non-zero. */
char *pt_test_run(const char *const *argv, gsize *len_out);

/* Writes @bytes to a new file in @dir named @name.  Returns: (transfer full) path. */
char *pt_test_write(const char *dir, const char *name, GBytes *bytes);

/* Decodes every symbol in the PNG at @path with `zbarimg --raw`, one string per
 * symbol.  Returns: (transfer full) (element-type utf8). */
GPtrArray *pt_test_zbar(const char *path);

/* The ^FD data of the first field that uses @command ("^BQ", "^BC", "^BX") in @zpl,
 * or NULL.  Returns: (transfer full). */
char *pt_test_zpl_field(const char *zpl, const char *command);

/* Checks every ^GFA graphic in @zpl: its declared byte count matches rows x bytes per
 * row after expanding ZPL's compressed hex.  Returns the number of black dots in all
 * of them, or -1 (with a test message) on a malformed graphic. */
long pt_test_zpl_graphic_dots(const char *zpl);
