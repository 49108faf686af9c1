/**
 * Property-based fuzz (fast-check) of the two parsers that read whatever file a user points at, each for a bounded
 * time so it runs in every `npm test`:
 * - the CSV readers: the sequential scanner (csv.ts) and the parallel engine (parallelScan.ts, at chunk sizes down to
 *   4 bytes, so chunk boundaries fall inside quotes, CRLFs and BOMs) must agree on every input, row for row and
 *   field for field, or fail with the same message; neither may throw anything but a UserError;
 * - the protobuf/ONNX reader: on random bytes, on valid models cut, corrupted, spliced and nested, it returns a
 *   summary or throws a UserError, in bounded time and memory, and never anything else.
 * FLOWBENCH_FUZZ_SECONDS stretches the time (default a few seconds each); FLOWBENCH_FUZZ_SEED replays a failure.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { fieldText, scanCsv } from '../../../src/data/csv';
import { decodeRow, scanTable } from '../../../src/data/parallelScan';
import { parseModel } from '../../../src/inference/onnxModel';
import { ProtoError, ProtoReader } from '../../../src/inference/protobuf';
import { UserError } from '../../../src/util/errors';
import { buildModel, classifierModel, mlpModel } from '../../../src/inference/onnxBuilder';
import { nestedGraphModel, nestedTypeModel, victimModel } from './hostileOnnx';

const SECONDS = Number(process.env.FLOWBENCH_FUZZ_SECONDS ?? '') || 0;
const SEED = process.env.FLOWBENCH_FUZZ_SEED ? Number(process.env.FLOWBENCH_FUZZ_SEED) : undefined;

function budget(defaultMs: number): { interruptAfterTimeLimit: number; numRuns: number; seed?: number } {
  const ms = SECONDS > 0 ? SECONDS * 1000 : defaultMs;
  // numRuns is a ceiling; the time limit is what ends a run in CI.
  return { interruptAfterTimeLimit: ms, numRuns: 1_000_000, ...(SEED !== undefined ? { seed: SEED } : {}) };
}

type Outcome = { ok: true; columns: string[]; rows: string[][] } | { ok: false; message: string };

async function sequential(file: string): Promise<Outcome> {
  let columns: string[] = [];
  const rows: string[][] = [];
  try {
    await scanCsv(
      file,
      (h) => {
        columns = h.columns;
      },
      (r) => {
        rows.push(columns.map((_, j) => fieldText(r, j)));
      },
    );
    return { ok: true, columns, rows };
  } catch (err) {
    if (!(err instanceof UserError)) {
      throw new Error(`csv.ts threw a ${(err as Error).name}: ${(err as Error).stack}`, { cause: err });
    }
    return { ok: false, message: err.message };
  }
}

async function parallel(file: string, chunkBytes: number, workers: number): Promise<Outcome> {
  let columns: string[] = [];
  let delim = 44;
  const rows: string[][] = [];
  try {
    await scanTable(
      file,
      (header) => {
        columns = header.columns;
        delim = header.delimiter.charCodeAt(0);
        return {
          plan: { columns: [] },
          onChunk: (c) => {
            for (let r = 0; r < c.rows; r++) rows.push(decodeRow(c.data, c.rowStarts[r], delim)!.fields);
          },
        };
      },
      { chunkBytes, workers },
    );
    return { ok: true, columns, rows };
  } catch (err) {
    if (!(err instanceof UserError)) {
      throw new Error(
        `parallelScan.ts threw a ${(err as Error).name} at chunk size ${chunkBytes}: ${(err as Error).stack}`,
        { cause: err },
      );
    }
    return { ok: false, message: err.message };
  }
}

/** Text made of what CSV parsing turns on: delimiters, quotes, line ends, BOMs, blanks, NULs and multibyte UTF-8. */
const csvText = fc
  .array(
    fc.constantFrom(
      'a',
      'b',
      '1',
      '2.5',
      ',',
      ',',
      ',',
      ';',
      '\t',
      '"',
      '"',
      '""',
      '\n',
      '\n',
      '\r\n',
      '\r',
      ' ',
      'é',
      '€',
      '\ufeff',
      '\0',
      'x,y',
      '"q"',
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

/** Mostly well-formed tables (so the comparison reaches the rows), with the odd hostile field thrown in. */
const csvTable = fc
  .record({
    cols: fc.integer({ min: 1, max: 4 }),
    rows: fc.array(
      fc.array(fc.oneof(fc.constantFrom('1', '-2', 'x', '', 'a b', 'é'), csvText), { minLength: 1, maxLength: 5 }),
      {
        maxLength: 12,
      },
    ),
    quoteAll: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    finalEol: fc.boolean(),
  })
  .map(({ cols, rows, quoteAll, eol, bom, finalEol }) => {
    const cell = (s: string) => (quoteAll || /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const header = Array.from({ length: cols }, (_, i) => `c${i}`).join(',');
    const body = rows.map((r) => r.slice(0, cols).map(cell).join(','));
    return (bom ? '\ufeff' : '') + [header, ...body].join(eol) + (finalEol ? eol : '');
  });

describe('fuzz: the CSV readers agree with each other and throw nothing but UserError', function () {
  this.timeout(120_000);
  let dir: string;
  let n = 0;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-fuzz-csv-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function agree(content: string | Uint8Array, chunkBytes: number, ext: string): Promise<void> {
    const file = path.join(dir, `f${n++}${ext}`);
    fs.writeFileSync(file, content);
    try {
      const seq = await sequential(file);
      const par = await parallel(file, chunkBytes, 0);
      const big = await parallel(file, 1 << 16, 0);
      assert.deepEqual(par, seq, `chunk size ${chunkBytes} disagrees with csv.ts on ${JSON.stringify(content)}`);
      assert.deepEqual(big, seq, `the default-sized chunk disagrees with csv.ts on ${JSON.stringify(content)}`);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  it('on tables with hostile fields, at chunk sizes from 4 to 64 bytes', async () => {
    await fc.assert(
      fc.asyncProperty(csvTable, fc.integer({ min: 4, max: 64 }), fc.constantFrom('.csv', '.tsv', '.txt'), agree),
      budget(5000),
    );
  });

  it('on arbitrary CSV-ish text', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, fc.integer({ min: 4, max: 32 }), (t, k) => agree(t, k, '.csv')),
      budget(4000),
    );
  });

  it('on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 4, max: 32 }), (b, k) =>
        agree(b, k, '.csv'),
      ),
      budget(2500),
    );
  });

  it('with scan workers (threads), on a few tables', async () => {
    await fc.assert(
      fc.asyncProperty(csvTable, fc.integer({ min: 4, max: 64 }), async (t, k) => {
        const file = path.join(dir, `w${n++}.csv`);
        fs.writeFileSync(file, t);
        try {
          assert.deepEqual(await parallel(file, k, 2), await sequential(file));
        } finally {
          fs.rmSync(file, { force: true });
        }
      }),
      { ...budget(2500), numRuns: SECONDS > 0 ? 1_000_000 : 12 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

const SEEDS: Uint8Array[] = [
  victimModel(),
  classifierModel(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    [0, 1, 2],
    ['a', 'b', 'c'],
  ),
  mlpModel([
    { w: [[1, 2]], b: [0, 1] },
    { w: [[1], [2]], b: [0] },
  ]),
  buildModel({
    inputs: [{ name: 'X', type: 'float', shape: ['N', 3, 8, 8] }],
    outputs: [{ name: 'Y', type: 'float', shape: ['N', 2, 6, 6] }],
    nodes: [{ op: 'Conv', inputs: ['X', 'W'], outputs: ['Y'], attrs: { strides: [1, 1], pads: [0, 0, 0, 0] } }],
    initializers: [{ name: 'W', dims: [2, 3, 3, 3], data: new Array(54).fill(0.1) }],
    metadata: { 'flowbench.classes': '["a"]', note: 'x' },
  }),
  nestedGraphModel(30),
  nestedTypeModel(30),
];

/** A valid model, cut, corrupted, spliced with another or with random bytes. */
const mutatedModel = fc
  .record({
    seed: fc.integer({ min: 0, max: SEEDS.length - 1 }),
    other: fc.integer({ min: 0, max: SEEDS.length - 1 }),
    ops: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 12 }) }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
        fc.record({
          kind: fc.constant('splice' as const),
          at: fc.nat(),
          from: fc.nat(),
          n: fc.integer({ min: 1, max: 64 }),
        }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ seed, other, ops }) => {
    let b = Array.from(SEEDS[seed]);
    const o = SEEDS[other];
    for (const op of ops) {
      const at = b.length === 0 ? 0 : op.at % (b.length + 1);
      if (op.kind === 'set' && b.length > 0) b[at % b.length] = op.value;
      else if (op.kind === 'cut') b = b.slice(0, at);
      else if (op.kind === 'insert') b.splice(at, 0, ...op.bytes);
      else if (op.kind === 'delete') b.splice(at, op.n);
      else if (op.kind === 'splice') {
        const from = op.from % o.length;
        b.splice(at, 0, ...o.subarray(from, from + op.n));
      }
    }
    return Uint8Array.from(b);
  });

/** Random protobuf: a tree of fields with small numbers, so the ONNX reader walks into its nested messages. */
const protoTree: fc.Arbitrary<number[]> = fc.letrec<{ msg: number[] }>((tie) => ({
  msg: fc
    .array(
      fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc
          .tuple(fc.integer({ min: 1, max: 20 }), fc.nat({ max: 300 }))
          .map(([f, v]) => [...varint(f * 8), ...varint(v)]),
        fc.tuple(fc.integer({ min: 1, max: 20 }), fc.string({ maxLength: 6 })).map(([f, s]) => {
          const b = [...Buffer.from(s)];
          return [...varint(f * 8 + 2), ...varint(b.length), ...b];
        }),
        fc
          .tuple(fc.integer({ min: 1, max: 20 }), tie('msg'))
          .map(([f, m]) => [...varint(f * 8 + 2), ...varint(m.length), ...m]),
        fc
          .tuple(fc.integer({ min: 1, max: 20 }), fc.constantFrom(1, 5))
          .map(([f, w]) => [...varint(f * 8 + w), ...new Array(w === 1 ? 8 : 4).fill(0x3f)]),
      ),
      { maxLength: 6 },
    )
    .map((fields) => fields.flat()),
})).msg;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

/** Parses and checks the contract: a summary or a UserError, quickly. */
function parseChecked(bytes: Uint8Array): void {
  const t0 = performance.now();
  try {
    parseModel(bytes, 'fuzz.onnx');
  } catch (err) {
    if (!(err instanceof UserError)) {
      throw new Error(
        `parseModel threw a ${(err as Error).name} on [${Array.from(bytes).join(',')}]: ${(err as Error).stack}`,
        { cause: err },
      );
    }
  }
  const ms = performance.now() - t0;
  // A hang, or work that explodes with the input: a few KB parse in well under a millisecond, and the bound leaves
  // room for a GC pause or a loaded machine.
  assert.ok(ms < 2000, `parseModel took ${ms.toFixed(0)} ms on ${bytes.length} bytes`);
}

describe('fuzz: the protobuf and ONNX reader never throws anything but UserError, in bounded time and memory', function () {
  this.timeout(120_000);
  let rss0 = 0;
  before(() => {
    rss0 = process.memoryUsage().rss;
  });
  after(() => {
    const grew = process.memoryUsage().rss - rss0;
    assert.ok(grew < 512 * 1024 * 1024, `memory grew by ${(grew / 1048576).toFixed(0)} MB during the fuzz`);
  });

  it('the wire reader on random bytes: fields or a ProtoError, always moving forward', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const r = new ProtoReader(b);
        try {
          for (let last = -1, f = r.next(); f; f = r.next()) {
            assert.ok(r.pos > last, 'the reader went backwards or stood still');
            last = r.pos;
            if (f.wire === 2) r.sub(f);
          }
        } catch (err) {
          if (!(err instanceof ProtoError)) throw err;
        }
      }),
      budget(1500),
    );
  });

  it('parseModel on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => parseChecked(b)),
      budget(1500),
    );
  });

  it('parseModel on valid models cut, corrupted, spliced and nested', () => {
    fc.assert(
      fc.property(mutatedModel, (b) => parseChecked(b)),
      budget(3500),
    );
  });

  it('parseModel on random protobuf trees (inside a ModelProto and bare)', () => {
    fc.assert(
      fc.property(protoTree, fc.boolean(), (tree, wrap) => {
        const graph = Uint8Array.from(tree);
        const bytes = wrap
          ? Uint8Array.from([0x08, 8, 0x42, 4, 0x0a, 0, 0x10, 17, 0x3a, ...varint(graph.length), ...graph])
          : graph;
        parseChecked(bytes);
      }),
      budget(2500),
    );
  });
});
