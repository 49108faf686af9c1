import assert from 'node:assert/strict';
import {
  classifyProviderFailure,
  defaultProviders,
  parseProviderList,
  type FailureContext,
} from '../../../src/inference/providers';

const ctx = (o: Partial<FailureContext> = {}): FailureContext => ({
  platform: 'linux',
  runtimeDir: '/rt',
  runtimeVersion: '1.29.0',
  cudaProviderLibsPresent: true,
  cudaMissingLibs: [],
  stderr: '',
  ...o,
});
const CUDA_MSG = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';

describe('inference/providers', () => {
  it('defaults per platform and parses lists', () => {
    assert.deepEqual(defaultProviders('linux'), ['cuda', 'cpu']);
    assert.deepEqual(defaultProviders('win32'), ['dml', 'cpu']);
    assert.deepEqual(defaultProviders('darwin'), ['cpu']);
    assert.deepEqual(parseProviderList(' CUDA, cpu,cuda ', 'linux'), ['cuda', 'cpu']);
    assert.deepEqual(parseProviderList(undefined, 'win32'), ['dml', 'cpu']);
    assert.deepEqual(parseProviderList([], 'linux'), ['cuda', 'cpu']);
  });

  it('provider libraries absent → providers missing, with the installCuda fix', () => {
    const f = classifyProviderFailure('cuda', CUDA_MSG, ctx({ cudaProviderLibsPresent: false }));
    assert.equal(f.code, 'cuda-provider-libs-missing');
    assert.match(f.reason, /1\.29\.0/);
    const g = classifyProviderFailure(
      'cuda',
      CUDA_MSG,
      ctx({
        stderr:
          'Failed to load library /rt/libonnxruntime_providers_shared.so with error: /rt/libonnxruntime_providers_shared.so: cannot open shared object file: No such file or directory',
      }),
    );
    assert.equal(g.code, 'cuda-provider-libs-missing');
  });

  it('CUDA runtime libraries missing, from stderr or from ldd', () => {
    const a = classifyProviderFailure(
      'cuda',
      CUDA_MSG,
      ctx({
        stderr:
          'Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory',
      }),
    );
    assert.equal(a.code, 'cuda-runtime-libs-missing');
    assert.match(a.reason, /libcublasLt\.so\.13/);
    const b = classifyProviderFailure(
      'cuda',
      CUDA_MSG,
      ctx({ cudaMissingLibs: ['libcudart.so.13', 'libcurand.so.10'] }),
    );
    assert.equal(b.code, 'cuda-runtime-libs-missing');
    assert.match(b.fix, /cudaLibraryPath/);
    assert.equal(
      classifyProviderFailure('cuda', CUDA_MSG, ctx({ cudaMissingLibs: ['libcuda.so.1'] })).code,
      'gpu-driver-missing',
    );
  });

  it('DirectML only on Windows; unknown backends; anything else unknown', () => {
    assert.equal(
      classifyProviderFailure('dml', 'no available backend found. ERR: [dml] backend not found.', ctx()).code,
      'windows-only',
    );
    assert.equal(
      classifyProviderFailure('coreml', 'no available backend found. ERR: [coreml] backend not found.', ctx()).code,
      'not-in-build',
    );
    const u = classifyProviderFailure(
      'dml',
      '887A0004 The specified device interface or feature level is not supported',
      ctx({ platform: 'win32' }),
    );
    assert.equal(u.code, 'unknown');
    assert.match(u.reason, /887A0004/);
  });
});
