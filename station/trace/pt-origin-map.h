/* pt-origin-map.h: the consumer page's small origin map: the outline of the country around the
 * shed's coordinates ([station] location), a dot there and the place's name, as an inline SVG
 * drawn on the server from the compiled-in outlines (pt-origin-outlines.h).  Nothing is
 * fetched from anyone: no tiles, no map service, no script.
 *
 * Workload: one drawing per page render, a few hundred points projected and rounded. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The width of the drawing, in CSS pixels; its height follows the country's shape. */
#define PT_ORIGIN_MAP_WIDTH 160

/* Returns: (transfer full) (nullable): an <svg> of the country whose outline holds (@lat,
 * @lon) (degrees), with a dot there and @place (transfer none, nullable; escaped here) as its
 * text and accessible name; NULL when no outline holds the point (at sea, or a country the
 * table has no outline of): no map then, rather than a wrong one. */
char *pt_origin_map_svg(double lat, double lon, const char *place);

/* Returns: (transfer none) (nullable): the ISO 3166-1 alpha-2 code of the country whose
 * outline holds (@lat, @lon), or NULL. */
const char *pt_origin_map_country(double lat, double lon);

G_END_DECLS
