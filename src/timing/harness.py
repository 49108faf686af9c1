"""The Python side of cell timing: Flowbench's runner (src/timing/runner.ts) starts this file with a JSON job on
stdin. It follows IPython's %timeit (IPython/core/magics/execution.py, ExecutionMagics.timeit and Timer.timeit) step
for step: the cell is the body of `for _i in _it:` inside `def inner(_it, _timer)` (so, as in %%timeit, its variables
are locals that do not survive), GC is off while timing, perf_counter is the clock, loops are calibrated over 1, 10,
100, ... until one trial reaches 0.2 s, the calibration trials are discarded, then `runs` runs of that many loops;
mean and population std. dev. of the per-loop times with math.fsum, exactly as TimeitResult computes them.

Differences, all deliberate: the cells above can run once first as setup in the script's own namespace; the first
calibration trial (1 loop) is reported as the cold run; a cell whose single loop would take the whole budget past the
time cap runs once; around each timed trial CUDA is synchronised when torch has initialised it. Cells are compiled
under the real file name with their real line numbers, so tracebacks point into the .py file.

Protocol: the job is one JSON line on stdin. Records (progress, then one result or error) are JSON lines, each after
'@@FLOWBENCH@@ ' and, when the job carries a `nonce`, that nonce and a space. With `--result-fd N` they go to
descriptor N, which is moved to a private number before any cell code runs, so the cell's stdout and stderr are its
own output and nothing it prints or writes to N can pass for a record; the nonce (known only to the runner and this
process) guards the private descriptor and is the only guard where N is not open, as on a platform that passes no
extra descriptors: then, as without `--result-fd`, records go to stdout, each on a line of its own.
`--watch-stdin` stops the process when stdin closes (Flowbench went away), and its process group with it when it
leads one. Exit status: 0 result, 3 the cell raised (an error record), 70 stdin closed, 71 the cell closed the record
channel, 64 bad arguments.

Run by hand: `python3 harness.py < job.json` (records on stdout) or `python3 harness.py --result-fd 3 3>records
< job.json`.

Kept stdlib-only and Python 3.7 compatible: it runs in whatever interpreter the user picked.
"""
import ast, gc, io, itertools, json, linecache, math, os, sys, time, traceback, types

_MARK = '@@FLOWBENCH@@ '
_HARNESS_FILE = os.path.normcase(os.path.abspath(__file__))
_PID = os.getpid()
_real_exit = os._exit
# Where records go (a private descriptor), what starts them, and what cell code is running (for a cell that exits).
_channel = {'fd': None, 'tag': _MARK}
_running = {'phase': None, 'cell': None}


class ChannelLost(Exception):
    """The cell closed or replaced the record channel: no record can reach the runner any more."""


def private_fd(fd):
    # A high number is out of the way of code that closes or reuses the first descriptors; either way not inherited.
    try:
        import fcntl
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 200)
    except (ImportError, AttributeError, OSError):
        return os.dup(fd)


def open_channel(result_fd):
    if result_fd is not None:
        try:
            os.fstat(result_fd)
        except OSError:
            result_fd = None
    if result_fd is None:
        _channel['fd'] = private_fd(1)
    else:
        _channel['fd'] = private_fd(result_fd)
        # The number the cell could know now names nothing of ours (or whatever the cell opens next).
        if result_fd > 2:
            os.close(result_fd)


def emit(obj):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    # The leading newline ends whatever half line is already there (a cell's print(end=''), stray bytes).
    data = ('\n' + _channel['tag'] + json.dumps(obj, allow_nan=False) + '\n').encode('utf-8')
    try:
        while data:
            data = data[os.write(_channel['fd'], data):]
    except OSError as exc:
        raise ChannelLost(exc)


def running(phase, label):
    # Told to the runner only when it changes, so a timeout or an exit can name the cell that was running.
    if _running['phase'] != phase or _running['cell'] != label:
        _running.update({'phase': phase, 'cell': label})
        emit({'event': 'running', 'phase': phase, 'cell': label})


def ipython_info():
    # Which micro sign the user's IPython prints, read from its source without importing it (imports cost 0.3 s).
    try:
        import importlib.util
        spec = importlib.util.find_spec('IPython')
    except Exception:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    base = list(spec.submodule_search_locations)[0]
    info = {'version': None, 'micro': None}
    try:
        with open(os.path.join(base, 'core', 'release.py'), encoding='utf-8') as f:
            rel = f.read()
        ns = {}
        for key in ('_version_major', '_version_minor', '_version_patch'):
            i = rel.find(key + ' = ')
            if i >= 0:
                ns[key] = rel[i + len(key) + 3:].split('\n', 1)[0].strip()
        if ns:
            info['version'] = '.'.join(ns.get(k, '0') for k in ('_version_major', '_version_minor', '_version_patch'))
    except Exception:
        pass
    try:
        with open(os.path.join(base, 'core', 'magics', 'execution.py'), encoding='utf-8') as f:
            src = f.read()
        i = src.find('def _format_time')
        seg = src[i:i + 3000] if i >= 0 else ''
        if '\\xb5' in seg or '\u00b5' in seg:
            info['micro'] = '\u00b5'
        elif '\\u03bc' in seg or '\u03bc' in seg:
            info['micro'] = '\u03bc'
    except Exception:
        pass
    return info


class CellError(Exception):
    def __init__(self, phase, label, exc):
        Exception.__init__(self, phase)
        self.phase = phase
        self.label = label
        self.exc = exc


def is_harness(filename):
    return os.path.normcase(os.path.abspath(filename)) == _HARNESS_FILE


def user_frames(frames, filename):
    frames = [f for f in frames if not is_harness(f.filename)]
    for f in frames:
        if f.filename == filename and f.name == 'inner':
            f.name = '<module>'  # the timing template's function is the cell itself to the user
    line = None
    for f in frames:
        if f.filename == filename:
            line = f.lineno
    return frames, line


def error_record(phase, label, kind, message, text, line, frames, stop=None):
    return {
        'event': 'error', 'phase': phase, 'cell': label, 'type': kind, 'message': message, 'traceback': text,
        'line': line, 'frames': [{'file': f.filename, 'line': f.lineno, 'name': f.name} for f in frames],
        'stop': stop,
    }


def describe_error(phase, label, exc, filename):
    frames, line = user_frames(traceback.extract_tb(exc.__traceback__), filename)
    text = ''
    if frames:
        text = 'Traceback (most recent call last):\n' + ''.join(traceback.format_list(frames))
    text += ''.join(traceback.format_exception_only(type(exc), exc))
    if isinstance(exc, SyntaxError) and exc.filename == filename and exc.lineno:
        line = exc.lineno
    message = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    # Ways out of the timing rather than errors: the runner words them as such.
    stop = None
    if isinstance(exc, SystemExit):
        stop = 'SystemExit'
    elif isinstance(exc, KeyboardInterrupt):
        stop = 'KeyboardInterrupt'
    return error_record(phase, label, type(exc).__name__, message, text, line, frames, stop)


def exit_from_cell(filename):
    # os._exit ends the process on the spot, so this stand-in reports the call, with where it was made, first.
    def _exit(status):
        if os.getpid() == _PID and _running['phase'] is not None:
            try:
                frames, line = user_frames(traceback.extract_stack(sys._getframe(1)), filename)
                text = 'Stack (most recent call last):\n' + ''.join(traceback.format_list(frames))
                emit(error_record(_running['phase'], _running['cell'], 'os._exit', str(status), text, line, frames,
                                  'os._exit'))
            except BaseException:
                pass
        _real_exit(status)
    _exit.__doc__ = _real_exit.__doc__
    return _exit


def padded(source, first_line):
    # Blank lines in front give every statement its line number in the file.
    return '\n' * (first_line - 1) + source


def run_setup(parts, ns, filename):
    for part in parts:
        running('setup', part.get('label'))
        try:
            code = compile(padded(part['source'], part['line']), filename, 'exec', dont_inherit=True)
            exec(code, ns)
        except ChannelLost:
            raise
        except BaseException as exc:
            # KeyboardInterrupt too: Flowbench stops a timing by killing the process group, so the cell raised it.
            raise CellError('setup', part.get('label'), exc)


def build_inner(cell, ns, filename):
    label = cell.get('label')
    try:
        tree = compile(padded(cell['source'], cell['line']), filename, 'exec', ast.PyCF_ONLY_AST, dont_inherit=True)
        # As IPython does (ipython#10636): code that only becomes valid inside the loop must fail as written.
        compile(tree, filename, 'exec', dont_inherit=True)
    except BaseException as exc:
        raise CellError('compile', label, exc)
    template = ast.parse('def inner(_it, _timer):\n'
                         '    _t0 = _timer()\n'
                         '    for _i in _it:\n'
                         '        pass\n'
                         '    _t1 = _timer()\n'
                         '    return _t1 - _t0\n')
    ast.increment_lineno(template, cell['line'] - 1)
    template.body[0].body[1].body = tree.body or [ast.Pass(lineno=cell['line'], col_offset=0)]
    template = ast.fix_missing_locations(template)
    t0 = time.perf_counter()
    try:
        code = compile(template, filename, 'exec', dont_inherit=True)
    except BaseException as exc:
        raise CellError('compile', label, exc)
    compile_time = time.perf_counter() - t0
    local = {}
    exec(code, ns, local)
    return local['inner'], compile_time


_cuda = {'synced': False}


def _cuda_module():
    t = sys.modules.get('torch')
    if t is None:
        return None
    try:
        c = t.cuda
        if c.is_available() and c.is_initialized():
            return c
    except Exception:
        pass
    return None


def _sync_timer(_pc=time.perf_counter):
    c = _cuda_module()
    if c is not None:
        c.synchronize()
        _cuda['synced'] = True
    return _pc()


def pick_timer(first):
    # Plain perf_counter, like IPython, unless torch is loaded (or the cell might load it on its first run).
    if first or 'torch' in sys.modules:
        return _sync_timer
    return time.perf_counter


class Timed(object):
    def __init__(self, cell, inner, compile_time):
        self.cell = cell
        self.inner = inner
        self.compile_time = compile_time
        self.first = True

    def timeit(self, number):
        # IPython's Timer.timeit (copied there from CPython).
        it = itertools.repeat(None, number)
        timer = pick_timer(self.first)
        self.first = False
        running('run', self.cell.get('label'))
        gcold = gc.isenabled()
        gc.disable()
        try:
            return self.inner(it, timer)
        except ChannelLost:
            raise
        except BaseException as exc:
            raise CellError('run', self.cell.get('label'), exc)
        finally:
            if gcold:
                gc.enable()


def stats(all_runs, number):
    # TimeitResult: timings, average (fsum), population stdev (fsum), best and worst per loop.
    timings = [dt / number for dt in all_runs]
    mean = math.fsum(timings) / len(timings)
    stdev = (math.fsum([(x - mean) ** 2 for x in timings]) / len(timings)) ** 0.5
    return {
        'loops': number, 'runs': len(all_runs), 'allRuns': all_runs, 'timings': timings,
        'mean': mean, 'stdev': stdev, 'best': min(all_runs) / number, 'worst': max(all_runs) / number,
    }


def calibrate(timed, state, label):
    # IPython: determine number so that 0.2 <= total time < 2.0; the trials are discarded, the first is the cold run.
    number = 0
    first = None
    last = 0.0
    for index in range(0, 10):
        number = 10 ** index
        emit({'event': 'progress', 'phase': 'calibrate', 'cell': label, 'loops': number})
        if state['firstLoopEpoch'] is None:
            state['firstLoopEpoch'] = time.time()
        last = timed.timeit(number)
        if index == 0:
            first = last
        if last >= 0.2:
            break
    return number, first, last


def time_one(job, timed, state):
    runs = int(job.get('runs') or 7)
    loops = int(job.get('loops') or 0)
    cap = float(job.get('timeCap') or 0)
    label = timed.cell.get('label')
    started = time.perf_counter()
    if loops == 0:
        number, first, last = calibrate(timed, state, label)
        if cap > 0 and number == 1 and first * (1 + runs) > cap:
            # A slow cell: the full protocol would run past the cap, so its single (cold) run is the result.
            result = stats([first], 1)
            result.update({'firstRun': first, 'capped': True})
            return result
        eta = runs * last
    else:
        number = loops
        emit({'event': 'progress', 'phase': 'cold', 'cell': label, 'loops': 1})
        if state['firstLoopEpoch'] is None:
            state['firstLoopEpoch'] = time.time()
        first = timed.timeit(1)
        eta = runs * number * first
    emit({'event': 'progress', 'phase': 'runs', 'cell': label, 'loops': number, 'runs': runs,
          'etaSeconds': eta, 'elapsedSeconds': time.perf_counter() - started})
    all_runs = []
    for i in range(runs):
        all_runs.append(timed.timeit(number))
        emit({'event': 'progress', 'phase': 'run', 'cell': label, 'run': i + 1, 'runs': runs, 'loops': number})
    result = stats(all_runs, number)
    result.update({'firstRun': first, 'capped': False})
    return result


def compare(job, a, b, state):
    # A/B in one process: each cell calibrated like %timeit, then runs interleaved ABBA… so drift hits both alike.
    runs = int(job.get('runs') or 7)
    loops = int(job.get('loops') or 0)
    sides = []
    for timed in (a, b):
        label = timed.cell.get('label')
        if loops == 0:
            number, first, last = calibrate(timed, state, label)
        else:
            if state['firstLoopEpoch'] is None:
                state['firstLoopEpoch'] = time.time()
            number, first = loops, timed.timeit(1)
        sides.append({'timed': timed, 'number': number, 'first': first, 'runs': []})
    emit({'event': 'progress', 'phase': 'runs', 'cell': 'A/B', 'runs': runs})
    for i in range(runs):
        order = sides if i % 2 == 0 else sides[::-1]
        for side in order:
            side['runs'].append(side['timed'].timeit(side['number']))
        emit({'event': 'progress', 'phase': 'run', 'cell': 'A/B', 'run': i + 1, 'runs': runs})
    out = []
    for side in sides:
        s = stats(side['runs'], side['number'])
        s.update({'firstRun': side['first'], 'capped': False})
        out.append(s)
    ratios = [(rb / out[1]['loops']) / (ra / out[0]['loops']) for ra, rb in zip(out[0]['allRuns'], out[1]['allRuns'])]
    rmean = math.fsum(ratios) / len(ratios)
    rstd = (math.fsum([(r - rmean) ** 2 for r in ratios]) / len(ratios)) ** 0.5
    return {'a': out[0], 'b': out[1], 'ratio': out[1]['mean'] / out[0]['mean'], 'pairRatios': ratios,
            'ratioMean': rmean, 'ratioStdev': rstd, 'ratioMin': min(ratios), 'ratioMax': max(ratios)}


def read_only(fd):
    # Node's stdin is one end of a socket pair: writable from here, and never read, so a write to it would block.
    try:
        import socket
        sock = socket.socket(fileno=fd)
    except (ImportError, OSError, ValueError):
        return
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    finally:
        sock.detach()


def watch_parent(fd):
    # The job arrives as one line and stdin stays open: end of stdin means Flowbench went away, so stop too
    # rather than leave a cell that never ends running unowned.
    import threading

    def wait():
        read_only(fd)  # here, so importing socket costs the cell's start nothing
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            return  # the cell closed it: that is no sign of Flowbench going away
        # Leading its own process group (the runner starts it so), it takes what the cell started down with it.
        if hasattr(os, 'killpg') and os.getpgrp() == _PID:
            try:
                import signal
                os.killpg(_PID, signal.SIGKILL)
            except OSError:
                pass
        _real_exit(70)
    threading.Thread(target=wait, name='flowbench-parent-watch', daemon=True).start()


def detach_stdin(watch):
    # The cell and what it starts read an empty stdin; the pipe from Flowbench stays with the harness alone.
    watched = private_fd(0) if watch else None
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(os.devnull)
    if watched is not None:
        watch_parent(watched)


def parse_args(argv):
    opts = {'result_fd': None, 'watch_stdin': False}
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == '--watch-stdin':
            opts['watch_stdin'] = True
        elif arg == '--result-fd' and rest and rest[0].isdigit():
            opts['result_fd'] = int(rest.pop(0))
        else:
            sys.stderr.write('usage: harness.py [--result-fd N] [--watch-stdin] < job.json (got %r)\n' % arg)
            _real_exit(64)
    return opts


def main(argv):
    opts = parse_args(argv)
    open_channel(opts['result_fd'])
    job = json.loads(sys.stdin.buffer.readline().decode('utf-8'))
    if job.get('nonce'):
        _channel['tag'] = _MARK + str(job.pop('nonce')) + ' '
    detach_stdin(opts['watch_stdin'])
    filename = job['file']
    text = job.get('text')
    if text is not None:
        # The editor's text, saved or not, is what tracebacks quote (mtime None: linecache never re-reads it).
        linecache.cache[filename] = (len(text), None, io.StringIO(text, newline=None).readlines(), filename)
    module = types.ModuleType('__main__')
    module.__file__ = filename
    ns = module.__dict__
    ns['__builtins__'] = __builtins__
    sys.modules['__main__'] = module
    sys.argv = [filename]
    sys.path[0] = os.path.dirname(filename)
    os._exit = exit_from_cell(filename)
    state = {'firstLoopEpoch': None}
    info = {
        'python': {'executable': sys.executable, 'version': '.'.join(str(v) for v in sys.version_info[:3]),
                   'implementation': sys.implementation.name},
        'ipython': ipython_info(),
    }
    try:
        t0 = time.perf_counter()
        run_setup(job.get('setup') or [], ns, filename)
        setup_seconds = time.perf_counter() - t0
        timed = []
        for cell in job['cells']:
            inner, tc = build_inner(cell, ns, filename)
            timed.append(Timed(cell, inner, tc))
        if job.get('mode') == 'compare':
            result = compare(job, timed[0], timed[1], state)
        else:
            result = time_one(job, timed[0], state)
            result['compileTime'] = timed[0].compile_time
    except CellError as err:
        payload = describe_error(err.phase, err.label, err.exc, filename)
        payload.update(info)
        emit(payload)
        return 3
    result.update(info)
    result.update({'event': 'result', 'setupSeconds': setup_seconds, 'firstLoopEpoch': state['firstLoopEpoch'],
                   'cudaSync': _cuda['synced']})
    emit(result)
    return 0


if __name__ == '__main__':
    code = 1
    try:
        code = main(sys.argv[1:])
    except ChannelLost as lost:
        sys.stderr.write('flowbench harness: the record channel was closed or replaced (%s)\n' % lost)
        code = 71
    except BaseException:
        traceback.print_exc()
    finally:
        for _stream in (sys.stdout, sys.stderr):
            try:
                _stream.flush()
            except Exception:
                pass
    # Skip interpreter teardown of the user's objects (threads, CUDA) that could hang after the result is out,
    # and of the parent watch thread, which holds stdin.
    _real_exit(code)
