/* pt-consumer-page.h: the consumer page (what a shopper's phone opens from the QR code),
 * rendered on the server in the reader's language, for the station (http/pt-web.c) and the
 * hub (hub/pt-hub-web.c) alike.
 *
 * It is rendered from the page's public facts (the JSON both servers build from the signed
 * records: kind "batch", "product" or "unknown_lot"), the one translation table
 * (web-ui/i18n.json: {key: [English, Chinese]}) and the [public] section of station.ini, so
 * the whole story reads without JavaScript; the facts are also embedded for consumer.js, whose
 * only work is the signature check (the verified mark).  Every text from the records or the
 * config is escaped; no code (a CBV step, a disposition, a class, a country) is shown where
 * the table has words for it.
 *
 * Workload: one render per page view (the scan count and the language differ per view); a
 * render is string building over tens of events, far below the cost of reading them. */
#pragma once

#include "pt-public-config.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef enum {
  PT_LANG_EN = 0,
  PT_LANG_ZH = 1,
} PtLang;

/* The name of the cookie that keeps a reader's choice of language. */
#define PT_CONSUMER_LANG_COOKIE "pt_lang"

/* The reader's language: @query (?lang=, nullable) first, then the cookie's value @cookie
 * (nullable), then @accept_language (nullable): zh for a first zh-* range with q > 0, en
 * otherwise. */
PtLang pt_consumer_lang(const char *query, const char *cookie, const char *accept_language);
/* "en" or "zh". */
const char *pt_consumer_lang_code(PtLang lang);

typedef struct {
  PtLang lang;
  const json_t *strings;     /* (transfer none): the translation table */
  const json_t *data;        /* (transfer none): the page's public facts */
  const PtPublicConfig *pub; /* (transfer none) (nullable): [public] */
  const char *station_name;  /* shown when [public] has no coop_name */
  const char *origin;        /* "https://HOST": Open Graph needs absolute URLs */
  const char *path;          /* the page's path without its query, for the language switch */
  const char *logo_url;      /* (nullable): the co-op's logo, a path on this server (the station's
                              * /static/coop-logo, the hub's /logo/{sha256}); NULL: none */
  gint64 scans;              /* views of the page so far, this one included; 0: not counted */
  gint64 first_scan_ns;      /* the first view's time (UTC ns), when @scans > 0 */
  const char *css;           /* (nullable): the page's style sheet, put inline (one round trip less
                              * before the text shows); NULL: linked */
  /* The shed's place ([station] location): a small map of its country (pt-origin-map.h). */
  gboolean has_location;
  double latitude, longitude;
} PtConsumerPage;

/* Returns: (transfer full): the page's HTML; its length in @len_out (nullable). */
char *pt_consumer_page_render(const PtConsumerPage *page, gsize *len_out);

/* Returns: (transfer full): the Content-Security-Policy of a page rendered with @css inline:
 * the servers' page policy with that one style allowed by its SHA-256. */
char *pt_consumer_page_csp(const char *css);

/* Returns: (transfer none): @key's text in @lang from @strings, or NULL when it has none. */
const char *pt_consumer_word(const json_t *strings, PtLang lang, const char *key);

G_END_DECLS
