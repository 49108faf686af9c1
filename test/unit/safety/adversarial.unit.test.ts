/**
 * The adversarial suite (issue #12): a few hundred generated cases over every command that reads or writes, each
 * run on a fresh folder and checked for its exit code, for exactly one `error:` line (no stack trace, no
 * "internal") when it fails, and for every input and pre-existing output byte for byte as before. Hostile CSVs run
 * through split, infer and eval; truncated, corrupted and hostile ONNX files through inspect, bench and infer; then
 * path collisions, special files (run as real processes, so a blocking read fails the case instead of hanging the
 * suite), option abuse, data that does not fit the model, and install-cuda's libraries.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildModel,
  classifierModel,
  linearRegressorModel,
  perColumnRegressorModel,
} from '../../../src/inference/onnxBuilder';
import { fakeElf, fakeProviderPair, FOREIGN_MACHINE } from '../inference/elfFixture';
import { corrupt, declaredShapeModel, nestedGraphModel, nestedTypeModel, prng, victimModel } from './hostileOnnx';
import { ensureDist, runCase, type Case, type Expected, type Files } from './harness';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures every case starts from: a 20-row data file, its folds, two models, a Python cell file, and outputs that
// already exist (a previous run's), which no failed run may touch.

function dataCsv(rows = 20): string {
  const lines = ['a,b,y'];
  for (let i = 0; i < rows; i++)
    lines.push(`${i % 2 === 0 ? -1 - i / 10 : 1 + i / 10},${(i * 7) % 5},${i % 2 === 0 ? 'neg' : 'pos'}`);
  return lines.join('\n') + '\n';
}

function foldsCsv(rows = 20, k = 4): string {
  return 'fold\n' + Array.from({ length: rows }, (_, i) => i % k).join('\n') + '\n';
}

const CLF = classifierModel(
  [
    [-3, 3],
    [0, 0],
  ],
  [0, 0],
  ['neg', 'pos'],
);
const REG = linearRegressorModel([2, 0.5], 1);
/** Symbolic width: any number of columns feeds it, so a dropped column would go unnoticed but for the report. */
const ANY_WIDTH = buildModel({
  inputs: [{ name: 'X', type: 'float', shape: ['N', 'F'] }],
  outputs: [{ name: 'Y', type: 'float', shape: ['N', 'F'] }],
  nodes: [{ op: 'Identity', inputs: ['X'], outputs: ['Y'] }],
});
const PER_COLUMN = perColumnRegressorModel(['a', 'b'], [1, 1], 0);

const PRECIOUS = 'precious,previous,output\n1,2,3\n';
const PRECIOUS_JSON = '{"precious": true}\n';
const LEDGER_LINE =
  '{"v":1,"kind":"bench","time":"2020-01-01T00:00:00Z","model":{"path":"m","sha256":"x"},"provider":"cpu","git":null,"flowbench":"0"}\n';

function base(extra: Files = {}): Files {
  const files: Files = {
    'data.csv': dataCsv(),
    'folds.csv': foldsCsv(),
    'clf.onnx': CLF,
    'reg.onnx': REG,
    'cell.py': '# %%\nx = 1\n# %%\ny = 2\n',
    'out.csv': PRECIOUS,
    'out.csv.json': PRECIOUS_JSON,
    '.flowbench/experiments.jsonl': LEDGER_LINE,
  };
  // An entry a case puts where a standard folder was (.flowbench as a file) replaces what was inside it.
  for (const k of Object.keys(extra)) for (const f of Object.keys(files)) if (f.startsWith(`${k}/`)) delete files[f];
  return { ...files, ...extra };
}

const cases: { group: string; c: Case }[] = [];
const add = (group: string, c: Case): void => void cases.push({ group, c });

const SPLIT_OUT = ['out.csv', 'out.csv.json'];
const LEDGER = ['.flowbench/experiments.jsonl'];
const CPU = ['--ep', 'cpu'];

// ---------------------------------------------------------------------------------------------------------------
// 1. Malformed and hostile CSVs, through split (plain and stratified), infer and eval.

interface HostileCsv {
  name: string;
  content: string | Uint8Array;
  /** Expected exit of: split kfold, split stratified on y, infer (2 numeric features), eval (classifier on y). */
  split: Expected;
  strat: Expected;
  infer: Expected;
  eval: Expected;
  /** Data rows, for the folds file of a run that gets that far. */
  rows?: number;
  message?: RegExp;
}

const rnd = prng(12);
const garbage = Uint8Array.from({ length: 4096 }, () => Math.floor(rnd() * 256));
const many = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join('\n');

const HOSTILE_CSVS: HostileCsv[] = [
  { name: 'an empty file', content: '', split: 2, strat: 2, infer: 2, eval: 2, message: /the file is empty/ },
  { name: 'only a BOM', content: '\ufeff', split: 2, strat: 2, infer: 2, eval: 2, message: /empty/ },
  { name: 'only blank lines', content: '\n\n\r\n\n', split: 2, strat: 2, infer: 2, eval: 2, message: /empty/ },
  { name: 'a header and no rows', content: 'a,b,y\n', split: 2, strat: 2, infer: 2, eval: 2, message: /no data rows/ },
  { name: 'a header without a newline', content: 'a,b,y', split: 2, strat: 2, infer: 2, eval: 2 },
  {
    name: 'a row with too few fields',
    content: 'a,b,y\n1,2,neg\n3,pos\n5,6,neg\n',
    split: 2,
    strat: 2,
    infer: 2,
    eval: 2,
    message: /line 3/,
  },
  {
    name: 'a row with too many fields',
    content: 'a,b,y\n1,2,neg\n3,4,pos,9\n',
    split: 2,
    strat: 2,
    infer: 2,
    eval: 2,
    message: /line 3/,
  },
  {
    name: 'an unterminated quote at the end',
    content: 'a,b,y\n1,2,neg\n3,4,"pos\n',
    split: 2,
    strat: 2,
    infer: 2,
    eval: 2,
  },
  {
    name: 'an unterminated quote mid-file',
    content: 'a,b,y\n1,2,"neg\n3,4,pos\n5,6,neg\n',
    split: 2,
    strat: 2,
    infer: 2,
    eval: 2,
  },
  {
    name: 'a ragged row far down (line 3002)',
    content: `a,b,y\n${many(3000, (i) => `${i},${i % 3},${i % 2 ? 'pos' : 'neg'}`)}\n1,2\n`,
    split: 2,
    strat: 2,
    infer: 2,
    eval: 2,
    message: /line 3002/,
  },
  { name: 'binary garbage', content: garbage, split: 2, strat: 2, infer: 2, eval: 2 },
  { name: 'NUL bytes only', content: '\0\0\0\0\0\0', split: 2, strat: 2, infer: 2, eval: 2 },
  { name: 'a one-column file', content: 'y\nneg\npos\nneg\npos\n', split: 0, strat: 0, infer: 2, eval: 2, rows: 4 },
  {
    name: 'text where numbers go',
    content: 'a,b,y\nx,2,neg\nw,3,pos\nq,4,neg\nr,5,pos\n',
    split: 0,
    strat: 0,
    infer: 2,
    eval: 2,
    rows: 4,
  },
  {
    name: 'an empty feature cell mid-file',
    content: `a,b,y\n${many(10, (i) => `${i},${i === 6 ? '' : i},${i % 2 ? 'pos' : 'neg'}`)}\n`,
    split: 0,
    strat: 0,
    infer: 2,
    eval: 2,
    rows: 10,
    message: /empty cell in column 'b' on line 8/,
  },
  {
    name: 'NaN mid-file',
    content: `a,b,y\n${many(10, (i) => `${i},${i === 5 ? 'NaN' : i},${i % 2 ? 'pos' : 'neg'}`)}\n`,
    split: 0,
    strat: 0,
    infer: 2,
    eval: 2,
    rows: 10,
    message: /NaN in column 'b' on line 7/,
  },
  {
    name: 'an empty target cell',
    content: 'a,b,y\n1,2,neg\n3,4,\n5,6,pos\n7,8,neg\n',
    split: 0,
    strat: 2,
    infer: 0,
    eval: 2,
    rows: 4,
  },
  {
    name: 'CR-only line ends',
    content: 'a,b,y\r1,2,neg\r3,4,pos\r5,6,neg\r7,8,pos\r',
    split: 0,
    strat: 0,
    infer: 0,
    eval: 0,
    rows: 4,
  },
  {
    name: 'mixed CRLF and LF',
    content: 'a,b,y\r\n1,2,neg\n3,4,pos\r\n5,6,neg\n7,8,pos\r\n',
    split: 0,
    strat: 0,
    infer: 0,
    eval: 0,
    rows: 4,
  },
  {
    name: 'a BOM and CRLF',
    content: '\ufeffa,b,y\r\n1,2,neg\r\n3,4,pos\r\n5,6,neg\r\n7,8,pos\r\n',
    split: 0,
    strat: 0,
    infer: 0,
    eval: 0,
    rows: 4,
  },
  {
    name: 'duplicate column names',
    content: 'a,a,y\n1,2,neg\n3,4,pos\n5,6,neg\n7,8,pos\n',
    split: 0,
    strat: 0,
    infer: 'either',
    eval: 'either',
    rows: 4,
  },
  { name: 'an empty header line', content: '\n,,\n1,2,3\n', split: 'either', strat: 2, infer: 2, eval: 2 },
  {
    name: 'quoted newlines and quotes in fields',
    content: 'a,b,y\n1,2,"ne\ng"\n3,4,"p""os"\n5,6,"ne\ng"\n7,8,"p""os"\n',
    split: 0,
    strat: 0,
    infer: 0,
    eval: 2,
    rows: 4,
  },
  {
    name: 'a quote inside an unquoted field',
    content: 'a,b,y\n1,2,ne"g\n3,4,pos\n5,6,neg\n7,8,pos\n',
    split: 'either',
    strat: 'either',
    infer: 'either',
    eval: 'either',
    rows: 4,
  },
  {
    name: 'a 1 MB field',
    content: `a,b,y\n1,2,${'n'.repeat(1 << 20)}\n3,4,pos\n5,6,neg\n7,8,pos\n`,
    split: 0,
    strat: 0,
    infer: 0,
    eval: 2,
    rows: 4,
  },
  {
    name: '2,000 columns',
    content: `${Array.from({ length: 2000 }, (_, i) => `c${i}`).join(',')},y\n${many(6, (r) => `${Array.from({ length: 2000 }, (_, i) => String(i + r)).join(',')},${r % 2 ? 'pos' : 'neg'}`)}\n`,
    split: 0,
    strat: 0,
    infer: 2,
    eval: 2,
    rows: 6,
    message: /takes 2 features per row/,
  },
  {
    name: 'numbers too big for a double',
    content: 'a,b,y\n1e400,2,neg\n3,-1e400,pos\n5,6,neg\n7,8,pos\n',
    split: 0,
    strat: 0,
    infer: 'either',
    eval: 'either',
    rows: 4,
  },
  {
    name: 'inf and -inf',
    content: 'a,b,y\ninf,2,neg\n3,-inf,pos\n5,6,neg\n7,8,pos\n',
    split: 0,
    strat: 0,
    infer: 'either',
    eval: 'either',
    rows: 4,
  },
  {
    name: 'tab-separated under a .csv name',
    content: 'a\tb\ty\n1\t2\tneg\n3\t4\tpos\n5\t6\tneg\n7\t8\tpos\n',
    split: 0,
    strat: 0,
    infer: 0,
    eval: 0,
    rows: 4,
  },
  {
    name: 'semicolon-separated',
    content: 'a;b;y\n1;2;neg\n3;4;pos\n5;6;neg\n7;8;pos\n',
    split: 0,
    strat: 0,
    infer: 0,
    eval: 0,
    rows: 4,
  },
  {
    name: 'a trailing delimiter on every row',
    content: 'a,b,y,\n1,2,neg,\n3,4,pos,\n5,6,neg,\n7,8,pos,\n',
    split: 0,
    strat: 0,
    infer: 0,
    eval: 0,
    rows: 4,
  },
  {
    name: 'a header with a quoted newline',
    content: '"a\nx",b,y\n1,2,neg\n3,4,pos\n5,6,neg\n7,8,pos\n',
    split: 0,
    strat: 0,
    infer: 0,
    eval: 0,
    rows: 4,
  },
  {
    name: 'invalid UTF-8 in the header',
    content: Buffer.concat([
      Buffer.from('a,'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(',y\n1,2,neg\n3,4,pos\n5,6,neg\n7,8,pos\n'),
    ]),
    split: 0,
    strat: 0,
    infer: 0,
    eval: 0,
    rows: 4,
  },
  {
    name: 'a missing final newline',
    content: 'a,b,y\n1,2,neg\n3,4,pos\n5,6,neg\n7,8,pos',
    split: 0,
    strat: 0,
    infer: 0,
    eval: 0,
    rows: 4,
  },
  {
    name: 'more folds than rows',
    content: 'a,b,y\n1,2,neg\n3,4,pos\n',
    split: 2,
    strat: 2,
    infer: 0,
    eval: 'either',
    rows: 2,
  },
];

for (const h of HOSTILE_CSVS) {
  const files = (extra: Files = {}) => base({ 'h.csv': h.content, 'hfolds.csv': foldsCsv(h.rows ?? 4, 2), ...extra });
  add('hostile CSVs', {
    name: `split kfold: ${h.name}`,
    argv: ['split', 'h.csv', '--strategy', 'kfold', '--folds', '3', '--out', 'out.csv'],
    files: files(),
    expect: h.split,
    message: h.split === 2 ? h.message : undefined,
    outputs: SPLIT_OUT,
  });
  add('hostile CSVs', {
    name: `split stratified on y: ${h.name}`,
    argv: ['split', 'h.csv', '--strategy', 'stratified-kfold', '--target', 'y', '--folds', '2', '--out', 'out.csv'],
    files: files(),
    expect: h.strat,
    outputs: SPLIT_OUT,
  });
  add('hostile CSVs', {
    name: `infer: ${h.name}`,
    argv: ['infer', 'reg.onnx', '--input', 'h.csv', '--target', 'y', '--out', 'out.csv', ...CPU],
    files: files(),
    expect: h.infer,
    message: h.infer === 2 ? h.message : undefined,
    outputs: ['out.csv'],
  });
  add('hostile CSVs', {
    name: `eval: ${h.name}`,
    argv: ['eval', 'clf.onnx', '--data', 'h.csv', '--split', 'hfolds.csv', '--target', 'y', ...CPU],
    files: files(),
    expect: h.eval,
    outputs: LEDGER,
  });
}

// The model-side guarantee: a column is never dropped without a word, and the data-side one (issue #11's typing):
// a NaN in the first row must not make a numeric column count as text.
add('hostile CSVs', {
  name: 'infer on a model of any width prints the columns it fed and the ones it did not',
  argv: ['infer', 'any.onnx', '--input', 'd.csv', '--out', 'pred.csv', ...CPU],
  files: base({ 'any.onnx': ANY_WIDTH, 'd.csv': 'a,b,kind\n1,2,x\n3,4,y\n' }),
  expect: 0,
  outputs: ['pred.csv'],
  check: (_dir, r) => assert.match(r.out, /2 features: a, b; not fed: kind \(not numeric\)/),
});
add('hostile CSVs', {
  name: 'a NaN in the first data row: the column is still numeric, and the NaN is named (not a silent drop)',
  argv: ['infer', 'any.onnx', '--input', 'd.csv', '--out', 'pred.csv', ...CPU],
  files: base({ 'any.onnx': ANY_WIDTH, 'd.csv': 'a,b,c\nnan,1,2\n3,4,5\n6,7,8\n' }),
  expect: 2,
  message: /NaN in column 'a' on line 2/,
});
add('hostile CSVs', {
  name: 'labels that differ only in an invalid UTF-8 byte stay two classes (or are refused naming the line)',
  argv: ['split', 'd.csv', '--strategy', 'stratified-kfold', '--target', 'y', '--folds', '2', '--out', 'out.csv'],
  files: base({
    'd.csv': Buffer.concat([
      Buffer.from('a,y\n'),
      ...Array.from({ length: 8 }, (_, i) => Buffer.from([...Buffer.from(`${i},`), i % 2 ? 0xfe : 0xff, 0x61, 0x0a])),
    ]),
  }),
  expect: 'either',
  message: /line \d+/,
  outputs: SPLIT_OUT,
  check: (dir) => {
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'out.csv.json'), 'utf8'));
    const classes = Object.keys(m.folds[0].classes.train).length + 0;
    assert.equal(classes, 2, `the two byte-distinct labels merged into ${classes} class(es)`);
  },
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Truncated, corrupted and hostile ONNX files.

const victim = victimModel();
for (let k = 0; k < 24; k++) {
  const at = k < 4 ? k : Math.floor((victim.length * (k - 3)) / 21);
  add('hostile ONNX', {
    name: `inspect a model cut at byte ${at} of ${victim.length}`,
    argv: ['inspect', 'cut.onnx'],
    files: base({ 'cut.onnx': victim.subarray(0, at) }),
    expect: at >= victim.length ? 0 : 'either',
  });
}
for (let seed = 1; seed <= 30; seed++) {
  add('hostile ONNX', {
    name: `inspect a model with ${1 + (seed % 8)} corrupted bytes (seed ${seed})`,
    argv: ['inspect', 'bad.onnx', '--json'],
    files: base({ 'bad.onnx': corrupt(victim, seed, 1 + (seed % 8)) }),
    expect: 'either',
  });
}
const overlongVarint = Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
const HOSTILE_MODELS: [string, Uint8Array, Expected, RegExp?][] = [
  ['subgraphs nested 20,000 deep', nestedGraphModel(20_000), 2, /nested more than 100 levels deep/],
  ['subgraphs nested 150 deep', nestedGraphModel(150), 2, /subgraphs nested more than 100/],
  ['subgraphs nested 50 deep (a real model may)', nestedGraphModel(50), 0],
  ['types nested 20,000 deep', nestedTypeModel(20_000), 2, /types nested more than 100/],
  ['an input of [10^12, 4] (inspect only reads it)', declaredShapeModel([1e12, 4]), 0],
  ['an overlong varint', overlongVarint, 2, /not an ONNX model/],
  ['field number 0', Uint8Array.from([0x00, 0x01]), 2],
  ['wire type 7', Uint8Array.from([0x0f, 0x01]), 2, /unsupported wire type 7/],
  ['a length past the end', Uint8Array.from([0x3a, 0xff, 0xff, 0x03, 0x01]), 2, /truncated or corrupt/],
  ['a negative length', Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 2],
  ['one byte', Uint8Array.from([0x08]), 2],
  ['a JSON file', Buffer.from('{"ir_version": 8, "graph": {}}'), 2],
  ['a PNG header', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 2],
  ['a text file', Buffer.from('hello, this is not a model\n'), 2],
  ['a zip header', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]), 2],
  ['an ELF library', fakeElf({ exports: ['GetProvider'] }), 2],
  ['64 KB of random bytes', Uint8Array.from({ length: 65536 }, () => Math.floor(rnd() * 256)), 2],
  ['an empty graph', buildModel({ inputs: [], outputs: [], nodes: [] }), 2, /empty graph/],
];
for (const [name, bytes, expect, message] of HOSTILE_MODELS) {
  add('hostile ONNX', {
    name: `inspect: ${name}`,
    argv: ['inspect', 'h.onnx'],
    files: base({ 'h.onnx': bytes }),
    expect,
    message,
  });
}
add('hostile ONNX', {
  name: 'inspect: a model above the size limit (FLOWBENCH_MAX_MODEL_BYTES) is refused with the limit named',
  argv: ['inspect', 'clf.onnx'],
  files: base(),
  env: { FLOWBENCH_MAX_MODEL_BYTES: '100' },
  expect: 2,
  message: /clf\.onnx is \d+ bytes, above the 100 bytes limit; the limit is FLOWBENCH_MAX_MODEL_BYTES=100/,
});
add('hostile ONNX', {
  name: 'inspect: a malformed FLOWBENCH_MAX_MODEL_BYTES',
  argv: ['inspect', 'clf.onnx'],
  files: base(),
  env: { FLOWBENCH_MAX_MODEL_BYTES: 'lots' },
  expect: 2,
  message: /FLOWBENCH_MAX_MODEL_BYTES must be a whole number/,
});
// Declared sizes reach allocation in bench and infer (random inputs): checked first.
for (const [name, shape, argv] of [
  ['an input of [10^12, 4]', [1e12, 4], []],
  ['an input of [N, 10^9]', ['N', 1e9], []],
  ['a batch of 10^12 rows', ['N', 4], ['--batch', '1000000000000']],
  ['an input of [N, 2^31, 2^31]', ['N', 2 ** 31, 2 ** 31], []],
] as [string, (number | string)[], string[]][]) {
  for (const cmd of ['bench', 'infer']) {
    add('hostile ONNX', {
      name: `${cmd} with random inputs: ${name}`,
      argv: [cmd, 'h.onnx', ...argv, ...(cmd === 'bench' ? ['--no-ledger'] : []), ...CPU],
      files: base({ 'h.onnx': declaredShapeModel(shape) }),
      expect: 2,
      message: /random inputs are limited to 1\.34e8 values per input/,
    });
  }
}
for (const [name, bytes] of [
  ['cut in half', victim.subarray(0, victim.length >> 1)],
  ['subgraphs nested 20,000 deep', nestedGraphModel(20_000)],
  ['a text file', Buffer.from('not a model')],
  ['an empty file', new Uint8Array(0)],
] as [string, Uint8Array][]) {
  for (const cmd of [
    ['bench', 'h.onnx', '--no-ledger', ...CPU],
    ['infer', 'h.onnx', '--input', 'data.csv', '--target', 'y', '--out', 'out.csv', ...CPU],
    ['eval', 'h.onnx', '--data', 'data.csv', '--split', 'folds.csv', '--target', 'y', ...CPU],
  ]) {
    add('hostile ONNX', { name: `${cmd[0]}: a model ${name}`, argv: cmd, files: base({ 'h.onnx': bytes }), expect: 2 });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Path collisions: an output that is an input (by path, link or ..), or that cannot be written.

const splitTo = (input: string, out: string) => ['split', input, '--strategy', 'kfold', '--folds', '2', '--out', out];
const COLLISIONS: [string, string[], Files, RegExp?][] = [
  ['split --out is the input', splitTo('data.csv', 'data.csv'), {}, /--out must not be the input file/],
  [
    'split --out is a symlink to the input',
    splitTo('data.csv', 'link.csv'),
    { 'link.csv': { symlink: 'data.csv' } },
    /--out must not be the input file/,
  ],
  [
    'split --out is a hard link to the input',
    splitTo('data.csv', 'hard.csv'),
    { 'hard.csv': { hardlink: 'data.csv' } },
    /--out must not be the input file/,
  ],
  [
    'split --out reaches the input through ..',
    splitTo('data.csv', 'sub/../data.csv'),
    { sub: { dir: true } },
    /--out must not be the input file/,
  ],
  [
    'split input through a symlinked folder, --out by its real name',
    splitTo('alias/d.csv', 'real/d.csv'),
    { 'real/d.csv': dataCsv(), alias: { symlink: 'real' } },
  ],
  [
    'split: the manifest path is the input (X.csv.json with --out X.csv)',
    splitTo('X.csv.json', 'X.csv'),
    { 'X.csv.json': dataCsv() },
    /the manifest X\.csv\.json must not be the input file/,
  ],
  [
    'split: the manifest path is a folder (FOLDS.csv stays as it was)',
    splitTo('data.csv', 'out.csv'),
    { 'out.csv.json': { dir: true } },
    /the manifest out\.csv\.json .* is a folder/,
  ],
  [
    'split --out is a folder',
    splitTo('data.csv', 'folder'),
    { folder: { dir: true } },
    /--out .*folder is a folder; name a file/,
  ],
  ['split --out under a file', splitTo('data.csv', 'data.csv/x.csv'), {}, /data\.csv is a file, not a folder/],
  // Through a link: a broken writer would rename over the link in the case folder, never over the system's /dev/null.
  [
    'split --out resolves to /dev/null',
    splitTo('data.csv', 'devnull'),
    { devnull: { symlink: '/dev/null' } },
    /is a character device/,
  ],
  ['split --out is a FIFO', splitTo('data.csv', 'p.csv'), { 'p.csv': { fifo: true } }, /is a named pipe/],
  ['split --out with a 300-character name', splitTo('data.csv', `${'n'.repeat(300)}.csv`), {}, /too long/],
  [
    'split --out through a symlink loop',
    splitTo('data.csv', 'loop1/x.csv'),
    { loop1: { symlink: 'loop2' }, loop2: { symlink: 'loop1' } },
  ],
  ['split --out with a NUL byte', splitTo('data.csv', 'a\0b.csv'), {}, /NUL byte/],
  ['split --out empty (the folder itself)', splitTo('data.csv', ''), {}],
  [
    'split input is the ledger of another run',
    splitTo('.flowbench/experiments.jsonl', '.flowbench/experiments.jsonl'),
    {},
  ],
  [
    'infer --out is the input CSV',
    ['infer', 'reg.onnx', '--input', 'data.csv', '--target', 'y', '--out', 'data.csv', ...CPU],
    {},
    /must not be/,
  ],
  [
    'infer --out is the model',
    ['infer', 'reg.onnx', '--input', 'data.csv', '--target', 'y', '--out', 'reg.onnx', ...CPU],
    {},
    /must not be/,
  ],
  [
    'infer --out is a symlink to the input CSV',
    ['infer', 'reg.onnx', '--input', 'data.csv', '--target', 'y', '--out', 'l.csv', ...CPU],
    { 'l.csv': { symlink: 'data.csv' } },
    /must not be/,
  ],
  [
    'infer --out is the split file',
    ['infer', 'reg.onnx', '--input', 'data.csv', '--split', 'folds.csv', '--target', 'y', '--out', 'folds.csv', ...CPU],
    {},
    /must not be/,
  ],
  ['infer --out (random inputs) is the model', ['infer', 'reg.onnx', '--out', 'reg.onnx', ...CPU], {}, /must not be/],
  [
    'infer --out is a folder',
    ['infer', 'reg.onnx', '--out', 'folder', ...CPU],
    { folder: { dir: true } },
    /is a folder/,
  ],
  ['infer --out under a file', ['infer', 'reg.onnx', '--out', 'data.csv/p.csv', ...CPU], {}, /is a file, not a folder/],
  [
    'eval with .flowbench a file (the ledger cannot be written)',
    ['eval', 'clf.onnx', '--data', 'data.csv', '--split', 'folds.csv', '--target', 'y', ...CPU],
    { '.flowbench': 'a file' },
    /\.flowbench is a file, not a folder/,
  ],
  [
    'eval with experiments.jsonl a folder',
    ['eval', 'clf.onnx', '--data', 'data.csv', '--split', 'folds.csv', '--target', 'y', ...CPU],
    { '.flowbench/experiments.jsonl': { dir: true } },
    /is a folder/,
  ],
  [
    'bench with .flowbench a file',
    ['bench', 'reg.onnx', '--runs', '1', '--warmup', '0', ...CPU],
    { '.flowbench': 'a file' },
    /\.flowbench is a file, not a folder/,
  ],
  [
    'bench with experiments.jsonl a folder',
    ['bench', 'reg.onnx', '--runs', '1', '--warmup', '0', ...CPU],
    { '.flowbench/experiments.jsonl': { dir: true } },
    /is a folder/,
  ],
  [
    'timeit --history-dir is a file',
    ['timeit', 'cell.py', '--cell', '1', '--history-dir', 'data.csv'],
    {},
    /data\.csv is a file, not a folder/,
  ],
  [
    'timeit with .flowbench a file',
    ['timeit', 'cell.py', '--cell', '1', '--history-dir', '.'],
    { '.flowbench': 'a file' },
    /\.flowbench is a file/,
  ],
  [
    'timeit with timings.jsonl a folder',
    ['timeit', 'cell.py', '--cell', '1', '--history-dir', '.'],
    { '.flowbench/timings.jsonl': { dir: true } },
    /is a folder/,
  ],
  ['experiments on a file', ['experiments', 'data.csv'], {}, /is not a folder/],
  ['experiments on a folder that does not exist', ['experiments', 'nowhere'], {}, /not found/],
  ['experiments with .flowbench a file', ['experiments', '.'], { '.flowbench': 'a file' }],
  [
    'experiments with experiments.jsonl a folder',
    ['experiments'],
    { '.flowbench/experiments.jsonl': { dir: true } },
    /is a folder/,
  ],
  [
    'install-cuda with --runtime-dir a file',
    ['install-cuda', 'libs', '--runtime-dir', 'data.csv'],
    {
      'libs/libonnxruntime_providers_cuda.so': fakeProviderPair().cuda,
      'libs/libonnxruntime_providers_shared.so': fakeProviderPair().shared,
    },
    /is not a folder/,
  ],
  [
    'install-cuda with a --runtime-dir that does not exist',
    ['install-cuda', 'libs', '--runtime-dir', 'nowhere'],
    {
      'libs/libonnxruntime_providers_cuda.so': fakeProviderPair().cuda,
      'libs/libonnxruntime_providers_shared.so': fakeProviderPair().shared,
    },
    /does not exist/,
  ],
];
for (const [name, argv, extra, message] of COLLISIONS) {
  add('path collisions', { name, argv, files: base(extra), expect: 2, message });
}
add('path collisions', {
  name: 'split --out into folders that do not exist yet: made, and written',
  argv: splitTo('data.csv', 'new/deep/f.csv'),
  files: base(),
  expect: 0,
  outputs: ['new/deep/f.csv', 'new/deep/f.csv.json', 'new', 'new/deep'],
});
add('path collisions', {
  name: 'split replaces a previous FOLDS.csv and manifest when it succeeds',
  argv: splitTo('data.csv', 'out.csv'),
  files: base(),
  expect: 0,
  outputs: SPLIT_OUT,
  check: (dir) => assert.match(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8'), /^fold\n/),
});
for (const [name, argv] of [
  ['split into a folder it may not write', splitTo('data.csv', 'o.csv')],
  ['infer --out into a folder it may not write', ['infer', 'reg.onnx', '--out', 'o.csv', ...CPU]],
  ['bench with a ledger it may not write', ['bench', 'reg.onnx', '--runs', '1', ...CPU]],
  ['timeit with a history it may not write', ['timeit', 'cell.py', '--cell', '1']],
] as [string, string[]][]) {
  add('path collisions', {
    name: `${name}: permission denied, in words`,
    argv,
    files: base({ '.flowbench': { dir: true }, '.flowbench/experiments.jsonl': LEDGER_LINE }),
    expect: 2,
    unprivileged: true,
    message: /permission denied/,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Special files as inputs: a FIFO (blocks a plain open), /dev/zero (never ends), a folder, a socket-like device.
// Real processes, each with a deadline, so a blocking read fails the case rather than the suite.

const SPECIAL: [string, Files, string][] = [
  ['a FIFO', { 'sp.x': { fifo: true } }, 'sp.x'],
  ['/dev/zero', {}, '/dev/zero'],
  ['a folder', { 'sp.x': { dir: true } }, 'sp.x'],
  ['/dev/null', {}, '/dev/null'],
];
for (const [what, extra, p] of SPECIAL) {
  const argvs: [string, string[]][] = [
    ['split input', ['split', p, '--strategy', 'kfold', '--out', 'out.csv']],
    ['inspect model', ['inspect', p]],
    ['bench model', ['bench', p, '--no-ledger', ...CPU]],
    ['infer model', ['infer', p, '--out', 'out.csv', ...CPU]],
    ['infer --input', ['infer', 'reg.onnx', '--input', p, '--out', 'out.csv', ...CPU]],
    [
      'infer --split',
      ['infer', 'reg.onnx', '--input', 'data.csv', '--target', 'y', '--split', p, '--out', 'out.csv', ...CPU],
    ],
    ['eval model', ['eval', p, '--data', 'data.csv', '--split', 'folds.csv', '--target', 'y', ...CPU]],
    ['eval --data', ['eval', 'clf.onnx', '--data', p, '--split', 'folds.csv', '--target', 'y', ...CPU]],
    ['eval --split', ['eval', 'clf.onnx', '--data', 'data.csv', '--split', p, '--target', 'y', ...CPU]],
    ['timeit file', ['timeit', p, '--cell', '1']],
    ['install-cuda source', ['install-cuda', p, '--runtime-dir', 'rt']],
    ['experiments DIR', ['experiments', p]],
  ];
  for (const [role, argv] of argvs) {
    // A folder is what experiments reads: the one special file that is a good input there.
    const fine = what === 'a folder' && role === 'experiments DIR';
    add('special files', {
      name: fine ? `${what} as ${role} (its ledger is read)` : `${what} as ${role}`,
      argv,
      files: base({ ...extra, rt: { dir: true } }),
      expect: fine ? 0 : 2,
      spawn: true,
    });
  }
}
add('special files', {
  name: 'a FIFO as the experiment ledger',
  argv: ['experiments'],
  files: base({ '.flowbench/experiments.jsonl': { fifo: true } }),
  expect: 2,
  spawn: true,
  message: /is a named pipe/,
});
add('special files', {
  name: 'a FIFO as the split manifest eval reads',
  argv: ['eval', 'clf.onnx', '--data', 'data.csv', '--split', 'folds.csv', '--target', 'y', ...CPU],
  files: base({ 'folds.csv.json': { fifo: true } }),
  expect: 'either',
  spawn: true,
  outputs: LEDGER,
});

// ---------------------------------------------------------------------------------------------------------------
// 5. Option abuse.

const OPTION_ABUSE: [string, string[]][] = [
  ['split', ['data.csv']],
  ['split', ['data.csv', '--strategy', 'kfold']],
  ['split', ['data.csv', '--strategy', 'nope', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--out']],
  ['split', ['data.csv', 'more.csv', '--strategy', 'kfold', '--out', 'o.csv']],
  ['split', ['--strategy', 'kfold', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--folds', '1', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--folds', '0', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--folds', '-3', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--folds', 'abc', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--folds', '1e3', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--folds', '99999999999999999999', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--seed', '-1', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--seed', '4294967296', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'holdout', '--test-size', '1.5', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'holdout', '--test-size', 'nan', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'holdout', '--test-size', '0', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'holdout', '--test-size', '0.5', '--test-count', '3', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'holdout', '--test-count', '100', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'stratified-kfold', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'stratified-kfold', '--target', 'nope', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'group-kfold', '--group', '', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'time-series', '--time', 'y', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--shuffle', '--no-shuffle', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--bins', '5', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'stratified-kfold', '--target', 'a', '--bins', '1', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'time-series', '--gap', '-1', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--gap', '2', '--out', 'o.csv']],
  ['split', ['data.csv', '--strategy', 'kfold', '--frobnicate', '--out', 'o.csv']],
  ['split', ['missing.csv', '--strategy', 'kfold', '--out', 'o.csv']],
  ['inspect', []],
  ['inspect', ['a.onnx', 'b.onnx']],
  ['inspect', ['missing.onnx']],
  ['inspect', ['clf.onnx', '--out', 'x']],
  ['infer', []],
  ['infer', ['reg.onnx', '--batch', '0', ...CPU]],
  ['infer', ['reg.onnx', '--batch', '-1', ...CPU]],
  ['infer', ['reg.onnx', '--batch', 'x', ...CPU]],
  ['infer', ['reg.onnx', '--ep', 'nope']],
  ['infer', ['reg.onnx', '--threads', '0', ...CPU]],
  ['infer', ['reg.onnx', '--split', 'folds.csv', ...CPU]],
  ['infer', ['reg.onnx', '--input', 'data.csv', '--features', 'a,nope', ...CPU]],
  ['infer', ['reg.onnx', '--input', 'data.csv', '--features', 'a,y', '--target', 'y', ...CPU]],
  ['infer', ['reg.onnx', '--input', 'data.csv', '--target', 'nope', ...CPU]],
  ['infer', ['reg.onnx', '--input', 'data.csv', '--target', 'y', '--split', 'folds.csv', '--fold', '9', ...CPU]],
  ['infer', ['reg.onnx', '--input', 'data.csv', '--target', 'y', '--split', 'folds.csv', '--fold', '-1', ...CPU]],
  ['infer', ['reg.onnx', '--input', 'missing.csv', ...CPU]],
  ['infer', ['missing.onnx', ...CPU]],
  ['bench', []],
  ['bench', ['reg.onnx', '--runs', '0', ...CPU]],
  ['bench', ['reg.onnx', '--runs', '-5', ...CPU]],
  ['bench', ['reg.onnx', '--runs', 'many', ...CPU]],
  ['bench', ['reg.onnx', '--warmup', '-1', ...CPU]],
  ['bench', ['reg.onnx', '--time-budget', '0', ...CPU]],
  ['bench', ['reg.onnx', '--time-budget', '-1', ...CPU]],
  ['bench', ['reg.onnx', '--time-budget', 'soon', ...CPU]],
  ['bench', ['reg.onnx', '--ep', 'cuda,nope']],
  ['eval', ['clf.onnx']],
  ['eval', ['clf.onnx', '--split', 'folds.csv']],
  ['eval', ['clf.onnx', '--data', 'data.csv', '--split', 'folds.csv']],
  ['eval', ['clf.onnx', '--data', 'data.csv', '--split', 'folds.csv', '--target', 'nope', ...CPU]],
  ['eval', ['clf.onnx', '--data', 'data.csv', '--split', 'folds.csv', '--target', 'y', '--fold', '7', ...CPU]],
  ['eval', ['clf.onnx', '--data', 'data.csv', '--split', 'missing.csv', '--target', 'y', ...CPU]],
  ['eval', ['clf.onnx', '--data', 'data.csv', '--split', 'folds.csv', '--target', 'y', '--features', 'q', ...CPU]],
  ['timeit', []],
  ['timeit', ['cell.py']],
  ['timeit', ['cell.py', '--cell', '-1']],
  ['timeit', ['cell.py', '--cell', '99']],
  ['timeit', ['cell.py', '--cell', 'x']],
  ['timeit', ['cell.py', '--cell', '1', '--line', '1']],
  ['timeit', ['cell.py', '--line', '0']],
  ['timeit', ['cell.py', '--cell', '1', '--setup', 'weird']],
  ['timeit', ['cell.py', '--cell', '1', '--runs', '0']],
  ['timeit', ['cell.py', '--cell', '1', '--timeout', '-5']],
  ['timeit', ['cell.py', '--cell', '1', '--time-cap', '-1']],
  ['timeit', ['cell.py', '--cell', '1', '--python', '/nonexistent/python3']],
  ['timeit', ['missing.py', '--cell', '1']],
  ['timeit', ['data.csv', '--cell', '1']],
  ['install-cuda', []],
  ['install-cuda', ['missing-folder']],
  ['install-cuda', ['https://example.com/ort.nupkg']],
  ['install-cuda', ['data.csv', '--runtime-dir', 'rt']],
  ['experiments', ['a', 'b']],
  ['experiments', ['--frobnicate']],
];
for (const [cmd, rest] of OPTION_ABUSE) {
  add('option abuse', {
    name: `${cmd} ${rest.map((a) => (a === '' ? "''" : a)).join(' ')}`,
    argv: [cmd, ...rest],
    files: base({ rt: { dir: true } }),
    expect: 2,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 6. Data that does not fit the model.

const MISFITS: [string, string[], Files, RegExp?][] = [
  [
    'three numeric columns for a 2-wide input',
    ['infer', 'reg.onnx', '--input', 'd.csv', ...CPU],
    { 'd.csv': 'a,b,c\n1,2,3\n4,5,6\n' },
    /takes 2 features per row, but d\.csv gives 3/,
  ],
  [
    'one numeric column for a 2-wide input',
    ['infer', 'reg.onnx', '--input', 'd.csv', ...CPU],
    { 'd.csv': 'a,t\n1,x\n4,y\n' },
    /takes 2 features/,
  ],
  [
    'no numeric column at all',
    ['infer', 'reg.onnx', '--input', 'd.csv', ...CPU],
    { 'd.csv': 'a,t\nx,x\ny,y\n' },
    /no numeric column/,
  ],
  [
    'a per-column model missing a column',
    ['infer', 'pc.onnx', '--input', 'd.csv', ...CPU],
    { 'pc.onnx': PER_COLUMN, 'd.csv': 'a,c\n1,2\n' },
    /b is not a column/,
  ],
  [
    '--features on a per-column model',
    ['infer', 'pc.onnx', '--input', 'data.csv', '--features', 'a', ...CPU],
    { 'pc.onnx': PER_COLUMN },
    /--features applies to a model with a single 2-D input/,
  ],
  [
    'an unranked input on random inputs',
    ['infer', 'u.onnx', ...CPU],
    {
      'u.onnx': buildModel({
        inputs: [{ name: 'X', type: 'float' }],
        outputs: [{ name: 'Y', type: 'float' }],
        nodes: [{ op: 'Identity', inputs: ['X'], outputs: ['Y'] }],
      }),
    },
    /no declared shape/,
  ],
  [
    'a split file made for another number of rows',
    ['infer', 'reg.onnx', '--input', 'data.csv', '--target', 'y', '--split', 'f.csv', ...CPU],
    { 'f.csv': foldsCsv(7) },
    /has 7 rows but the data has 20/,
  ],
  [
    'a split file with a bad split value',
    ['infer', 'reg.onnx', '--input', 'data.csv', '--target', 'y', '--split', 'f.csv', ...CPU],
    { 'f.csv': 'split\n' + Array.from({ length: 20 }, (_, i) => (i === 3 ? 'maybe' : 'train')).join('\n') + '\n' },
    /split 'maybe' is not train, valid or unused/,
  ],
  [
    'a split file with neither split nor fold',
    ['eval', 'clf.onnx', '--data', 'data.csv', '--split', 'f.csv', '--target', 'y', ...CPU],
    { 'f.csv': 'q\n' + '1\n'.repeat(20) },
    /neither a 'split' nor a 'fold' column/,
  ],
  [
    'a split with no train rows',
    ['eval', 'clf.onnx', '--data', 'data.csv', '--split', 'f.csv', '--target', 'y', ...CPU],
    { 'f.csv': 'split\n' + 'valid\n'.repeat(20) },
    /no train rows/,
  ],
  [
    'a target class the model does not know',
    ['eval', 'clf.onnx', '--data', 'd.csv', '--split', 'f.csv', '--target', 'y', ...CPU],
    { 'd.csv': 'a,b,y\n1,2,neg\n3,4,pos\n5,6,maybe\n7,8,neg\n', 'f.csv': foldsCsv(4, 2) },
    /not one of the model's classes/,
  ],
  [
    'a text target for a regressor',
    ['eval', 'reg.onnx', '--data', 'd.csv', '--split', 'f.csv', '--target', 't', ...CPU],
    { 'd.csv': 'a,b,t\n1,2,x\n3,4,y\n5,6,z\n7,8,w\n', 'f.csv': foldsCsv(4, 2) },
    /where a number is expected/,
  ],
  [
    'a manifest that names a data file that is gone',
    ['eval', 'clf.onnx', '--split', 'f.csv', ...CPU],
    { 'f.csv': foldsCsv(), 'f.csv.json': '{"input": {"file": "gone.csv"}, "parameters": {"target": "y"}}' },
    /missing --data/,
  ],
  [
    'a manifest that is not JSON',
    ['eval', 'clf.onnx', '--split', 'f.csv', ...CPU],
    { 'f.csv': foldsCsv(), 'f.csv.json': '{not json' },
    /missing --data/,
  ],
  [
    'a model that fails at run time',
    ['infer', 'bad.onnx', '--input', 'data.csv', '--target', 'y', ...CPU],
    {
      'bad.onnx': buildModel({
        inputs: [{ name: 'X', type: 'float', shape: ['N', 2] }],
        outputs: [{ name: 'Y', type: 'float', shape: ['N', 3] }],
        nodes: [{ op: 'MatMul', inputs: ['X', 'W'], outputs: ['Y'] }],
        initializers: [{ name: 'W', dims: [5, 3], data: new Array(15).fill(1) }],
      }),
    },
  ],
  [
    'an input type Flowbench cannot feed (float16)',
    ['infer', 'h.onnx', ...CPU],
    {
      'h.onnx': (() => {
        const m = declaredShapeModel(['N', 2]);
        const b = Buffer.from(m);
        const i = b.indexOf(Buffer.from([0x08, 0x01, 0x12]));
        if (i >= 0) b[i + 1] = 10;
        return b;
      })(),
    },
  ],
];
for (const [name, argv, extra, message] of MISFITS) {
  add('data that does not fit the model', { name, argv, files: base(extra), expect: 2, message });
}
// And what does fit, however odd, runs.
const STRING_MODEL = buildModel({
  inputs: [{ name: 'S', type: 'string', shape: ['N'] }],
  outputs: [{ name: 'S2', type: 'string', shape: ['N'] }],
  nodes: [{ op: 'Identity', inputs: ['S'], outputs: ['S2'] }],
});
for (const [name, argv, extra] of [
  ['a string input model on random inputs', ['infer', 's.onnx', ...CPU], { 's.onnx': STRING_MODEL }],
  ['an empty --ep means the default providers', ['infer', 'reg.onnx', '--ep', '']],
  [
    'a per-column model matched by name',
    ['infer', 'pc.onnx', '--input', 'data.csv', ...CPU],
    { 'pc.onnx': PER_COLUMN },
  ],
] as [string, string[], Files?][]) {
  add('data that does not fit the model', { name, argv, files: base(extra), expect: 0 });
}

// ---------------------------------------------------------------------------------------------------------------
// 7. install-cuda: nothing replaced unless the new pair is complete and checked.

const GOOD = fakeProviderPair('1.29.0');
const installedPair: Files = {
  'rt/libonnxruntime.so.1': 'core',
  'rt/libonnxruntime_providers_cuda.so': { mode: 0o755, data: GOOD.cuda },
  'rt/libonnxruntime_providers_shared.so': { mode: 0o755, data: GOOD.shared },
};
const FAKE_LIBS: [string, Uint8Array | string, Uint8Array | string, RegExp][] = [
  ['empty (non-ELF) libraries', '', '', /is empty \(0 bytes\), not a shared library/],
  ['text files named like libraries', 'hello', 'world', /no ELF or PE header/],
  ['a build for another architecture', fakeProviderPair('1.29.0', FOREIGN_MACHINE).cuda, GOOD.shared, /is built for/],
  ['32-bit libraries', fakeElf({ bits: 32 }), fakeElf({ bits: 32 }), /32-bit library/],
  ['an object file', fakeElf({ type: 1, exports: ['GetProvider'] }), GOOD.shared, /an object file/],
  ['a CUDA library without GetProvider', fakeElf({ exports: ['Nothing'] }), GOOD.shared, /does not export GetProvider/],
  [
    'a providers_shared without Provider_GetHost',
    GOOD.cuda,
    fakeElf({ exports: ['GetProvider'] }),
    /does not export Provider_GetHost/,
  ],
  ['a truncated library', GOOD.cuda.subarray(0, 30), GOOD.shared, /the ELF header is cut short/],
  [
    'a library whose tables point past its end',
    GOOD.cuda.subarray(0, GOOD.cuda.length - 64),
    GOOD.shared,
    /points past the end/,
  ],
];
for (const [name, cuda, shared, message] of FAKE_LIBS) {
  add('install-cuda', {
    name: `${name}: exit 2, the installed pair untouched`,
    argv: ['install-cuda', 'src', '--runtime-dir', 'rt'],
    files: base({
      ...installedPair,
      'src/libonnxruntime_providers_cuda.so': cuda,
      'src/libonnxruntime_providers_shared.so': shared,
    }),
    expect: 2,
    message,
  });
}
add('install-cuda', {
  name: 'a good pair replaces the installed one',
  argv: ['install-cuda', 'src', '--runtime-dir', 'rt'],
  files: base({
    ...installedPair,
    'src/libonnxruntime_providers_cuda.so': fakeElf({ exports: ['GetProvider'], rodata: 'onnxruntime 1.29.0 new' }),
    'src/libonnxruntime_providers_shared.so': GOOD.shared,
  }),
  expect: 0,
  outputs: ['rt/libonnxruntime_providers_cuda.so'],
  check: (dir) =>
    assert.match(fs.readFileSync(path.join(dir, 'rt/libonnxruntime_providers_cuda.so'), 'latin1'), /1\.29\.0 new/),
});
add('install-cuda', {
  name: 'a nuspec of another version: refused, nothing replaced',
  argv: ['install-cuda', 'src', '--runtime-dir', 'rt'],
  files: base({
    ...installedPair,
    'src/x.nuspec': '<package><metadata><version>1.9.0</version></metadata></package>',
    'src/libonnxruntime_providers_cuda.so': fakeElf({ exports: ['GetProvider'], rodata: 'other' }),
    'src/libonnxruntime_providers_shared.so': GOOD.shared,
  }),
  expect: 2,
  message: /for ONNX Runtime 1\.9\.0/,
});
add('install-cuda', {
  name: 'only one of the two libraries',
  argv: ['install-cuda', 'src', '--runtime-dir', 'rt'],
  files: base({ ...installedPair, 'src/libonnxruntime_providers_cuda.so': GOOD.cuda }),
  expect: 2,
  message: /does not contain libonnxruntime_providers_shared\.so/,
});
add('install-cuda', {
  name: 'a corrupt .tgz',
  argv: ['install-cuda', 'x.tgz', '--runtime-dir', 'rt'],
  files: base({ ...installedPair, 'x.tgz': 'not gzip at all' }),
  expect: 2,
  message: /could not extract x\.tgz/,
});
add('install-cuda', {
  name: 'a corrupt .nupkg',
  argv: ['install-cuda', 'x.nupkg', '--runtime-dir', 'rt'],
  files: base({ ...installedPair, 'x.nupkg': Buffer.from('PK\x03\x04garbage') }),
  expect: 2,
  message: /could not extract x\.nupkg/,
});
add('install-cuda', {
  name: 'a source of an unknown kind',
  argv: ['install-cuda', 'x.rar', '--runtime-dir', 'rt'],
  files: base({ ...installedPair, 'x.rar': 'rar' }),
  expect: 2,
  message: /expected a folder, a \.tgz/,
});

// ---------------------------------------------------------------------------------------------------------------

describe('adversarial suite: every command against bad paths, bad files and bad options', function () {
  this.timeout(60_000);
  before(() => ensureDist());

  it(`has at least 300 cases (${cases.length})`, () => assert.ok(cases.length >= 300, `${cases.length} cases`));

  const groups = [...new Set(cases.map((x) => x.group))];
  for (const g of groups) {
    describe(g, () => {
      const inGroup = cases.filter((x) => x.group === g).map((x) => x.c);
      // Real processes run a few at a time from the start of the group: a case that hangs until its deadline costs
      // that deadline once, not once per case. Each test then waits for its own.
      const runs = new Map<Case, Promise<unknown>>();
      before(() => {
        const queue = inGroup.filter((c) => c.spawn || c.unprivileged);
        const done = new Map<Case, (p: Promise<unknown>) => void>();
        for (const c of queue) {
          const p = new Promise<Promise<unknown>>((resolve) => done.set(c, resolve));
          const settled = p.then((r) => r);
          settled.catch(() => undefined); // reported by the test that awaits it, not as an unhandled rejection
          runs.set(c, settled);
        }
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < queue.length) {
            const c = queue[next++];
            const r = runCase(c);
            done.get(c)!(r);
            await r.catch(() => undefined);
          }
        };
        for (let i = 0; i < 4; i++) void lane();
      });
      for (const c of inGroup) {
        it(c.name, async () => {
          await (runs.get(c) ?? runCase(c));
        });
      }
    });
  }
});
