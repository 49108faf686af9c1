"""References for test/unit/timing/format.unit.test.ts, computed live: reads JSON on stdin, prints JSON.
Usage: python3 ipython_format.py MODE < input.json, where MODE is
  format_time     [seconds...] → IPython's _format_time of each at precisions 1, 2, 3, 4 and 6
  printf          [x...] → {"g": %.*g of each at precisions 1, 2, 3, 5, "f": %.*f at 0, 1, 2, 3 decimals}
  timeit_result   [{loops, runs: [seconds of each run], precision}...] → IPython's TimeitResult of each: its line
                  (str) and its mean, std. dev., best and worst
  slowest_warning [[best, worst]...] → %timeit's "slowest run" warning for each, or null (the condition and the
                  wording of IPython's ExecutionMagics.timeit, which prints it rather than returning it)
"""
import json, sys


def format_time(vals):
    from IPython.core.magics.execution import _format_time
    return [[_format_time(v, p) for p in (1, 2, 3, 4, 6)] for v in vals]


def printf(xs):
    return {'g': [['%.*g' % (p, x) for p in (1, 2, 3, 5)] for x in xs],
            'f': [['%.*f' % (d, x) for d in (0, 1, 2, 3)] for x in xs]}


def timeit_result(cases):
    from IPython.core.magics.execution import TimeitResult
    out = []
    for c in cases:
        r = TimeitResult(c['loops'], len(c['runs']), min(c['runs']) / c['loops'], max(c['runs']) / c['loops'],
                         c['runs'], 0.0, c['precision'])
        out.append({'line': str(r), 'mean': r.average, 'stdev': r.stdev, 'best': r.best, 'worst': r.worst})
    return out


def slowest_warning(pairs):
    out = []
    for best, worst in pairs:
        if worst > 4 * best and best > 0 and worst > 1e-6:
            out.append("The slowest run took %0.2f times longer than the fastest. This could mean that an intermediate "
                       "result is being cached." % (worst / best))
        else:
            out.append(None)
    return out


MODES = {'format_time': format_time, 'printf': printf, 'timeit_result': timeit_result,
         'slowest_warning': slowest_warning}
print(json.dumps(MODES[sys.argv[1]](json.load(sys.stdin))))
