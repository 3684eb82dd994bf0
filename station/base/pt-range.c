/* pt-range.c: the Range header's reader (see pt-range.h).  Untrusted input: every number is
 * read with g_ascii_string_to_unsigned(), bounded by the body's size. */
#include "pt-range.h"

#include <string.h>

static gboolean
read_number(const char *text, gsize n, guint64 *out)
{
  if (n == 0 || n > 20)
    return FALSE;
  char buf[21];
  memcpy(buf, text, n);
  buf[n] = '\0';
  return g_ascii_string_to_unsigned(buf, 10, 0, G_MAXUINT64, out, NULL);
}

PtRangeAnswer
pt_range_parse(const char *header, guint64 size, guint64 *start_out, guint64 *len_out)
{
  if (!header || !g_str_has_prefix(header, "bytes="))
    return PT_RANGE_NONE;
  const char *spec = header + strlen("bytes=");
  while (*spec == ' ')
    spec++;
  const char *dash = strchr(spec, '-');
  if (!dash || strchr(spec, ','))
    return PT_RANGE_NONE;
  const char *end = dash + 1 + strlen(dash + 1);
  while (end > dash + 1 && end[-1] == ' ')
    end--;
  gsize n_first = (gsize)(dash - spec), n_last = (gsize)(end - dash - 1);
  guint64 first = 0, last = 0;
  if (n_first == 0) {
    /* "bytes=-N": the last N bytes. */
    if (!read_number(dash + 1, n_last, &last))
      return PT_RANGE_NONE;
    if (last == 0 || size == 0)
      return PT_RANGE_UNSATISFIABLE;
    *len_out = MIN(last, size);
    *start_out = size - *len_out;
    return PT_RANGE_PARTIAL;
  }
  if (!read_number(spec, n_first, &first))
    return PT_RANGE_NONE;
  if (n_last && !read_number(dash + 1, n_last, &last))
    return PT_RANGE_NONE;
  /* "bytes=9-5" selects no byte at all. */
  if (n_last && last < first)
    return PT_RANGE_UNSATISFIABLE;
  if (first >= size)
    return PT_RANGE_UNSATISFIABLE;
  if (!n_last || last >= size)
    last = size - 1;
  *start_out = first;
  *len_out = last - first + 1;
  return PT_RANGE_PARTIAL;
}

char *
pt_range_content_range(guint64 start, guint64 len, guint64 size)
{
  if (len == 0)
    return g_strdup_printf("bytes */%" G_GUINT64_FORMAT, size);
  return g_strdup_printf("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                         start, start + len - 1, size);
}
