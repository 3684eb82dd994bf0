#!/usr/bin/env python3
"""Checks that #include arrows run one way between the project's folders.

Each folder may include its own headers and those of the folders listed for it below,
nothing else of ours (system and library headers are not ours).  The station's own
libraries are also built with only these include paths (station/meson.build), so most
upward includes fail to compile; this check covers the rest: headers included by tests'
code paths, models/, labels/ and pipeline/, and the names a folder could reach through a
dependency's include path.  It also names each loop between files of different folders.

Usage: check-layers.py SOURCE_ROOT   (TAP on stdout, exit 1 on any violation)
"""
import os
import re
import sys

# folder -> the folders it may include from (besides itself); lowest floor last.
ALLOWED = {
    "station/cli": ["station/http", "station/hub", "station", "station/sync", "station/trace", "station/store",
                    "station/base", "pipeline", "models", "labels"],
    "station/http": ["station", "station/sync", "station/trace", "station/store", "station/base",
                     "pipeline", "models", "labels", "web-ui"],
    "station": ["station/sync", "station/trace", "station/store", "station/base", "pipeline",
                "models", "labels"],
    # The hub serves the same pages as the station: the compiled-in web-ui/ (a leaf).
    "station/hub": ["station/trace", "station/base", "labels", "web-ui"],
    "station/sync": ["station/trace", "station/store", "station/base", "labels"],
    "station/trace": ["station/base", "labels"],
    "station/store": ["station/base"],
    "station/base": ["labels"],
    "pipeline": ["models"],
    "models": [],
    "labels": [],
}
# Headers generated at build time, and the folder they belong to.
GENERATED = {"pt-web-resources.h": "web-ui"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    files = {}  # path relative to root -> folder
    for folder in ALLOWED:
        d = os.path.join(root, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                files[f"{folder}/{name}"] = folder
    by_name = {}
    for path, folder in files.items():
        by_name.setdefault(os.path.basename(path), []).append(path)

    def resolve(including, name):
        """The file an include names: one of the including file's folder first, as the
        compiler's quote search does, else the only file of that name."""
        own = f"{files[including]}/{name}"
        if own in files:
            return own
        candidates = by_name.get(name, [])
        return candidates[0] if len(candidates) == 1 else None

    problems = []
    arrows = {}  # file -> set of files it includes in other folders
    for path, folder in files.items():
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for name in INCLUDE.findall(text):
            if name in GENERATED:
                target_folder, target = GENERATED[name], None
            else:
                target = resolve(path, os.path.basename(name))
                if target is None:
                    continue  # not ours
                target_folder = files[target]
            if target_folder == folder:
                continue
            if target_folder not in ALLOWED[folder]:
                problems.append(f"{path} includes {name} of {target_folder}/, "
                                f"a floor that {folder}/ may not reach")
            if target:
                arrows.setdefault(path, set()).add(target)

    # A loop between files of different folders: a cross-folder arrow back to where a
    # chain of arrows started.  With the table above it cannot happen; this says so plainly
    # if the table is ever loosened.
    for start in sorted(arrows):
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in arrows.get(node, ()):
                if nxt == start:
                    problems.append("loop across folders: " + " -> ".join(trail + [start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, trail + [nxt]))

    print("1..2")
    n_files = len(files)
    layer_problems = [p for p in problems if not p.startswith("loop")]
    loop_problems = [p for p in problems if p.startswith("loop")]
    for i, (what, found) in enumerate([("includes run downward", layer_problems),
                                       ("no loop between folders", loop_problems)], 1):
        if found:
            print(f"not ok {i} - {what}")
            for p in found:
                print(f"# {p}")
        else:
            print(f"ok {i} - {what} ({n_files} files)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
