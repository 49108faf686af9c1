"""Peer of the lens scanner in lenses.bench.mjs: CPython's own parser on the same file, in-process, 20 times;
prints the best and the median in ms.
Usage: python3 ast_parse.py FILE.py
"""
import ast, sys, time
src = open(sys.argv[1]).read()
ts = []
for _ in range(20):
    t = time.perf_counter()
    ast.parse(src)
    ts.append(time.perf_counter() - t)
print(min(ts) * 1e3, sorted(ts)[10] * 1e3)
