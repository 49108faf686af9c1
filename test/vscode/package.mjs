// `npm run package [-- --target linux-x64]`: a per-platform .vsix carrying only that platform's onnxruntime binaries.
// vsce does not prune node_modules per target, so the package is staged in a folder holding just what ships.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from '../build.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// vsce target → onnxruntime-node's bin/napi-v6/<os>/<arch>
const TARGETS = {
  'linux-x64': ['linux', 'x64'],
  'linux-arm64': ['linux', 'arm64'],
  'win32-x64': ['win32', 'x64'],
  'win32-arm64': ['win32', 'arm64'],
  'darwin-arm64': ['darwin', 'arm64'],
};
const RUNTIME_PACKAGES = ['onnxruntime-node', 'onnxruntime-common'];

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

export function packageVsix({ target = 'linux-x64', quiet = false } = {}) {
  const platform = TARGETS[target];
  if (!platform) throw new Error(`unknown target ${target}; one of ${Object.keys(TARGETS).join(', ')}`);
  const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit';
  build({ production: true, tests: false, stdio });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const stage = path.join(ROOT, '.vscode-test', 'package', target);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const item of ['dist', 'media', 'snippets', 'README.md', 'LICENSE', '.vscodeignore']) {
    const src = path.join(ROOT, item);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(stage, item), { recursive: true });
  }
  // Files loaded beside the bundles at run time: a package without them still builds but cannot time or read data.
  for (const f of ['harness.py', 'kernelTimeit.py', 'csvIndex.wasm', 'scanWorker.js']) {
    if (!fs.existsSync(path.join(stage, 'dist', f))) throw new Error(`dist/${f} is missing from the package`);
  }
  for (const dep of RUNTIME_PACKAGES) {
    const src = path.join(ROOT, 'node_modules', dep);
    // Under dist/: vsce's --no-dependencies mode leaves out the top-level node_modules, and Node resolves
    // require('onnxruntime-node') from dist/onnxWorker.js through dist/node_modules first.
    fs.cpSync(src, path.join(stage, 'dist', 'node_modules', dep), {
      recursive: true,
      // Keep only this target's native binaries (and no CUDA provider libraries: they are an opt-in install).
      filter: (p) => {
        const rel = path.relative(src, p).split(path.sep);
        if (rel[0] !== 'bin' || rel.length < 3) return true;
        if (rel[2] !== platform[0]) return false;
        if (rel.length >= 4 && rel[3] !== platform[1]) return false;
        return !/libonnxruntime_providers_(cuda|tensorrt|shared)\./.test(rel[rel.length - 1]);
      },
    });
  }
  const binding = path.join(
    stage,
    'dist',
    'node_modules',
    'onnxruntime-node',
    'bin',
    'napi-v6',
    ...platform,
    'onnxruntime_binding.node',
  );
  if (!fs.existsSync(binding)) throw new Error(`onnxruntime-node has no binary for ${target} (${binding})`);
  // The staged manifest has no dev tooling; the runtime dependencies are carried by hand above.
  const staged = { ...pkg, scripts: {}, devDependencies: {}, dependencies: {} };
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(staged, null, 2));
  const out = path.join(ROOT, `${pkg.name}-${target}-${pkg.version}.vsix`);
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  run(
    'node',
    [
      vsce,
      'package',
      '--target',
      target,
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '--out',
      out,
    ],
    { cwd: stage, stdio },
  );
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { target: { type: 'string', default: 'linux-x64' } } });
  const out = packageVsix({ target: values.target });
  console.log(`${out} (${(fs.statSync(out).size / 1e6).toFixed(1)} MB)`);
}
