// `npm start`: Flowbench in a real VS Code on the demo workspace, with all set-up done here. A desktop VS Code
// (`code` on PATH, or VSCODE_EXECUTABLE) is used when present and a display exists; otherwise code-server runs
// offline on 127.0.0.1 and the URL to open is printed. Ctrl-C stops it.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDeps } from '../ensure-deps.mjs';
import { build } from '../build.mjs';
import { ROOT, T, ensureCodeServer, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { prepareDemoWorkspace } from './demoWorkspace.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.FLOWBENCH_PORT ?? '8123' },
    browser: { type: 'boolean', default: false },
    reset: { type: 'boolean', default: false },
  },
});

function desktopCode() {
  if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
  if (values.browser || (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY))
    return undefined;
  const r = spawnSync('code', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? 'code' : undefined;
}

async function main() {
  ensureDeps();
  build({ tests: false });
  // The demo workspace keeps what you do in it between starts; --reset starts it over.
  const target = path.join(T, 'demo', 'ws');
  const firstStart = values.reset || !fs.existsSync(target);
  const workspace = prepareDemoWorkspace(target, { fresh: values.reset });
  // On the first start, train.py opens (its lenses show where to begin) and Flowbench opens its walkthrough beside
  // it (once per profile); later starts reopen whatever was open last time.
  const trainPy = path.join(workspace, 'train.py');
  const code = desktopCode();
  if (code) {
    console.log(`Starting ${code} with Flowbench (extension development mode) on ${workspace}`);
    const files = firstStart ? [trainPy] : [];
    spawn(code, [`--extensionDevelopmentPath=${ROOT}`, workspace, ...files], {
      stdio: 'inherit',
      detached: true,
    }).unref();
    return;
  }
  ensureCodeServer();
  const server = await startCodeServer({
    name: 'demo',
    workspace,
    port: Number(values.port),
    keepUserData: !firstStart,
    settings: { 'workbench.welcomePage.walkthroughs.openOnInstall': true },
  });
  const url = workbenchUrl(server.base, workspace, {
    extensionDevelopmentPath: ROOT,
    openFile: firstStart ? trainPy : undefined,
  });
  console.log('\nFlowbench is running in VS Code 1.139.1 (code-server, offline) on the demo workspace.');
  console.log(`Open this URL in a browser on this machine:\n\n  ${url}\n`);
  console.log(`(Server log: ${server.logFile}. Press Ctrl-C to stop.)`);
  const stop = () => {
    server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.child.on('exit', (c) => {
    console.log(`code-server exited (${c})`);
    process.exit(c ?? 1);
  });
}

main().catch((err) => {
  console.error(`error: ${err.message ?? err}`);
  process.exitCode = 1;
});
