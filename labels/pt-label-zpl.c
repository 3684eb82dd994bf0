/* pt-label-zpl.c: the ZPL II backend for Zebra-compatible thermal printers.  Barcodes
 * are the printer's own (^BQ QR, ^BC GS1-128 in UCC/EAN mode D, ^BX DataMatrix), ASCII
 * text uses the scalable font 0, and text the printer has no font for (Chinese, any
 * non-ASCII) goes in as a 1-bit graphic (^GFA, ZPL's compressed ASCII hex).  When a
 * template's static items (all but codes, lot, dates, grower, grade, weight) hold such
 * graphics, they are formatted once and kept in pt-label-cache.c, so a label costs its
 * varying fields; plain ASCII items cost less to format than to look up. */
#include <string.h>

#include "pt-label-private.h"

/* Font 0 is set to a character width of 0.6 x its height; no glyph of a condensed
 * font is wider than its set width, so n characters take at most n x width dots. */
#define ZPL_CHAR_WIDTH 0.6

static gboolean
is_ascii_text(const char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
      return FALSE;
  return TRUE;
}

/* ^FD data with ^FH: the characters ZPL reads as commands, and the hex indicator
 * itself, are written as _XX. */
static void
append_fh(GString *z, const char *s)
{
  for (; *s; s++) {
    if (*s == '^' || *s == '~' || *s == '_')
      g_string_append_printf(z, "_%02X", (unsigned char)*s);
    else
      g_string_append_c(z, *s);
  }
}

/* Greedy word wrap of @text at @max_chars per line, breaking inside a word only when
 * the word alone is longer than a line.  Returns: (transfer full). */
static GPtrArray *
wrap(const char *text, gsize max_chars)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
  GString *line = g_string_new(NULL);
  const char *p = text;
  while (*p) {
    while (*p == ' ')
      p++;
    gsize n_word = strcspn(p, " ");
    if (n_word == 0)
      break;
    gsize need = line->len ? line->len + 1 + n_word : n_word;
    if (need <= max_chars) {
      if (line->len)
        g_string_append_c(line, ' ');
      g_string_append_len(line, p, (gssize)n_word);
      p += n_word;
      continue;
    }
    if (line->len) {
      g_ptr_array_add(lines, g_string_free(line, FALSE));
      line = g_string_new(NULL);
      continue;
    }
    gsize take = MIN(n_word, max_chars);
    g_ptr_array_add(lines, g_strndup(p, take));
    p += take;
  }
  if (line->len)
    g_ptr_array_add(lines, g_string_free(line, FALSE));
  else
    g_string_free(line, TRUE);
  return lines;
}

static gboolean
emit_ascii_text(GString *z, const PtLabelItem *item, guint dpi, GError **error)
{
  int wd = pt_label_dots(item->w, dpi), hd = pt_label_dots(item->h, dpi);
  for (double pt = item->size_pt; pt >= item->min_pt - 1e-9; pt -= 0.5) {
    int h = MAX(pt_label_dots(pt * 1.2, dpi), 10); /* ZPL height includes the descender */
    int w = MAX((int)(h * ZPL_CHAR_WIDTH + 0.5), 5);
    gsize max_chars = (gsize)(wd / w);
    if (max_chars == 0)
      continue;
    g_autoptr(GPtrArray) lines = wrap(item->text, max_chars);
    if (lines->len == 0 || (int)lines->len > item->max_lines || (int)lines->len * h > hd)
      continue;
    const char just = item->align == PANGO_ALIGN_CENTER  ? 'C'
                      : item->align == PANGO_ALIGN_RIGHT ? 'R'
                                                         : 'L';
    int y = pt_label_dots(item->y, dpi) + (hd - (int)lines->len * h) / 2;
    for (guint i = 0; i < lines->len; i++, y += h) {
      g_string_append_printf(z, "^FO%d,%d^A0N,%d,%d^FB%d,1,0,%c^FH_^FD",
                             pt_label_dots(item->x, dpi), y, h, w, wd, just);
      append_fh(z, g_ptr_array_index(lines, i));
      g_string_append(z, "^FS\n");
    }
    return TRUE;
  }
  g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_TOO_LONG,
              "%s does not fit its %.0fx%.0f pt box in printer font 0 even at %.1f pt: '%s'",
              item->name, item->w, item->h, item->min_pt, item->text);
  return FALSE;
}

/* ZPL compressed ASCII hex: a repeat count as letters (G..Y = 1..19, g..z = 20..400)
 * before a hex digit, ',' for a row ending in zeros, '!' for ones, ':' for a row
 * equal to the one before. */
static void
append_repeat(GString *z, gsize count, char hex)
{
  while (count > 0) {
    gsize n = MIN(count, 419);
    if (n >= 20)
      g_string_append_c(z, (char)('g' + n / 20 - 1));
    if (n % 20)
      g_string_append_c(z, (char)('G' + n % 20 - 1));
    g_string_append_c(z, hex);
    count -= n;
  }
}

static void
append_gfa_data(GString *z, const guint8 *bits, int bpr, int rows)
{
  static const char hexdig[] = "0123456789ABCDEF";
  g_autofree char *row = g_malloc((gsize)bpr * 2 + 1);
  for (int r = 0; r < rows; r++) {
    const guint8 *src = bits + (gsize)r * (gsize)bpr;
    if (r > 0 && memcmp(src, src - bpr, (gsize)bpr) == 0) {
      g_string_append_c(z, ':');
      continue;
    }
    gsize n = (gsize)bpr * 2;
    for (int i = 0; i < bpr; i++) {
      row[2 * i] = hexdig[src[i] >> 4];
      row[2 * i + 1] = hexdig[src[i] & 15];
    }
    gsize end = n;
    while (end > 0 && row[end - 1] == '0')
      end--;
    char tail = end < n ? ',' : 0;
    if (!tail) {
      while (end > 0 && row[end - 1] == 'F')
        end--;
      tail = end < n ? '!' : 0;
    }
    for (gsize i = 0; i < end;) {
      gsize run = 1;
      while (i + run < end && row[i + run] == row[i])
        run++;
      if (run == 1)
        g_string_append_c(z, row[i]);
      else
        append_repeat(z, run, row[i]);
      i += run;
    }
    if (tail)
      g_string_append_c(z, tail);
  }
}

static gboolean
emit_bitmap_text(GString *z, PangoContext *ctx, const PtLabelItem *item, guint dpi,
                 const char *family, GError **error)
{
  g_autoptr(GByteArray) bits = NULL;
  int x, y, w, h;
  if (!pt_label_text_bitmap(ctx, item, dpi, family, &bits, &x, &y, &w, &h, error))
    return FALSE;
  if (bits->len > PT_ZPL_GRAPHIC_MAX) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER,
                "%s: text graphic is too large: %u bytes, at most %d", item->name, bits->len,
                PT_ZPL_GRAPHIC_MAX);
    return FALSE;
  }
  int bpr = (w + 7) / 8;
  g_string_append_printf(z, "^FO%d,%d^GFA,%u,%u,%d,", x, y, bits->len, bits->len, bpr);
  append_gfa_data(z, bits->data, bpr, h);
  g_string_append(z, "^FS\n");
  return TRUE;
}

/* @element_raw: the element string with GS separators, for DataMatrix. */
static gboolean
emit_barcode(GString *z, const PtLabelItem *item, const char *element_raw, guint dpi,
             GError **error)
{
  const PtBarcode *bc = item->barcode;
  /* ZPL magnifications and module widths stop at 10 dots. */
  int m = pt_label_module_dots(item, dpi, 10, error);
  if (m == 0)
    return FALSE;
  int bx = pt_label_dots(item->x, dpi), by = pt_label_dots(item->y, dpi);
  int bw = pt_label_dots(item->w, dpi), bh = pt_label_dots(item->h, dpi);
  int x0 = bx + (bw - bc->cols * m) / 2;
  int y0 = by + (bh - bc->rows * m) / 2;
  switch (bc->symbology) {
  case PT_SYMBOL_QR: {
    static const char ec[] = {
        [PT_QR_EC_M] = 'M', [PT_QR_EC_L] = 'L', [PT_QR_EC_Q] = 'Q', [PT_QR_EC_H] = 'H'};
    if (strpbrk(item->data, "^~")) {
      g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER,
                  "QR data '%s' contains a ZPL command character", item->data);
      return FALSE;
    }
    /* Manual byte mode with the length, like the libqrencode symbol on PNG/PDF. */
    g_string_append_printf(z, "^FO%d,%d^BQN,2,%d,%c^FD%cM,B%04zu%s^FS\n", x0, y0, m,
                           ec[item->qr_ec], ec[item->qr_ec], strlen(item->data), item->data);
    return TRUE;
  }
  case PT_SYMBOL_GS1_128: {
    /* Mode D strips parentheses from the data, so a lot containing them cannot be
     * carried. */
    int parens = 0;
    for (const char *p = item->data; *p; p++)
      parens += *p == '(' || *p == ')';
    if (parens != 2 * (int)item->n_ai) {
      g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID,
                  "'%s': ZPL's GS1-128 mode cannot carry parentheses inside a value; print "
                  "this lot as PNG or PDF",
                  item->data);
      return FALSE;
    }
    g_string_append_printf(z, "^FO%d,%d^BY%d^BCN,%d,N,N,N,D^FD%s^FS\n", x0, by, m, bh, item->data);
    return TRUE;
  }
  case PT_SYMBOL_GS1_DATAMATRIX: {
    /* FNC1 as escape sequence `1 (` is outside GS1's character set). */
    g_string_append_printf(z, "^FO%d,%d^BXN,%d,200,%d,%d,6,`^FD`1", x0, y0, m, bc->cols, bc->rows);
    for (const char *p = element_raw; *p; p++) {
      if (*p == '\x1d')
        g_string_append(z, "`1");
      else
        g_string_append_c(z, *p);
    }
    g_string_append(z, "^FS\n");
    return TRUE;
  }
  }
  g_assert_not_reached();
}

static gboolean
emit_item(GString *z, PangoContext *ctx, const PtLabelLayout *layout, const PtLabelItem *item,
          guint dpi, const char *family, GError **error)
{
  switch (item->kind) {
  case PT_ITEM_TEXT:
    return is_ascii_text(item->text) ? emit_ascii_text(z, item, dpi, error)
                                     : emit_bitmap_text(z, ctx, item, dpi, family, error);
  case PT_ITEM_BARCODE:
    return emit_barcode(z, item, layout->codes.element_raw, dpi, error);
  case PT_ITEM_RULE: {
    int t = MAX(1, pt_label_dots(item->line_pt, dpi));
    int w = pt_label_dots(item->w, dpi), h = pt_label_dots(item->h, dpi);
    g_string_append_printf(z, "^FO%d,%d^GB%d,%d,%d^FS\n", pt_label_dots(item->x, dpi),
                           pt_label_dots(item->y, dpi), w, h == 0 ? t : h, t);
    return TRUE;
  }
  }
  g_assert_not_reached();
}

/* The ZPL of @layout's static items, in item order, each ended by a NUL.
 * Returns: (transfer full) (nullable). */
static GBytes *
static_fragments(PangoContext *ctx, const PtLabelLayout *layout, guint dpi, const char *family,
                 GError **error)
{
  g_autoptr(GString) f = g_string_sized_new(8192);
  for (guint i = 0; i < layout->items->len; i++) {
    const PtLabelItem *item = g_ptr_array_index(layout->items, i);
    if (item->varies)
      continue;
    if (!emit_item(f, ctx, layout, item, dpi, family, error))
      return NULL;
    g_string_append_c(f, '\0');
    if (f->len > PT_ZPL_JOB_MAX) {
      g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER,
                  "ZPL job is too large: more than %d bytes", PT_ZPL_JOB_MAX);
      return NULL;
    }
  }
  return g_string_free_to_bytes(g_steal_pointer(&f));
}

/* Appends every item of @layout to @z: the varying ones formatted now, the static ones
 * from @fragments (as static_fragments() made them) or, when NULL, formatted now too. */
static gboolean
emit_items(GString *z, PangoContext *ctx, const PtLabelLayout *layout, GBytes *fragments, guint dpi,
           const char *family, GError **error)
{
  gsize n_frag = 0;
  const char *frag = fragments ? g_bytes_get_data(fragments, &n_frag) : NULL;
  const char *frag_end = frag + n_frag;
  for (guint i = 0; i < layout->items->len; i++) {
    const PtLabelItem *item = g_ptr_array_index(layout->items, i);
    if (frag && !item->varies) {
      gsize len = strnlen(frag, (gsize)(frag_end - frag));
      g_assert(frag + len < frag_end); /* the key names every static item */
      g_string_append_len(z, frag, (gssize)len);
      frag += len + 1;
    } else if (!emit_item(z, ctx, layout, item, dpi, family, error)) {
      return FALSE;
    }
    if (z->len > PT_ZPL_JOB_MAX) {
      g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER,
                  "ZPL job is too large: more than %d bytes", PT_ZPL_JOB_MAX);
      return FALSE;
    }
  }
  return TRUE;
}

GBytes *
pt_label_zpl_render(const PtLabelLayout *layout, guint dpi, const char *family, guint copies,
                    gboolean cached, GError **error)
{
  GBytes *ret = NULL;
  g_autoptr(GString) z = g_string_sized_new(8192);
  g_autofree char *key = NULL;
  g_autoptr(GBytes) fragments = NULL;
  PangoContext *ctx = pt_label_pango_context();
  /* Only text drawn as a graphic costs more to format than to look up. */
  gboolean worth_caching = FALSE;
  for (guint i = 0; i < layout->items->len; i++) {
    const PtLabelItem *item = g_ptr_array_index(layout->items, i);
    worth_caching |= !item->varies && item->kind == PT_ITEM_TEXT && !is_ascii_text(item->text);
  }
  if (cached && worth_caching) {
    key = pt_label_static_key(layout, PT_LABEL_ZPL, dpi, family);
    fragments = pt_label_cache_get(key);
    if (!fragments) {
      fragments = static_fragments(ctx, layout, dpi, family, error);
      if (!fragments)
        goto out_unref;
      pt_label_cache_put(key, fragments);
    }
  }
  g_string_append_printf(z, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n",
                         pt_label_dots(layout->width_pt, dpi),
                         pt_label_dots(layout->height_pt, dpi));
  if (!emit_items(z, ctx, layout, fragments, dpi, family, error))
    goto out_unref;
  /* One job with a quantity, not N jobs: the printer repeats the label itself. */
  g_string_append_printf(z, "^PQ%u\n^XZ\n", copies);
  ret = g_string_free_to_bytes(g_steal_pointer(&z));

out_unref:
  g_object_unref(ctx);
  return ret;
}
