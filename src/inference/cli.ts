import type { CliCommand } from '../cliTypes';

export const commands: CliCommand[] = [];
