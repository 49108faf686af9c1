/**
 * Execution providers: defaults per platform and the classification of why one could not create a session.
 * ONNX Runtime for Node does not fall back by itself (['cuda','cpu'] throws when CUDA cannot load), so Flowbench
 * tries providers one by one and explains each failure with a fix.
 */

export function defaultProviders(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'linux') return ['cuda', 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  return ['cpu'];
}

/** Parses "cuda,cpu" (CLI) or a settings array; lower-cases, drops blanks and duplicates, keeps order. */
export function parseProviderList(
  value: string | readonly string[] | undefined,
  platform: NodeJS.Platform = process.platform,
): string[] {
  if (value === undefined) return defaultProviders(platform);
  const items = (typeof value === 'string' ? value.split(',') : [...value])
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const out: string[] = [];
  for (const p of items) if (!out.includes(p)) out.push(p);
  return out.length > 0 ? out : defaultProviders(platform);
}

export type FailureCode =
  | 'cuda-provider-libs-missing'
  | 'cuda-runtime-libs-missing'
  | 'gpu-driver-missing'
  | 'windows-only'
  | 'not-in-build'
  | 'unknown';

export interface ProviderFailure {
  provider: string;
  code: FailureCode;
  /** One sentence: why it did not run. */
  reason: string;
  /** One sentence: what to do about it. */
  fix: string;
  /** ONNX Runtime's own message, for the log. */
  message: string;
}

/** What the worker found out about the runtime, used to make failures precise. */
export interface FailureContext {
  platform: NodeJS.Platform;
  runtimeDir: string;
  runtimeVersion: string;
  /** Whether libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so sit beside the runtime. */
  cudaProviderLibsPresent: boolean;
  /** Libraries `ldd` reports as "not found" for the CUDA provider library (empty when unknown). */
  cudaMissingLibs: string[];
  /** Native stderr captured around the attempt (ORT logs library load errors there, not in the JS error). */
  stderr: string;
}

const INSTALL_HINT =
  'run "Flowbench: Install CUDA Provider Libraries" (flowbench.onnx.installCuda) ' +
  'or `flowbench install-cuda FOLDER|FILE.tgz`';

export function classifyProviderFailure(provider: string, message: string, ctx: FailureContext): ProviderFailure {
  const text = `${message}\n${ctx.stderr}`;
  const base = { provider, message: message.split('\n')[0] };
  if (provider === 'dml' && ctx.platform !== 'win32') {
    return {
      ...base,
      code: 'windows-only',
      reason: 'DirectML runs only on Windows',
      fix: 'use cuda or cpu on this machine (setting flowbench.inference.executionProviders or --ep)',
    };
  }
  if (provider === 'cuda' || provider === 'tensorrt') {
    // ORT logs "Failed to load library A with error: B: cannot open shared object file"; B names what is missing.
    const providerLib = /error: \S*libonnxruntime_providers_\w+\.so: cannot open shared object file/.exec(text);
    if (!ctx.cudaProviderLibsPresent || providerLib) {
      return {
        ...base,
        code: 'cuda-provider-libs-missing',
        reason:
          `the CUDA provider libraries of onnxruntime ${ctx.runtimeVersion} ` +
          `(libonnxruntime_providers_cuda.so, libonnxruntime_providers_shared.so) are not next to the runtime ` +
          `in ${ctx.runtimeDir}`,
        fix: `${INSTALL_HINT} with the CUDA build of ONNX Runtime ${ctx.runtimeVersion}`,
      };
    }
    const runtimeLib =
      /(lib(?:cublas|cublasLt|cudart|curand|cufft|cudnn|nvrtc|nvinfer)[\w.-]*\.so[\w.]*): cannot open shared object file/.exec(
        text,
      );
    const missing = runtimeLib ? [runtimeLib[1]] : ctx.cudaMissingLibs.filter((l) => !l.startsWith('libcuda.so'));
    if (missing.length > 0) {
      return {
        ...base,
        code: 'cuda-runtime-libs-missing',
        reason: `CUDA runtime libraries are missing: ${missing.join(', ')}`,
        fix:
          'install the CUDA 13 runtime (cuBLAS, cudart, cuRAND) and cuDNN 9, ' +
          'or point flowbench.inference.cudaLibraryPath (--cuda-lib-path) at the folder holding them',
      };
    }
    if (
      /libcuda\.so|CUDA driver|no CUDA-capable device|cudaErrorNoDevice|cudaErrorInsufficientDriver/i.test(text) ||
      ctx.cudaMissingLibs.some((l) => l.startsWith('libcuda.so'))
    ) {
      return {
        ...base,
        code: 'gpu-driver-missing',
        reason: 'no usable NVIDIA GPU or driver (libcuda.so.1 / device not found)',
        fix: 'install the NVIDIA driver, or run on cpu',
      };
    }
  }
  if (/backend not found|not available/i.test(text)) {
    return {
      ...base,
      code: 'not-in-build',
      reason: `this onnxruntime-node build for ${ctx.platform} has no '${provider}' provider`,
      fix: `remove '${provider}' from the provider list`,
    };
  }
  return {
    ...base,
    code: 'unknown',
    reason: `'${provider}' could not create a session: ${base.message}`,
    fix: "see the Flowbench output for ONNX Runtime's log; cpu always works",
  };
}

export function formatFailure(f: ProviderFailure): string {
  return `${f.provider}: ${f.reason} — fix: ${f.fix}`;
}
