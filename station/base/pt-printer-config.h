/* pt-printer-config.h: the label printers of station.ini, one [printer NAME] section each,
 * read once with the rest of the file (pt_config_load()).  The dashboard offers them as a
 * list, `packtrace label ID --print NAME` takes the name, and the print queue keeps each
 * job's address as it was sent (what the print event signs). */
#pragma once

#include "pt-label.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *name;                /* the section's NAME: A-Z a-z 0-9 _ -, up to PT_PRINTER_NAME_MAX */
  char *address;             /* host[:port] as written; raw TCP, default port 9100 */
  char *label;               /* nullable: what the shed calls it ("Dock label printer") */
  PtLabelTemplate template_; /* what it prints unless told: [labels] template by default */
  gboolean is_default;       /* default=true: preselected on the dashboard; at most one */
} PtPrinter;

void pt_printer_free(PtPrinter *printer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPrinter, pt_printer_free)

/* Reads every [printer NAME] section of @kf (from file @path, for the messages).  A section
 * with a bad name, a missing or unparsable address, an unknown key or value, a second
 * default or an address another printer has is refused with an error naming the file, the
 * section and the key.  @fallback_template: [labels] template.
 * Returns: (transfer full) (element-type PtPrinter): in file order, possibly empty. */
GPtrArray *pt_printers_load(GKeyFile *kf, const char *path, PtLabelTemplate fallback_template,
                            GError **error);

/* Returns: (transfer none) (nullable): the printer called @name in @printers. */
const PtPrinter *pt_printer_find(const GPtrArray *printers, const char *name);

/* Returns: (transfer none) (nullable): the printer whose address is @address. */
const PtPrinter *pt_printer_by_address(const GPtrArray *printers, const char *address);

/* Where a job for @text goes: the address of the printer named @text, else @text itself when
 * @allow_address and it reads as HOST[:PORT] (while @printers is not empty, only text no name
 * could be: with a dot or a colon, so a mistyped name is never taken for a host).  *@printer_out:
 * (out) (transfer none) (nullable): the configured printer, if one was named.  Fails with
 * PT_ERROR_NOT_FOUND naming the configured printers.  Returns: (transfer none): the address. */
const char *pt_printer_resolve(const GPtrArray *printers, const char *text, gboolean allow_address,
                               const PtPrinter **printer_out, GError **error);

G_END_DECLS
