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

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureDeps();
