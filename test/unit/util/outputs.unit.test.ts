import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationSource, CancelledError, UserError } from '../../../src/util/errors';
import { OutputSet, removeStagedTemps, stagedTempCount } from '../../../src/util/outputs';

/** Every entry under `dir`, '/'-separated; symlinks are listed, not followed. */
function listAll(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    out.push(prefix + e.name);
    if (e.isDirectory()) out.push(...listAll(path.join(dir, e.name), `${prefix}${e.name}/`));
  }
  return out.sort();
}

describe('util/outputs: the output-safety layer', () => {
  let dir: string;
  let input: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-outs-'));
    input = path.join(dir, 'data.csv');
    fs.writeFileSync(input, 'a,b\n1,2\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const refused = (fn: () => unknown, message: RegExp): void =>
    assert.throws(fn, (e: unknown) => e instanceof UserError && message.test(e.message));

  describe('an output is never an input', () => {
    it('by the same path, through a symlink, a hard link or ..', () => {
      fs.symlinkSync(input, path.join(dir, 'link.csv'));
      fs.linkSync(input, path.join(dir, 'hard.csv'));
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.symlinkSync(dir, path.join(dir, 'dirlink'));
      const paths = [
        input,
        path.join(dir, 'link.csv'),
        path.join(dir, 'hard.csv'),
        path.join(dir, 'sub', '..', 'data.csv'),
        path.join(dir, 'dirlink', 'data.csv'),
      ];
      for (const out of paths) {
        const outs = new OutputSet({ inputs: [{ path: input, field: 'input' }] });
        refused(() => outs.reserve({ path: out, field: 'out' }), /^--out must not be --input \(.*data\.csv\)/);
      }
      // Also when the input is given through the link and the output by its real name.
      const viaLink = new OutputSet({ inputs: [path.join(dir, 'link.csv')] });
      refused(() => viaLink.reserve(input), /must not be the input file/);
      assert.deepEqual(listAll(dir), ['data.csv', 'dirlink', 'hard.csv', 'link.csv', 'sub']);
    });

    it('names the options in the editor words', () => {
      const outs = new OutputSet({ inputs: [{ path: input, field: 'input' }] });
      try {
        outs.reserve({ path: input, field: 'out' });
        assert.fail('no error');
      } catch (e) {
        assert.ok(e instanceof UserError);
        assert.match(e.textFor('editor'), /^output file must not be input CSV file/);
        assert.doesNotMatch(e.textFor('editor'), /--/);
      }
    });

    it('two outputs at one path collide, even when neither exists yet (a symlinked folder)', () => {
      fs.mkdirSync(path.join(dir, 'real'));
      fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'alias'));
      const outs = new OutputSet();
      outs.reserve({ path: path.join(dir, 'real', 'p.csv'), field: 'out' });
      refused(
        () => outs.reserve({ path: path.join(dir, 'alias', 'p.csv'), what: 'the ledger' }),
        /^the ledger and --out are the same file/,
      );
      // The same output reserved twice is one output.
      outs.reserve({ path: path.join(dir, 'real', 'p.csv'), field: 'out' });
    });
  });

  describe('paths that cannot be written are refused before any work', () => {
    it('a folder, a FIFO, a device, a parent that is a file, a .flowbench that is a file', () => {
      fs.mkdirSync(path.join(dir, 'folder.csv'));
      execFileSync('mkfifo', [path.join(dir, 'pipe.csv')]);
      fs.writeFileSync(path.join(dir, '.flowbench'), 'not a folder');
      const outs = new OutputSet();
      refused(() => outs.reserve({ path: path.join(dir, 'folder.csv'), field: 'out' }), /is a folder; name a file/);
      refused(() => outs.reserve(path.join(dir, 'pipe.csv')), /is a named pipe \(FIFO\).*writes only regular files/);
      refused(() => outs.reserve('/dev/null'), /\/dev\/null is a character device/);
      refused(
        () => outs.reserve(path.join(dir, 'data.csv', 'x.csv')),
        /cannot be written: .*data\.csv is a file, not a folder/,
      );
      refused(
        () => outs.jsonl({ path: path.join(dir, '.flowbench', 'experiments.jsonl'), what: 'the experiment ledger' }),
        /^the experiment ledger .* cannot be written: .*\.flowbench is a file, not a folder/,
      );
      assert.equal(fs.readFileSync(path.join(dir, '.flowbench'), 'utf8'), 'not a folder');
    });

    it('a folder that cannot be written to: a permission error in words (exit 2), not an internal error', function () {
      const locked = path.join(dir, 'locked');
      fs.mkdirSync(locked);
      fs.chmodSync(dir, 0o755);
      fs.chmodSync(locked, 0o555);
      const script = `
        const { OutputSet } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/util/outputs.js'))});
        const { UserError } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/util/errors.js'))});
        try { new OutputSet().write({ path: ${JSON.stringify(path.join(locked, 'o.csv'))}, field: 'out' }, 'x'); }
        catch (e) { console.log(e instanceof UserError ? 'user: ' + e.message : 'other: ' + e.message); }`;
      // Root writes anywhere: run the check as an unprivileged user then.
      const uid = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', ...uid });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout.trim(), /^user: --out: cannot write .*locked\/o\.csv: permission denied$/);
      assert.deepEqual(fs.readdirSync(locked), []);
    });
  });

  describe('outputs that belong together are committed together, or none is', () => {
    it('commits files and JSON lines; a cancelled run replaces nothing and leaves no temp', async () => {
      const a = path.join(dir, 'out', 'FOLDS.csv');
      const ledger = path.join(dir, '.flowbench', 'experiments.jsonl');
      const outs = new OutputSet({ inputs: [input] });
      outs.file({ path: a, field: 'out' }).write('fold\n').write(Buffer.from('0\n1\n'));
      outs.write({ path: `${a}.json`, what: 'the manifest' }, '{}\n');
      outs.jsonl(ledger).add({ run: 1 });
      await outs.commitAll();
      assert.equal(fs.readFileSync(a, 'utf8'), 'fold\n0\n1\n');
      assert.equal(fs.readFileSync(ledger, 'utf8'), '{"run":1}\n');
      // A .flowbench/ the set wrote into keeps its records out of `git status`.
      assert.match(fs.readFileSync(path.join(dir, '.flowbench', '.gitignore'), 'utf8'), /^\*$/m);

      const cancel = new CancellationSource();
      const again = new OutputSet({ inputs: [input], cancellation: cancel.token });
      again.write({ path: a, field: 'out' }, 'new\n');
      again.jsonl(ledger).add({ run: 2 });
      cancel.cancel();
      await assert.rejects(again.commitAll(), CancelledError);
      assert.equal(fs.readFileSync(a, 'utf8'), 'fold\n0\n1\n');
      assert.equal(fs.readFileSync(ledger, 'utf8'), '{"run":1}\n');
      assert.deepEqual(listAll(dir), [
        '.flowbench',
        '.flowbench/.gitignore',
        '.flowbench/experiments.jsonl',
        'data.csv',
        'out',
        'out/FOLDS.csv',
        'out/FOLDS.csv.json',
      ]);
    });

    it('a failure in the commit step restores what it replaced: the second file fails, the first is put back', async () => {
      const a = path.join(dir, 'a.csv');
      const b = path.join(dir, 'b.csv');
      fs.writeFileSync(a, 'old a\n');
      fs.writeFileSync(b, 'old b\n');
      const outs = new OutputSet();
      outs.write(a, 'new a\n');
      outs.write({ path: b, what: 'the second file' }, 'new b\n');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const nodeFs = require('node:fs') as { renameSync: typeof fs.renameSync };
      const real = nodeFs.renameSync;
      nodeFs.renameSync = (from, to) => {
        if (to === b && String(from).endsWith('.tmp')) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
        return real(from, to);
      };
      try {
        await assert.rejects(
          outs.commitAll(),
          (e: unknown) =>
            e instanceof UserError &&
            /^cannot write the second file .*b\.csv: no space left on the device$/.test(e.message),
        );
      } finally {
        nodeFs.renameSync = real;
      }
      assert.equal(fs.readFileSync(a, 'utf8'), 'old a\n');
      assert.equal(fs.readFileSync(b, 'utf8'), 'old b\n');
      assert.deepEqual(listAll(dir), ['a.csv', 'b.csv', 'data.csv']);
    });

    it('a ledger append that fails takes back the renamed files (the ledger became a folder meanwhile)', async () => {
      const a = path.join(dir, 'pred.csv');
      fs.writeFileSync(a, 'old\n');
      const ledger = path.join(dir, 'ledger.jsonl');
      const outs = new OutputSet();
      outs.write({ path: a, field: 'out' }, 'new\n');
      outs.jsonl(ledger).add({ x: 1 });
      fs.mkdirSync(ledger);
      await assert.rejects(outs.commitAll(), UserError);
      assert.equal(fs.readFileSync(a, 'utf8'), 'old\n');
      assert.deepEqual(listAll(dir), ['data.csv', 'ledger.jsonl', 'pred.csv']);
    });

    it('abortAll removes the temps and the folders made only for them; the old file stays', () => {
      const old = path.join(dir, 'keep.csv');
      fs.writeFileSync(old, 'keep\n');
      const outs = new OutputSet();
      outs.write(old, 'replaced?\n');
      outs.write(path.join(dir, 'new', 'deep', 'x.csv'), 'x');
      assert.ok(stagedTempCount() >= 2);
      outs.abortAll();
      assert.equal(fs.readFileSync(old, 'utf8'), 'keep\n');
      assert.deepEqual(listAll(dir), ['data.csv', 'keep.csv']);
    });

    it('removeStagedTemps (a hard exit) leaves no temp behind', () => {
      const outs = new OutputSet();
      outs.write(path.join(dir, 'partial.csv'), 'half a file');
      removeStagedTemps();
      assert.deepEqual(listAll(dir), ['data.csv']);
      assert.equal(stagedTempCount(), 0);
      outs.abortAll();
    });

    it("a replaced file keeps its permission bits; a JSON line goes after a torn line's newline", async () => {
      const a = path.join(dir, 'script.sh');
      fs.writeFileSync(a, 'old');
      fs.chmodSync(a, 0o750);
      const log = path.join(dir, 'log.jsonl');
      fs.writeFileSync(log, '{"a":1}\n{"tor');
      const outs = new OutputSet();
      outs.write(a, 'new');
      outs.jsonl(log).add({ b: 2 }).add({ c: 3 });
      await outs.commitAll();
      assert.equal(fs.statSync(a).mode & 0o777, 0o750);
      assert.equal(fs.readFileSync(log, 'utf8'), '{"a":1}\n{"tor\n{"b":2}\n{"c":3}\n');
    });
  });
});
