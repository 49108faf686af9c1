import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expandSnippet } from './snippetExpand';

const ROOT = path.resolve(__dirname, '../../../..');
const SNIPPETS_FILE = path.join(ROOT, 'snippets', 'python.json');
const DEMO_DATA = path.join(ROOT, 'test', 'fixtures', 'demo', 'data', 'flowers.csv');

interface Snippet {
  prefix: string | string[];
  body: string[];
  description: string;
}

function python(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('python3', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function snippetByPrefix(all: Record<string, Snippet>, prefix: string): Snippet {
  const found = Object.values(all).find((s) => [s.prefix].flat().includes(prefix));
  assert.ok(found, `a snippet with prefix ${prefix}`);
  return found;
}

describe('snippet expansion helper', () => {
  it('takes defaults, first choices, nested placeholders and escapes like the editor', () => {
    assert.equal(expandSnippet('a=${1:42} b=${2|x,y|} c=${3:f(${4:z})} $0 \\$HOME ${5}'), 'a=42 b=x c=f(z)  $HOME ');
    assert.equal(expandSnippet('${1:a} ${1:a}', { 1: 'q' }), 'q q');
    assert.throws(() => expandSnippet('${1:open'), /unterminated/);
  });
});

describe('snippets/python.json', function () {
  this.timeout(60_000); // Python starts and imports pandas / scikit-learn
  const all = JSON.parse(fs.readFileSync(SNIPPETS_FILE, 'utf8')) as Record<string, Snippet>;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-snippets-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('has the snippets the issue asks for, each with a prefix, a body and a description', () => {
    for (const prefix of [
      'fb-seed',
      'fb-train-loop',
      'fb-split-pandas',
      'fb-split-sklearn',
      'fb-split-fastai',
      'fb-onnx-torch',
      'fb-onnx-sklearn',
      'fb-cell',
    ]) {
      snippetByPrefix(all, prefix);
    }
    const prefixes = Object.values(all).flatMap((s) => [s.prefix].flat());
    assert.equal(new Set(prefixes).size, prefixes.length, 'prefixes are unique');
    for (const [name, s] of Object.entries(all)) {
      assert.ok(
        Array.isArray(s.body) && s.body.length > 0 && s.body.every((l) => typeof l === 'string'),
        `${name}: body lines`,
      );
      assert.ok(typeof s.description === 'string' && s.description.length > 20, `${name}: description`);
      assert.match(name, /^Flowbench: /);
    }
  });

  it('expands every snippet with its defaults to valid Python (py_compile)', () => {
    const files = Object.entries(all).map(([name, s]) => {
      const file = path.join(tmp, `${name.replace(/\W+/g, '_')}.py`);
      fs.writeFileSync(file, expandSnippet(s.body.join('\n')) + '\n');
      return file;
    });
    // One interpreter for all files (py_compile names the failing file in its message).
    const r = python(['-m', 'py_compile', ...files], tmp);
    assert.equal(r.status, 0, `every snippet compiles:\n${r.stderr}`);
    const broken = path.join(tmp, 'broken.py');
    fs.writeFileSync(broken, expandSnippet('def f(:\n    ${1:pass}') + '\n');
    assert.notEqual(python(['-m', 'py_compile', broken], tmp).status, 0, 'the check can fail');
  });

  it('the seed and timing-cell snippets put what they promise in the code', () => {
    const seed = expandSnippet(snippetByPrefix(all, 'fb-seed').body.join('\n'));
    for (const needle of [
      'random.seed(seed)',
      'np.random.seed(seed)',
      'torch.manual_seed(seed)',
      'torch.cuda.manual_seed_all(seed)',
      'cudnn.deterministic = True',
      'cudnn.benchmark = False',
      'seed_everything(42)',
    ]) {
      assert.ok(seed.includes(needle), `seed snippet has ${needle}`);
    }
    assert.match(expandSnippet(snippetByPrefix(all, 'fb-cell').body.join('\n')), /^# %% Load data\n/);
    const loop = expandSnippet(snippetByPrefix(all, 'fb-train-loop').body.join('\n'));
    assert.match(
      loop,
      /for epoch in range\(epochs\):[\s\S]*model\.eval\(\)[\s\S]*torch\.no_grad\(\)/,
      'validates each epoch',
    );
  });

  describe('loading a real Flowbench split file (pandas and scikit-learn as peers)', () => {
    const data = fs.readFileSync(DEMO_DATA, 'utf8').trimEnd().split('\n');
    const n = data.length - 1;
    // Deterministic assignments in Flowbench's file format: one line per data row, in input order.
    const splitCol = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 'valid' : i % 7 === 0 ? 'unused' : 'train'));
    const foldCol = Array.from({ length: n }, (_, i) => (i % 10 === 9 ? -1 : i % 3));
    const splitFile = path.join(tmp, 'flowers.split.csv');
    const foldFile = path.join(tmp, 'flowers.folds.csv');

    before(() => {
      const r = python(['-c', 'import pandas, sklearn'], tmp);
      assert.equal(
        r.status,
        0,
        `these checks need pandas and scikit-learn: python3 -m pip install pandas scikit-learn\n${r.stderr}`,
      );
      fs.writeFileSync(splitFile, ['split', ...splitCol].join('\n') + '\n');
      fs.writeFileSync(foldFile, ['fold', ...foldCol].join('\n') + '\n');
    });

    function run(prefix: string, values: Record<number, string>): string {
      const code = expandSnippet(snippetByPrefix(all, prefix).body.join('\n'), values);
      const file = path.join(tmp, `${prefix}.py`);
      fs.writeFileSync(file, code + '\n');
      const r = python([file], tmp);
      assert.equal(r.status, 0, `${prefix} runs:\n${r.stderr}`);
      return r.stdout.trim();
    }

    it('pandas: the split column gives the train and valid rows, the fold column fold k', () => {
      const count = (xs: unknown[], v: unknown) => xs.filter((x) => x === v).length;
      assert.equal(
        run('fb-split-pandas', { 1: DEMO_DATA, 2: splitFile }),
        `${count(splitCol, 'train')} train rows, ${count(splitCol, 'valid')} valid rows`,
      );
      const k = 1;
      assert.equal(
        run('fb-split-pandas', { 1: DEMO_DATA, 2: foldFile, 3: String(k) }),
        `${foldCol.filter((f) => f !== k).length} train rows, ${count(foldCol, k)} valid rows`,
      );
    });

    it('scikit-learn: PredefinedSplit validates each fold once and never the -1 rows', () => {
      const model = 'LogisticRegression(max_iter=1000)';
      const prelude = 'from sklearn.linear_model import LogisticRegression\n';
      const code = expandSnippet(snippetByPrefix(all, 'fb-split-sklearn').body.join('\n'), {
        1: DEMO_DATA,
        2: foldFile,
        3: 'species',
        4: model,
      });
      const file = path.join(tmp, 'sk.py');
      // Numeric features only, as in the demo's training script.
      fs.writeFileSync(
        file,
        prelude +
          code.replace(
            'X = data.drop(columns=["species"])',
            'X = data.drop(columns=["species", "measured_on", "site"])',
          ) +
          '\nprint("folds", cv.get_n_splits(), "valid", [len(v) for _, v in cv.split()])\n',
      );
      const r = python([file], tmp);
      assert.equal(r.status, 0, r.stderr);
      const sizes = [0, 1, 2].map((k) => foldCol.filter((f) => f === k).length);
      assert.match(r.stdout, new RegExp(`folds 3 valid \\[${sizes.join(', ')}\\]`));
      assert.match(r.stdout, /score per fold: \[[\d.\s]+\] mean 0\.\d+/);
    });
  });
});
