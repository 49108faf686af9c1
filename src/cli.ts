#!/usr/bin/env node
import { CancellationSource, CancelledError, UserError, errorMessage, type Cancellation } from './util/errors';
import { fsUserError } from './util/fsErrors';
import { removeStagedTemps } from './util/outputs';
import { killTrackedChildren } from './util/children';
import { removeLeftovers, reportLeftovers, type Leftover } from './util/leftovers';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { CliCommand, CliIo } from './util/cli';
import { VERSION } from './util/version';
import { ENGINE_THREAD_LIMITS } from './util/engineJobProtocol';

/**
 * Every subcommand of the `flowbench` CLI, in --help order. Each feature's vscode-free cli.ts contributes its own;
 * they are required lazily so `flowbench --help` loads no engine.
 */
export function cliCommands(): CliCommand[] {
  return [
    ...(require('./splits/cli').commands as CliCommand[]),
    ...(require('./timing/cli').commands as CliCommand[]),
    ...(require('./inference/cli').commands as CliCommand[]),
  ];
}

function topHelp(commands: CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return (
    [
      `flowbench ${VERSION}: the engine of the Flowbench VS Code extension, from the command line.`,
      '',
      'Usage: flowbench <command> [options]',
      '',
      'Commands:',
      ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      'Every command takes --help, and --json for machine-readable output on stdout.',
      'Exit codes: 0 success, 1 internal error, 2 bad input (one line "error: ..." on stderr), 130 cancelled.',
    ].join('\n') + '\n'
  );
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const commands = cliCommands();
  const [name, ...rest] = argv;
  if (name === undefined) {
    // As git and cargo do for a missing command, but as bad input: the usage goes to stderr, with the one error line.
    io.stderr(`error: no command given (run 'flowbench --help' for the list)\n\n${topHelp(commands)}`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(topHelp(commands));
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(VERSION + '\n');
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`error: unknown command '${name}' (run 'flowbench --help' for the list)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : command.help + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (caught) {
    // After Ctrl-C, whatever the stopped work threw (a killed worker, a closed pipe) is the cancel, not an error.
    if (caught instanceof CancelledError || io.cancellation.isCancellationRequested) {
      io.stderr('error: cancelled\n');
      return 130;
    }
    // A filesystem error on a path the user gave is bad input, said in words, wherever it was not caught before.
    const err = fsUserError(caught);
    if (err instanceof UserError) {
      io.stderr(`error: ${err.textFor('cli').split('\n')[0]}\n`);
      return 2;
    }
    io.stderr(`error: internal: ${errorMessage(err)}\n`);
    if (process.env.FLOWBENCH_DEBUG) io.stderr(String((err as Error).stack) + '\n');
    return 1;
  }
}

/**
 * How long a signalled command may take to stop by itself before it is stopped. The command runs in a worker thread
 * and this (main) thread only relays its output and handles signals, so it answers at once even while the command
 * is busy in a long synchronous step (sorting millions of rows, a GC of a big heap) that would delay a handler of
 * its own. Everything a command could leave behind is reported here as it comes (staged temps, folders made for
 * outputs, temp folders, child processes) and removed by the hard exit, and outputs are committed in one
 * synchronous step, so the grace is short: the command's own unwinding is a courtesy.
 */
export const CANCEL_DEADLINE_MS = 300;

/** Everything a hard exit must not leave behind in this thread: staged temps and child processes. */
export function cleanUpForExit(): void {
  killTrackedChildren();
  removeStagedTemps();
}

/** A reader that went away (`flowbench … | head`): the exit status of a program killed by SIGPIPE, as `yes` gives. */
const EXIT_PIPE_CLOSED = 128 + 13;

/**
 * Stops quietly when stdout's reader closes the pipe, instead of crashing on EPIPE: nothing is committed after the
 * point the output was cut, and what the command staged is removed. Errors on stderr are ignored.
 */
function onClosedOutput(stop: () => void): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') stop();
    else throw err;
  });
  process.stderr.on('error', () => undefined);
}

/** What the command's thread tells the main thread. */
type FromCommand =
  | { out: string }
  | { err: string }
  | { leftover: 'add' | 'remove'; kind: Leftover['kind']; target: string }
  | { done: number }
  | { internal: string };

/** Help, the version and no command at all finish at once: they run in this thread. */
function needsThread(argv: string[]): boolean {
  if (process.env.FLOWBENCH_IN_PROCESS === '1') return false;
  const [name, ...rest] = argv;
  if (name === undefined || ['--help', '-h', 'help', '--version', '-v'].includes(name)) return false;
  return !rest.includes('--help') && !rest.includes('-h');
}

/**
 * Runs the command in a worker thread and stays free for signals: Ctrl-C (SIGINT), SIGTERM or SIGHUP asks the
 * command to stop; if it has not finished CANCEL_DEADLINE_MS later (or at a second signal), what it reported it had
 * left is removed and the process exits 130, the command's thread with it.
 */
function supervise(argv: string[]): void {
  const leftovers = new Map<string, Leftover>();
  let reported = false;
  let finished = false;
  let cancelled = false;
  // Set the moment a signal arrives, read by the command's thread without waiting for a message: a worker process
  // that dies of the same Ctrl-C (it was just being started) is then taken for the cancel, not for an error.
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(__filename, {
    workerData: { flowbenchArgv: argv, cancelFlag: flag },
    resourceLimits: ENGINE_THREAD_LIMITS,
    stdout: false,
    stderr: false,
  });
  const stop = (): never => {
    removeLeftovers(leftovers.values());
    if (!reported) process.stderr.write('error: cancelled\n');
    process.exit(130);
  };
  worker.on('message', (m: FromCommand) => {
    if ('out' in m) process.stdout.write(m.out);
    else if ('err' in m) {
      if (m.err.startsWith('error: cancelled')) reported = true;
      process.stderr.write(m.err);
    } else if ('leftover' in m) {
      const key = `${m.kind}:${m.target}`;
      if (m.leftover === 'add') leftovers.set(key, { kind: m.kind, target: m.target });
      else leftovers.delete(key);
    } else if ('done' in m) {
      finished = true;
      if (cancelled) stop();
      process.exitCode = m.done;
      // Its output came through messages, all before this one: a handle the command left open (a read stuck on
      // something) must not keep the process alive.
      void worker.terminate();
    } else if ('internal' in m) {
      finished = true;
      process.stderr.write(`error: internal: ${m.internal}\n`);
      process.exitCode = 1;
    }
  });
  worker.on('error', (err) => {
    process.stderr.write(`error: internal: ${errorMessage(err)}\n`);
    if (process.env.FLOWBENCH_DEBUG) process.stderr.write(String(err.stack) + '\n');
    removeLeftovers(leftovers.values());
    process.exit(1);
  });
  worker.on('exit', () => {
    if (cancelled) stop();
    if (!finished) {
      removeLeftovers(leftovers.values());
      if (process.exitCode === undefined) process.exitCode = 1;
    }
  });
  const onSignal = (): void => {
    if (cancelled) stop();
    cancelled = true;
    Atomics.store(flag, 0, 1);
    worker.postMessage({ cancel: true });
    setTimeout(stop, CANCEL_DEADLINE_MS);
  };
  onClosedOutput(() => {
    removeLeftovers(leftovers.values());
    process.exit(EXIT_PIPE_CLOSED);
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

/** The command's side of supervise(): output, leftovers and the result go to the main thread; it says when to stop. */
function runInThread(argv: string[], flag: Int32Array): void {
  const port = parentPort!;
  const send = (m: FromCommand): void => port.postMessage(m);
  const source = new CancellationSource();
  const token: Cancellation = {
    get isCancellationRequested() {
      return Atomics.load(flag, 0) === 1 || source.token.isCancellationRequested;
    },
    onCancellationRequested: (listener) => source.token.onCancellationRequested(listener),
  };
  port.on('message', (m: { cancel?: boolean }) => {
    if (m.cancel) source.cancel();
  });
  reportLeftovers((op, l) => send({ leftover: op, kind: l.kind, target: l.target }));
  const io: CliIo = {
    stdout: (t) => send({ out: t }),
    stderr: (t) => send({ err: t }),
    cwd: process.cwd(),
    cancellation: token,
  };
  main(argv, io).then(
    (code) => {
      send({ done: code });
      // Nothing keeps the thread but what the command left running; the main thread ends the process then.
      port.unref();
    },
    (err) => {
      cleanUpForExit();
      send({ internal: errorMessage(err) });
      port.unref();
    },
  );
}

/** Runs the command in this thread (help, the version; FLOWBENCH_IN_PROCESS=1 for everything). */
function runHere(argv: string[]): void {
  const source = new CancellationSource();
  const cancellation = source.token;
  let reported = false;
  const stop = (): never => {
    cleanUpForExit();
    if (!reported) process.stderr.write('error: cancelled\n');
    process.exit(130);
  };
  const onSignal = (): void => {
    if (cancellation.isCancellationRequested) stop();
    source.cancel();
    setTimeout(stop, CANCEL_DEADLINE_MS);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', cleanUpForExit);
  onClosedOutput(() => {
    cleanUpForExit();
    process.exit(EXIT_PIPE_CLOSED);
  });
  const io: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => {
      if (t.startsWith('error: cancelled')) reported = true;
      process.stderr.write(t);
    },
    cwd: process.cwd(),
    cancellation,
  };
  main(argv, io).then(
    (code) => {
      // A cancelled command exits now: a wait the engine left behind (a read on a stuck file) must not hold it.
      if (cancellation.isCancellationRequested) stop();
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`error: internal: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}

const thread = workerData as { flowbenchArgv?: string[]; cancelFlag?: Int32Array } | null;
if (!isMainThread && thread?.flowbenchArgv && thread.cancelFlag) runInThread(thread.flowbenchArgv, thread.cancelFlag);
else if (require.main === module) {
  const argv = process.argv.slice(2);
  if (needsThread(argv)) supervise(argv);
  else runHere(argv);
}
