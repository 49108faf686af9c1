// Integration tier: the mocha suite in test/integration runs inside a real VS Code extension host (code-server) on
// each tested version (the oldest, VS Code 1.93.1, named by engines.vscode, then the newest, 1.139.1), then browser UI
// tests drive that workbench; last, on the newest only, the packaged .vsix is installed and checked for activation.
// Usage: node test/vscode/run-integration.mjs [--grep PATTERN] [--no-build] [--no-ui] [--no-vsix]
//          [--code-server VERSION]... (only these code-server versions; default: all tested ones)
// Prints each version's counts, then `vscode: N passed, N failed` (all versions) last, and writes the combined totals
// (and a per-version breakdown) to .vscode-test/integration-results.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, format } from 'node:util';
import {
  ROOT,
  T,
  ensureCodeServer,
  startCodeServer,
  workbenchUrl,
  launchBrowser,
  isNoise,
  TESTED_VERSIONS,
  LATEST,
  OLDEST,
  vscodeVersion,
} from './codeServer.mjs';
import { prepareDemoWorkspace } from './demoWorkspace.mjs';
import { uiTests, harnessTest } from './ui-tests.mjs';
import { vsixTest } from './vsix-test.mjs';
import { build } from '../build.mjs';

const { values: opts } = parseArgs({
  options: {
    grep: { type: 'string' },
    'no-build': { type: 'boolean' },
    'no-ui': { type: 'boolean' },
    'no-vsix': { type: 'boolean' },
    timeout: { type: 'string', default: '900' },
    'code-server': { type: 'string', multiple: true },
  },
});

async function runSuite(results, version) {
  // Short: the extension host's IPC socket lives in <state>/temp, and a Unix socket path may not pass 107 characters.
  const name = `int-${vscodeVersion(version)}`;
  const workspace = prepareDemoWorkspace(path.join(T, name, 'ws'));
  const resultsFile = path.join(T, name, 'mocha-results.json');
  fs.rmSync(resultsFile, { force: true });
  const server = await startCodeServer({
    name,
    version,
    workspace,
    env: { FLOWBENCH_TEST_RESULTS: resultsFile, ...(opts.grep ? { FLOWBENCH_TEST_GREP: opts.grep } : {}) },
  });
  const browser = await launchBrowser(server.state);
  try {
    const page = await browser.newPage();
    let exitCode;
    let onExit;
    const exited = new Promise((resolve) => {
      onExit = resolve;
    });
    // Both must be exposed before the workbench loads; they are the only trustworthy route for results.
    await page.exposeFunction('codeAutomationExit', (code) => {
      exitCode = code;
      onExit();
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      if (!isNoise(line)) process.stdout.write(`${line}\n`);
    });
    const url = workbenchUrl(server.base, workspace, {
      extensionDevelopmentPath: ROOT,
      testsPath: path.join(ROOT, 'out', 'test', 'integration', 'index.js'),
    });
    await page.goto(url);
    const timeoutMs = Number(opts.timeout) * 1000;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise((r) => setTimeout(() => r(true), timeoutMs)),
    ]);
    if (timedOut) {
      results.failed += 1;
      results.failures.push({
        title: 'integration suite',
        error: `no result within ${opts.timeout} s (see ${server.logFile})`,
      });
      return;
    }
    if (!fs.existsSync(resultsFile)) {
      results.failed += 1;
      results.failures.push({
        title: 'integration suite',
        error: `the suite exited with ${exitCode} before reporting results (see ${server.logFile})`,
      });
      return;
    }
    const mocha = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    results.passed += mocha.passed;
    results.failed += mocha.failed;
    results.failures.push(...mocha.failures);
  } finally {
    await browser.close().catch(() => {});
    server.stop();
  }
}

const label = (version) => `VS Code ${vscodeVersion(version)}`;

/** engines.vscode must name the oldest tested version, and @types/vscode must not offer API newer than it. */
async function enginesTest(results) {
  await harnessTest(
    results,
    `package.json: engines.vscode names VS Code ${vscodeVersion(OLDEST)}, @types/vscode is not newer`,
    () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
      const minor = (v) =>
        v
          .replace(/^[\^~>=\s]+/, '')
          .split('.')
          .slice(0, 2)
          .join('.');
      const oldest = minor(vscodeVersion(OLDEST));
      const engines = pkg.engines?.vscode ?? '';
      if (engines !== `^${oldest}.0`)
        throw new Error(
          `engines.vscode is '${engines}'; the oldest tested VS Code is ${vscodeVersion(OLDEST)} (expected '^${oldest}.0')`,
        );
      const types = pkg.devDependencies?.['@types/vscode'] ?? '';
      if (!types.startsWith('~') || minor(types) !== oldest)
        throw new Error(`@types/vscode is '${types}'; pin it to '~${oldest}.0' so src cannot use newer API`);
    },
  );
}

async function main() {
  const started = Date.now();
  const versions = opts['code-server']?.length ? opts['code-server'] : TESTED_VERSIONS;
  versions.forEach(vscodeVersion); // an unknown version stops here, naming the known ones
  const total = { passed: 0, failed: 0, failures: [], versions: {} };
  const perVersion = versions.map((version) => ({ version, passed: 0, failed: 0, failures: [] }));
  // Install every version first (a fresh machine pays this once), then build, then test version by version. A version
  // that does not install counts as one failure of that version; the others still run.
  for (const r of perVersion) {
    try {
      ensureCodeServer(r.version);
    } catch (err) {
      r.installError = String(err?.stack ?? err);
    }
  }
  if (!opts['no-build']) build();
  for (const r of perVersion) {
    const t0 = Date.now();
    process.stdout.write(`\n-- ${label(r.version)} (code-server ${r.version})\n`);
    if (r.installError) {
      r.failed += 1;
      r.failures.push({ title: 'harness: installing code-server', error: r.installError });
    } else {
      try {
        if (r.version === OLDEST && !opts.grep) await enginesTest(r);
        await runSuite(r, r.version);
        if (!opts['no-ui'] && !opts.grep) await uiTests(r, r.version);
      } catch (err) {
        r.failed += 1;
        r.failures.push({ title: 'harness', error: String(err?.stack ?? err) });
      }
    }
    r.seconds = (Date.now() - t0) / 1000;
  }
  // On the newest only, and after every suite: packaging rebuilds dist/ for production, which the suites must not
  // load. On the oldest the suite already shows that engines.vscode admits it (the extension loads and activates).
  const latest = perVersion.find((r) => r.version === LATEST && !r.installError);
  if (latest && !opts['no-vsix'] && !opts.grep) {
    const t0 = Date.now();
    process.stdout.write(`\n-- ${label(LATEST)}: the packaged .vsix\n`);
    await vsixTest(latest, LATEST).catch((err) => {
      latest.failed += 1;
      latest.failures.push({ title: 'harness: vsix', error: String(err?.stack ?? err) });
    });
    latest.seconds += (Date.now() - t0) / 1000;
  }
  for (const r of perVersion) {
    total.passed += r.passed;
    total.failed += r.failed;
    total.failures.push(...r.failures.map((f) => ({ ...f, title: `[${label(r.version)}] ${f.title}` })));
    total.versions[vscodeVersion(r.version)] = {
      codeServer: r.version,
      passed: r.passed,
      failed: r.failed,
      seconds: Math.round(r.seconds),
    };
  }
  for (const f of total.failures) process.stdout.write(`\nFAILED: ${f.title}\n${f.error}\n`);
  fs.writeFileSync(path.join(T, 'integration-results.json'), JSON.stringify(total, null, 2));
  process.stdout.write(`(integration tier took ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  for (const r of perVersion) {
    process.stdout.write(
      `vscode ${vscodeVersion(r.version)} (code-server ${r.version}): ${r.passed} passed, ${r.failed} failed (${r.seconds.toFixed(1)} s)\n`,
    );
  }
  process.stdout.write(`vscode: ${total.passed} passed, ${total.failed} failed\n`);
  return total.failed === 0 && perVersion.every((r) => r.passed > 0) ? 0 : 1;
}

// Exit explicitly: a lingering handle (a browser pipe, a keep-alive socket) must not hold `npm test` open.
main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    fs.mkdirSync(T, { recursive: true });
    fs.writeFileSync(
      path.join(T, 'integration-results.json'),
      JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'harness', error: String(err) }] }),
    );
    process.stdout.write('vscode: 0 passed, 1 failed\n');
    process.exit(1);
  },
);
