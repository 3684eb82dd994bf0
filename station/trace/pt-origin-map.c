/* pt-origin-map.c: the origin map of the consumer page (see pt-origin-map.h).
 *
 * The projection is equirectangular with longitudes shrunk by the cosine of the middle
 * latitude: true enough in shape for one country at 160 pixels.  Points are rounded to whole
 * pixels and written as relative moves, dropping the ones that land on the pixel before: the
 * drawing of China, the largest outline, stays around 1.5 KB of the page's 30 KB budget. */
#include "pt-origin-map.h"
#include "pt-origin-outlines.h"

#include <math.h>

/* Parts of a country this far (degrees) from the part holding the shed are left out: a map
 * of a shed in California does not span Hawaii and Alaska. */
#define NEAR_DEGREES 3.0
#define PAD          6.0
#define TEXT_SPACE   22.0
#define MAX_HEIGHT   150.0

typedef struct {
  double min_lon, min_lat, max_lon, max_lat;
} Box;

static const float *
ring_points(const PtOriginOutline *o, guint ring)
{
  const float *p = o->points;
  for (guint i = 0; i < ring; i++)
    p += 2 * o->ring_sizes[i];
  return p;
}

/* Whether (@lon, @lat) is inside the ring of @n points @p (even-odd crossings). */
static gboolean
ring_holds(const float *p, guint n, double lon, double lat)
{
  gboolean in = FALSE;
  for (guint i = 0, j = n - 1; i < n; j = i++) {
    double xi = p[2 * i], yi = p[2 * i + 1], xj = p[2 * j], yj = p[2 * j + 1];
    if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
      in = !in;
  }
  return in;
}

static Box
ring_box(const float *p, guint n)
{
  Box b = {p[0], p[1], p[0], p[1]};
  for (guint i = 1; i < n; i++) {
    b.min_lon = MIN(b.min_lon, p[2 * i]);
    b.max_lon = MAX(b.max_lon, p[2 * i]);
    b.min_lat = MIN(b.min_lat, p[2 * i + 1]);
    b.max_lat = MAX(b.max_lat, p[2 * i + 1]);
  }
  return b;
}

static gboolean
boxes_near(const Box *a, const Box *b)
{
  return a->min_lon - NEAR_DEGREES <= b->max_lon && b->min_lon <= a->max_lon + NEAR_DEGREES &&
         a->min_lat - NEAR_DEGREES <= b->max_lat && b->min_lat <= a->max_lat + NEAR_DEGREES;
}

/* The outline and its ring that hold the point, or FALSE. */
static gboolean
find(double lat, double lon, const PtOriginOutline **outline_out, guint *ring_out)
{
  for (guint k = 0; k < pt_origin_outlines_n; k++) {
    const PtOriginOutline *o = &pt_origin_outlines[k];
    for (guint r = 0; r < o->n_rings; r++) {
      if (ring_holds(ring_points(o, r), o->ring_sizes[r], lon, lat)) {
        *outline_out = o;
        *ring_out = r;
        return TRUE;
      }
    }
  }
  return FALSE;
}

const char *
pt_origin_map_country(double lat, double lon)
{
  const PtOriginOutline *o = NULL;
  guint ring = 0;
  return find(lat, lon, &o, &ring) ? o->code : NULL;
}

typedef struct {
  Box box;
  double kx, scale;
} Projection;

static void
project(const Projection *pr, double lon, double lat, long *x, long *y)
{
  *x = lround(PAD + (lon - pr->box.min_lon) * pr->kx * pr->scale);
  *y = lround(PAD + (pr->box.max_lat - lat) * pr->scale);
}

char *
pt_origin_map_svg(double lat, double lon, const char *place)
{
  const PtOriginOutline *o = NULL;
  guint home = 0;
  if (!find(lat, lon, &o, &home))
    return NULL;
  /* The parts drawn: the one holding the shed and those near it. */
  const Box home_box = ring_box(ring_points(o, home), o->ring_sizes[home]);
  gboolean drawn[G_MAXUINT8 + 1] = {FALSE};
  Projection pr = {.box = home_box};
  for (guint r = 0; r < o->n_rings && r < G_N_ELEMENTS(drawn); r++) {
    Box b = ring_box(ring_points(o, r), o->ring_sizes[r]);
    if (!boxes_near(&home_box, &b))
      continue;
    drawn[r] = TRUE;
    pr.box.min_lon = MIN(pr.box.min_lon, b.min_lon);
    pr.box.max_lon = MAX(pr.box.max_lon, b.max_lon);
    pr.box.min_lat = MIN(pr.box.min_lat, b.min_lat);
    pr.box.max_lat = MAX(pr.box.max_lat, b.max_lat);
  }
  pr.kx = cos((pr.box.min_lat + pr.box.max_lat) / 2 * G_PI / 180);
  double w = (pr.box.max_lon - pr.box.min_lon) * pr.kx, h = pr.box.max_lat - pr.box.min_lat;
  if (w <= 0 || h <= 0)
    return NULL;
  /* As wide as the page allows, unless a tall country (Chile) would then be too tall. */
  pr.scale = MIN((PT_ORIGIN_MAP_WIDTH - 2 * PAD) / w, (MAX_HEIGHT - 2 * PAD) / h);
  long width = PT_ORIGIN_MAP_WIDTH, height = lround(h * pr.scale + 2 * PAD + TEXT_SPACE);

  g_autofree char *label = g_markup_escape_text(place ? place : "", -1);
  GString *svg = g_string_new(NULL);
  g_string_append_printf(svg,
                         "<svg class=\"origin-map\" xmlns=\"http://www.w3.org/2000/svg\" "
                         "viewBox=\"0 0 %ld %ld\" width=\"%ld\" height=\"%ld\" role=\"img\" "
                         "aria-label=\"%s\"><path fill=\"#e6eee3\" stroke=\"#56625a\" "
                         "stroke-width=\"1\" stroke-linejoin=\"round\" d=\"",
                         width, height, width, height, label);
  for (guint r = 0; r < o->n_rings && r < G_N_ELEMENTS(drawn); r++) {
    if (!drawn[r])
      continue;
    const float *p = ring_points(o, r);
    long x0, y0;
    project(&pr, p[0], p[1], &x0, &y0);
    g_string_append_printf(svg, "M%ld %ld", x0, y0);
    for (guint i = 1; i < o->ring_sizes[r]; i++) {
      long x, y;
      project(&pr, p[2 * i], p[2 * i + 1], &x, &y);
      if (x == x0 && y == y0)
        continue;
      g_string_append_printf(svg, "l%ld %ld", x - x0, y - y0);
      x0 = x;
      y0 = y;
    }
    g_string_append_c(svg, 'z');
  }
  long dx, dy;
  project(&pr, lon, lat, &dx, &dy);
  /* The name under the drawing, centred, so that it never runs off either side. */
  g_string_append_printf(svg,
                         "\"/><circle cx=\"%ld\" cy=\"%ld\" r=\"4\" fill=\"#b3261e\" "
                         "stroke=\"#fff\" stroke-width=\"1.5\"/><text x=\"%ld\" y=\"%ld\" "
                         "text-anchor=\"middle\" font-size=\"13\" fill=\"#1d2a21\">%s</text></svg>",
                         dx, dy, width / 2, height - 6, label);
  return g_string_free(svg, FALSE);
}
