import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError, type Cancellation } from '../util/errors';
import { checkInputPath, openCheckedInput, readCheckedTextSync } from '../util/inputs';
import { OutputSet, trackTempFolder, type StagedFile } from '../util/outputs';
import { checkLibrary, fileContains } from './libraryCheck';

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
      // A library may be a symlink (tarballs link versioned names); it is checked as a file when copied.
      if ((e.isFile() || e.isSymbolicLink()) && names.includes(e.name) && !found.has(e.name)) found.set(e.name, p);
      else if (e.isDirectory()) walk(p, d - 1);
    }
  };
  walk(root, depth);
  return found;
}

/** What each library must export: the names ONNX Runtime's provider bridge looks up when it loads them. */
export const REQUIRED_SYMBOLS: Record<(typeof CUDA_PROVIDER_FILES)[number], { symbols: string[]; role: string }> = {
  'libonnxruntime_providers_cuda.so': { symbols: ['GetProvider'], role: "ONNX Runtime's CUDA provider" },
  'libonnxruntime_providers_shared.so': {
    symbols: ['Provider_GetHost'],
    role: "ONNX Runtime's provider bridge (providers_shared)",
  },
};

/** A provider library larger than this is not one (the CUDA provider is a few hundred MB). */
const MAX_LIBRARY_BYTES = 8 * 1024 ** 3;

function readSmallText(file: string): string {
  return readCheckedTextSync(file, { what: 'package file', maxBytes: 16 * 1024 * 1024 });
}

/** Version evidence: a .nuspec <version>, else the runtime's version string inside the provider library. */
async function checkVersion(root: string, cudaLib: string, expected: string): Promise<InstallResult['version']> {
  const nuspec = fs.readdirSync(root).find((f) => f.endsWith('.nuspec'));
  if (nuspec) {
    const m = /<version>([^<]+)<\/version>/.exec(readSmallText(path.join(root, nuspec)));
    if (m) return { status: m[1].trim() === expected ? 'match' : 'mismatch', found: m[1].trim(), evidence: nuspec };
  }
  const pkg = path.join(root, 'package', 'package.json');
  const nugetLike = fs.readdirSync(root).find((f) => /onnxruntime.*gpu.*\.(\d+\.\d+\.\d+)/i.test(f));
  const named = nugetLike ? /(\d+\.\d+\.\d+)/.exec(nugetLike)![1] : null;
  if (named) return { status: named === expected ? 'match' : 'mismatch', found: named, evidence: nugetLike! };
  // A binary scan can only confirm: libraries embed many version-like strings, so absence proves nothing.
  if (await fileContains(cudaLib, Buffer.from(expected)))
    return { status: 'match', found: expected, evidence: `'${expected}' inside ${path.basename(cudaLib)}` };
  return {
    status: 'unknown',
    found: null,
    evidence:
      `no version found (${
        fs.existsSync(pkg) ? "package/package.json is a wrapper package, not ONNX Runtime's version" : 'no .nuspec'
      }, and '${expected}' is not inside ${path.basename(cudaLib)}); ` +
      `make sure it is the CUDA build of ONNX Runtime ${expected}`,
  };
}

/**
 * Places libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so beside the runtime, from a folder
 * or an archive the user points to (.tgz/.tar.gz via tar, .nupkg/.zip via unzip; no shell). Nothing installed is
 * replaced until the new set is complete and checked: both libraries are copied to temps beside their targets,
 * each temp is checked (an ELF shared library for this machine's architecture that exports what ONNX Runtime
 * looks up in it) and the version compared with the runtime's (a visible mismatch is refused unless `force`);
 * then both are renamed into place together, and a failure there restores the previous pair.
 */
export async function installCudaProviders(
  source: string,
  opts: { runtimeDir?: string; runtimeVersion?: string; force?: boolean; cancellation?: Cancellation } = {},
): Promise<InstallResult> {
  if (/^https?:\/\//i.test(source)) {
    throw new UserError(
      `Flowbench does not download by itself. Download the package yourself ` +
        `(for example ${officialPackageUrl(opts.runtimeVersion ?? defaultRuntimeDir().version)}) ` +
        `and point installCuda at the downloaded file or its extracted folder`,
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
  let st: fs.Stats;
  try {
    st = fs.statSync(source);
  } catch {
    throw new UserError(`${source} does not exist`);
  }
  // A FIFO or device as the archive would block tar or unzip; only folders and regular files are sources.
  if (!st.isDirectory()) checkInputPath(source, { what: 'source' });
  if (!fs.existsSync(rt.dir)) throw new UserError(`the ONNX Runtime folder ${rt.dir} does not exist`);
  checkInputPath(rt.dir, { folder: true, what: 'the ONNX Runtime folder' });
  let root = source;
  let tmp: string | null = null;
  let untrackTmp = (): void => undefined;
  const outs = new OutputSet({ cancellation: opts.cancellation });
  try {
    if (st.isFile()) {
      tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'flowbench-cuda-'));
      untrackTmp = trackTempFolder(tmp);
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
          `could not extract ${path.basename(source)}: ` +
            `${((err as { stderr?: string }).stderr || (err as Error).message).trim().split('\n')[0]}`,
        );
      }
      root = tmp;
    }
    const found = findFiles(root, CUDA_PROVIDER_FILES);
    const missing = CUDA_PROVIDER_FILES.filter((f) => !found.has(f));
    if (missing.length)
      throw new UserError(
        `${path.basename(source)} does not contain ${missing.join(' and ')} ` +
          `(look for the CUDA build of ONNX Runtime ${rt.version}, folder runtimes/linux-x64/native in ` +
          `the NuGet package)`,
      );
    outs.addInputs(...CUDA_PROVIDER_FILES.map((f) => ({ path: found.get(f)!, what: `the source ${f}` })));
    const staged = new Map<string, StagedFile>();
    for (const file of CUDA_PROVIDER_FILES) {
      const from = found.get(file)!;
      const input = await openCheckedInput(from, { what: 'library', maxBytes: MAX_LIBRARY_BYTES });
      try {
        const f = outs.file({ path: path.join(rt.dir, file), what: `the installed ${file}` }, { mode: 0o755 });
        await f.copyFrom(input.handle, input.size);
        f.seal();
        staged.set(file, f);
      } finally {
        await input.handle.close().catch(() => undefined);
      }
    }
    // The copies are what gets installed, so the copies are what is checked.
    for (const file of CUDA_PROVIDER_FILES) {
      const want = REQUIRED_SYMBOLS[file];
      await checkLibrary(staged.get(file)!.tmp, `${file} from ${path.basename(source)}`, {
        symbols: want.symbols,
        role: want.role,
      });
    }
    const version = await checkVersion(root, staged.get(CUDA_PROVIDER_FILES[0])!.tmp, rt.version);
    if (version.status === 'mismatch' && !opts.force) {
      throw new UserError(
        `the CUDA provider libraries are for ONNX Runtime ${version.found} (${version.evidence}) but ` +
          `the runtime is ${rt.version}; use the matching version (or force)`,
      );
    }
    await outs.commitAll();
    const copied: InstallResult['copied'] = CUDA_PROVIDER_FILES.map((file) => ({
      file,
      from: found.get(file)!,
      bytes: fs.statSync(path.join(rt.dir, file)).size,
    }));
    return { runtimeDir: rt.dir, runtimeVersion: rt.version, copied, version };
  } catch (err) {
    outs.abortAll();
    if (err instanceof UserError) {
      throw new UserError(`${err.message}; nothing was installed or replaced`);
    }
    throw err;
  } finally {
    if (tmp) await fs.promises.rm(tmp, { recursive: true, force: true });
    untrackTmp();
  }
}
