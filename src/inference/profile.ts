import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { VERSION } from '../util/version';
import { randomFeeds } from './feeds';
import { appendExperiment, type ExperimentRecord } from './ledger';
import type { GraphNode } from './onnxModel';
import type { GraphOptimizationLevel } from './protocol';
import { fetchesFor, loadModel, newHost, sessionReport, type RuntimeOptions, type SessionReport } from './session';

/**
 * Where an ONNX model's run time goes, node by node: a session with onnxruntime's profiling on runs the model, the
 * Chrome trace it writes at endProfiling is read, and its kernel times are matched to the graph's nodes.
 *
 * Matching: every `cat: "Node"` event is `<name>_kernel_time` with `args.node_index`, `args.op_name` and
 * `args.provider`. Names alone are ambiguous: onnxruntime names an unnamed node `<OpType>_<index>`, which a named
 * node may also be called. The index is onnxruntime's own node index, which for the nodes of the model is their
 * position in the graph with the Constant nodes left out (onnxruntime turns those into initializers when it loads
 * the model). So an event is a graph node's when the node at its index has its op type and its name (or, unnamed,
 * `<OpType>_<index>`); any other event is a node onnxruntime made: a fusion of graph nodes (named after the node it
 * started from, e.g. 'fused big_matmul/MatMulAddFusion', so the graph names it mentions are given) or an inserted
 * copy (Memcpy) between devices. Graph nodes with no event were fused into another node or removed.
 */

export interface ProfileOptions extends RuntimeOptions {
  model: string;
  batch?: number;
  /** Profiled runs (after the warm-up); 10 by default. */
  runs?: number;
  /** Runs before the profiled ones, left out of the figures (the first run pays for allocations); 1 by default. */
  warmup?: number;
  optimization?: GraphOptimizationLevel;
  /** Keep the trace file (its path is in the report) instead of removing it. */
  keepTrace?: boolean;
  ledgerRoot: string | false;
}

export type NodeOrigin = 'graph' | 'fused' | 'inserted';

export interface NodeTime {
  /** The graph node's name (for an unnamed one, onnxruntime's `<OpType>_<index>`), or onnxruntime's own node's. */
  name: string;
  op: string;
  /** As onnxruntime reports it: CPUExecutionProvider, CUDAExecutionProvider, ... */
  provider: string;
  /** 'graph': a node of the model; 'fused' / 'inserted': a node onnxruntime made (see the module comment). */
  origin: NodeOrigin;
  /** Position in the model's node list (Constant nodes counted), for a graph node. */
  graphIndex: number | null;
  /** The node has no name in the model: `name` is onnxruntime's. */
  unnamed: boolean;
  /** Graph node names a fused node's name mentions. */
  mentions: string[];
  /** Kernel time per run (ms), the mean over the profiled runs. */
  meanMs: number;
  /** Of the mean run (ORT's model_run). */
  share: number;
  /** Kernel calls per run (more than 1 inside a loop). */
  callsPerRun: number;
}

export interface OpTime {
  op: string;
  providers: string[];
  nodes: number;
  meanMs: number;
  share: number;
}

export interface ProfileReport {
  model: { path: string; sha256: string };
  session: SessionReport;
  batch: number;
  runs: number;
  warmup: number;
  optimization: GraphOptimizationLevel;
  run: {
    /** onnxruntime's model_run event per profiled run: mean, median, min (ms). */
    meanMs: number;
    p50Ms: number;
    minMs: number;
    /** session.run as measured from JavaScript in the ONNX Runtime process (binding and tensor copies included). */
    wallMeanMs: number;
  };
  /** Every node that ran, the slowest first. */
  nodes: NodeTime[];
  /** Per op type, the slowest first. */
  ops: OpTime[];
  /** Sum of the node times per run (ms), and its share of the mean run: the rest is framework and copy overhead. */
  nodeMs: number;
  coverage: number;
  byProvider: Record<string, number>;
  /** Graph nodes with no event of their own (fused into another node, folded or removed by the optimiser). */
  notRun: { name: string; op: string }[];
  /** The trace file when kept, else null (it was removed). */
  trace: string | null;
  ledger?: ExperimentRecord;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { op_name?: string; provider?: string; node_index?: string | number };
}

const KERNEL = '_kernel_time';

/** The graph's nodes by onnxruntime's index (Constant nodes of the default domain become initializers). */
export function ortIndexOf(nodes: readonly GraphNode[]): Map<number, { node: GraphNode; graphIndex: number }> {
  const out = new Map<number, { node: GraphNode; graphIndex: number }>();
  let ort = 0;
  nodes.forEach((node, graphIndex) => {
    if (node.op === 'Constant' && (node.domain === '' || node.domain === 'ai.onnx')) return;
    out.set(ort++, { node, graphIndex });
  });
  return out;
}

/** The name the inspector and the profile give a graph node: its own, or onnxruntime's `<OpType>_<index>`. */
export function graphNodeNames(nodes: readonly GraphNode[]): string[] {
  const names = nodes.map((n) => n.name);
  for (const [ort, { node, graphIndex }] of ortIndexOf(nodes))
    if (node.name === '') names[graphIndex] = `${node.op}_${ort}`;
  return names;
}

function mentionedNames(name: string, graph: readonly GraphNode[]): string[] {
  const found = new Set<string>();
  for (const n of graph) {
    if (n.name.length < 2 || found.has(n.name)) continue;
    let at = name.indexOf(n.name);
    while (at >= 0) {
      const before = at === 0 ? '' : name[at - 1];
      const after = name[at + n.name.length] ?? '';
      if (/^[\s/]?$/.test(before) && /^[\s/_]?$/.test(after)) {
        found.add(n.name);
        break;
      }
      at = name.indexOf(n.name, at + 1);
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * Reads a trace (the JSON array onnxruntime writes) against the graph: the last `runs` model_run events are the
 * profiled runs, and each kernel event inside one of them counts for its node.
 */
export function analyseTrace(
  events: readonly TraceEvent[],
  graph: readonly GraphNode[],
  runs: number,
): Pick<ProfileReport, 'nodes' | 'ops' | 'nodeMs' | 'coverage' | 'byProvider' | 'notRun'> & {
  runMs: number[];
} {
  const modelRuns = events
    .filter((e) => e.cat === 'Session' && e.name === 'model_run' && typeof e.ts === 'number')
    .sort((a, b) => a.ts! - b.ts!);
  if (modelRuns.length < runs)
    throw new UserError(
      `the profile holds ${modelRuns.length} runs, expected at least ${runs}: the trace is incomplete`,
    );
  const windows = modelRuns.slice(modelRuns.length - runs).map((e) => [e.ts!, e.ts! + (e.dur ?? 0)] as const);
  const inRun = (ts: number) => windows.some(([a, b]) => ts >= a && ts <= b);
  const byIndex = ortIndexOf(graph);
  const acc = new Map<string, NodeTime & { totalUs: number; calls: number }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith(KERNEL) || typeof e.ts !== 'number' || !inRun(e.ts)) continue;
    const name = e.name.slice(0, -KERNEL.length);
    const op = e.args?.op_name ?? '?';
    const index = e.args?.node_index === undefined ? NaN : Number(e.args.node_index);
    const provider = e.args?.provider ?? '?';
    const key = `${index}\u0000${name}\u0000${provider}`;
    let t = acc.get(key);
    if (!t) {
      const candidate = byIndex.get(index);
      const isGraph =
        !!candidate &&
        candidate.node.op === op &&
        (candidate.node.name === name || (candidate.node.name === '' && name === `${op}_${index}`));
      t = {
        name,
        op,
        provider,
        origin: isGraph ? 'graph' : /^Memcpy/.test(op) ? 'inserted' : 'fused',
        graphIndex: isGraph ? candidate!.graphIndex : null,
        unnamed: isGraph && candidate!.node.name === '',
        mentions: isGraph ? [] : mentionedNames(name, graph),
        meanMs: 0,
        share: 0,
        callsPerRun: 0,
        totalUs: 0,
        calls: 0,
      };
      acc.set(key, t);
    }
    t.totalUs += e.dur ?? 0;
    t.calls++;
  }
  const runMs = modelRuns.slice(modelRuns.length - runs).map((e) => (e.dur ?? 0) / 1000);
  const meanRun = runMs.reduce((a, b) => a + b, 0) / runs;
  const nodes: NodeTime[] = [...acc.values()]
    .map(({ totalUs, calls, ...n }) => ({
      ...n,
      meanMs: totalUs / 1000 / runs,
      share: meanRun > 0 ? totalUs / 1000 / runs / meanRun : 0,
      callsPerRun: calls / runs,
    }))
    .sort((a, b) => b.meanMs - a.meanMs || a.name.localeCompare(b.name));
  const opMap = new Map<string, OpTime>();
  const byProvider: Record<string, number> = {};
  for (const n of nodes) {
    const o = opMap.get(n.op) ?? { op: n.op, providers: [], nodes: 0, meanMs: 0, share: 0 };
    o.nodes++;
    o.meanMs += n.meanMs;
    o.share += n.share;
    if (!o.providers.includes(n.provider)) o.providers.push(n.provider);
    opMap.set(n.op, o);
    byProvider[n.provider] = (byProvider[n.provider] ?? 0) + n.meanMs;
  }
  const nodeMs = nodes.reduce((a, n) => a + n.meanMs, 0);
  const ran = new Set(nodes.filter((n) => n.graphIndex !== null).map((n) => n.graphIndex));
  const names = graphNodeNames(graph);
  const ortNodes = new Set([...byIndex.values()].map((v) => v.graphIndex));
  const notRun = graph
    .map((n, i) => ({ name: names[i], op: n.op, i }))
    .filter((n) => ortNodes.has(n.i) && !ran.has(n.i))
    .map(({ name, op }) => ({ name, op }));
  return {
    nodes,
    ops: [...opMap.values()].sort((a, b) => b.meanMs - a.meanMs || a.op.localeCompare(b.op)),
    nodeMs,
    coverage: meanRun > 0 ? nodeMs / meanRun : 0,
    byProvider,
    notRun,
    runMs,
  };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Profiles the model on the first provider that creates a session, in a fresh ONNX Runtime process. */
export async function runProfile(o: ProfileOptions): Promise<ProfileReport> {
  const model = await loadModel(o.model);
  const batch = o.batch ?? 1;
  const runs = o.runs ?? 10;
  const warmup = o.warmup ?? 1;
  if (!Number.isInteger(runs) || runs < 1) throw new UserError(`runs must be a whole number ≥ 1, got ${runs}`);
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new UserError(`warm-up runs must be a whole number ≥ 0, got ${warmup}`);
  const optimization = o.optimization ?? 'all';
  const feeds = randomFeeds(model.info, batch);
  // A private folder (mkdtemp makes it 0700): the trace names the model's nodes, and nothing else writes there.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-profile-'));
  let keep: string | null = null;
  const host = newHost(o);
  try {
    o.onProgress?.('creating the profiling session');
    const session = await host.createSession(path.resolve(model.path), o.providers, o.intraOpThreads, {
      profileDir: dir,
      graphOptimizationLevel: optimization,
    });
    o.onProgress?.(`profiling ${runs} runs on ${session.provider}`);
    // The bench request runs once, then its warm-up, then its runs: without a warm-up, that first run is profiled.
    const b = await host.bench(session.sessionId, feeds, {
      warmup: Math.max(0, warmup - 1),
      runs: warmup === 0 ? Math.max(1, runs - 1) : runs,
      timeBudgetMs: 0,
      fetches: fetchesFor(model.info),
    });
    const measured = warmup === 0 ? [b.firstRunMs, ...b.latenciesMs] : b.latenciesMs;
    await host.endProfiling(session.sessionId);
    const traces = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(`${session.provider}_`) && f.endsWith('.json'))
      .map((f) => path.join(dir, f));
    if (traces.length === 0) throw new Error(`onnxruntime wrote no profile into ${dir}`);
    const trace = traces.sort((x, y) => fs.statSync(y).mtimeMs - fs.statSync(x).mtimeMs)[0];
    let events: TraceEvent[];
    try {
      events = JSON.parse(fs.readFileSync(trace, 'utf8')) as TraceEvent[];
    } catch (err) {
      throw new Error(`cannot read onnxruntime's profile ${trace}: ${(err as Error).message}`, { cause: err });
    }
    const a = analyseTrace(events, model.info.nodes, measured.length);
    if (o.keepTrace) keep = trace;
    const report: ProfileReport = {
      model: { path: o.model, sha256: model.sha256 },
      session: sessionReport(session, o.providers),
      batch,
      runs: measured.length,
      warmup,
      optimization,
      run: {
        meanMs: a.runMs.reduce((x, y) => x + y, 0) / a.runMs.length,
        p50Ms: median(a.runMs),
        minMs: Math.min(...a.runMs),
        wallMeanMs: measured.reduce((x, y) => x + y, 0) / measured.length,
      },
      nodes: a.nodes,
      ops: a.ops,
      nodeMs: a.nodeMs,
      coverage: a.coverage,
      byProvider: a.byProvider,
      notRun: a.notRun,
      trace: keep,
    };
    if (o.ledgerRoot !== false) {
      report.ledger = await appendExperiment(
        o.ledgerRoot,
        {
          kind: 'profile',
          time: new Date().toISOString(),
          model: report.model,
          provider: session.provider,
          flowbench: VERSION,
          latency: { p50Ms: report.run.p50Ms, batch },
          metrics: {
            runMeanMs: report.run.meanMs,
            nodeMs: report.nodeMs,
            coverage: report.coverage,
            topNodeMs: report.nodes[0]?.meanMs ?? null,
            runs: report.runs,
          },
        },
        path.dirname(path.resolve(o.model)),
      );
    }
    return report;
  } finally {
    host.dispose();
    if (keep) {
      // Only the trace stays: the folder is the user's to remove with it.
      for (const f of fs.readdirSync(dir))
        if (path.join(dir, f) !== keep) fs.rmSync(path.join(dir, f), { force: true });
    } else {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
