#!/usr/bin/env python3
"""Prints the dependency cycles among the platform crate's top-level modules.

A module depends on another when its files name it (`crate::x`, or `super::x` from a file of a
submodule); the strongly connected components with more than one module are the cycles.
Usage: scripts/module_cycles.py [platform/src]
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "platform", "src")
tops = {}
for entry in sorted(os.listdir(root)):
    name = entry[:-3] if entry.endswith(".rs") else entry
    if name in ("lib", "main"):
        continue
    tops[name] = os.path.join(root, entry)

def files(path):
    if os.path.isfile(path):
        yield path
        return
    for d, _, fs in os.walk(path):
        for f in fs:
            if f.endswith(".rs"):
                yield os.path.join(d, f)

deps = {m: set() for m in tops}
for m, path in tops.items():
    for f in files(path):
        # Comments (doc links included) are not dependencies.
        text = "\n".join(
            line for line in open(f, encoding="utf-8").read().splitlines()
            if not line.lstrip().startswith("//")
        )
        # `crate::x` and `use crate::{x, y::z}` lists.
        for hit in re.findall(r"crate::(\w+)", text):
            if hit in tops and hit != m:
                deps[m].add(hit)
        for block in re.findall(r"use crate::\{(.*?)\};", text, re.S):
            for hit in re.findall(r"(?:^|[,{\s])(\w+)(?=::|[,}\s]|$)", block):
                if hit in tops and hit != m:
                    deps[m].add(hit)

# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in deps[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(tops):
    if v not in index:
        visit(v)
cycles = [c for c in sccs if len(c) > 1]
print(f"{len(tops)} top-level modules; {sum(len(c) for c in cycles)} in {len(cycles)} cycle(s)")
for c in sorted(cycles, key=len, reverse=True):
    print(f"  {len(c)}: {' '.join(c)}")
