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

Mode 'loader' (flowbench loader): the setup parts and the cell run once, then the iterable the job names is iterated
and each batch timed on its own (the first batch apart: it pays for worker start-up); a torch DataLoader can be
re-created with other num_workers values, and batches moved to CUDA with a synchronize before the clock stops.

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
    if line is None:
        # A DataLoader worker's exception comes back re-raised in this process, its traceback only as text.
        line, message, text = worker_traceback(message, filename, text, line)
    # Ways out of the timing rather than errors: the runner words them as such.
    stop = None
    if isinstance(exc, SystemExit):
        stop = 'SystemExit'
    elif isinstance(exc, KeyboardInterrupt):
        stop = 'KeyboardInterrupt'
    return error_record(phase, label, type(exc).__name__, message, text, line, frames, stop)


_WORKER_FRAME = None


def worker_traceback(message, filename, text, line):
    # torch's ExceptionWrapper.reraise: 'Caught E in DataLoader worker process N.\nOriginal Traceback (most ...'.
    global _WORKER_FRAME
    marker = 'Original Traceback (most recent call last):'
    if marker not in message:
        return line, message, text
    if _WORKER_FRAME is None:
        import re
        _WORKER_FRAME = re.compile(r'^\s*File "(.*)", line (\d+), in ')
    head, _, original = message.partition(marker)
    for row in original.splitlines():
        m = _WORKER_FRAME.match(row)
        if m and os.path.normcase(m.group(1)) == os.path.normcase(filename):
            line = int(m.group(2))
    last = [row for row in original.splitlines() if row.strip() and not row.startswith(' ')]
    where = head.strip().split(' in ', 1)[-1].rstrip('.') if ' in ' in head else 'a worker process'
    if last:
        kind, sep, rest = last[-1].partition(': ')
        message = '%s (in %s)' % (rest if sep else kind, where)
    text += 'Traceback in %s (most recent call last):\n%s' % (where, original.lstrip('\n'))
    return line, message, text


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


class LoaderProblem(Exception):
    """Something about what the job names, not the user's code: the runner words it (see loader.ts)."""

    def __init__(self, problem, **details):
        Exception.__init__(self, problem)
        self.problem = problem
        self.details = details


def run_once(cell, ns, filename):
    # The cell that makes the loader runs as written, in the script's namespace, once: its names survive.
    label = cell.get('label')
    running('run', label)
    try:
        code = compile(padded(cell['source'], cell['line']), filename, 'exec', dont_inherit=True)
    except BaseException as exc:
        raise CellError('compile', label, exc)
    try:
        exec(code, ns)
    except ChannelLost:
        raise
    except BaseException as exc:
        raise CellError('run', label, exc)


def type_name(value):
    t = type(value)
    module = getattr(t, '__module__', '') or ''
    return t.__qualname__ if module == 'builtins' else '%s.%s' % (module, t.__qualname__)


def find_iterable(name, ns, label):
    try:
        code = compile(name, '<name>', 'eval', dont_inherit=True)
    except SyntaxError:
        raise LoaderProblem('bad-name', name=name)
    try:
        value = eval(code, ns)
    except NameError:
        raise LoaderProblem('undefined', name=name, cell=label)
    except ChannelLost:
        raise
    except BaseException as exc:
        raise CellError('run', name, exc)
    # Asked without iter(): iter() on a DataLoader with workers starts them.
    t = type(value)
    if not (hasattr(t, '__iter__') or hasattr(t, '__getitem__')) or isinstance(value, (str, bytes)):
        raise LoaderProblem('not-iterable', name=name, type=type_name(value))
    return value


def torch_loader_class():
    torch = sys.modules.get('torch')
    if torch is None:
        return None
    try:
        return torch.utils.data.DataLoader
    except Exception:
        return None


def describe_target(value, loader_class):
    info = {'type': type_name(value), 'isDataLoader': False, 'numWorkers': None, 'batchSize': None,
            'datasetType': None, 'datasetLength': None, 'length': None}
    if loader_class is not None and isinstance(value, loader_class):
        info.update({'isDataLoader': True, 'numWorkers': value.num_workers, 'batchSize': value.batch_size,
                     'datasetType': type_name(value.dataset)})
        try:
            info['datasetLength'] = len(value.dataset)
        except Exception:
            pass
    try:
        # len() of a DataLoader is its batches per epoch (an estimate for an IterableDataset).
        info['length'] = len(value) if hasattr(type(value), '__len__') else None
    except Exception:
        pass
    return info


# What a re-created DataLoader takes over from the original; the worker options only where num_workers > 0.
_CARRIED = ('collate_fn', 'pin_memory', 'timeout', 'worker_init_fn', 'generator', 'pin_memory_device', 'in_order')
_WORKER_ONLY = ('prefetch_factor', 'persistent_workers', 'multiprocessing_context')


def recreate(loader, workers):
    import inspect
    base = torch_loader_class()
    cls = type(loader) if type(loader).__init__ is base.__init__ else base
    accepted = inspect.signature(base.__init__).parameters
    kwargs = {'dataset': loader.dataset, 'num_workers': workers}
    carried = ['dataset']
    if isinstance(loader.dataset, sys.modules['torch'].utils.data.IterableDataset):
        # An IterableDataset takes no sampler; its batching is batch_size and drop_last alone.
        kwargs.update(batch_size=loader.batch_size, drop_last=loader.drop_last)
        carried += ['batch_size', 'drop_last']
    elif loader.batch_size is not None:
        # The sampler carries shuffling (a RandomSampler, with its generator) and any custom order.
        kwargs.update(batch_size=loader.batch_size, drop_last=loader.drop_last, sampler=loader.sampler)
        carried += ['batch_size', 'drop_last', 'sampler (%s)' % type(loader.sampler).__name__]
    elif loader.batch_sampler is not None:
        kwargs['batch_sampler'] = loader.batch_sampler
        carried.append('batch_sampler (%s)' % type(loader.batch_sampler).__name__)
    else:
        kwargs.update(batch_size=None, sampler=loader.sampler)
        carried += ['batch_size (None)', 'sampler (%s)' % type(loader.sampler).__name__]
    for key in _CARRIED:
        if key in accepted and hasattr(loader, key):
            kwargs[key] = getattr(loader, key)
            carried.append(key)
    if workers > 0:
        for key in _WORKER_ONLY:
            value = getattr(loader, key, None)
            if key in accepted and value is not None and not (key == 'persistent_workers' and not value):
                kwargs[key] = value
                carried.append(key)
    try:
        made = cls(**kwargs)
    except ChannelLost:
        raise
    except Exception as exc:
        raise LoaderProblem('recreate-failed', workers=workers, message='%s: %s' % (type(exc).__name__, exc))
    if cls is not type(loader):
        carried.append('class %s (not %s, whose __init__ differs)' % (type_name(made), type_name(loader)))
    return made, carried


def cuda_device():
    try:
        import torch
    except ImportError:
        raise LoaderProblem('no-torch')
    if not torch.cuda.is_available():
        raise LoaderProblem('no-cuda', torch=torch.__version__, cuda=getattr(torch.version, 'cuda', None))
    index = torch.cuda.current_device()
    return torch, {'device': 'cuda:%d' % index, 'name': torch.cuda.get_device_name(index)}


def mover(torch, device):
    def move(batch, depth=0):
        if torch.is_tensor(batch):
            return batch.to(device, non_blocking=batch.is_pinned())
        if depth > 8:
            return batch
        if isinstance(batch, dict):
            items = [(k, move(v, depth + 1)) for k, v in batch.items()]
            try:
                return type(batch)(items)
            except TypeError:
                return dict(items)
        if isinstance(batch, tuple) and hasattr(batch, '_fields'):
            return type(batch)(*[move(v, depth + 1) for v in batch])
        if isinstance(batch, (list, tuple)):
            return type(batch)(move(v, depth + 1) for v in batch)
        to = getattr(batch, 'to', None)
        # Batch classes of their own (transformers' BatchEncoding) move themselves.
        return to(device) if callable(to) else batch

    def moved(batch):
        batch = move(batch)
        torch.cuda.synchronize()
        return batch
    return moved


def first_dimension(batch, depth=0):
    shape = getattr(batch, 'shape', None)
    if shape is not None and not isinstance(batch, type):
        try:
            return int(shape[0]) if len(shape) > 0 else None
        except Exception:
            return None
    if depth < 4:
        values = batch.values() if isinstance(batch, dict) else batch if isinstance(batch, (list, tuple)) else ()
        for item in itertools.islice(values, 16):
            if getattr(item, 'shape', None) is not None or isinstance(item, (list, tuple, dict)):
                n = first_dimension(item, depth + 1)
                if n is not None:
                    return n
    return None


def batch_length(batch):
    # The first tensor's first dimension (a tuple (x, y): x's rows), else the batch's own length.
    n = first_dimension(batch)
    if n is not None:
        return n
    try:
        return len(batch)
    except Exception:
        return None


def nearest_rank(values, p):
    rank = int(math.ceil(p / 100.0 * len(values)))
    return values[min(len(values) - 1, max(0, rank - 1))]


_BATCH_CAP = 1000000
_SERIES_POINTS = 2000


def batch_stats(times):
    if not times:
        return None
    ordered = sorted(times)
    return {'min': ordered[0], 'p50': nearest_rank(ordered, 50), 'p90': nearest_rank(ordered, 90),
            'max': ordered[-1], 'mean': math.fsum(times) / len(times)}


def series_of(times):
    # At most _SERIES_POINTS values for the page's chart: each the mean of `bucket` consecutive batches.
    bucket = max(1, int(math.ceil(len(times) / float(_SERIES_POINTS))))
    if bucket == 1:
        return list(times), 1
    return [math.fsum(times[i:i + bucket]) / len(times[i:i + bucket]) for i in range(0, len(times), bucket)], bucket


def close_iterator(it):
    # Workers of a re-created loader stop now, not whenever the garbage collector gets to them.
    shutdown = getattr(it, '_shutdown_workers', None)
    if callable(shutdown):
        try:
            shutdown()
        except Exception:
            pass


def time_iterable(iterable, opts, label, workers, moved):
    import array
    batches_wanted = int(opts.get('batches') or 0)
    budget = float(opts.get('timeBudget') or 0)
    clock = time.perf_counter
    running('run', label)
    emit({'event': 'progress', 'phase': 'loader', 'cell': label, 'workers': workers, 'batches': 0})
    times = array.array('d')
    sizes = 0
    sized = True
    exhausted = False
    stopped = None
    it = None
    try:
        t0 = clock()
        it = iter(iterable)
        try:
            batch = next(it)
        except StopIteration:
            return {'workers': workers, 'firstBatchSeconds': None, 'firstBatchSize': None, 'batches': 0,
                    'samples': 0, 'exhausted': True, 'stoppedBy': 'exhausted', 'totalSeconds': clock() - t0,
                    'perBatch': None, 'series': [], 'seriesBucket': 1}
        if moved is not None:
            batch = moved(batch)
        t1 = clock()
        first = t1 - t0
        first_size = batch_length(batch)
        count = 1
        shown = t1
        prev = clock()
        while True:
            if batches_wanted and count >= batches_wanted:
                stopped = 'batches'
                break
            if budget and prev - t0 >= budget:
                stopped = 'time-budget'
                break
            if count >= _BATCH_CAP:
                stopped = 'batch-cap'
                break
            try:
                batch = next(it)
            except StopIteration:
                exhausted = True
                stopped = 'exhausted'
                break
            if moved is not None:
                batch = moved(batch)
            now = clock()
            times.append(now - prev)
            count += 1
            # Counting and progress happen off the clock: the next batch's time starts after them.
            if sized:
                n = batch_length(batch)
                if n is None:
                    sized = False
                else:
                    sizes += n
            batch = None
            if now - shown >= 0.5:
                shown = now
                emit({'event': 'progress', 'phase': 'loader', 'cell': label, 'workers': workers,
                      'batches': count, 'elapsedSeconds': now - t0})
            prev = clock()
        total = prev - t0
    except (ChannelLost, LoaderProblem):
        raise
    except BaseException as exc:
        raise CellError('run', label, exc)
    finally:
        if it is not None:
            close_iterator(it)
    series, bucket = series_of(times)
    return {
        'workers': workers, 'firstBatchSeconds': first, 'firstBatchSize': first_size, 'batches': count,
        'samples': (sizes + first_size) if sized and first_size is not None else None,
        'samplesAfterFirst': sizes if sized else None, 'exhausted': exhausted, 'stoppedBy': stopped,
        'totalSeconds': total, 'afterFirstSeconds': math.fsum(times), 'perBatch': batch_stats(times),
        'series': series, 'seriesBucket': bucket,
    }


def time_loader(job, ns, filename, state):
    opts = job.get('loader') or {}
    cell = job['cells'][0]
    t0 = time.perf_counter()
    run_once(cell, ns, filename)
    cell_seconds = time.perf_counter() - t0
    name = opts['name']
    target = find_iterable(name, ns, cell.get('label'))
    loader_class = torch_loader_class()
    info = describe_target(target, loader_class)
    workers_list = opts.get('workers')
    if workers_list and not info['isDataLoader']:
        raise LoaderProblem('not-dataloader', name=name, type=info['type'])
    device = None
    moved = None
    if opts.get('toDevice'):
        torch, device = cuda_device()
        moved = mover(torch, device['device'])
    state['firstLoopEpoch'] = time.time()
    runs = []
    carried = None
    if workers_list:
        for workers in workers_list:
            made, carried = recreate(target, int(workers))
            label = 'the loader %s (num_workers=%d)' % (name, workers)
            try:
                result = time_iterable(made, opts, label, int(workers), moved)
            finally:
                made = None
                gc.collect()
            result['recreated'] = True
            runs.append(result)
    else:
        result = time_iterable(target, opts, 'the loader %s' % name, info['numWorkers'], moved)
        result['recreated'] = False
        runs.append(result)
    torch = sys.modules.get('torch')
    return {'name': name, 'target': info, 'runs': runs, 'carried': carried, 'toDevice': device,
            'cellSeconds': cell_seconds, 'torchVersion': getattr(torch, '__version__', None) if torch else None}


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
        if job.get('mode') == 'loader':
            result = time_loader(job, ns, filename, state)
        else:
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
    except LoaderProblem as problem:
        payload = {'event': 'error', 'phase': 'loader', 'cell': None, 'type': 'LoaderProblem',
                   'message': problem.problem, 'traceback': '', 'line': None, 'frames': [], 'stop': None,
                   'problem': problem.problem, 'details': problem.details}
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
