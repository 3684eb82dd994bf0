#!/usr/bin/env python3
"""xlsx-rows.py FILE.xlsx: reads an XLSX with the standard library only (zipfile and
ElementTree; nothing of the writer) and prints JSON: {"sheets": [names], "autofilter": ref of
the first sheet, "frozen": its pane's topLeftCell, "rows": [[{"t": type, "v": text}]]}.
Shared strings and inline strings are resolved; a cell's type is "n" (number) or "s" (text).
"""
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def text_of(node):
    return "".join(t.text or "" for t in node.iter("{%s}t" % NS["m"]))


def main(path):
    z = zipfile.ZipFile(path)
    assert z.testzip() is None, "a damaged member"
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    sheets = [s.get("name") for s in wb.find("m:sheets", NS)]
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    first = wb.find("m:sheets", NS)[0].get("{%s}id" % NS["r"])
    target = [r.get("Target") for r in rels if r.get("Id") == first][0]
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
        shared = [text_of(si) for si in sst.findall("m:si", NS)]
    ws = ET.fromstring(z.read("xl/" + target.lstrip("/").removeprefix("xl/")))
    rows = []
    for row in ws.find("m:sheetData", NS).findall("m:row", NS):
        cells = []
        for c in row.findall("m:c", NS):
            i = col_index(c.get("r"))
            while len(cells) < i:
                cells.append({"t": "s", "v": ""})
            t = c.get("t")
            v = c.find("m:v", NS)
            if t == "s":
                cells.append({"t": "s", "v": shared[int(v.text)]})
            elif t == "inlineStr":
                cells.append({"t": "s", "v": text_of(c.find("m:is", NS))})
            elif t == "str":
                cells.append({"t": "s", "v": v.text or ""})
            else:
                cells.append({"t": "n", "v": v.text if v is not None else ""})
        rows.append(cells)
    af = ws.find("m:autoFilter", NS)
    pane = ws.find("m:sheetViews/m:sheetView/m:pane", NS)
    print(json.dumps({"sheets": sheets,
                      "autofilter": af.get("ref") if af is not None else None,
                      "frozen": pane.get("topLeftCell") if pane is not None else None,
                      "rows": rows}, ensure_ascii=False))


main(sys.argv[1])
