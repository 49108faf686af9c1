"""Peer of `flowbench timeit` in timing.bench.mjs: IPython's own %timeit -o -q of a statement after a setup cell, in
InteractiveShell; prints the result as JSON.
Usage: python3 ipython_timeit.py SETUP STATEMENT
"""
import json, sys
from IPython.core.interactiveshell import InteractiveShell
setup, stmt = sys.argv[1:3]
ip = InteractiveShell.instance()
ip.run_cell(setup)
r = ip.run_line_magic('timeit', '-o -q ' + stmt)
print(json.dumps({'mean': r.average, 'stdev': r.stdev, 'loops': r.loops, 'runs': r.repeat, 'line': str(r)}))
