/* pt-consumer-page.c: the consumer page rendered on the server (see pt-consumer-page.h).
 *
 * Layout, top to bottom: the co-op (logo, name) and the language switch; the recall or hold
 * banner; the product, variety and place; the verified mark's place (filled by consumer.js);
 * the photo; the facts; the grade in shopper's words with its chart; the certificates; the
 * story in event-time order (with each record's public note); the scan count, the hotline and
 * how the check works; the facts as JSON for consumer.js. */
#include "pt-consumer-page.h"
#include "pt-origin-map.h"

#include "pt-json.h"
#include "pt-limits.h"

#include <string.h>

#define DATA_ID "pt-data"

PtLang
pt_consumer_lang(const char *query, const char *cookie, const char *accept_language)
{
  if (query && (strcmp(query, "zh") == 0 || strcmp(query, "en") == 0))
    return query[0] == 'z' ? PT_LANG_ZH : PT_LANG_EN;
  if (cookie && (strcmp(cookie, "zh") == 0 || strcmp(cookie, "en") == 0))
    return cookie[0] == 'z' ? PT_LANG_ZH : PT_LANG_EN;
  if (!accept_language)
    return PT_LANG_EN;
  /* The first range the reader accepts (q > 0) of zh or en decides; others are skipped, so
   * "fr, zh-CN;q=0.8" reads Chinese and "en-GB, zh;q=0.5" English. */
  g_auto(GStrv) ranges = g_strsplit(accept_language, ",", 32);
  for (guint i = 0; ranges[i]; i++) {
    char *semi = strchr(ranges[i], ';');
    gboolean refused = FALSE;
    if (semi) {
      *semi = '\0';
      const char *q = strstr(semi + 1, "q=");
      refused = q && g_ascii_strtod(q + 2, NULL) <= 0.0;
    }
    const char *tag = g_strstrip(ranges[i]);
    if (refused)
      continue;
    if (g_ascii_strncasecmp(tag, "zh", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
      return PT_LANG_ZH;
    if (g_ascii_strncasecmp(tag, "en", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
      return PT_LANG_EN;
  }
  return PT_LANG_EN;
}

const char *
pt_consumer_lang_code(PtLang lang)
{
  return lang == PT_LANG_ZH ? "zh" : "en";
}

const char *
pt_consumer_word(const json_t *strings, PtLang lang, const char *key)
{
  json_t *pair = json_object_get(strings, key);
  return json_string_value(json_array_get(pair, lang == PT_LANG_ZH ? 1 : 0));
}

typedef struct {
  const PtConsumerPage *page;
  GString *out;
} Html;

static const char *
word(Html *h, const char *key)
{
  const char *w = pt_consumer_word(h->page->strings, h->page->lang, key);
  return w ? w : key;
}

/* @prefix:@code in the reader's words; an unknown code (after its last ':' or '-', the CBV
 * URI form) is shown as it is, underscores as spaces. */
static char *
code_words(Html *h, const char *prefix, const char *code)
{
  if (!code)
    return NULL;
  const char *last = code;
  for (const char *c = code; *c; c++)
    if (*c == ':' || *c == '/' || (*c == '-' && g_str_has_prefix(code, "urn:")))
      last = c + 1;
  g_autofree char *key = g_strconcat(prefix, ":", last, NULL);
  const char *w = pt_consumer_word(h->page->strings, h->page->lang, key);
  if (w)
    return g_strdup(w);
  return g_strdelimit(g_strdup(last), "_", ' ');
}

static void
text(Html *h, const char *s)
{
  if (!s)
    return;
  g_autofree char *valid = g_utf8_make_valid(s, -1);
  g_autofree char *esc = g_markup_escape_text(valid, -1);
  g_string_append(h->out, esc);
}

/* @tmpl's {name} replaced by the value of that name in @vars (NULL-ended pairs), escaped. */
static void
subst(Html *h, const char *tmpl, const char *const *vars)
{
  const char *p = tmpl;
  while (*p) {
    const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
    if (!close) {
      text(h, p);
      return;
    }
    g_autofree char *before = g_strndup(p, open - p);
    text(h, before);
    const char *value = NULL;
    for (guint i = 0; vars && vars[i]; i += 2)
      if (strlen(vars[i]) == (gsize)(close - open - 1) &&
          strncmp(vars[i], open + 1, close - open - 1) == 0)
        value = vars[i + 1];
    if (value)
      text(h, value);
    p = close + 1;
  }
}

static void
say(Html *h, const char *key, const char *const *vars)
{
  subst(h, word(h, key), vars);
}

static const char *
member(const json_t *o, const char *key)
{
  return json_string_value(json_object_get(o, key));
}

/* "2026-11-25T09:00:00Z" as a date (and time, @with_time) in the reader's language, UTC;
 * what does not parse is shown as it is. */
static char *
when(Html *h, const char *iso, gboolean with_time)
{
  if (!iso || !*iso)
    return g_strdup("");
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(iso, NULL);
  if (!dt) {
    /* A bare date (harvest date) */
    g_autofree char *midnight = g_strconcat(iso, "T00:00:00Z", NULL);
    dt = g_date_time_new_from_iso8601(midnight, NULL);
    with_time = FALSE;
  }
  if (!dt)
    return g_strdup(iso);
  g_autoptr(GDateTime) utc = g_date_time_to_utc(dt);
  if (h->page->lang == PT_LANG_ZH)
    return g_date_time_format(utc, with_time ? "%Y年%-m月%-d日 %H:%M (UTC)" : "%Y年%-m月%-d日");
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  g_autofree char *day =
      g_strdup_printf("%d %s %d", g_date_time_get_day_of_month(utc),
                      months[g_date_time_get_month(utc) - 1], g_date_time_get_year(utc));
  if (!with_time)
    return g_steal_pointer(&day);
  g_autofree char *hm = g_date_time_format(utc, "%H:%M UTC");
  return g_strconcat(day, ", ", hm, NULL);
}

static char *
when_ns(Html *h, gint64 ns)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(ns / G_GINT64_CONSTANT(1000000000));
  g_autofree char *iso = dt ? g_date_time_format_iso8601(dt) : NULL;
  return when(h, iso, FALSE);
}

/* The origin as a place: a country code in words, anything else as written. */
static char *
place(Html *h, const char *origin)
{
  if (!origin)
    return NULL;
  if (strlen(origin) == 2 && g_ascii_isupper(origin[0]) && g_ascii_isupper(origin[1]))
    return code_words(h, "country", origin);
  return g_strdup(origin);
}

static const char *
coop_name(Html *h)
{
  const char *name = pt_public_config_text(h->page->pub, "coop_name", h->page->lang == PT_LANG_ZH);
  return name ? name : h->page->station_name;
}

/* @field (nullable): the member of the facts this value is, verbatim, so that consumer.js can
 * check that the page shows what the signed records state. */
static void
fact(Html *h, const char *key, const char *value, const char *field)
{
  if (!value || !*value)
    return;
  g_string_append(h->out, "<dt>");
  text(h, word(h, key));
  g_string_append(h->out, field ? "</dt><dd data-f=\"" : "</dt><dd");
  if (field)
    g_string_append_printf(h->out, "%s\"", field);
  g_string_append(h->out, ">");
  text(h, value);
  g_string_append(h->out, "</dd>");
}

/* Grade classes from best to worst, as the profiles name them. */
static const char *const class_order[] = {"Extra", "I", "II", "out", NULL};

static int
class_rank(const char *name)
{
  for (int i = 0; class_order[i]; i++)
    if (g_strcmp0(class_order[i], name) == 0)
      return i;
  return G_N_ELEMENTS(class_order);
}

static gint
by_class(gconstpointer a, gconstpointer b)
{
  const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  return class_rank(member(x, "class")) - class_rank(member(y, "class"));
}

static int
percent(json_int_t count, json_int_t total)
{
  return total > 0 ? (int)((count * 100 + total / 2) / total) : 0;
}

/* The grade as a shopper reads it: the share of each class, what the lot is sold as, and
 * what "outside tolerance" means for them; a bar per class (inline SVG with its words). */
static void
grade(Html *h, const json_t *g)
{
  const json_t *classes = json_object_get(g, "classes");
  g_autoptr(GPtrArray) sorted = g_ptr_array_new();
  json_int_t total = 0;
  for (gsize i = 0; i < json_array_size(classes); i++) {
    json_t *c = json_array_get(classes, i);
    g_ptr_array_add(sorted, c);
    total += json_integer_value(json_object_get(c, "count"));
  }
  g_ptr_array_sort(sorted, by_class);
  g_string_append(h->out, "<h2>");
  text(h, word(h, "c.grade"));
  g_string_append(h->out, "</h2>");
  const char *declared = member(g, "declared_class");
  if (declared) {
    g_autofree char *name = code_words(h, "class", declared);
    const char *vars[] = {"class", name, NULL};
    g_string_append(h->out, "<p class=\"declared\">");
    say(h, "c.declared", vars);
    const char *disp = member(g, "disposition");
    if (g_strcmp0(disp, "conformant") == 0 || g_strcmp0(disp, "non_conformant") == 0) {
      g_string_append(h->out, " ");
      say(h, disp[0] == 'c' ? "c.conformant" : "c.nonConformant", NULL);
    }
    g_string_append(h->out, "</p>");
  }
  if (!total)
    return;
  GString *mix = g_string_new(NULL);
  for (guint i = 0; i < sorted->len; i++) {
    const json_t *c = g_ptr_array_index(sorted, i);
    g_autofree char *name = code_words(h, "class", member(c, "class"));
    g_autofree char *pct =
        g_strdup_printf("%d", percent(json_integer_value(json_object_get(c, "count")), total));
    const char *vars[] = {"class", name, "pct", pct, NULL};
    GString *saved = h->out;
    h->out = g_string_new(NULL);
    say(h, "c.gradeShare", vars);
    g_autofree char *share = g_string_free(h->out, FALSE);
    h->out = saved;
    if (i)
      g_string_append(mix, h->page->lang == PT_LANG_ZH ? "，" : ", ");
    g_string_append(mix, share);
  }
  g_autofree char *n = g_strdup_printf("%" JSON_INTEGER_FORMAT, total);
  g_autofree char *mix_text = g_string_free(mix, FALSE);
  /* The shares are already escaped: spliced into the template, which is ours. */
  g_autofree char *tmpl = g_markup_escape_text(word(h, "c.gradeMix"), -1);
  g_autofree char *mixed = NULL;
  {
    GString *s = g_string_new(NULL);
    for (const char *p = tmpl; *p; p++) {
      if (g_str_has_prefix(p, "{mix}")) {
        g_string_append(s, mix_text);
        p += 4;
      } else if (g_str_has_prefix(p, "{n}")) {
        g_string_append(s, n);
        p += 2;
      } else {
        g_string_append_c(s, *p);
      }
    }
    mixed = g_string_free(s, FALSE);
  }
  g_string_append_printf(h->out, "<p class=\"mix\">%s</p>", mixed);
  /* The same numbers as bars; the paragraph above is what a screen reader reads. */
  guint rows = sorted->len;
  g_string_append_printf(h->out,
                         "<svg class=\"chart\" viewBox=\"0 0 340 %u\" aria-hidden=\"true\" "
                         "focusable=\"false\">",
                         rows * 26);
  for (guint i = 0; i < rows; i++) {
    const json_t *c = g_ptr_array_index(sorted, i);
    json_int_t count = json_integer_value(json_object_get(c, "count"));
    /* The chart's labels are short: the sentence above has the full names. */
    g_autofree char *name = code_words(h, "cls", member(c, "class"));
    g_string_append_printf(h->out, "<text x=\"0\" y=\"%u\">", i * 26 + 17);
    text(h, name);
    g_string_append_printf(h->out,
                           "</text><rect x=\"110\" y=\"%u\" height=\"18\" width=\"%d\"></rect>"
                           "<text x=\"%d\" y=\"%u\">%d%%</text>",
                           i * 26 + 4, MAX(1, (int)(170 * count / total)),
                           116 + MAX(1, (int)(170 * count / total)), i * 26 + 17,
                           percent(count, total));
  }
  g_string_append(h->out, "</svg>");
}

/* The photo and certificates ------------------------------------------------------------- */

/* What the photo and certificates (pt-page-evidence.h) show is each as its signed record
 * states it: the record's number (data-n, data-cert), the file's SHA-256 (data-sha) and each
 * value verbatim (data-c, a date as <time datetime>), so that consumer.js checks them. */

/* A file's size in units every reader reads. */
static char *
file_size(json_int_t bytes)
{
  if (bytes < 1024)
    return g_strdup_printf("%" JSON_INTEGER_FORMAT " B", bytes);
  if (bytes < 1024 * 1024)
    return g_strdup_printf("%" JSON_INTEGER_FORMAT " KB", (bytes + 512) / 1024);
  return g_strdup_printf("%.1f MB", (double)bytes / (1024 * 1024));
}

/* @key's template with {@name} as @value in a <span data-c="@name"> (@value verbatim for the
 * check), the rest escaped. */
static void
say_checked(Html *h, const char *key, const char *name, const char *value)
{
  const char *tmpl = word(h, key);
  g_autofree char *mark = g_strdup_printf("{%s}", name);
  const char *at = strstr(tmpl, mark);
  g_autofree char *before = at ? g_strndup(tmpl, at - tmpl) : g_strdup(tmpl);
  text(h, before);
  if (!at)
    return;
  g_string_append_printf(h->out, "<span data-c=\"%s\">", name);
  text(h, value);
  g_string_append(h->out, "</span>");
  text(h, at + strlen(mark));
}

/* A day of a certificate, its record's text in <time datetime> and in the reader's words. */
static void
say_day(Html *h, const char *key, const char *name, const char *day)
{
  const char *tmpl = word(h, key);
  const char *at = strstr(tmpl, "{date}");
  g_autofree char *before = at ? g_strndup(tmpl, at - tmpl) : g_strdup(tmpl);
  g_autofree char *words = when(h, day, FALSE);
  g_string_append(h->out, "<span class=\"date\">");
  text(h, before);
  g_string_append_printf(h->out, "<time data-c=\"%s\" datetime=\"", name);
  text(h, day);
  g_string_append(h->out, "\">");
  text(h, words);
  g_string_append(h->out, "</time>");
  if (at)
    text(h, at + strlen("{date}"));
  g_string_append(h->out, "</span>");
}

/* The photo under the title: above the fold on a phone, so loaded at once; its size is given
 * (when the record has it) so the text below does not move when it arrives. */
static void
photo(Html *h, const json_t *data)
{
  const json_t *p = json_object_get(data, "photo");
  const char *url = member(p, "url"), *sha = member(p, "sha256");
  if (!url || !sha)
    return;
  gboolean still = g_strcmp0(member(p, "source"), "still") == 0;
  g_string_append_printf(h->out, "<figure class=\"photo\" data-n=\"%" JSON_INTEGER_FORMAT "\" ",
                         json_integer_value(json_object_get(p, "n")));
  g_string_append(h->out, "data-sha=\"");
  text(h, sha);
  g_string_append(h->out, "\"><img src=\"");
  text(h, url);
  g_string_append(h->out, "\" alt=\"");
  text(h, word(h, still ? "c.photoStillAlt" : "c.photoAlt"));
  g_string_append(h->out, "\" decoding=\"async\"");
  json_int_t w = json_integer_value(json_object_get(p, "width"));
  json_int_t ht = json_integer_value(json_object_get(p, "height"));
  if (w > 0 && ht > 0)
    g_string_append_printf(
        h->out, " width=\"%" JSON_INTEGER_FORMAT "\" height=\"%" JSON_INTEGER_FORMAT "\"", w, ht);
  g_string_append(h->out, "><figcaption id=\"photo-check\">");
  text(h, word(h, still ? "c.photoStill" : "c.photoProduct"));
  g_string_append(h->out, " · ");
  text(h, word(h, "c.signedWith"));
  g_string_append(h->out, "</figcaption></figure>");
}

/* The certificates, each with its kind in words, title (Chinese when the record has one and
 * the reader reads Chinese), issuer, dates and its file; an image's thumbnail is lazy: the
 * list is below the fold. */
static void
certificates(Html *h, const json_t *data)
{
  const json_t *list = json_object_get(data, "certificates");
  if (!json_array_size(list))
    return;
  g_string_append(h->out,
                  "<section class=\"certs\" aria-labelledby=\"certs-h\"><h2 id=\"certs-h\">");
  text(h, word(h, "c.certificates"));
  g_string_append(h->out, "</h2><ul class=\"certs\">");
  gsize i;
  const json_t *c;
  json_array_foreach(list, i, c)
  {
    const char *sha = member(c, "sha256"), *url = member(c, "url"), *kind = member(c, "kind");
    const char *title = member(c, "title"), *zh_title = member(c, "title_zh");
    const char *type = member(c, "media_type");
    if (!sha || !url || !kind || !title || !type)
      continue;
    if (h->page->lang == PT_LANG_ZH && zh_title)
      title = zh_title;
    g_string_append_printf(h->out, "<li data-cert=\"%" JSON_INTEGER_FORMAT "\" data-sha=\"",
                           json_integer_value(json_object_get(c, "n")));
    text(h, sha);
    g_string_append(h->out, "\" data-kind=\"");
    text(h, kind);
    g_string_append(h->out, "\">");
    gboolean image = g_str_has_prefix(type, "image/");
    if (image) {
      g_string_append(h->out, "<img class=\"thumb\" loading=\"lazy\" alt=\"\" src=\"");
      text(h, url);
      g_string_append(h->out, "\">");
    }
    g_autofree char *kind_words = code_words(h, "certkind", kind);
    g_string_append(h->out, "<strong class=\"kind\">");
    text(h, kind_words);
    g_string_append(h->out, "</strong> <span class=\"title\" data-c=\"title\">");
    text(h, title);
    g_string_append(h->out, "</span>");
    if (member(c, "issuer")) {
      g_string_append(h->out, "<span class=\"issuer\">");
      say_checked(h, "c.certIssuer", "issuer", member(c, "issuer"));
      g_string_append(h->out, "</span>");
    }
    if (member(c, "issued"))
      say_day(h, "c.certIssued", "issued", member(c, "issued"));
    if (member(c, "valid_until"))
      say_day(h, "c.certValidUntil", "valid_until", member(c, "valid_until"));
    g_autofree char *size = file_size(json_integer_value(json_object_get(c, "size")));
    const char *vars[] = {"size", size, NULL};
    g_string_append(h->out, "<a href=\"");
    text(h, url);
    g_string_append(h->out, "\" type=\"");
    text(h, type);
    g_string_append(h->out, "\">");
    say(h, image ? "c.certOpenImage" : "c.certOpenPdf", vars);
    g_string_append(h->out, "</a><span class=\"signed\">");
    text(h, word(h, "c.signedWith"));
    g_string_append(h->out, "</span></li>");
  }
  g_string_append(h->out, "</ul></section>");
}

/* The words of the story's step @n when it is an attachment the page shows, else NULL. */
static const char *
attachment_step(Html *h, const json_t *data, json_int_t n)
{
  const json_t *p = json_object_get(data, "photo");
  if (g_strcmp0(member(p, "source"), "product") == 0 &&
      json_integer_value(json_object_get(p, "n")) == n)
    return word(h, "c.stepPhoto");
  gsize i;
  const json_t *c;
  json_array_foreach(json_object_get(data, "certificates"), i, c)
  {
    if (json_integer_value(json_object_get(c, "n")) == n)
      return word(h, "c.stepCertificate");
  }
  return NULL;
}

/* The events' order on the page: by event time (a receiving recorded late shows where it
 * happened), record order among equal times. */
static gint
by_time(gconstpointer a, gconstpointer b)
{
  const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  g_autoptr(GDateTime) tx =
      g_date_time_new_from_iso8601(member(x, "time") ? member(x, "time") : "", NULL);
  g_autoptr(GDateTime) ty =
      g_date_time_new_from_iso8601(member(y, "time") ? member(y, "time") : "", NULL);
  int c = tx && ty ? g_date_time_compare(tx, ty) : 0;
  if (c)
    return c;
  json_int_t nx = json_integer_value(json_object_get(x, "n"));
  json_int_t ny = json_integer_value(json_object_get(y, "n"));
  return nx < ny ? -1 : nx > ny;
}

static void
story(Html *h, const json_t *data)
{
  const json_t *events = json_object_get(data, "events");
  g_autoptr(GPtrArray) sorted = g_ptr_array_new();
  for (gsize i = 0; i < json_array_size(events); i++)
    g_ptr_array_add(sorted, json_array_get(events, i));
  g_ptr_array_sort(sorted, by_time);
  g_string_append(h->out, "<h2>");
  text(h, word(h, "c.story"));
  g_string_append(h->out, "</h2><ol class=\"timeline\">");
  for (guint i = 0; i < sorted->len; i++) {
    const json_t *e = g_ptr_array_index(sorted, i);
    /* An attachment's record (bizStep inspecting, no disposition) is not a grading: its own
     * words, and a private one's plain ones. */
    const char *attached = attachment_step(h, data, json_integer_value(json_object_get(e, "n")));
    gboolean document =
        g_strcmp0(member(e, "step"), "inspecting") == 0 && !member(e, "disposition");
    g_autofree char *step = attached   ? g_strdup(attached)
                            : document ? g_strdup(word(h, "c.stepDocument"))
                                       : code_words(h, "step", member(e, "step"));
    g_autofree char *disp = code_words(h, "disp", member(e, "disposition"));
    g_autofree char *at = when(h, member(e, "time"), TRUE);
    g_string_append_printf(h->out, "<li data-n=\"%" JSON_INTEGER_FORMAT "\"><strong>",
                           json_integer_value(json_object_get(e, "n")));
    text(h, step);
    g_string_append(h->out, "</strong>");
    /* A disposition that only repeats the step ("Packed · Being packed") says nothing. */
    if (disp && g_strcmp0(member(e, "step"), "commissioning") != 0) {
      g_string_append(h->out, " <span class=\"disp\">");
      text(h, disp);
      g_string_append(h->out, "</span>");
    }
    g_string_append(h->out, "<div class=\"when\"><time datetime=\"");
    text(h, member(e, "time"));
    g_string_append(h->out, "\">");
    text(h, at);
    g_string_append(h->out, "</time></div>");
    /* The operator's words for the public, as signed (consumer.js checks them against the
     * record); in whatever language they were written. */
    const char *note = member(e, "note");
    if (note) {
      g_string_append(h->out, "<p class=\"note\">");
      text(h, note);
      g_string_append(h->out, "</p>");
    }
    if (json_is_true(json_object_get(e, "error_declaration"))) {
      g_string_append(h->out, "<div class=\"corrected\">");
      text(h, word(h, "c.corrected"));
      g_string_append(h->out, "</div>");
    }
    const char *clip = member(e, "clip");
    if (clip) {
      /* preload=metadata: the player shows the clip's first frame as its poster and knows
       * its length, a few kilobytes by Range; nothing more before the reader presses play. */
      g_string_append(h->out, "<div class=\"clip\"><video controls preload=\"metadata\" "
                              "playsinline src=\"");
      text(h, clip);
      g_string_append(h->out, "#t=0.1\" aria-label=\"");
      text(h, word(h, "c.clip"));
      g_string_append(h->out, "\"></video><a href=\"");
      text(h, clip);
      g_string_append(h->out, "\" download>");
      text(h, word(h, "c.clip"));
      g_string_append(h->out, "</a></div>");
    }
    g_string_append(h->out, "</li>");
  }
  g_string_append(h->out, "</ol>");
  /* A long batch's page lists some of its records (pt-page-view.h): it says how many it
   * leaves out and links the whole signed record. */
  json_int_t records = json_integer_value(json_object_get(data, "records"));
  const char *whole = member(data, "bundle_all");
  if (whole && records > (json_int_t)json_array_size(events)) {
    g_autofree char *m =
        g_strdup_printf("%" JSON_INTEGER_FORMAT, records - (json_int_t)json_array_size(events));
    g_autofree char *all = g_strdup_printf("%" JSON_INTEGER_FORMAT, records);
    const char *vars[] = {"m", m, "n", all, NULL};
    g_string_append(h->out, "<p class=\"notshown\">");
    say(h, "c.notShown", vars);
    g_string_append(h->out, " <a href=\"");
    text(h, whole);
    g_string_append(h->out, "\">");
    text(h, word(h, "c.wholeBundle"));
    g_string_append(h->out, "</a></p>");
  }
}

static void
hotline(Html *h)
{
  const char *phone = h->page->pub ? h->page->pub->hotline : NULL;
  if (!phone)
    return;
  g_autofree char *tel = g_strdelimit(g_strdup(phone), " ()", '-');
  g_string_append(h->out, "<p class=\"hotline\"><a href=\"tel:");
  text(h, tel);
  g_string_append(h->out, "\">");
  const char *vars[] = {"phone", phone, NULL};
  say(h, "c.hotline", vars);
  g_string_append(h->out, "</a></p>");
}

static void
banner(Html *h, const json_t *data)
{
  const char *status = member(data, "status");
  gboolean zh = h->page->lang == PT_LANG_ZH;
  if (g_strcmp0(status, "recalled") == 0) {
    g_string_append(h->out, "<div id=\"banner\" class=\"recalled\" role=\"alert\"><p><strong>");
    text(h, word(h, "c.recalled"));
    g_string_append(h->out, "</strong></p>");
    const char *reason = member(data, "status_reason");
    if (reason) {
      const char *vars[] = {"reason", reason, NULL};
      g_string_append(h->out, "<p>");
      say(h, "c.recallReason", vars);
      g_string_append(h->out, "</p>");
    }
    const char *since = member(data, "status_since");
    if (since) {
      g_autofree char *date = when(h, since, FALSE);
      const char *vars[] = {"date", date, NULL};
      g_string_append(h->out, "<p>");
      say(h, "c.recallSince", vars);
      g_string_append(h->out, "</p>");
    }
    const char *todo = pt_public_config_text(h->page->pub, "recall_instructions", zh);
    g_string_append(h->out, "<p>");
    text(h, todo ? todo : word(h, "c.recallDo"));
    g_string_append(h->out, "</p>");
    hotline(h);
    g_string_append(h->out, "</div>");
  } else if (g_strcmp0(status, "held") == 0) {
    g_string_append(h->out, "<div id=\"banner\" class=\"held\" role=\"alert\"><p>");
    text(h, word(h, "c.held"));
    g_string_append(h->out, "</p>");
    hotline(h);
    g_string_append(h->out, "</div>");
  }
}

static void
trust(Html *h, const json_t *data)
{
  g_string_append(h->out, "<section class=\"trust\">");
  if (h->page->scans > 1) {
    g_autofree char *n = g_strdup_printf("%" G_GINT64_FORMAT, h->page->scans);
    g_autofree char *date = when_ns(h, h->page->first_scan_ns);
    const char *vars[] = {"n", n, "date", date, NULL};
    g_string_append(h->out, "<p class=\"scans\">");
    say(h, "c.scans", vars);
    /* A label copied onto fake boxes is scanned many times; a genuine one a few. */
    if (h->page->scans >= PT_CONSUMER_SCAN_WARN) {
      g_string_append(h->out, " ");
      say(h, "c.scanWarn", NULL);
    }
    g_string_append(h->out, "</p>");
  } else if (h->page->scans == 1) {
    g_string_append(h->out, "<p class=\"scans\">");
    say(h, "c.scansFirst", NULL);
    g_string_append(h->out, "</p>");
  }
  hotline(h);
  g_string_append(h->out, "<details class=\"how\"><summary>");
  text(h, word(h, "c.howVerified"));
  g_string_append(h->out, "</summary><p>");
  text(h, word(h, "c.howVerifiedText"));
  g_string_append(h->out, "</p><p>");
  text(h, word(h, "c.publicKey"));
  g_string_append(h->out, ": <code class=\"key\">");
  text(h, member(data, "public_key"));
  g_string_append(h->out, "</code></p></details></section>");
}

static void
batch_body(Html *h, const json_t *data)
{
  gboolean zh = h->page->lang == PT_LANG_ZH;
  /* The banner first inside main: every part of the page is in a landmark. */
  g_string_append(h->out, "<main id=\"main\">");
  banner(h, data);
  g_string_append(h->out, "<h1 data-f=\"product\">");
  text(h, member(data, "product"));
  g_string_append(h->out, "</h1>");
  g_autofree char *origin = place(h, member(data, "origin"));
  g_string_append(h->out, "<p class=\"sub\">");
  text(h, member(data, "variety"));
  if (member(data, "variety") && origin)
    g_string_append(h->out, " · ");
  text(h, origin);
  g_string_append(h->out, "</p><p id=\"verify\" class=\"verify\" role=\"status\">");
  text(h, word(h, "c.verify"));
  g_string_append(h->out, "</p><noscript><p class=\"verify\">");
  text(h, word(h, "c.verifyNoScript"));
  g_string_append(h->out, "</p></noscript>");
  photo(h, data);
  g_string_append(h->out, "<dl class=\"facts\">");
  fact(h, "c.variety", member(data, "variety"), "variety");
  fact(h, "c.origin", origin, NULL);
  fact(h, "c.grower", member(data, "grower"), "grower");
  g_autofree char *harvested = when(h, member(data, "harvest_date"), FALSE);
  g_autofree char *packed = when(h, member(data, "pack_date"), FALSE);
  fact(h, "c.harvested", harvested, NULL);
  fact(h, "c.packed", packed, NULL);
  const char *town = pt_public_config_text(h->page->pub, "town", zh);
  g_autofree char *by =
      town ? g_strconcat(coop_name(h), zh ? "，" : ", ", town, NULL) : g_strdup(coop_name(h));
  fact(h, "c.packedBy", by, NULL);
  fact(h, "c.lot", member(data, "lot"), "lot");
  fact(h, "c.gtin", member(data, "gtin"), "gtin");
  g_string_append(h->out, "</dl>");
  /* Where it was packed, drawn here (no map service): the shed's town, else its name. */
  g_autofree char *map =
      h->page->has_location
          ? pt_origin_map_svg(h->page->latitude, h->page->longitude, town ? town : coop_name(h))
          : NULL;
  if (map)
    g_string_append(h->out, map);
  const json_t *g = json_object_get(data, "grading");
  if (json_is_object(g))
    grade(h, g);
  certificates(h, data);
  story(h, data);
  trust(h, data);
  g_string_append(h->out, "</main>");
}

static void
unknown_body(Html *h, const json_t *data)
{
  g_string_append(h->out, "<main id=\"main\"><div id=\"banner\" class=\"unknown\" "
                          "role=\"alert\"><h1>");
  text(h, word(h, "c.unknownTitle"));
  g_string_append(h->out, "</h1><p class=\"unknown-text\">");
  const char *vars[] = {"lot", member(data, "lot"), "product", member(data, "product"), NULL};
  say(h, "c.unknownText", vars);
  g_string_append(h->out, "</p>");
  hotline(h);
  g_string_append(h->out, "</div></main>");
}

static void
product_body(Html *h, const json_t *data)
{
  g_string_append(h->out, "<main id=\"main\"><h1>");
  text(h, member(data, "product") ? member(data, "product") : member(data, "gtin"));
  g_string_append(h->out, "</h1><p class=\"sub\">");
  text(h, word(h, "c.productPage"));
  g_string_append(h->out, "</p><dl class=\"facts\">");
  fact(h, "c.gtin", member(data, "gtin"), NULL);
  g_autofree char *n = g_strdup_printf("%" JSON_INTEGER_FORMAT,
                                       json_integer_value(json_object_get(data, "batches")));
  g_string_append(h->out, "<dt>");
  const char *vars[] = {"n", n, NULL};
  say(h, "c.batches", vars);
  g_string_append(h->out, "</dt><dd></dd></dl>");
  hotline(h);
  g_string_append(h->out, "</main>");
}

static void
meta(Html *h, const char *property, const char *content)
{
  g_string_append_printf(h->out, "<meta property=\"%s\" content=\"", property);
  text(h, content);
  g_string_append(h->out, "\">");
}

static void
head(Html *h, const json_t *data, const char *kind)
{
  const PtConsumerPage *p = h->page;
  gboolean zh = p->lang == PT_LANG_ZH;
  GString *title = g_string_new(NULL), *desc = g_string_new(NULL);
  if (strcmp(kind, "batch") == 0) {
    g_string_append_printf(title, "%s · %s", member(data, "product"), member(data, "lot"));
    g_autofree char *origin = place(h, member(data, "origin"));
    const char *parts[] = {member(data, "variety"), origin, member(data, "grower"), coop_name(h)};
    for (guint i = 0; i < G_N_ELEMENTS(parts); i++)
      if (parts[i] && *parts[i])
        g_string_append_printf(desc, "%s%s", desc->len ? " · " : "", parts[i]);
    if (g_strcmp0(member(data, "status"), "recalled") == 0)
      g_string_prepend(desc, zh ? "⚠ 已召回 · " : "⚠ Recalled · ");
  } else if (strcmp(kind, "unknown_lot") == 0) {
    g_string_append(title, word(h, "c.unknownTitle"));
    g_string_append(desc, word(h, "c.unknownTitle"));
  } else {
    g_string_append(title, member(data, "product") ? member(data, "product") : "");
    g_string_append(desc, word(h, "c.productPage"));
  }
  g_string_append_printf(h->out, "<!doctype html>\n<html lang=\"%s\">\n<head>\n",
                         zh ? "zh-CN" : "en");
  g_string_append(h->out, "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
                          "content=\"width=device-width,initial-scale=1\">\n<title>");
  text(h, title->str);
  g_string_append(h->out, "</title>\n<meta name=\"description\" content=\"");
  text(h, desc->str);
  g_string_append(h->out, "\">\n");
  meta(h, "og:type", "website");
  meta(h, "og:title", title->str);
  meta(h, "og:description", desc->str);
  /* The lot's photo when it has one: a shared link previews the produce, not a logo. */
  const char *photo_url = member(json_object_get(data, "photo"), "url");
  g_autofree char *image = g_strconcat(p->origin ? p->origin : "",
                                       photo_url     ? photo_url
                                       : p->logo_url ? p->logo_url
                                                     : "/static/favicon.png",
                                       NULL);
  meta(h, "og:image", image);
  g_autofree char *url = g_strconcat(p->origin ? p->origin : "", p->path ? p->path : "", NULL);
  meta(h, "og:url", url);
  meta(h, "og:locale", zh ? "zh_CN" : "en_US");
  g_string_append(h->out, "\n<link rel=\"icon\" href=\"/static/favicon.svg\" "
                          "type=\"image/svg+xml\">\n");
  /* The signed bundle the script checks, fetched while the script itself arrives. */
  const char *bundle = member(data, "bundle");
  if (strcmp(kind, "batch") == 0 && bundle) {
    g_string_append(h->out, "<link rel=\"preload\" as=\"fetch\" crossorigin=\"anonymous\" href=\"");
    text(h, bundle);
    g_string_append(h->out, "\">\n");
  }
  if (p->css)
    g_string_append_printf(h->out, "<style>%s</style>\n", p->css);
  else
    g_string_append(h->out, "<link rel=\"stylesheet\" href=\"/static/consumer.css\">\n");
  g_string_append(h->out, "</head>\n<body>\n<header>");
  g_string_append(h->out, "<span class=\"brand\">");
  if (p->logo_url) {
    g_string_append(h->out, "<img src=\"");
    text(h, p->logo_url);
    g_string_append(h->out, "\" alt=\"\" height=\"28\">");
  }
  text(h, coop_name(h));
  /* The switch is a link: it works without the script, and the answer sets the cookie. */
  g_string_append(h->out, "</span><a id=\"lang\" href=\"");
  text(h, p->path ? p->path : "");
  g_string_append_printf(h->out, "?lang=%s\" hreflang=\"%s\" lang=\"%s\">", zh ? "en" : "zh",
                         zh ? "en" : "zh", zh ? "en" : "zh-CN");
  text(h, word(h, "c.switchTo"));
  g_string_append(h->out, "</a></header>\n");
  g_string_free(title, TRUE);
  g_string_free(desc, TRUE);
}

/* The words consumer.js says, in the page's language: it needs no table of its own. */
static char *
script_words(Html *h)
{
  static const char *const keys[] = {"c.verified", "c.verifiedView", "c.verifiedPrivate",
                                     "c.private", "c.unverified", "c.factsDiffer", "c.nocrypto",
                                     /* the photo's and certificates' check */
                                     "c.photoChecked", "certkind:residue-test", "certkind:gi-mark",
                                     "certkind:organic", "certkind:other", NULL};
  json_t *words = json_object();
  for (guint i = 0; keys[i]; i++)
    json_object_set_new(words, g_str_has_prefix(keys[i], "c.") ? keys[i] + 2 : keys[i],
                        json_string(word(h, keys[i])));
  char *s = json_dumps(words, JSON_COMPACT);
  json_decref(words);
  char *copy = g_strdup(s);
  free(s);
  return copy;
}

static void
embed_json(Html *h, const char *id, const char *json)
{
  const char *mark = "@J@";
  g_autofree char *shell =
      g_strdup_printf("<script id=\"%s\" type=\"application/json\">%s</script>\n", id, mark);
  gsize len = 0;
  g_autofree char *out = pt_json_embed_in_html(shell, strlen(shell), mark, json, &len);
  g_string_append_len(h->out, out, len);
}

char *
pt_consumer_page_csp(const char *css)
{
  guint8 digest[32];
  gsize n = sizeof digest;
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(sum, (const guchar *)css, strlen(css));
  g_checksum_get_digest(sum, digest, &n);
  g_autofree char *b64 = g_base64_encode(digest, n);
  return g_strdup_printf("default-src 'none'; script-src 'self'; style-src 'sha256-%s'; "
                         "img-src 'self' data:; media-src 'self'; connect-src 'self'; "
                         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                         b64);
}

char *
pt_consumer_page_render(const PtConsumerPage *page, gsize *len_out)
{
  Html h = {.page = page, .out = g_string_sized_new(8192)};
  const json_t *data = page->data;
  const char *kind = member(data, "kind") ? member(data, "kind") : "batch";
  head(&h, data, kind);
  if (strcmp(kind, "batch") == 0)
    batch_body(&h, data);
  else if (strcmp(kind, "unknown_lot") == 0)
    unknown_body(&h, data);
  else
    product_body(&h, data);
  g_string_append(h.out, "<footer>");
  const char *vars[] = {"coop", coop_name(&h), NULL};
  say(&h, "c.tracedBy", vars);
  g_string_append(h.out, "</footer>\n");
  if (strcmp(kind, "batch") == 0) {
    char *json = json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(15));
    embed_json(&h, DATA_ID, json);
    free(json);
    g_autofree char *words = script_words(&h);
    embed_json(&h, "pt-words", words);
    g_string_append(h.out, "<script src=\"/static/pt-verify.js\"></script>\n"
                           "<script src=\"/static/consumer.js\"></script>\n");
  }
  g_string_append(h.out, "</body>\n</html>\n");
  if (len_out)
    *len_out = h.out->len;
  return g_string_free(h.out, FALSE);
}
