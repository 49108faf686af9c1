// Integration tier: the mocha suite in test/integration runs inside a real VS Code extension host (code-server),
// then browser UI tests drive the workbench, then the packaged .vsix is installed and checked for activation.
// Usage: node test/vscode/run-integration.mjs [--grep PATTERN] [--no-build] [--no-ui] [--no-vsix]
// Prints `vscode: N passed, N failed` last and writes .vscode-test/integration-results.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, format } from 'node:util';
import {
  ROOT, T, ensureCodeServer, startCodeServer, workbenchUrl, launchBrowser, isNoise,
} from './codeServer.mjs';
import { prepareDemoWorkspace } from './demoWorkspace.mjs';
import { uiTests } from './ui-tests.mjs';
import { vsixTest } from './vsix-test.mjs';
import { build } from '../build.mjs';

const { values: opts } = parseArgs({
  options: {
    grep: { type: 'string' },
    'no-build': { type: 'boolean' },
    'no-ui': { type: 'boolean' },
    'no-vsix': { type: 'boolean' },
    timeout: { type: 'string', default: '900' },
  },
});

async function runSuite(results) {
  const workspace = prepareDemoWorkspace(path.join(T, 'integration', 'ws'));
  const resultsFile = path.join(T, 'integration', 'mocha-results.json');
  fs.rmSync(resultsFile, { force: true });
  const server = await startCodeServer({
    name: 'integration',
    workspace,
    env: { FLOWBENCH_TEST_RESULTS: resultsFile, ...(opts.grep ? { FLOWBENCH_TEST_GREP: opts.grep } : {}) },
  });
  const browser = await launchBrowser(server.state);
  try {
    const page = await browser.newPage();
    let exitCode;
    let onExit;
    const exited = new Promise((resolve) => { onExit = resolve; });
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
      results.failures.push({ title: 'integration suite', error: `no result within ${opts.timeout} s (see ${server.logFile})` });
      return;
    }
    if (!fs.existsSync(resultsFile)) {
      results.failed += 1;
      results.failures.push({ title: 'integration suite', error: `the suite exited with ${exitCode} before reporting results (see ${server.logFile})` });
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

async function main() {
  const started = Date.now();
  ensureCodeServer();
  if (!opts['no-build']) build();
  const results = { passed: 0, failed: 0, failures: [] };
  await runSuite(results);
  if (!opts['no-ui'] && !opts.grep) await uiTests(results);
  if (!opts['no-vsix'] && !opts.grep) await vsixTest(results);
  for (const f of results.failures) process.stdout.write(`\nFAILED: ${f.title}\n${f.error}\n`);
  fs.writeFileSync(path.join(T, 'integration-results.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`(integration tier took ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  process.stdout.write(`vscode: ${results.passed} passed, ${results.failed} failed\n`);
  return results.failed === 0 && results.passed > 0 ? 0 : 1;
}

// Exit explicitly: a lingering handle (a browser pipe, a keep-alive socket) must not hold `npm test` open.
main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  fs.mkdirSync(T, { recursive: true });
  fs.writeFileSync(path.join(T, 'integration-results.json'), JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'harness', error: String(err) }] }));
  process.stdout.write('vscode: 0 passed, 1 failed\n');
  process.exit(1);
});
