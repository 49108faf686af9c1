import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../util/errors';

const run = promisify(execFile);
export const CUDA_PROVIDER_FILES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'] as const;

/** Where onnxruntime-node keeps libonnxruntime.so.1; ORT loads provider libraries from that same folder. */
export function defaultRuntimeDir(): { dir: string; version: string } {
  const pkgJson = require.resolve('onnxruntime-node/package.json');
  const version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  return { dir: path.join(path.dirname(pkgJson), 'bin', 'napi-v6', process.platform, process.arch), version };
}

/** The official GPU package, named for the message shown when the user asks for a download. */
export function officialPackageUrl(version: string): string {
  return `https://api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/${version}/microsoft.ml.onnxruntime.gpu.linux.${version}.nupkg`;
}

export interface InstallResult {
  runtimeDir: string;
  runtimeVersion: string;
  copied: { file: string; from: string; bytes: number }[];
  version: { status: 'match' | 'mismatch' | 'unknown'; found: string | null; evidence: string };
}

function findFiles(root: string, names: readonly string[], depth = 10): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string, d: number): void => {
    if (d < 0 || found.size === names.length) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isFile() && names.includes(e.name) && !found.has(e.name)) found.set(e.name, p);
      else if (e.isDirectory()) walk(p, d - 1);
    }
  };
  walk(root, depth);
  return found;
}

/** Version evidence: a .nuspec <version>, else the runtime's version string inside the provider library. */
function checkVersion(root: string, cudaLib: string, expected: string): InstallResult['version'] {
  const nuspec = fs.readdirSync(root).find((f) => f.endsWith('.nuspec'));
  if (nuspec) {
    const m = /<version>([^<]+)<\/version>/.exec(fs.readFileSync(path.join(root, nuspec), 'utf8'));
    if (m) return { status: m[1].trim() === expected ? 'match' : 'mismatch', found: m[1].trim(), evidence: nuspec };
  }
  const pkg = path.join(root, 'package', 'package.json');
  const nugetLike = fs.readdirSync(root).find((f) => /onnxruntime.*gpu.*\.(\d+\.\d+\.\d+)/i.test(f));
  const named = nugetLike ? /(\d+\.\d+\.\d+)/.exec(nugetLike)![1] : null;
  if (named) return { status: named === expected ? 'match' : 'mismatch', found: named, evidence: nugetLike! };
  // A binary scan can only confirm: libraries embed many version-like strings, so absence proves nothing.
  const bytes = fs.readFileSync(cudaLib);
  if (bytes.includes(Buffer.from(expected)))
    return { status: 'match', found: expected, evidence: `'${expected}' inside ${path.basename(cudaLib)}` };
  return {
    status: 'unknown',
    found: null,
    evidence: `no version found (${fs.existsSync(pkg) ? "package/package.json is a wrapper package, not ONNX Runtime's version" : 'no .nuspec'}, and '${expected}' is not inside ${path.basename(cudaLib)}); make sure it is the CUDA build of ONNX Runtime ${expected}`,
  };
}

/**
 * Places libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so beside the runtime, from a folder
 * or an archive the user points to (.tgz/.tar.gz via tar, .nupkg/.zip via unzip; no shell). Refuses a version that
 * visibly differs from the runtime's unless `force`. Each file is copied to a temp name and renamed into place.
 */
export async function installCudaProviders(
  source: string,
  opts: { runtimeDir?: string; runtimeVersion?: string; force?: boolean } = {},
): Promise<InstallResult> {
  if (/^https?:\/\//i.test(source)) {
    throw new UserError(
      `Flowbench does not download by itself. Download the package yourself (for example ${officialPackageUrl(opts.runtimeVersion ?? defaultRuntimeDir().version)}) and point installCuda at the downloaded file or its extracted folder`,
    );
  }
  const rt =
    opts.runtimeDir && opts.runtimeVersion
      ? { dir: opts.runtimeDir, version: opts.runtimeVersion }
      : {
          ...defaultRuntimeDir(),
          ...(opts.runtimeDir ? { dir: opts.runtimeDir } : {}),
          ...(opts.runtimeVersion ? { version: opts.runtimeVersion } : {}),
        };
  if (!fs.existsSync(source)) throw new UserError(`${source} does not exist`);
  if (!fs.existsSync(rt.dir)) throw new UserError(`the ONNX Runtime folder ${rt.dir} does not exist`);
  let root = source;
  let tmp: string | null = null;
  try {
    if (fs.statSync(source).isFile()) {
      tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'flowbench-cuda-'));
      const lower = source.toLowerCase();
      try {
        if (lower.endsWith('.tgz') || lower.endsWith('.tar.gz') || lower.endsWith('.tar'))
          await run('tar', ['-xf', source, '-C', tmp]);
        else if (lower.endsWith('.nupkg') || lower.endsWith('.zip'))
          await run('unzip', ['-q', '-o', source, '-d', tmp]);
        else throw new UserError(`${path.basename(source)}: expected a folder, a .tgz/.tar.gz or a .nupkg/.zip`);
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw new UserError(
          `could not extract ${path.basename(source)}: ${((err as { stderr?: string }).stderr || (err as Error).message).trim().split('\n')[0]}`,
        );
      }
      root = tmp;
    }
    const found = findFiles(root, CUDA_PROVIDER_FILES);
    const missing = CUDA_PROVIDER_FILES.filter((f) => !found.has(f));
    if (missing.length)
      throw new UserError(
        `${path.basename(source)} does not contain ${missing.join(' and ')} (look for the CUDA build of ONNX Runtime ${rt.version}, folder runtimes/linux-x64/native in the NuGet package)`,
      );
    const version = checkVersion(root, found.get(CUDA_PROVIDER_FILES[0])!, rt.version);
    if (version.status === 'mismatch' && !opts.force) {
      throw new UserError(
        `the CUDA provider libraries are for ONNX Runtime ${version.found} (${version.evidence}) but the runtime is ${rt.version}; use the matching version (or force)`,
      );
    }
    const copied: InstallResult['copied'] = [];
    for (const file of CUDA_PROVIDER_FILES) {
      const from = found.get(file)!;
      const to = path.join(rt.dir, file);
      const part = `${to}.${process.pid}.part`;
      try {
        await fs.promises.copyFile(from, part);
        await fs.promises.chmod(part, 0o755);
        await fs.promises.rename(part, to);
      } catch (err) {
        await fs.promises.rm(part, { force: true });
        throw new UserError(`could not write ${to}: ${(err as Error).message}`);
      }
      copied.push({ file, from, bytes: fs.statSync(to).size });
    }
    return { runtimeDir: rt.dir, runtimeVersion: rt.version, copied, version };
  } finally {
    if (tmp) await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}
