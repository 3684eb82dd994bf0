/* pt-prom.h: the Prometheus text exposition format (version 0.0.4), written into a GString:
 * a family's HELP and TYPE once, then its samples with escaped label values. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Starts the family @name: "# HELP" (@help escaped) and "# TYPE" (@type: "counter", "gauge",
 * "histogram"). */
void pt_prom_family(GString *out, const char *name, const char *type, const char *help);

/* One sample: @name{label="value",...} @value.  The labels follow as NULL-terminated pairs
 * of names and values (values are escaped; a NULL value is written as ""). */
void pt_prom_sample(GString *out, const char *name, double value, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
