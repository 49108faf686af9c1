// Activation cost of the production bundle in a real VS Code (code-server): the time activate() itself reports
// (logged to the Flowbench output channel), read from the extension host's log files, over several window loads.
// Also the bundle's size and its bare require() time in plain Node with a stub `vscode` module, for reference.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';
import { ROOT, T, ensureCodeServer, startCodeServer, workbenchUrl, launchBrowser } from '../vscode/codeServer.mjs';
import { prepareDemoWorkspace } from '../vscode/demoWorkspace.mjs';

const LOADS = 3;

function findLogs(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findLogs(p, out);
    else if (e.name === 'Flowbench.log') out.push(p);
  }
  return out;
}

function activationTimes(ud) {
  return findLogs(path.join(ud, 'logs')).flatMap((f) =>
    [...fs.readFileSync(f, 'utf8').matchAll(/Flowbench activated in ([\d.]+) ms/g)].map((m) => Number(m[1])),
  );
}

function bareRequireMs() {
  const origLoad = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return new Proxy({}, { get: () => new Proxy(function () {}, { get: () => () => ({}) }) });
    return origLoad.call(this, request, ...rest);
  };
  const t0 = performance.now();
  Module.createRequire(import.meta.url)(path.join(ROOT, 'dist', 'extension.js'));
  const ms = performance.now() - t0;
  Module._load = origLoad;
  return ms;
}

ensureCodeServer();
const bundle = path.join(ROOT, 'dist', 'extension.js');
console.log(`dist/extension.js: ${(fs.statSync(bundle).size / 1024).toFixed(1)} KiB`);
console.log(`bare require of the bundle (stub vscode): ${bareRequireMs().toFixed(1)} ms`);
const workspace = prepareDemoWorkspace(path.join(T, 'bench', 'ws'));
const server = await startCodeServer({ name: 'bench', workspace });
const browser = await launchBrowser(server.state);
try {
  const page = await browser.newPage();
  for (let i = 0; i < LOADS; i++) {
    const before = activationTimes(server.ud).length;
    await page.goto(workbenchUrl(server.base, workspace, { extensionDevelopmentPath: ROOT }));
    const deadline = Date.now() + 60_000;
    while (activationTimes(server.ud).length <= before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
  }
  const times = activationTimes(server.ud);
  if (times.length === 0) throw new Error('no activation was logged');
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `activate() in VS Code 1.139.1: ${times.map((t) => t.toFixed(1)).join(', ')} ms; median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms over ${times.length} window loads`,
  );
} finally {
  await browser.close();
  server.stop();
}
process.exit(0);
