import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildModel } from '../../../src/inference/onnxBuilder';
import { parseModel } from '../../../src/inference/onnxModel';
import { analyseTrace, graphNodeNames, runProfile, type ProfileReport } from '../../../src/inference/profile';
import { readLedger, summarizeLedger } from '../../../src/inference/ledger';
import { formatProfile } from '../../../src/inference/profileFormat';
import { inspectBody } from '../../../src/inference/html';
import { main } from '../../../src/cli';
import { neverCancelled } from '../../../src/util/errors';
import type { CliIo } from '../../../src/util/cli';
import { tempDir, writeFile } from './helpers';

const WIDTH = 512;

/** One large MatMul (X[N,512]·W[512,512], named) and one tiny Add on its own input (unnamed, so ORT names it). */
function matmulAndAdd(): Uint8Array {
  const w = new Float32Array(WIDTH * WIDTH);
  for (let i = 0; i < w.length; i++) w[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  return buildModel({
    inputs: [
      { name: 'X', type: 'float', shape: ['N', WIDTH] },
      { name: 'T', type: 'float', shape: [1, 4] },
    ],
    outputs: [
      { name: 'Y', type: 'float', shape: ['N', WIDTH] },
      { name: 'Z', type: 'float', shape: [1, 4] },
    ],
    initializers: [
      { name: 'W', dims: [WIDTH, WIDTH], data: w },
      { name: 'c', dims: [4], data: [1, 2, 3, 4] },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['X', 'W'], outputs: ['Y'], name: 'big_matmul' },
      { op: 'Add', inputs: ['T', 'c'], outputs: ['Z'], name: '' },
    ],
  });
}

/** MatMul + bias Add + Relu: onnxruntime's optimiser fuses the three into one node. */
function fusable(): Uint8Array {
  return buildModel({
    inputs: [{ name: 'X', type: 'float', shape: ['N', 64] }],
    outputs: [{ name: 'Y', type: 'float', shape: ['N', 64] }],
    initializers: [
      { name: 'W', dims: [64, 64], data: new Float32Array(64 * 64).fill(0.01) },
      { name: 'b', dims: [64], data: new Float32Array(64).fill(0.5) },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['X', 'W'], outputs: ['h'], name: 'proj' },
      { op: 'Add', inputs: ['h', 'b'], outputs: ['h2'], name: 'bias' },
      { op: 'Relu', inputs: ['h2'], outputs: ['Y'], name: 'act' },
    ],
  });
}

describe('inference/profile: onnxruntime session profiling, node by node', function () {
  this.timeout(60_000);
  let dir: string;
  let tmp: string;
  let savedTmp: string | undefined;
  beforeEach(() => {
    dir = tempDir('flowbench-prof-test-');
    // The trace's private folder goes under os.tmpdir(): pointed here, the test sees what is left behind.
    tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
  });
  afterEach(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('one large MatMul and one tiny Add: the MatMul gets most of the node time, names match the graph', async () => {
    const model = writeFile(dir, 'm.onnx', matmulAndAdd());
    const r = await runProfile({ model, providers: ['cpu'], batch: 64, runs: 10, ledgerRoot: dir });
    const graph = parseModel(fs.readFileSync(model)).nodes;
    const names = graphNodeNames(graph);
    assert.deepEqual(names, ['big_matmul', 'Add_1'], "an unnamed node gets onnxruntime's <OpType>_<index>");
    assert.deepEqual(
      r.nodes.map((n) => [n.name, n.op, n.origin, n.graphIndex, n.unnamed]),
      [
        ['big_matmul', 'MatMul', 'graph', 0, false],
        ['Add_1', 'Add', 'graph', 1, true],
      ],
    );
    for (const n of r.nodes) assert.equal(n.name, names[n.graphIndex!], 'each node named as in the graph');
    const matmul = r.nodes[0];
    assert.ok(matmul.meanMs > 0.5 * r.nodeMs, `MatMul ${matmul.meanMs} ms of ${r.nodeMs} ms node time`);
    assert.ok(r.nodeMs <= r.run.meanMs, `nodes ${r.nodeMs} ms ≤ run ${r.run.meanMs} ms`);
    assert.ok(r.nodeMs >= 0.5 * r.run.meanMs, `nodes ${r.nodeMs} ms ≥ half the run ${r.run.meanMs} ms`);
    assert.ok(r.run.meanMs <= r.run.wallMeanMs, 'the run inside onnxruntime fits in session.run from JavaScript');
    assert.ok(Math.abs(r.coverage - r.nodeMs / r.run.meanMs) < 1e-12);
    assert.equal(r.runs, 10);
    assert.equal(r.session.provider, 'cpu');
    assert.equal(matmul.provider, 'CPUExecutionProvider');
    assert.equal(matmul.callsPerRun, 1);
    assert.deepEqual(
      r.ops.map((o) => o.op),
      ['MatMul', 'Add'],
    );
    assert.deepEqual(r.notRun, []);
    assert.equal(r.trace, null);
    const left = fs.readdirSync(tmp).filter((f) => f.startsWith('flowbench-profile-'));
    assert.deepEqual(left, [], 'the trace and its folder are removed');
    const { records } = await readLedger(dir);
    assert.equal(records[0].kind, 'profile');
    assert.equal(summarizeLedger(records).rows[0].metric, 'run ms');
    const text = formatProfile(r);
    assert.match(text, /\nnodes: [\d.]+ ms per run, [\d.]+% of the run;/);
    assert.match(text, /\nbig_matmul\s+MatMul\s+CPU\s+[\d.]+\s+[\d.]+%\n/);
    assert.match(text, /\nAdd_1 \(unnamed\)\s+Add\s+CPU/);
  });

  it('a fused node is named as onnxruntime names it, with the graph nodes it came from; disabled keeps them', async () => {
    const model = writeFile(dir, 'f.onnx', fusable());
    const fused = await runProfile({ model, providers: ['cpu'], batch: 8, runs: 3, ledgerRoot: false });
    assert.ok(fused.nodes.length >= 1);
    assert.ok(
      fused.nodes.every((n) => n.origin === 'fused'),
      fused.nodes.map((n) => n.name).join(', '),
    );
    assert.ok(fused.nodes[0].mentions.includes('proj'), `${fused.nodes[0].name} mentions proj`);
    assert.deepEqual(
      fused.notRun.map((n) => n.name),
      ['proj', 'bias', 'act'],
    );
    const plain = await runProfile({
      model,
      providers: ['cpu'],
      batch: 8,
      runs: 3,
      optimization: 'disabled',
      keepTrace: true,
      ledgerRoot: false,
    });
    assert.deepEqual(plain.nodes.map((n) => n.name).sort(), ['act', 'bias', 'proj']);
    assert.ok(plain.trace && fs.existsSync(plain.trace), 'kept');
    assert.equal(path.dirname(path.dirname(plain.trace)), tmp);
    assert.match(path.basename(path.dirname(plain.trace)), /^flowbench-profile-/);
    assert.deepEqual(fs.readdirSync(path.dirname(plain.trace)), [path.basename(plain.trace)]);
  });

  it('the inspector shows each node time beside its node and op rows, sortable', async () => {
    const model = writeFile(dir, 'm.onnx', matmulAndAdd());
    const r = await runProfile({ model, providers: ['cpu'], batch: 4, runs: 2, ledgerRoot: false });
    const info = parseModel(fs.readFileSync(model));
    const html = inspectBody('m.onnx', info, true, r);
    assert.match(html, /<table class="sortable" id="nodes">/);
    assert.match(html, /<table class="sortable" id="ops">/);
    const row =
      /<tr><td data-v="0">0<\/td><td>big_matmul<\/td><td>MatMul<\/td><td>CPU<\/td><td data-v="([\d.e-]+)">/.exec(html);
    assert.ok(row, 'the MatMul row carries its time');
    assert.equal(Number(row[1]), r.nodes[0].meanMs);
    // Bars are <svg> sized by their width attribute: the CSP admits no style="" attributes.
    assert.doesNotMatch(html, /\sstyle=/);
    assert.match(html, /<svg class="bar" width="\d+" height="8" aria-hidden="true"><\/svg>/);
    assert.match(html, /<button data-cmd="profile">Profile<\/button>/);
    assert.doesNotMatch(inspectBody('m.onnx', info, false), /data-cmd|class="sortable"/);
  });
});

describe('inference/profile: reading a trace', () => {
  const ev = (cat: string, name: string, ts: number, dur: number, args?: Record<string, string>) => ({
    cat,
    name,
    ts,
    dur,
    args,
  });
  const node = (name: string, ts: number, dur: number, op: string, index: number, provider = 'CPUExecutionProvider') =>
    ev('Node', `${name}_kernel_time`, ts, dur, { op_name: op, node_index: String(index), provider });

  it('skips Constant nodes in the index, tells a named Add_2 from the unnamed Add at index 2, and leaves warm-ups out', () => {
    const graph = [
      { name: 'k', op: 'Constant', domain: '' },
      { name: 'm', op: 'MatMul', domain: '' },
      { name: '', op: 'Relu', domain: '' },
      { name: '', op: 'Add', domain: '' },
      { name: 'Add_2', op: 'Tanh', domain: '' },
    ];
    assert.deepEqual(graphNodeNames(graph), ['k', 'm', 'Relu_1', 'Add_2', 'Add_2']);
    const events = [
      ev('Session', 'model_run', 0, 100),
      node('m', 10, 90, 'MatMul', 0), // the warm-up run: left out
      ev('Session', 'model_run', 1000, 100),
      node('m', 1010, 60, 'MatMul', 0),
      node('Relu_1', 1070, 5, 'Relu', 1),
      node('Add_2', 1080, 4, 'Add', 2),
      node('Add_2', 1090, 3, 'Tanh', 3),
      node('Memcpy', 1095, 2, 'MemcpyToHost', 9, 'CUDAExecutionProvider'),
      ev('Session', 'model_run', 2000, 100),
      node('m', 2010, 40, 'MatMul', 0),
      node('Relu_1', 2070, 5, 'Relu', 1),
      node('Add_2', 2080, 4, 'Add', 2),
      node('Add_2', 2090, 3, 'Tanh', 3),
    ];
    const a = analyseTrace(events, graph, 2);
    const by = (op: string) => a.nodes.find((n) => n.op === op)!;
    assert.equal(by('MatMul').meanMs, 0.05, 'µs to ms, the mean over the two profiled runs');
    assert.equal(by('Add').graphIndex, 3);
    assert.equal(by('Add').unnamed, true);
    assert.equal(by('Tanh').graphIndex, 4);
    assert.equal(by('Tanh').unnamed, false);
    assert.equal(by('MemcpyToHost').origin, 'inserted');
    assert.equal(by('MemcpyToHost').callsPerRun, 0.5);
    assert.deepEqual(a.runMs, [0.1, 0.1]);
    assert.ok(Math.abs(a.nodeMs - (0.05 + 0.005 + 0.004 + 0.003 + 0.001)) < 1e-12);
    assert.equal(a.byProvider.CUDAExecutionProvider, 0.001);
    assert.deepEqual(a.notRun, [], 'the Constant is an initializer, not a node that did not run');
    assert.throws(() => analyseTrace(events, graph, 4), /the profile holds 3 runs, expected at least 4/);
  });
});

describe('flowbench profile', function () {
  this.timeout(60_000);
  it('prints the run, the nodes and the op types; a bad --optimization is exit 2', async () => {
    const dir = tempDir('flowbench-prof-cli-');
    try {
      const model = writeFile(dir, 'm.onnx', matmulAndAdd());
      const io: CliIo & { out: string; err: string } = {
        out: '',
        err: '',
        cwd: dir,
        cancellation: neverCancelled,
        stdout: (t) => void (io.out += t),
        stderr: (t) => void (io.err += t),
      };
      assert.equal(await main(['profile', model, '--ep', 'cpu', '--runs', '3', '--no-ledger', '--json'], io), 0);
      const json = JSON.parse(io.out) as ProfileReport;
      assert.equal(json.nodes[0].name, 'big_matmul');
      io.out = '';
      assert.equal(await main(['profile', model, '--optimization', 'max'], io), 2);
      assert.equal(io.err, "error: --optimization must be all, extended, basic or disabled, got 'max'\n");
      assert.equal(fs.existsSync(path.join(dir, '.flowbench')), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
