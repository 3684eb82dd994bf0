/* pt-json-scan.c: a windowed, non-building JSON reader (see pt-json-scan.h).  Its hot loop is
 * skipping: verify passes over a bundle's events once to find where the proofs start, so a
 * string is skipped a run of plain bytes at a time. */
#include "pt-json-scan.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

struct _PtJsonScan {
  int fd;    /* -1: @buf is the caller's memory, all of it */
  char *buf; /* bytes [base, base + len) of the input */
  gsize len, cap;
  goffset base;
  gsize pos;         /* the next byte is buf[pos] */
  gssize mark;       /* start of the value being captured, -1 for none */
  gsize capture_max; /* its bound while @mark is set */
  gboolean eof;      /* nothing after base + len */
  gboolean too_large;
  int read_errno;
};

PtJsonScan *
pt_json_scan_new_mem(const char *data, gsize len)
{
  PtJsonScan *s = g_new0(PtJsonScan, 1);
  s->fd = -1;
  s->buf = (char *)data;
  s->len = len;
  s->mark = -1;
  s->eof = TRUE;
  return s;
}

PtJsonScan *
pt_json_scan_new_fd(int fd, gsize window)
{
  PtJsonScan *s = g_new0(PtJsonScan, 1);
  s->fd = fd;
  s->cap = MAX(window, 1);
  s->buf = g_malloc(s->cap);
  s->mark = -1;
  return s;
}

void
pt_json_scan_free(PtJsonScan *s)
{
  if (!s)
    return;
  if (s->fd >= 0)
    g_free(s->buf);
  g_free(s);
}

goffset
pt_json_scan_offset(const PtJsonScan *s)
{
  return s->base + (goffset)s->pos;
}

void
pt_json_scan_seek(PtJsonScan *s, goffset offset)
{
  s->mark = -1;
  if (offset >= s->base && offset <= s->base + (goffset)s->len) {
    s->pos = (gsize)(offset - s->base);
    return;
  }
  /* Only a file is read from elsewhere: memory holds every offset it reported. */
  s->base = offset;
  s->len = s->pos = 0;
  s->eof = FALSE;
}

/* Reads more of the file behind the window, keeping the value being captured.  FALSE when
 * nothing more can be had (the end, a read error, a capture over its bound). */
static gboolean
fill(PtJsonScan *s)
{
  if (s->eof)
    return FALSE;
  gsize keep = s->mark >= 0 ? (gsize)s->mark : s->pos;
  if (keep > 0) {
    memmove(s->buf, s->buf + keep, s->len - keep);
    s->base += (goffset)keep;
    s->len -= keep;
    s->pos -= keep;
    if (s->mark >= 0)
      s->mark = 0;
  }
  if (s->len == s->cap) {
    if (s->mark >= 0 && s->len > s->capture_max) {
      s->too_large = TRUE;
      return FALSE;
    }
    s->cap *= 2;
    s->buf = g_realloc(s->buf, s->cap);
  }
  for (;;) {
    ssize_t n = pread(s->fd, s->buf + s->len, s->cap - s->len, s->base + (goffset)s->len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n < 0)
        s->read_errno = errno;
      s->eof = TRUE;
      return FALSE;
    }
    s->len += (gsize)n;
    return TRUE;
  }
}

static inline int
byte_at(PtJsonScan *s)
{
  if (s->pos < s->len || fill(s))
    return (guchar)s->buf[s->pos];
  return -1;
}

int
pt_json_scan_peek(PtJsonScan *s)
{
  for (;;) {
    int c = byte_at(s);
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return c;
    s->pos++;
  }
}

static gboolean G_GNUC_PRINTF(3, 4) fail(PtJsonScan *s, GError **error, const char *fmt, ...)
{
  if (s->read_errno) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot read it: %s", g_strerror(s->read_errno));
    return FALSE;
  }
  if (s->too_large) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "a value at byte %" G_GINT64_FORMAT " is over %zu bytes",
                s->base + (goffset)s->mark, s->capture_max);
    return FALSE;
  }
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED,
              "malformed JSON at byte %" G_GINT64_FORMAT ": %s", pt_json_scan_offset(s), what);
  return FALSE;
}

/* What a reader is told it found. */
static const char *
found(int c)
{
  static const char *const printable[] = {"'{'", "'}'", "'['", "']'", "','", "':'", "'\"'"};
  const char *chars = "{}[],:\"";
  if (c < 0)
    return "the end";
  const char *at = strchr(chars, c);
  return at && c ? printable[at - chars] : "another character";
}

gboolean
pt_json_scan_expect(PtJsonScan *s, char c, GError **error)
{
  int got = pt_json_scan_peek(s);
  if (got != (guchar)c)
    return fail(s, error, "expected '%c', found %s", c, found(got));
  s->pos++;
  return TRUE;
}

gboolean
pt_json_scan_more(PtJsonScan *s, char close, gboolean first, gboolean *more, GError **error)
{
  int c = pt_json_scan_peek(s);
  if (c == (guchar)close) {
    s->pos++;
    *more = FALSE;
    return TRUE;
  }
  if (first) {
    *more = TRUE;
    return TRUE;
  }
  if (c != ',')
    return fail(s, error, "expected ',' or '%c', found %s", close, found(c));
  s->pos++;
  *more = TRUE;
  return TRUE;
}

/* Past a string whose opening quote is next; its content is checked by whoever parses it. */
static gboolean
skip_string(PtJsonScan *s, GError **error)
{
  s->pos++;
  for (;;) {
    /* A run of plain bytes at once: most of a bundle is inside strings. */
    while (s->pos < s->len && s->buf[s->pos] != '"' && s->buf[s->pos] != '\\')
      s->pos++;
    int c = byte_at(s);
    if (c < 0)
      return fail(s, error, "unterminated string");
    /* The window was refilled in the middle of the run. */
    if (c != '"' && c != '\\')
      continue;
    s->pos++;
    if (c == '"')
      return TRUE;
    if (byte_at(s) < 0)
      return fail(s, error, "unterminated string");
    s->pos++;
  }
}

static gboolean
is_scalar_byte(int c)
{
  return g_ascii_isalnum(c) || c == '-' || c == '+' || c == '.';
}

/* An object's key and ':' inside a skipped value. */
static gboolean
skip_key(PtJsonScan *s, GError **error)
{
  int c = pt_json_scan_peek(s);
  if (c != '"')
    return fail(s, error, "expected a key, found %s", found(c));
  return skip_string(s, error) && pt_json_scan_expect(s, ':', error);
}

gboolean
pt_json_scan_skip(PtJsonScan *s, gsize *n_items, GError **error)
{
  char open[PT_JSON_DEPTH_MAX];
  int depth = 0;
  gsize items = 0;
  if (!n_items)
    n_items = &items;
  *n_items = 0;
  for (;;) {
    /* A value starts here. */
    if (depth == 1 && open[0] == '[')
      ++*n_items;
    int c = pt_json_scan_peek(s);
    if (c == '{' || c == '[') {
      if (depth == PT_JSON_DEPTH_MAX)
        return fail(s, error, "nested deeper than %d", PT_JSON_DEPTH_MAX);
      s->pos++;
      open[depth++] = (char)c;
      int d = pt_json_scan_peek(s);
      if (d != (c == '{' ? '}' : ']')) {
        if (c == '{' && !skip_key(s, error))
          return FALSE;
        continue;
      }
      s->pos++;
      depth--;
    } else if (c == '"') {
      if (!skip_string(s, error))
        return FALSE;
    } else if (c >= 0 && is_scalar_byte(c)) {
      while (is_scalar_byte(byte_at(s)))
        s->pos++;
    } else {
      return fail(s, error, "expected a value, found %s", found(c));
    }
    /* After a value: the next element, or the ends of the containers it closes. */
    for (;;) {
      if (depth == 0)
        return TRUE;
      char close = open[depth - 1] == '{' ? '}' : ']';
      int d = pt_json_scan_peek(s);
      if (d == close) {
        s->pos++;
        depth--;
        continue;
      }
      if (d != ',')
        return fail(s, error, "expected ',' or '%c', found %s", close, found(d));
      s->pos++;
      if (open[depth - 1] == '{' && !skip_key(s, error))
        return FALSE;
      break;
    }
  }
}

const char *
pt_json_scan_value(PtJsonScan *s, gsize max, gsize *len_out, GError **error)
{
  pt_json_scan_peek(s);
  s->mark = (gssize)s->pos;
  s->capture_max = max;
  gboolean ok = pt_json_scan_skip(s, NULL, error);
  gsize start = (gsize)s->mark;
  s->mark = -1;
  if (!ok)
    return NULL;
  if (s->pos - start > max) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "a value at byte %" G_GINT64_FORMAT " is over %zu bytes", s->base + (goffset)start,
                max);
    return NULL;
  }
  *len_out = s->pos - start;
  return s->buf + start;
}

char *
pt_json_scan_key(PtJsonScan *s, GError **error)
{
  int c = pt_json_scan_peek(s);
  if (c != '"') {
    fail(s, error, "expected a key, found %s", found(c));
    return NULL;
  }
  gsize len = 0;
  const char *text = pt_json_scan_value(s, PT_JSON_SCAN_KEY_MAX, &len, error);
  if (!text)
    return NULL;
  char *key = NULL;
  if (!memchr(text, '\\', len)) {
    /* Refused as jansson would: a raw NUL, control byte or bad UTF-8 in a key. */
    gboolean plain = g_utf8_validate(text + 1, (gssize)len - 2, NULL);
    for (gsize i = 1; plain && i + 1 < len; i++)
      plain = (guchar)text[i] >= 0x20;
    key = plain ? g_strndup(text + 1, len - 2) : NULL;
  } else {
    /* Escapes are rare in a key: jansson decodes them as it would have whole. */
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY, NULL);
    if (json_is_string(v))
      key = g_strdup(json_string_value(v));
    json_decref(v);
  }
  if (!key) {
    fail(s, error, "a key that is not a valid string");
    return NULL;
  }
  if (!pt_json_scan_expect(s, ':', error)) {
    g_free(key);
    return NULL;
  }
  return key;
}

gboolean
pt_json_scan_copy(PtJsonScan *s, goffset offset, gsize len, GString *out, GError **error)
{
  if (s->fd < 0) {
    g_assert(offset >= 0 && (gsize)offset + len <= s->len);
    g_string_append_len(out, s->buf + offset, (gssize)len);
    return TRUE;
  }
  gsize at = out->len;
  g_string_set_size(out, at + len);
  for (gsize done = 0; done < len;) {
    ssize_t n = pread(s->fd, out->str + at + done, len - done, offset + (goffset)done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot read it: %s",
                  n < 0 ? g_strerror(errno) : "it is shorter than it was");
      return FALSE;
    }
    done += (gsize)n;
  }
  return TRUE;
}
