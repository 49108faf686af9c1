import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError, type Cancellation } from './errors';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  /** Flips on SIGINT so engines stop and remove partial output. */
  cancellation: Cancellation;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Full --help text: usage line, options, an example. */
  help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with the errors turned into UserError (exit 2) and --help/--json added to every command. */
export function parseCliArgs<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, ...options },
      allowPositionals,
      strict: true,
    });
  } catch (err) {
    throw new UserError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export function requireOne(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UserError(`missing ${what}`);
  if (positionals.length > 1)
    throw new UserError(`expected one ${what}, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0];
}

export function parseIntOption(value: string | undefined, name: string, min = -Infinity): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UserError(`--${name} must be a whole number, got '${value}'`);
  const n = Number(value);
  if (n < min) throw new UserError(`--${name} must be at least ${min}, got ${n}`);
  return n;
}

export function parseNumberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UserError(`--${name} must be a number, got '${value}'`);
  return n;
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + '\n');
}

/** --workers N: parse threads for the CSV engine (default: one per core). */
export const WORKERS_OPTION = { workers: { type: 'string' } } as const;

export const WORKERS_HELP =
  '  --workers N          threads that parse the CSV (default: one per core); 1 runs the parser on one thread\n';

export function parseWorkers(value: string | undefined): number | undefined {
  return parseIntOption(value, 'workers', 1);
}
