import type { CliCommand } from './cliTypes';

/**
 * Every subcommand of the `flowbench` CLI, in --help order. Each feature's vscode-free cli.ts contributes its own;
 * they are required lazily so `flowbench --help` loads no engine.
 */
export function cliCommands(): CliCommand[] {
  return [
    ...require('./splits/cli').commands as CliCommand[],
    ...require('./timing/cli').commands as CliCommand[],
    ...require('./inference/cli').commands as CliCommand[],
  ];
}
