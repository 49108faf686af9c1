"""Reference for the %timeit protocol test in test/unit/timing/harness.unit.test.ts: IPython's own %%timeit -q -o of
a cell body after a setup cell, run live in InteractiveShell, and IPython's TimeitResult over Flowbench's runs.
Prints JSON: IPython's calibrated loops and its repeat, and the mean, std. dev., best, worst and line TimeitResult
gives for Flowbench's runs (precision 3).
Usage: python3 ipython_timeit_protocol.py SETUP BODY OURS_JSON, OURS_JSON being {"loops": N, "allRuns": [seconds]}
"""
import json, sys
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magics.execution import TimeitResult
setup, body, ours = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
ip = InteractiveShell.instance()
ip.run_cell(setup)
res = ip.run_cell_magic('timeit', '-q -o', body)
runs = ours['allRuns']
mine = TimeitResult(ours['loops'], len(runs), min(runs) / ours['loops'], max(runs) / ours['loops'], runs, 0, 3)
print(json.dumps({'loops': res.loops, 'repeat': res.repeat, 'average': mine.average, 'stdev': mine.stdev,
                  'best': mine.best, 'worst': mine.worst, 'line': str(mine)}))
