import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { installCudaProviders } from '../../../src/inference/installCuda';
import { UserError } from '../../../src/util/errors';
import { tempDir } from './helpers';

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
    fs.writeFileSync(path.join(native, 'libonnxruntime_providers_cuda.so'), `ELF...onnxruntime ${version}...`);
    fs.writeFileSync(path.join(native, 'libonnxruntime_providers_shared.so'), 'ELF shared');
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
    assert.equal(fs.readFileSync(path.join(runtimeDir, 'libonnxruntime_providers_shared.so'), 'utf8'), 'ELF shared');
    assert.deepEqual(
      fs.readdirSync(runtimeDir).filter((f) => f.endsWith('.part')),
      [],
    );
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
    fs.writeFileSync(path.join(src, 'libonnxruntime_providers_cuda.so'), 'onnxruntime 1.29.0');
    fs.writeFileSync(path.join(src, 'libonnxruntime_providers_shared.so'), 'x');
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
});
