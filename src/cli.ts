#!/usr/bin/env node
import { CancellationSource, CancelledError, UserError, errorMessage } from './util/errors';
import type { CliCommand, CliIo } from './util/cli';
import { VERSION } from './util/version';

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
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(topHelp(commands));
    return name === undefined ? 2 : 0;
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
  } catch (err) {
    if (err instanceof UserError) {
      io.stderr(`error: ${err.textFor('cli').split('\n')[0]}\n`);
      return 2;
    }
    if (err instanceof CancelledError) {
      io.stderr('error: cancelled\n');
      return 130;
    }
    io.stderr(`error: internal: ${errorMessage(err)}\n`);
    if (process.env.FLOWBENCH_DEBUG) io.stderr(String((err as Error).stack) + '\n');
    return 1;
  }
}

if (require.main === module) {
  const source = new CancellationSource();
  const cancellation = source.token;
  process.on('SIGINT', () => {
    if (cancellation.isCancellationRequested) process.exit(130);
    source.cancel();
  });
  const io: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    cancellation,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`error: internal: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
