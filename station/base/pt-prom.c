/* pt-prom.c: Prometheus text exposition, the few rules that matter: escaped HELP text and
 * label values, and numbers that Prometheus reads back (integers exact, +Inf/NaN spelt). */
#include "pt-prom.h"

#include <math.h>
#include <stdarg.h>

static void
append_escaped(GString *out, const char *text, gboolean quote)
{
  for (const char *p = text ? text : ""; *p; p++) {
    if (*p == '\\')
      g_string_append(out, "\\\\");
    else if (*p == '\n')
      g_string_append(out, "\\n");
    else if (quote && *p == '"')
      g_string_append(out, "\\\"");
    else
      g_string_append_c(out, *p);
  }
}

void
pt_prom_family(GString *out, const char *name, const char *type, const char *help)
{
  g_string_append_printf(out, "# HELP %s ", name);
  append_escaped(out, help, FALSE);
  g_string_append_printf(out, "\n# TYPE %s %s\n", name, type);
}

void
pt_prom_sample(GString *out, const char *name, double value, ...)
{
  g_string_append(out, name);
  va_list ap;
  va_start(ap, value);
  const char *label = va_arg(ap, const char *);
  if (label) {
    g_string_append_c(out, '{');
    for (gboolean first = TRUE; label; label = va_arg(ap, const char *), first = FALSE) {
      const char *v = va_arg(ap, const char *);
      g_string_append_printf(out, "%s%s=\"", first ? "" : ",", label);
      append_escaped(out, v, TRUE);
      g_string_append_c(out, '"');
    }
    g_string_append_c(out, '}');
  }
  va_end(ap);
  if (isnan(value))
    g_string_append(out, " NaN\n");
  else if (isinf(value))
    g_string_append(out, value > 0 ? " +Inf\n" : " -Inf\n");
  else if (value == floor(value) && fabs(value) < 9e15)
    g_string_append_printf(out, " %.0f\n", value);
  else {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_printf(out, " %s\n", g_ascii_dtostr(buf, sizeof buf, value));
  }
}
