#!/usr/bin/env python3
"""Turns meson's testlog.json files into the closing line CI reads:
'N passed, N failed[, N skipped]', summed over every log given (the normal suite, the
sanitizer suite, the fuzz runs).  A missing log counts as a failure: that suite never ran."""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as log:
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
