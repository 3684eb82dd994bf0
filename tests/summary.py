#!/usr/bin/env python3
"""Turns meson's testlog.json into the closing line CI reads: 'N passed, N failed[, N skipped]'."""
import json
import sys

passed = failed = skipped = 0
try:
    with open(sys.argv[1], encoding="utf-8") as log:
        for line in log:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
except OSError as err:
    print(f"no test log: {err}", file=sys.stderr)
    failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
