/* pt-hub-quality.c: the co-op's quality index (see pt-hub-quality.h). */
#include "pt-hub-quality.h"

#include "pt-error.h"
#include "pt-hub-buyer.h"
#include "pt-limits.h"

#include <gio/gio.h>
#include <string.h>

gboolean
pt_hub_week_monday(const char *date, char monday_out[11])
{
  guint64 y = 0, m = 0, d = 0;
  if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
    return FALSE;
  char buf[11];
  memcpy(buf, date, sizeof buf);
  buf[4] = buf[7] = '\0';
  if (!g_ascii_string_to_unsigned(buf, 10, 1, 9999, &y, NULL) ||
      !g_ascii_string_to_unsigned(buf + 5, 10, 1, 12, &m, NULL) ||
      !g_ascii_string_to_unsigned(buf + 8, 10, 1, 31, &d, NULL) ||
      !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
    return FALSE;
  GDate day;
  g_date_clear(&day, 1);
  g_date_set_dmy(&day, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
  g_date_subtract_days(&day, g_date_get_weekday(&day) - G_DATE_MONDAY);
  g_snprintf(monday_out, 11, "%04u-%02u-%02u", g_date_get_year(&day), g_date_get_month(&day),
             g_date_get_day(&day));
  return TRUE;
}

static const char *const quality_params[] = {"by",   "station", "grower", "variety",
                                             "from", "to",      NULL};

/* GET /api/v1/quality */
static void
quality_index(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  PtHubRole role;
  g_autofree char *gln = NULL;
  if (!pt_hub_authorize(call, reply, &role, &gln) ||
      !pt_hub_args_check(args, quality_params, reply))
    return;
  PtHubQualityQuery q = {
      .group = PT_HUB_QUALITY_BY_WEEK,
      .station = pt_hub_args_get(args, "station"),
      .grower = pt_hub_args_get(args, "grower"),
      .variety = pt_hub_args_get(args, "variety"),
  };
  const char *by = pt_hub_args_get(args, "by");
  static const char *const groups[] = {"week", "station", "grower", "variety"};
  if (by) {
    gboolean ok = FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(groups) && !ok; i++)
      if (strcmp(by, groups[i]) == 0) {
        q.group = (PtHubQualityGroup)i;
        ok = TRUE;
      }
    if (!ok) {
      pt_hub_reply_error(reply, 400, "by is week, station, grower or variety");
      return;
    }
  }
  const char *texts[] = {q.station, q.grower, q.variety};
  for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
    if (texts[i] && strlen(texts[i]) > PT_HUB_NAME_MAX) {
      pt_hub_reply_error(reply, 400, "a filter is too long");
      return;
    }
  char from[11], to[11];
  const char *f = pt_hub_args_get(args, "from"), *t = pt_hub_args_get(args, "to");
  if ((f && !pt_hub_week_monday(f, from)) || (t && !pt_hub_week_monday(t, to))) {
    pt_hub_reply_error(reply, 400, "from and to are dates, YYYY-MM-DD");
    return;
  }
  q.from_week = f ? from : NULL;
  q.to_week = t ? to : NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = pt_hub_store_quality_json(call->store, &q, &error);
  if (!rows) {
    pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    return;
  }
  char *body = g_strdup_printf("{\"by\":\"%s\",\"groups\":%s}", groups[q.group], rows);
  pt_hub_reply_take(reply, 200, "application/json", body);
}

static enum MHD_Result
on_quality(const PtHubCall *call)
{
  return pt_hub_reply_run(call, quality_index);
}

/* The co-op page and its script (web-ui/coop.html, coop.js): anyone may load them; the data
 * they draw needs a token. */
#define COOP_CSP                                                                                   \
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "  \
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static void
coop_page(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  pt_hub_reply_resource(reply, "/packtrace/web/coop.html", "text/html; charset=utf-8", COOP_CSP);
}

static void
coop_script(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  pt_hub_reply_resource(reply, "/packtrace/web/coop.js", "text/javascript; charset=utf-8",
                        COOP_CSP);
}

static enum MHD_Result
on_coop(const PtHubCall *call)
{
  return pt_hub_reply_run(call, coop_page);
}

static enum MHD_Result
on_coop_js(const PtHubCall *call)
{
  return pt_hub_reply_run(call, coop_script);
}

static const PtHubRoute routes[] = {
    {"/api/v1/quality", on_quality},
    {"/coop", on_coop},
    {"/coop.js", on_coop_js},
};

const PtHubRouteTable pt_hub_quality_routes = {routes, G_N_ELEMENTS(routes)};
