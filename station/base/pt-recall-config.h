/* pt-recall-config.h: the [recall] section of station.ini: how long a buyer has to acknowledge
 * a recall notice before it is escalated. */
#pragma once

#include "pt-config.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 ack_deadline_ns; /* [recall] ack_deadline: 90s, 30m, 4h, 2d or plain seconds */
} PtRecallConfig;

/* Reads [recall] of @config into @out (defaults when the section is absent); an unknown key or
 * a deadline that does not parse (or is not 1 s to 30 days) is an error naming it. */
gboolean pt_recall_config_read(const PtConfig *config, PtRecallConfig *out, GError **error);

/* Parses a duration ("2s", "30m", "4h", "2d", or seconds) into *@ns_out, 1 s to 30 days. */
gboolean pt_recall_parse_duration(const char *text, gint64 *ns_out, GError **error);

G_END_DECLS
