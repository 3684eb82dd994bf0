#!/usr/bin/env python3
"""pt-origin-outlines.py IN.json OUT.c: the country outlines of web-ui/vendor/country-outlines.json
(Natural Earth through world-atlas; vendor/README) as the C table pt-origin-outlines.h declares,
generated at build time so the program reads no file for its origin map."""
import json
import sys

src, out = sys.argv[1], sys.argv[2]
data = json.load(open(src))
lines = ["/* Generated from web-ui/vendor/country-outlines.json by pt-origin-outlines.py: do not edit.",
         " * " + data["source"] + ". */",
         '#include "pt-origin-outlines.h"', ""]
entries = []
for code, rings in data["countries"].items():
    name = code.lower()
    pts = ", ".join("%sf, %sf" % (repr(float(x)), repr(float(y))) for ring in rings for x, y in ring)
    lines.append("static const float %s_points[] = {%s};" % (name, pts))
    lines.append("static const guint16 %s_rings[] = {%s};" % (name, ", ".join(str(len(r)) for r in rings)))
    entries.append('    {"%s", %s_points, %s_rings, %d},' % (code, name, name, len(rings)))
lines.append("")
lines.append("const PtOriginOutline pt_origin_outlines[] = {")
lines.extend(entries)
lines.append("};")
lines.append("const guint pt_origin_outlines_n = G_N_ELEMENTS(pt_origin_outlines);")
open(out, "w").write("\n".join(lines) + "\n")
