// `npm run test:desktop`: the same integration suite on a desktop VS Code through @vscode/test-electron, for
// contributors who have one. Offline it needs VSCODE_EXECUTABLE (the Electron binary, e.g. /usr/share/code/code);
// online, test-electron downloads the version in engines.vscode. Use `xvfb-run -a` on a headless Linux.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { ensureDeps } from '../ensure-deps.mjs';
import { build } from '../build.mjs';
import { ROOT, T } from './codeServer.mjs';
import { prepareDemoWorkspace } from './demoWorkspace.mjs';

const require = createRequire(import.meta.url);

async function main() {
  ensureDeps();
  build();
  const { runTests } = require('@vscode/test-electron');
  const workspace = prepareDemoWorkspace(path.join(T, 'desktop', 'ws'));
  const resultsFile = path.join(T, 'desktop', 'mocha-results.json');
  fs.rmSync(resultsFile, { force: true });
  process.env.FLOWBENCH_TEST_RESULTS = resultsFile;
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  try {
    await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      version: pkg.engines.vscode.replace(/^\^/, ''),
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'out', 'test', 'integration', 'index.js'),
      launchArgs: ['--disable-extensions', '--disable-workspace-trust', workspace],
      extensionTestsEnv: { FLOWBENCH_TEST_RESULTS: resultsFile },
    });
  } catch (err) {
    if (!fs.existsSync(resultsFile)) {
      console.error(`error: ${err.message ?? err}`);
      console.log('desktop: 0 passed, 1 failed');
      process.exitCode = 1;
      return;
    }
  }
  const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  console.log(`desktop: ${r.passed} passed, ${r.failed} failed`);
  process.exitCode = r.failed === 0 ? 0 : 1;
}

main();
