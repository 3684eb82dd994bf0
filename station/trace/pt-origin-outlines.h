/* pt-origin-outlines.h: the outlines of the countries the consumer page names, as a table
 * compiled in (pt-origin-outlines.py generates it at build time from
 * web-ui/vendor/country-outlines.json: Natural Earth, simplified; vendor/README says whence).
 * Read by pt-origin-map.c only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *code;          /* ISO 3166-1 alpha-2, as the translation table's country: keys */
  const float *points;       /* lon, lat pairs in degrees, ring after ring */
  const guint16 *ring_sizes; /* points per ring (each closed: last point == first) */
  guint n_rings;
} PtOriginOutline;

extern const PtOriginOutline pt_origin_outlines[];
extern const guint pt_origin_outlines_n;

G_END_DECLS
