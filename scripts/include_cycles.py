#!/usr/bin/env python3
"""Lists the include cycles between the modules of unyo; exits 1 if any.

A module is a .c file and the .h of the same name beside it (src/sla.c and
src/sla.h are module src/sla). Module A depends on module B when a file of A
has `#include "b.h"` (quoted includes only; a header resolves in the
includer's folder first, then in src/, src/ui/, screens/, then anywhere under
the scanned folders by name). A cycle is a set of modules that reach each
other through these edges, e.g. sla.c -> incidents.h while incidents.h ->
sla.h. Usage: include_cycles.py [ROOT] (default: the repository holding this
script)."""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
FOLDERS = ["src", "screens"]
SEARCH = ["src", "src/ui", "screens"]


def scan(root):
    files = []
    for top in FOLDERS:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".c", ".h")):
                    files.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(files)


def resolve(root, includer, name, by_base):
    cands = [os.path.join(os.path.dirname(includer), name)]
    cands += [os.path.join(d, name) for d in SEARCH]
    for c in cands:
        c = os.path.normpath(c)
        if os.path.isfile(os.path.join(root, c)):
            return c
    hits = by_base.get(os.path.basename(name), [])
    return hits[0] if len(hits) == 1 else None


def module(path):
    return os.path.splitext(path)[0]


def graph(root):
    files = scan(root)
    by_base = {}
    for f in files:
        if f.endswith(".h"):
            by_base.setdefault(os.path.basename(f), []).append(f)
    edges = {}  # module -> {module: "file -> header" that made the edge}
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        m = module(f)
        edges.setdefault(m, {})
        for name in INCLUDE.findall(text):
            target = resolve(root, f, name, by_base)
            if target is None:
                continue
            t = module(target)
            if t != m:
                edges[m].setdefault(t, "%s -> %s" % (f, target))
    return edges


def sccs(edges):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, {}))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            pushed = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, {})))))
                    pushed = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if pushed:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def a_cycle(edges, comp):
    """One shortest cycle through the first module of comp (BFS)."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges.get(v, {})):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                path.reverse()
                return path + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    edges = graph(root)
    found = sccs(edges)
    for comp in found:
        cyc = a_cycle(edges, comp)
        print("include cycle: " + " -> ".join(cyc))
        for a, b in zip(cyc, cyc[1:]):
            print("    " + edges[a][b])
    if found:
        print("%d include cycle(s)" % len(found))
        return 1
    print("no include cycles (%d modules)" % len(edges))
    return 0


if __name__ == "__main__":
    sys.exit(main())
