// Focus-session costs that a user could feel, measured on the source as it is:
//  1. one shared-state transition (lock file + read + atomic write + unlock), alone and with 4 "windows" contending.
//     Peer: a bare fs.writeFile of the same record (no lock, not atomic): the floor any cross-window scheme pays.
//  2. opening the focus log page: read + parse + merge + 14-day statistics + HTML for a 10,000-session log
//     (years of daily use). Peer: bare JSON.parse of the same lines.
// Run: node test/bench/focus.bench.mjs [--sessions N] [--json]
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const sessionsWanted = Number(argv[argv.indexOf('--sessions') + 1]) || 10_000;
const asJson = argv.includes('--json');

const dir = mkdtempSync(path.join(tmpdir(), 'flowbench-focus-bench-'));
const bundle = path.join(dir, 'focus.cjs');
const entry = path.join(dir, 'entry.ts');
writeFileSync(
  entry,
  ['store', 'state', 'session', 'focusLog', 'stats', 'logHtml']
    .map((m) => `export * from ${JSON.stringify(path.join(root, 'src/focus', m))};`)
    .join('\n'),
);
await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  logLevel: 'warning',
});
const F = createRequire(import.meta.url)(bundle);

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const bump = (cur) => ({ next: { ...cur, workSinceLongBreak: cur.workSinceLongBreak + 1 }, effects: {}, result: null });

try {
  // 1. shared-state transitions
  const stateDir = path.join(dir, 'state');
  const store = new F.FocusStateStore(stateDir, { windowId: 'bench' });
  const session = F.createSession({
    id: 'x',
    kind: 'work',
    minutes: 25,
    intent: 'bench',
    now: Date.now(),
    windowId: 'bench',
  });
  await store.update((cur) => ({ next: { ...cur, session }, effects: {}, result: null }));
  const single = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await store.update(bump);
    single.push(performance.now() - t);
  }
  const stores = ['a', 'b', 'c', 'd'].map((w) => new F.FocusStateStore(stateDir, { windowId: w }));
  const t4 = performance.now();
  await Promise.all(stores.flatMap((s) => Array.from({ length: 50 }, () => s.update(bump))));
  const contendedMs = performance.now() - t4;
  const record = readFileSync(store.file, 'utf8');
  const bare = [];
  const bareFile = path.join(dir, 'bare.json');
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await fsp.writeFile(bareFile, record);
    bare.push(performance.now() - t);
  }

  // 2. log page over a long log
  const logFile = path.join(dir, 'focus.jsonl');
  const day = 86_400_000;
  const now = Date.now();
  const lines = [];
  for (let i = 0; i < sessionsWanted; i++) {
    const start = now - Math.floor(i / 3) * day - (i % 3) * 3_600_000;
    const s = F.createSession({
      id: `s${i}`,
      kind: i % 4 === 3 ? 'break' : 'work',
      minutes: 25,
      intent: `intent ${i}`,
      now: start,
      windowId: 'w',
    });
    const git = {
      root: '/r',
      headStart: 'a'.repeat(40),
      headEnd: 'b'.repeat(40),
      commits: [{ hash: 'c'.repeat(40), subject: `commit ${i}` }],
      filesChanged: 2,
      insertions: 10,
      deletions: 3,
    };
    lines.push(JSON.stringify(F.toLogRecord(F.finish(s, start + 25 * 60_000, 'completed'), git)));
  }
  writeFileSync(logFile, lines.join('\n') + '\n');
  const page = [];
  let html = '';
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const read = await F.readFocusLog(logFile);
    const stats = F.focusStats(read.sessions, now);
    html = F.focusLogHtml({
      stats,
      sessions: read.sessions,
      assets: { cspSource: 'x', styles: ['base.css', 'focusLog.css'], scripts: [], nonce: 'n' },
      logFile,
      warnings: read.warnings,
    });
    page.push(performance.now() - t);
  }
  const peer = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    peer.push(performance.now() - t);
  }
  const result = {
    transitionMedianMs: +median(single).toFixed(3),
    bareWriteMedianMs: +median(bare).toFixed(3),
    contended4x50Ms: +contendedMs.toFixed(1),
    contendedPerTransitionMs: +(contendedMs / 200).toFixed(3),
    sessions: sessionsWanted,
    logBytes: readFileSync(logFile).length,
    logPageMedianMs: +median(page).toFixed(1),
    bareParseMedianMs: +median(peer).toFixed(1),
    htmlBytes: html.length,
  };
  if (asJson) console.log(JSON.stringify(result));
  else {
    console.log(
      `shared-state transition (lock+read+atomic write): median ${result.transitionMedianMs} ms; bare fs.writeFile ${result.bareWriteMedianMs} ms (x${(result.transitionMedianMs / result.bareWriteMedianMs).toFixed(1)})`,
    );
    console.log(
      `4 windows x 50 contending transitions: ${result.contended4x50Ms} ms total, ${result.contendedPerTransitionMs} ms each, none lost: ${(await store.read()).workSinceLongBreak === 500}`,
    );
    console.log(
      `log page for ${sessionsWanted} sessions (${(result.logBytes / 1e6).toFixed(1)} MB): median ${result.logPageMedianMs} ms; bare JSON.parse of the lines ${result.bareParseMedianMs} ms (x${(result.logPageMedianMs / result.bareParseMedianMs).toFixed(1)})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
