#!/usr/bin/env python3
"""country-outlines.py TOPOJSON > country-outlines.json: the outlines of the countries the
consumer page names (web-ui/i18n.json's country: keys), from world-atlas's Natural Earth
TopoJSON (countries-50m.json), simplified (Douglas-Peucker, 0.12 degree; rings under 0.4
square degrees dropped) to [[lon, lat], ...] rings of two decimals, for the origin map drawn on
the server (station/trace/pt-origin-map.c).  Run once by hand when updating (vendor/README);
the build reads only its output."""
import json
import sys

# ISO 3166-1 numeric (world-atlas's feature ids) -> alpha-2 (the table's country: keys)
CODES = {"156": "CN", "724": "ES", "840": "US", "710": "ZA", "818": "EG", "504": "MA",
         "036": "AU", "554": "NZ", "152": "CL", "604": "PE", "380": "IT", "792": "TR",
         "704": "VN", "764": "TH", "392": "JP", "158": "TW"}
TOLERANCE = 0.12
MIN_AREA = 0.4


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(arcs, ids):
    out = []
    for i in ids:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def simplify(pts, tol):
    if len(pts) < 3:
        return pts
    (x1, y1), (x2, y2) = pts[0], pts[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5
    far, idx = -1.0, 0
    for i in range(1, len(pts) - 1):
        px, py = pts[i]
        d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm if norm else ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
        if d > far:
            far, idx = d, i
    if far <= tol:
        return [pts[0], pts[-1]]
    return simplify(pts[: idx + 1], tol)[:-1] + simplify(pts[idx:], tol)


def area(pts):
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]))) / 2


def main():
    topo = json.load(open(sys.argv[1]))
    arcs = decode_arcs(topo)
    out = {}
    for g in topo["objects"]["countries"]["geometries"]:
        code = CODES.get(g.get("id"))
        if not code:
            continue
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        rings = []
        for poly in polys:
            outer = ring(arcs, poly[0])  # holes are left out: a dot is never in a lake
            if area(outer) < MIN_AREA:
                continue
            # split at the middle so both halves keep their far points
            half = len(outer) // 2
            s = simplify(outer[: half + 1], TOLERANCE)[:-1] + simplify(outer[half:], TOLERANCE)
            if len(s) >= 4:
                rings.append([[round(x, 2), round(y, 2)] for x, y in s])
        out.setdefault(code, []).extend(rings)  # a territory shares its country's id
    json.dump({"source": "world-atlas 2.0.2 countries-50m.json (Natural Earth 4.1.0, public domain)",
               "countries": dict(sorted(out.items()))}, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


main()
