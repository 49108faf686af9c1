import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { installCudaProviders } from '../../../src/inference/installCuda';
import { UserError } from '../../../src/util/errors';
import { tempDir } from './helpers';
import { FOREIGN_MACHINE, fakeElf, fakeProviderPair } from './elfFixture';

describe('inference/installCuda', () => {
  let dir: string;
  let runtimeDir: string;
  beforeEach(() => {
    dir = tempDir();
    runtimeDir = path.join(dir, 'runtime');
    fs.mkdirSync(runtimeDir);
    fs.writeFileSync(path.join(runtimeDir, 'libonnxruntime.so.1'), 'core');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fakePackage(root: string, version: string): void {
    const native = path.join(root, 'runtimes', 'linux-x64', 'native');
    fs.mkdirSync(native, { recursive: true });
    const pair = fakeProviderPair(version);
    fs.writeFileSync(path.join(native, 'libonnxruntime_providers_cuda.so'), pair.cuda);
    fs.writeFileSync(path.join(native, 'libonnxruntime_providers_shared.so'), pair.shared);
  }

  it('copies both libraries from a folder beside the runtime when the version matches', async () => {
    const src = path.join(dir, 'pkg');
    fakePackage(src, '1.29.0');
    const r = await installCudaProviders(src, { runtimeDir, runtimeVersion: '1.29.0' });
    assert.equal(r.version.status, 'match');
    assert.deepEqual(
      r.copied.map((c) => c.file),
      ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'],
    );
    assert.deepEqual(
      fs.readFileSync(path.join(runtimeDir, 'libonnxruntime_providers_shared.so')),
      fakeProviderPair().shared,
    );
    assert.deepEqual(fs.readdirSync(runtimeDir).sort(), [
      'libonnxruntime.so.1',
      'libonnxruntime_providers_cuda.so',
      'libonnxruntime_providers_shared.so',
    ]);
    assert.equal(fs.statSync(path.join(runtimeDir, 'libonnxruntime_providers_cuda.so')).mode & 0o777, 0o755);
  });

  it('installs with version "unknown" when nothing states a version, and says so', async () => {
    const src = path.join(dir, 'plain');
    fakePackage(src, 'x.y.z');
    const r = await installCudaProviders(src, { runtimeDir, runtimeVersion: '1.29.0' });
    assert.equal(r.version.status, 'unknown');
    assert.match(r.version.evidence, /CUDA build of ONNX Runtime 1\.29\.0/);
    assert.equal(r.copied.length, 2);
  });

  it('extracts a .tgz with tar (npm package layout)', async () => {
    const src = path.join(dir, 'npm', 'package', 'Plugins', 'Linux', 'x64');
    fs.mkdirSync(src, { recursive: true });
    const pair = fakeProviderPair('1.29.0');
    fs.writeFileSync(path.join(src, 'libonnxruntime_providers_cuda.so'), pair.cuda);
    fs.writeFileSync(path.join(src, 'libonnxruntime_providers_shared.so'), pair.shared);
    const tgz = path.join(dir, 'gpu.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', path.join(dir, 'npm'), 'package']);
    const r = await installCudaProviders(tgz, { runtimeDir, runtimeVersion: '1.29.0' });
    assert.equal(r.copied.length, 2);
    assert.ok(fs.existsSync(path.join(runtimeDir, 'libonnxruntime_providers_cuda.so')));
  });

  it('refuses a visible version mismatch (nuspec) unless forced', async () => {
    const src = path.join(dir, 'nupkg');
    fakePackage(src, '1.30.0');
    fs.writeFileSync(
      path.join(src, 'Microsoft.ML.OnnxRuntime.Gpu.Linux.nuspec'),
      '<package><metadata><version>1.30.0</version></metadata></package>',
    );
    await assert.rejects(
      installCudaProviders(src, { runtimeDir, runtimeVersion: '1.29.0' }),
      (e: unknown) => e instanceof UserError && /1\.30\.0/.test(e.message) && /1\.29\.0/.test(e.message),
    );
    assert.equal(fs.existsSync(path.join(runtimeDir, 'libonnxruntime_providers_cuda.so')), false);
    const r = await installCudaProviders(src, { runtimeDir, runtimeVersion: '1.29.0', force: true });
    assert.equal(r.version.status, 'mismatch');
  });

  it('clear errors: missing files, bad archive, URL (no downloads)', async () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    await assert.rejects(
      installCudaProviders(empty, { runtimeDir, runtimeVersion: '1.29.0' }),
      /does not contain libonnxruntime_providers_cuda\.so and libonnxruntime_providers_shared\.so/,
    );
    const bad = path.join(dir, 'bad.tgz');
    fs.writeFileSync(bad, 'not gzip');
    await assert.rejects(
      installCudaProviders(bad, { runtimeDir, runtimeVersion: '1.29.0' }),
      /could not extract bad\.tgz/,
    );
    await assert.rejects(
      installCudaProviders('https://example.com/x.nupkg', { runtimeDir, runtimeVersion: '1.29.0' }),
      /does not download.*microsoft\.ml\.onnxruntime\.gpu\.linux\.1\.29\.0\.nupkg/,
    );
  });

  describe('fake or foreign libraries replace nothing', () => {
    const good = fakeProviderPair('1.29.0');
    const installed = (): Buffer[] =>
      ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'].map((f) =>
        fs.readFileSync(path.join(runtimeDir, f)),
      );
    beforeEach(() => {
      fs.writeFileSync(path.join(runtimeDir, 'libonnxruntime_providers_cuda.so'), good.cuda);
      fs.writeFileSync(path.join(runtimeDir, 'libonnxruntime_providers_shared.so'), good.shared);
    });

    const cases: [string, { cuda: Buffer | string; shared: Buffer | string }, RegExp][] = [
      ['empty files', { cuda: '', shared: '' }, /cuda\.so from src is empty \(0 bytes\), not a shared library/],
      [
        'text files',
        { cuda: 'not a library', shared: good.shared },
        /no ELF or PE header; it starts with bytes 6e 6f 74 20/,
      ],
      [
        'a build for the other architecture (aarch64 / x86-64)',
        fakeProviderPair('1.29.0', FOREIGN_MACHINE),
        /is built for (aarch64|x86-64), but this machine needs (x86-64|aarch64)/,
      ],
      ['a 32-bit library', { cuda: fakeElf({ bits: 32 }), shared: good.shared }, /is a 32-bit library/],
      [
        'an executable',
        { cuda: fakeElf({ type: 2, exports: ['GetProvider'] }), shared: good.shared },
        /is an executable, not a shared library/,
      ],
      [
        'a CUDA library without GetProvider (it only imports Provider_GetHost)',
        { cuda: fakeElf({ imports: ['GetProvider'] }), shared: good.shared },
        /cuda\.so from src does not export GetProvider, so it is not ONNX Runtime's CUDA provider/,
      ],
      [
        'a good CUDA library with a bad shared one',
        { cuda: good.cuda, shared: fakeElf({ exports: ['something_else'] }) },
        /shared\.so from src does not export Provider_GetHost/,
      ],
      [
        'an ELF header cut short',
        { cuda: good.cuda.subarray(0, 40), shared: good.shared },
        /not a usable shared library \(the ELF header is cut short\)/,
      ],
      [
        'section headers past the end of the file',
        { cuda: good.cuda.subarray(0, good.cuda.length - 100), shared: good.shared },
        /not a usable shared library \(a header points past the end\)/,
      ],
    ];
    for (const [what, libs, message] of cases) {
      it(`${what}: a UserError, and the installed pair stays byte for byte`, async () => {
        const src = path.join(dir, 'src');
        fs.mkdirSync(src);
        fs.writeFileSync(path.join(src, 'libonnxruntime_providers_cuda.so'), libs.cuda);
        fs.writeFileSync(path.join(src, 'libonnxruntime_providers_shared.so'), libs.shared);
        const before = installed();
        await assert.rejects(
          installCudaProviders(src, { runtimeDir, runtimeVersion: '1.29.0' }),
          (e: unknown) => e instanceof UserError && message.test(e.message) && /nothing was installed/.test(e.message),
        );
        assert.deepEqual(installed(), before);
        assert.deepEqual(fs.readdirSync(runtimeDir).sort(), [
          'libonnxruntime.so.1',
          'libonnxruntime_providers_cuda.so',
          'libonnxruntime_providers_shared.so',
        ]);
      });
    }

    it('a rename that fails half-way restores the library it already replaced', async () => {
      const src = path.join(dir, 'src');
      fs.mkdirSync(src);
      const newer = {
        cuda: fakeElf({ exports: ['GetProvider'], rodata: 'onnxruntime 1.29.0, a newer build' }),
        shared: fakeElf({ exports: ['Provider_GetHost'], rodata: 'a newer build' }),
      };
      fs.writeFileSync(path.join(src, 'libonnxruntime_providers_cuda.so'), newer.cuda);
      fs.writeFileSync(path.join(src, 'libonnxruntime_providers_shared.so'), newer.shared);
      const target2 = path.join(runtimeDir, 'libonnxruntime_providers_shared.so');
      // The module object itself (not the import's read-only view), which every importer of node:fs reads through.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const nodeFs = require('node:fs') as { renameSync: typeof fs.renameSync };
      const realRename = nodeFs.renameSync;
      let failed = 0;
      // The second library's rename fails (a disk error) after the first one was renamed into place.
      nodeFs.renameSync = (a, b) => {
        if (b === target2 && String(a).endsWith('.tmp')) {
          failed++;
          throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO', path: b });
        }
        return realRename(a, b);
      };
      const before = installed();
      try {
        await assert.rejects(
          installCudaProviders(src, { runtimeDir, runtimeVersion: '1.29.0' }),
          /cannot write .*shared\.so: input\/output error/,
        );
      } finally {
        nodeFs.renameSync = realRename;
      }
      assert.equal(failed, 1);
      assert.deepEqual(installed(), before);
      assert.deepEqual(fs.readdirSync(runtimeDir).sort(), [
        'libonnxruntime.so.1',
        'libonnxruntime_providers_cuda.so',
        'libonnxruntime_providers_shared.so',
      ]);
      // And without the fault, the same source installs.
      await installCudaProviders(src, { runtimeDir, runtimeVersion: '1.29.0' });
      assert.deepEqual(installed(), [newer.cuda, newer.shared]);
    });

    it('a FIFO as the source archive is refused without blocking tar', async () => {
      const fifo = path.join(dir, 'pkg.tgz');
      execFileSync('mkfifo', [fifo]);
      await assert.rejects(
        installCudaProviders(fifo, { runtimeDir, runtimeVersion: '1.29.0' }),
        /source .*pkg\.tgz is a named pipe \(FIFO\), not a regular file/,
      );
    });
  });
});
