import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { main, cliCommands } from '../../../src/cli';
import { FIELD_NAMES, UserError, neverCancelled, type Field } from '../../../src/util/errors';
import { createSplit, normalizeRequest } from '../../../src/splits/engine';
import { runEval } from '../../../src/inference/evaluate';
import { planFeeds } from '../../../src/inference/feeds';
import { parseModel } from '../../../src/inference/onnxModel';
import { linearRegressorModel, perColumnRegressorModel } from '../../../src/inference/onnxBuilder';
import { readTable } from '../../../src/data/table';
import { resolvePython } from '../../../src/timing/python';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** The UserError `work` throws (or rejects with). */
async function userError(work: () => unknown): Promise<UserError> {
  try {
    await work();
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a UserError');
}

/** Checks both wordings of an error; the editor's must name no CLI flag. */
function assertTexts(err: UserError, cli: string, editor: string): void {
  assert.equal(err.message, cli);
  assert.equal(err.textFor('cli'), cli);
  assert.equal(err.textFor('editor'), editor);
  assert.doesNotMatch(err.textFor('editor'), /--/);
}

describe('util/errors: one message, each audience in its own words', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-errors-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('a split strategy that needs a column: --target COLUMN in the CLI, "a target column" in the editor', async () => {
    const err = await userError(() => normalizeRequest({ input: 'd.csv', out: 'f.csv', strategy: 'stratified-kfold' }));
    assertTexts(
      err,
      '--strategy stratified-kfold needs --target COLUMN',
      'strategy stratified-kfold needs a target column',
    );
  });

  it('sizes that do not apply to a strategy', async () => {
    const err = await userError(() =>
      normalizeRequest({
        input: 'd.csv',
        out: 'f.csv',
        strategy: 'kfold',
        testSize: { fraction: 0.2 },
      }),
    );
    assertTexts(
      err,
      '--test-size/--test-count/--train-size/--train-count apply to holdout, group-holdout and time-series' +
        ' (--test-count), not kfold',
      'test size/test count/train size/train count apply to holdout, group-holdout and time-series (test count), not' +
        ' kfold',
    );
  });

  it('a column missing from the header', async () => {
    const f = write('m.csv', 'id,label\n1,a\n2,b\n');
    const err = await userError(() =>
      createSplit({
        input: f,
        out: path.join(dir, 'm-folds.csv'),
        strategy: 'stratified-kfold',
        target: 'Label',
        folds: 2,
      }),
    );
    assertTexts(
      err,
      "--target column 'Label' is not in the header (did you mean 'label'?); columns are: id, label",
      "target column 'Label' is not in the header (did you mean 'label'?); columns are: id, label",
    );
  });

  it('bins without a target', async () => {
    const err = await userError(() => normalizeRequest({ input: 'd.csv', out: 'f.csv', strategy: 'kfold', bins: 4 }));
    assertTexts(
      err,
      '--bins needs --target COLUMN (the continuous column to bin)',
      'number of bins needs a target column (the continuous column to bin)',
    );
  });

  it('eval without a data file or manifest', async () => {
    const err = await userError(() =>
      runEval({
        model: path.join(dir, 'none.onnx'),
        split: path.join(dir, 'FOLDS.csv'),
        providers: ['cpu'],
        ledgerRoot: false,
      }),
    );
    assertTexts(
      err,
      'missing --data DATA.csv (the split has no manifest naming its data file)',
      'missing a data file (the split has no manifest naming its data file)',
    );
  });

  it('feeding a model: the feature list', async () => {
    const t = await readTable(write('d.csv', 'a,b,c,y\n1,2,3,x\n4,5,6,z\n'));
    const perColumn = await userError(() =>
      planFeeds(parseModel(perColumnRegressorModel(['a', 'b'], [1, 1], 0)), t, {
        features: ['a'],
      }),
    );
    assertTexts(
      perColumn,
      '--features applies to a model with a single 2-D input; this model takes one input per column, matched by name',
      'the feature list applies to a model with a single 2-D input; this model takes one input per column, matched by' +
        ' name',
    );
    const width = await userError(() => planFeeds(parseModel(linearRegressorModel([1, 2], 0)), t, { target: 'y' }));
    assert.match(width.message, /; choose them with --features$/);
    assert.match(width.textFor('editor'), /; choose them with the feature list$/);
    assert.doesNotMatch(width.textFor('editor'), /--/);
  });

  it('no Python: the CLI adds its --python flag, the editor leaves it out', async () => {
    const missing = path.join(dir, 'no-such-python');
    const via = 'the command arguments';
    const err = await userError(() => resolvePython([{ path: missing, source: 'explicit', via }]));
    const fix = 'Fix: install Python 3 and put python3 on PATH, or set flowbench.timing.pythonPath';
    const tail = ', or pick an interpreter with the Python extension.';
    assertTexts(
      err,
      `Python interpreter not found: ${missing} (from ${via}). ${fix} (CLI: --python /path/to/python)${tail}`,
      `Python interpreter not found: ${missing} (from ${via}). ${fix}${tail}`,
    );
  });

  it('a message that names no option reads the same in both', () => {
    const err = new UserError('d.csv: the file is empty');
    assertTexts(err, 'd.csv: the file is empty', 'd.csv: the file is empty');
  });

  it('the CLI prints the CLI wording', async () => {
    const io = {
      out: '',
      err: '',
      cwd: ROOT,
      cancellation: neverCancelled,
      stdout(t: string) {
        io.out += t;
      },
      stderr(t: string) {
        io.err += t;
      },
    };
    const csv = write('c.csv', 'id,label\n1,a\n2,b\n');
    const code = await main(['split', csv, '--strategy', 'group-kfold', '--out', path.join(dir, 'c-folds.csv')], io);
    assert.equal(code, 2);
    assert.equal(io.err, 'error: --strategy group-kfold needs --group COLUMN\n');
  });

  it('every field is a flag some flowbench command takes, and its editor words name no flag', () => {
    const help = cliCommands()
      .map((c) => c.help)
      .join('\n');
    for (const [field, n] of Object.entries(FIELD_NAMES) as [Field, (typeof FIELD_NAMES)[Field]][]) {
      assert.match(help, new RegExp(`${n.cli}(?![\\w-])`), `${field}: no command's --help mentions ${n.cli}`);
      // Neither a flag nor a CLI placeholder: the editor asks for these in its own prompts.
      for (const words of [n.editor, n.value]) assert.doesNotMatch(words, /--|\b(?:COLUMN|N|PATH)\b/, field);
    }
  });
});

/** Engine and editor sources: everything under src/ but the CLI layers (cli.ts), which speak in flags by design. */
function engineSources(): { file: string; source: ts.SourceFile }[] {
  const out: { file: string; source: ts.SourceFile }[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && e.name !== 'cli.ts') {
        const source = ts.createSourceFile(p, fs.readFileSync(p, 'utf8'), ts.ScriptTarget.ES2022, true);
        out.push({ file: path.relative(ROOT, p).split(path.sep).join('/'), source });
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return out;
}

const FLAG = /(?:^|[^\w-])(--[a-z][\w-]*)/g;

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return ts.isTemplateLiteralToken(node) ? node.text : undefined;
}

function flagsIn(node: ts.Node, consts: Map<string, ts.Node>, seen = new Set<ts.Node>()): string[] {
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    const text = literalText(n);
    if (text !== undefined) for (const m of text.matchAll(FLAG)) found.push(m[1]);
    // A message assembled from a module constant (a shared "Fix: …" sentence) is scanned through it.
    if (ts.isIdentifier(n) && consts.has(n.text) && !seen.has(consts.get(n.text)!)) {
      seen.add(consts.get(n.text)!);
      visit(consts.get(n.text)!);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

describe('util/errors: engines name options through the field namer', () => {
  const sources = engineSources();

  it('no UserError message in src/ (outside the cli.ts files) spells out a --flag', () => {
    // Subclasses pass their message through super(...), so those calls are messages too.
    const errorClasses = new Set(['UserError']);
    for (const { source } of sources) {
      source.forEachChild(function find(n): void {
        if (ts.isClassDeclaration(n) && n.name) {
          const parents = n.heritageClauses?.flatMap((h) => h.types.map((t) => t.expression.getText())) ?? [];
          if (parents.some((p) => errorClasses.has(p))) errorClasses.add(n.name.text);
        }
        ts.forEachChild(n, find);
      });
    }
    const offenders: string[] = [];
    for (const { file, source } of sources) {
      const consts = new Map<string, ts.Node>();
      for (const st of source.statements) {
        if (!ts.isVariableStatement(st)) continue;
        for (const d of st.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.initializer) consts.set(d.name.text, d.initializer);
        }
      }
      const visit = (n: ts.Node, inErrorClass: boolean): void => {
        const isErrorClass = ts.isClassDeclaration(n) && !!n.name && errorClasses.has(n.name.text);
        const message =
          (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && errorClasses.has(n.expression.text)) ||
          (inErrorClass && ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword);
        if (message) {
          const args = (n as ts.NewExpression | ts.CallExpression).arguments ?? [];
          for (const a of args) {
            for (const flag of flagsIn(a, consts)) {
              const { line } = source.getLineAndCharacterOfPosition(a.getStart());
              offenders.push(`${file}:${line + 1}: ${flag}`);
            }
          }
        }
        ts.forEachChild(n, (c) => visit(c, inErrorClass || isErrorClass));
      };
      visit(source, false);
    }
    assert.deepEqual(offenders, [], "name options with the field namer: new UserError((f) => `${f('target')} …`)");
  });

  it('the only other flags in engine text are the known report and advice texts', () => {
    // Split checks and strategy advice are stored in the split manifest, and a provider's fix in bench reports: data
    // written once for both audiences, so they name the setting and the flag side by side or speak in CLI terms.
    const known = new Set(['src/inference/providers.ts --ep', 'src/inference/providers.ts --cuda-lib-path']);
    const found = new Set<string>();
    for (const { file, source } of sources) {
      if (file === 'src/util/errors.ts') continue;
      const visit = (n: ts.Node): void => {
        // One flag as an element of an array is a child process's argument (git log --numstat), not text.
        const argv =
          !!n.parent && ts.isArrayLiteralExpression(n.parent) && /^--[\w-]+(=.*)?$/s.test(literalText(n) ?? '');
        // CSS custom properties (var(--vscode-…)) in webview pages are not flags.
        const text = argv ? undefined : literalText(n)?.replace(/var\(--[\w-]+/g, '');
        if (text !== undefined) for (const m of text.matchAll(FLAG)) found.add(`${file} ${m[1]}`);
        ts.forEachChild(n, visit);
      };
      visit(source);
    }
    const unknown = [...found].filter((f) => !known.has(f));
    assert.deepEqual(unknown, [], 'a new --flag in engine text: name it through the field namer');
    assert.deepEqual(
      [...known].filter((k) => !found.has(k)),
      [],
      'gone from the source: drop it from this list',
    );
  });
});
