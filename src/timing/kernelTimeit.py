# Flowbench's Time Notebook Cell, run in the user's Jupyter kernel (IPython): src/timing/kernelTimeit.ts sends this
# file's text and then one call, __flowbench_timeit(flags, source, tag), whose arguments are JSON literals. The cell is
# timed by IPython's own %%timeit -o in the user's namespace, and the result printed on stdout as one JSON line after
# the tag, a per-run nonce, so nothing the cell prints can pass for it. The one name defined here starts with
# __flowbench_ and the call removes it, whether the cell raised or not: nothing stays in the user's namespace, and the
# call returns None, so the kernel displays nothing. Comments, not a docstring: with ast_node_interactivity 'all' the
# kernel would display a bare string.
# Kept stdlib-only and Python 3.7 compatible, as harness.py is: it runs in whatever kernel the notebook has.


def __flowbench_timeit(flags, source, tag):
    # get_ipython is the kernel's global; json is imported here, so its name stays local.
    import json

    try:
        r = get_ipython().run_cell_magic('timeit', flags, source)
        print(tag + json.dumps({
            'loops': r.loops,
            'runs': r.repeat,
            'allRuns': r.all_runs,
            'mean': r.average,
            'stdev': r.stdev,
            'best': r.best,
            'worst': r.worst,
            'compileTime': r.compile_time,
            'line': str(r),
        }))
    finally:
        globals().pop('__flowbench_timeit', None)
