// `npm test`: installs what is missing, builds, type-checks, runs the unit tier (mocha, plain Node) and the
// integration tier (a real VS Code: code-server + Chromium, on the oldest supported and the newest VS Code), then
// prints the total of both as its last line.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ensureDeps, ensurePythonPeers } from './ensure-deps.mjs';
import { TESTED_VERSIONS, vscodeVersion } from './vscode/codeServer.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const totals = { passed: 0, failed: 0 };
const failures = [];

function step(title, cmd, args, opts = {}) {
  process.stdout.write(`\n== ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  return r.status === 0;
}

function listTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.unit.test.js'))
    .map((f) => path.join(dir, f))
    .sort();
}

async function unitTier() {
  process.stdout.write('\n== unit tests (mocha)\n');
  const Mocha = require('mocha');
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 30_000, color: false });
  const grep = process.env.FLOWBENCH_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of listTests(path.join(ROOT, 'out', 'test', 'unit'))) mocha.addFile(f);
  try {
    await mocha.loadFilesAsync();
  } catch (err) {
    // A test file that throws while loading stops mocha from running any unit test: count it and go on.
    process.stdout.write(`${err.stack ?? err}\n`);
    totals.failed++;
    failures.push(`unit: loading the test files: ${err.message ?? err}`);
    return;
  }
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => totals.passed++);
    runner.on('fail', (t) => {
      totals.failed++;
      failures.push(`unit: ${t.fullTitle()}`);
    });
  });
}

function integrationTier() {
  // Bounded so a hung VS Code can never run CI past its limit; the harness has its own, shorter, timeouts.
  const versions = TESTED_VERSIONS.map(vscodeVersion).join(' and ');
  const ok = step(
    `integration tests (VS Code ${versions} via code-server)`,
    'node',
    ['test/vscode/run-integration.mjs', '--no-build'],
    { timeout: 45 * 60_000, killSignal: 'SIGKILL' },
  );
  const file = path.join(ROOT, '.vscode-test', 'integration-results.json');
  const r = fs.existsSync(file)
    ? JSON.parse(fs.readFileSync(file, 'utf8'))
    : { passed: 0, failed: 1, failures: [{ title: 'integration harness' }] };
  totals.passed += r.passed;
  totals.failed += r.failed;
  failures.push(...r.failures.map((f) => `integration: ${f.title}`));
  if (!ok && r.failed === 0) {
    totals.failed++;
    failures.push('integration: harness exited non-zero');
  }
}

async function main() {
  ensureDeps();
  ensurePythonPeers();
  if (!step('build (esbuild)', 'node', ['esbuild.config.mjs'])) {
    totals.failed++;
    failures.push('build');
  }
  // One tsc run both type-checks src and test and emits the test tiers into out/.
  fs.rmSync(path.join(ROOT, 'out'), { recursive: true, force: true });
  if (!step('type-check and compile tests (tsc)', 'npx', ['tsc', '-p', 'tsconfig.json', '--outDir', 'out'])) {
    totals.failed++;
    failures.push('typecheck');
  }
  // The tree stays clean under both: a lint or format problem counts as a failure before any test runs.
  for (const [title, args] of [
    ['lint (eslint, with the architecture rules)', ['eslint', 'src', 'test', 'media/webview', '*.mjs']],
    ['format (prettier --check)', ['prettier', '--check', 'src', 'test', 'media/webview', '*.mjs']],
  ]) {
    if (!step(title, 'npx', args)) {
      totals.failed++;
      failures.push(title.split(' ')[0]);
    }
  }
  await unitTier();
  if (process.env.FLOWBENCH_SKIP_INTEGRATION !== '1') integrationTier();
  if (failures.length) process.stdout.write(`\nFailed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed\n`);
  process.exitCode = totals.failed === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.stdout.write(`${totals.passed} passed, ${totals.failed + 1} failed\n`);
  process.exitCode = 1;
});
