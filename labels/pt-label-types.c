/* pt-label-types.c: the labels error domain and the names of templates and formats. */
#include "pt-label-types.h"

G_DEFINE_QUARK(packtrace_label_error, pt_label_error)

static const char *const template_names[] = {
    [PT_LABEL_CASE] = "case", [PT_LABEL_PALLET] = "pallet"};
static const char *const format_names[] = {
    [PT_LABEL_PNG] = "png", [PT_LABEL_PDF] = "pdf", [PT_LABEL_SVG] = "svg", [PT_LABEL_ZPL] = "zpl"};

gboolean
pt_label_template_from_string(const char *name, PtLabelTemplate *out)
{
  for (gsize i = 0; i < G_N_ELEMENTS(template_names); i++) {
    if (g_strcmp0(name, template_names[i]) == 0) {
      *out = (PtLabelTemplate)i;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
pt_label_format_from_string(const char *name, PtLabelFormat *out)
{
  for (gsize i = 0; i < G_N_ELEMENTS(format_names); i++) {
    if (g_strcmp0(name, format_names[i]) == 0) {
      *out = (PtLabelFormat)i;
      return TRUE;
    }
  }
  return FALSE;
}

const char *
pt_label_format_to_string(PtLabelFormat format)
{
  g_return_val_if_fail((guint)format < G_N_ELEMENTS(format_names), NULL);
  return format_names[format];
}

const char *
pt_label_template_to_string(PtLabelTemplate template_)
{
  g_return_val_if_fail((guint)template_ < G_N_ELEMENTS(template_names), NULL);
  return template_names[template_];
}
