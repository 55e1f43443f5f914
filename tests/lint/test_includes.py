#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Includes between the modules of src/ point one way: down the layer order
written in docs/architecture.md (the fenced block marked "layers"). A module
may include headers of its own folder and of the layers below it; modules
named on one line are peers and include none of each other. Files directly
in src/ (main.c) stand above every layer. Headers in <> (the C library,
libbpf, include/hornet/, the wire ABI both sides share) and generated ones
without a folder ("exec.skel.h") are not modules and are not checked."""
import os
import re
import sys

ROOT = os.environ.get("HORNET_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DOC = "docs/architecture.md"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_layers():
    """[set of modules] highest first, from the first ```layers block."""
    layers, inside = [], False
    with open(os.path.join(ROOT, DOC)) as f:
        for line in f:
            s = line.strip()
            if not inside:
                inside = s == "```layers"
                continue
            if s.startswith("```"):
                return layers
            s = s.split("#", 1)[0].strip()
            if s:
                layers.append(set(s.split()))
    return layers if inside else None


def sources():
    found = []
    for d, _, files in os.walk(os.path.join(ROOT, "src")):
        found += [os.path.relpath(os.path.join(d, f), ROOT) for f in files
                  if f.endswith((".c", ".h"))]
    return sorted(found)


def main():
    layers = read_layers()
    if not layers:
        print("FAIL layer_order: no ```layers block in %s" % DOC)
        return
    rank = {}
    for i, mods in enumerate(layers):
        for m in mods:
            if m in rank:
                print("FAIL layer_order: module '%s' named twice in %s" % (m, DOC))
                return
            rank[m] = i
    unplaced = sorted(d for d in os.listdir(os.path.join(ROOT, "src"))
                      if os.path.isdir(os.path.join(ROOT, "src", d)) and d not in rank)
    if unplaced:
        print("FAIL layer_order: src/%s/ not in the layer order of %s (add it there)" %
              ("/, src/".join(unplaced), DOC))
    else:
        print("PASS layer_order")
    wrong = 0
    for path in sources():
        parts = path.split(os.sep)
        mod = parts[1] if len(parts) > 2 else None  # None: src/main.c, above all
        if mod is not None and mod not in rank:
            continue  # reported by layer_order
        with open(os.path.join(ROOT, path), errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m or "/" not in m.group(1):
                    continue
                target = m.group(1).split("/", 1)[0]
                if mod is None or target == mod:
                    continue
                if target not in rank:
                    why = "'%s' is not a module of the layer order" % target
                elif rank[target] < rank[mod]:
                    why = "%s is above %s" % (target, mod)
                elif rank[target] == rank[mod]:
                    why = "%s and %s are peers" % (target, mod)
                else:
                    continue
                print('FAIL include_direction: %s:%d includes "%s": %s' %
                      (path, n, m.group(1), why))
                wrong += 1
    if not wrong:
        print("PASS include_direction")


main()
sys.exit(0)
