/* pt-printer-config.c: [printer NAME] sections of station.ini (see pt-printer-config.h).
 * Workload: read once at start; a station has a handful of printers, so look-ups walk the
 * list. */
#include "pt-printer-config.h"

#include "pt-error.h"
#include "pt-labels-limits.h"
#include "pt-limits.h"

#include <gio/gio.h>
#include <string.h>

#define SECTION_PREFIX "printer "

void
pt_printer_free(PtPrinter *printer)
{
  if (!printer)
    return;
  g_free(printer->name);
  g_free(printer->address);
  g_free(printer->label);
  g_free(printer);
}

static gboolean
valid_name(const char *name)
{
  gsize n = strlen(name);
  if (n < 1 || n > PT_PRINTER_NAME_MAX)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

static gboolean
valid_address(const char *text)
{
  g_autoptr(GSocketConnectable) a = g_network_address_parse(text, PT_PRINT_DEFAULT_PORT, NULL);
  return a != NULL && strlen(text) <= 255 && !strpbrk(text, " \t/");
}

/* The value of @key, stripped; NULL when absent. */
static char *
get(GKeyFile *kf, const char *group, const char *key)
{
  char *v = g_key_file_get_string(kf, group, key, NULL);
  return v ? g_strstrip(v) : NULL;
}

static PtPrinter *
load_one(GKeyFile *kf, const char *path, const char *group, PtLabelTemplate fallback,
         GError **error)
{
  static const char *const known[] = {"address", "label", "template", "default", NULL};
  const char *name = group + strlen(SECTION_PREFIX);
  if (!valid_name(name)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [%s]: a printer's name is 1 to %d of A-Z a-z 0-9 _ -", path, group,
                PT_PRINTER_NAME_MAX);
    return NULL;
  }
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  for (guint i = 0; keys && keys[i]; i++)
    if (!g_strv_contains(known, keys[i])) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                  "%s: [%s] %s: unknown key (a printer has address, label, template, default)",
                  path, group, keys[i]);
      return NULL;
    }
  g_autoptr(PtPrinter) p = g_new0(PtPrinter, 1);
  p->name = g_strdup(name);
  p->address = get(kf, group, "address");
  if (!p->address || !*p->address) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [%s] address is missing (HOST or HOST:PORT, raw TCP, port 9100 by default)",
                path, group);
    return NULL;
  }
  if (!valid_address(p->address)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [%s] address '%s' is not HOST or HOST:PORT",
                path, group, p->address);
    return NULL;
  }
  p->label = get(kf, group, "label");
  if (p->label && !*p->label)
    g_clear_pointer(&p->label, g_free);
  if (p->label && strlen(p->label) > PT_TEXT_FIELD_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [%s] label is longer than %d bytes", path,
                group, PT_TEXT_FIELD_MAX);
    return NULL;
  }
  g_autofree char *template_ = get(kf, group, "template");
  p->template_ = fallback;
  if (template_ && *template_ && !pt_label_template_from_string(template_, &p->template_)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [%s] template '%s' must be case or pallet",
                path, group, template_);
    return NULL;
  }
  g_autofree char *is_default = get(kf, group, "default");
  if (is_default && *is_default && strcmp(is_default, "true") != 0 &&
      strcmp(is_default, "false") != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [%s] default '%s' must be true or false",
                path, group, is_default);
    return NULL;
  }
  p->is_default = g_strcmp0(is_default, "true") == 0;
  return g_steal_pointer(&p);
}

GPtrArray *
pt_printers_load(GKeyFile *kf, const char *path, PtLabelTemplate fallback_template, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_printer_free);
  g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
  const PtPrinter *default_ = NULL;
  for (guint i = 0; groups[i]; i++) {
    if (!g_str_has_prefix(groups[i], SECTION_PREFIX) && strcmp(groups[i], "printer") != 0)
      continue;
    if (strcmp(groups[i], "printer") == 0 || strlen(groups[i]) == strlen(SECTION_PREFIX)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                  "%s: [%s]: a printer's section is [printer NAME]", path, groups[i]);
      return NULL;
    }
    if (list->len == PT_PRINTERS_MAX) {
      g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "%s: more than %d [printer NAME] sections",
                  path, PT_PRINTERS_MAX);
      return NULL;
    }
    PtPrinter *p = load_one(kf, path, groups[i], fallback_template, error);
    if (!p)
      return NULL;
    g_ptr_array_add(list, p);
    const PtPrinter *same = NULL;
    for (guint k = 0; k + 1 < list->len; k++)
      if (strcmp(((PtPrinter *)g_ptr_array_index(list, k))->address, p->address) == 0)
        same = g_ptr_array_index(list, k);
    if (same) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                  "%s: [%s] address %s is printer %s's already: one section per printer", path,
                  groups[i], p->address, same->name);
      return NULL;
    }
    if (p->is_default && default_) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                  "%s: [%s] default=true, but printer %s is the default already", path, groups[i],
                  default_->name);
      return NULL;
    }
    if (p->is_default)
      default_ = p;
  }
  return g_steal_pointer(&list);
}

const PtPrinter *
pt_printer_find(const GPtrArray *printers, const char *name)
{
  for (guint i = 0; printers && i < printers->len; i++) {
    const PtPrinter *p = g_ptr_array_index(printers, i);
    if (strcmp(p->name, name) == 0)
      return p;
  }
  return NULL;
}

const PtPrinter *
pt_printer_by_address(const GPtrArray *printers, const char *address)
{
  for (guint i = 0; printers && i < printers->len; i++) {
    const PtPrinter *p = g_ptr_array_index(printers, i);
    if (strcmp(p->address, address) == 0)
      return p;
  }
  return NULL;
}

const char *
pt_printer_resolve(const GPtrArray *printers, const char *text, gboolean allow_address,
                   const PtPrinter **printer_out, GError **error)
{
  const PtPrinter *p = pt_printer_find(printers, text);
  if (printer_out)
    *printer_out = p;
  if (p)
    return p->address;
  /* A word a name could be is a name once station.ini has printers: "dock" mistyped as
   * "dokc" is refused rather than looked up as a host. */
  if (allow_address && (!printers || printers->len == 0 || !valid_name(text)) &&
      valid_address(text))
    return text;
  g_autoptr(GString) names = g_string_new(NULL);
  for (guint i = 0; printers && i < printers->len; i++)
    g_string_append_printf(names, "%s%s", i ? ", " : "",
                           ((const PtPrinter *)g_ptr_array_index(printers, i))->name);
  if (!names->len)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "no printer called '%s': station.ini has no [printer NAME] section%s", text,
                allow_address ? ", and it is not HOST or HOST:PORT" : "");
  else
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no printer called '%s' (printers: %s)%s",
                text, names->str, allow_address ? ", and it is not HOST or HOST:PORT" : "");
  return NULL;
}
