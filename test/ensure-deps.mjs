// Installs the project's npm dependencies when they are missing or older than package-lock.json, so the README's
// commands work on a fresh clone. onnxruntime-node's postinstall would download CUDA libraries from the internet and
// fail the whole install offline: ONNXRUNTIME_NODE_INSTALL=skip is its documented switch (package.json's allowScripts
// also denies that script under npm 11).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function ensureDeps() {
  const lock = path.join(ROOT, 'package-lock.json');
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const fresh = fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs;
  if (fresh) return;
  process.stderr.write('[deps] npm ci (ONNXRUNTIME_NODE_INSTALL=skip)\n');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  if (r.status !== 0) throw new Error('npm ci failed');
}

// Reference peers for tests and benchmarks only (never runtime dependencies of the extension): scikit-learn's splits,
// pandas, onnx and onnxruntime for Python, and torch (CPU) for the data loader timings. They install offline from this
// machine's local wheel cache (torch, about 200 MB, in about 25 s).
const PYTHON_PEERS = {
  pandas: 'pandas',
  sklearn: 'scikit-learn',
  onnx: 'onnx',
  onnxruntime: 'onnxruntime',
  IPython: 'ipython',
  numpy: 'numpy',
  torch: 'torch',
};

export function ensurePythonPeers() {
  const python = process.env.FLOWBENCH_PYTHON ?? 'python3';
  const missing = Object.entries(PYTHON_PEERS).filter(
    ([mod]) => spawnSync(python, ['-c', `import ${mod}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length === 0) return;
  const names = missing.map(([, pkg]) => pkg);
  process.stderr.write(`[deps] ${python} -m pip install ${names.join(' ')} (test and benchmark peers)\n`);
  const r = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...names], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Not fatal here: the tests that need a peer fail with a message naming it.
  if (r.status !== 0) process.stderr.write(`[deps] pip could not install ${names.join(' ')}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureDeps();
  ensurePythonPeers();
}
