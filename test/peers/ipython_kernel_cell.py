"""Runs code as a Jupyter kernel runs an execute request, in IPython's own InteractiveShell, for the kernel route of
notebook timing (src/timing/kernelTimeit.ts). Reads JSON on stdin: {"setup": a cell run first, as the user's own
earlier cell, "code": the code under test}. Prints JSON: what the code printed, the error it raised (type and
message, or null), the value the kernel would display (or null), and the names it left in the user's namespace
(added, and any starting with __flowbench).
"""
import contextlib, io, json, sys

from IPython.core.interactiveshell import InteractiveShell


class KernelStdout(io.StringIO):
    # ipykernel's stdout is UTF-8; IPython's TimeitResult writes µs and ± only where the stream's encoding takes them.
    encoding = 'UTF-8'


job = json.load(sys.stdin)
ip = InteractiveShell.instance()
ip.run_cell(job['setup'], store_history=True)
before = set(ip.user_ns)
out = KernelStdout()
with contextlib.redirect_stdout(out):
    # An execute request with store_history false, as the kernel route sends it: no new execution count.
    result = ip.run_cell(job['code'], store_history=False)
err = result.error_before_exec or result.error_in_exec
print(json.dumps({
    'stdout': out.getvalue(),
    'error': None if err is None else {'type': type(err).__name__, 'message': str(err)},
    'result': None if result.result is None else repr(result.result),
    'added': sorted(set(ip.user_ns) - before),
    'flowbench': sorted(n for n in ip.user_ns if n.startswith('__flowbench')),
}))
