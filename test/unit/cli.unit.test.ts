import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main, cliCommands } from '../../src/cli';
import { neverCancelled } from '../../src/util/errors';
import type { CliIo } from '../../src/util/cli';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd: ROOT,
    cancellation: neverCancelled,
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
  };
  return io;
}

describe('flowbench CLI dispatcher', () => {
  it('--help lists every subcommand and exits 0', async () => {
    const io = capture();
    assert.equal(await main(['--help'], io), 0);
    for (const c of cliCommands()) assert.match(io.out, new RegExp(`^  ${c.name}\\s`, 'm'));
  });

  it('no command at all is bad input too (as git and cargo): exit 2, one error line and the usage on stderr', async () => {
    const io = capture();
    assert.equal(await main([], io), 2);
    assert.equal(io.out, '');
    const lines = io.err.split('\n');
    assert.match(lines[0], /^error: no command given \(run 'flowbench --help' for the list\)$/);
    assert.equal(lines.filter((l) => l.startsWith('error:')).length, 1);
    assert.ok(lines.includes('Usage: flowbench <command> [options]'));
    for (const c of cliCommands()) assert.match(io.err, new RegExp(`^  ${c.name}\\s`, 'm'));
  });

  it('an unknown command is bad input: exit 2 with one error line on stderr', async () => {
    const io = capture();
    assert.equal(await main(['frobnicate'], io), 2);
    assert.equal(io.out, '');
    assert.match(io.err, /^error: unknown command 'frobnicate'.*\n$/);
    assert.equal(io.err.split('\n').length, 2);
  });

  it('every subcommand answers --help with a usage line, and rejects an unknown option with exit 2', async () => {
    const names = cliCommands().map((c) => c.name);
    for (const name of names) {
      const help = capture();
      assert.equal(await main([name, '--help'], help), 0, name);
      assert.match(help.out, /usage|Usage/, `${name} --help shows usage`);
      const bad = capture();
      assert.equal(await main([name, '--no-such-option'], bad), 2, `${name} rejects an unknown option`);
      assert.match(bad.err, /^error: /);
    }
  });

  it('the bundled dist/cli.js runs as an executable with the same contract', function () {
    const cli = path.join(ROOT, 'dist', 'cli.js');
    if (!fs.existsSync(cli)) execFileSync('node', ['esbuild.config.mjs'], { cwd: ROOT });
    const version = execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim();
    assert.equal(version, JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    const r = spawnSync(cli, ['nope'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: /);
  });
});
