import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanCsv, fieldText, readCsvHeader } from '../../../src/data/csv';
import { createSplit } from '../../../src/splits/engine';
import { UserError } from '../../../src/util/errors';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-csv-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function rows(file: string): Promise<{ columns: string[]; rows: string[][]; lines: number[] }> {
  let columns: string[] = [];
  const out: string[][] = [];
  const lines: number[] = [];
  await scanCsv(
    file,
    (h) => {
      columns = h.columns;
    },
    (r) => {
      out.push(columns.map((_, j) => fieldText(r, j)));
      lines.push(r.line);
    },
  );
  return { columns, rows: out, lines };
}

describe('splits/csvReader: what it accepts', () => {
  it('quoted fields with commas, doubled quotes and newlines, and reports the right lines after them', async () => {
    const f = write('q.csv', 'a,b,c\n1,"x, y","say ""hi"""\n2,"two\nlines",z\n3,p,q\n');
    const r = await rows(f);
    assert.deepEqual(r.columns, ['a', 'b', 'c']);
    assert.deepEqual(r.rows, [
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', 'z'],
      ['3', 'p', 'q'],
    ]);
    assert.deepEqual(r.lines, [2, 3, 5]);
  });

  it('CRLF line ends, a UTF-8 BOM, no final newline and blank lines', async () => {
    const f = write(
      'crlf.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,label\r\n1,a\r\n\r\n2,b\r\n3,c')]),
    );
    const r = await rows(f);
    assert.deepEqual(r.columns, ['id', 'label']);
    assert.deepEqual(r.rows, [
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
  });

  it('TSV by extension and by sniffing, with commas inside tab-separated fields', async () => {
    const a = await rows(write('t.tsv', 'x\ty\n1,5\tb\n'));
    assert.deepEqual(a.rows, [['1,5', 'b']]);
    const c = await rows(write('semi.csv', 'x;y\n"1,5";b\n'));
    assert.deepEqual(c.rows, [['1,5', 'b']]);
    const b = await rows(write('t.txt', 'x\ty\tz\n1\t2\t3\n'));
    assert.deepEqual(b.columns, ['x', 'y', 'z']);
    assert.deepEqual(b.rows, [['1', '2', '3']]);
  });

  it('rows that straddle the 4 MiB read chunks come out whole', async () => {
    const big =
      'k,text\n' +
      Array.from({ length: 120000 }, (_, i) => `${i},"row ${i}, with ""quotes"" and\nnewline"`).join('\n') +
      '\n';
    const r = await rows(write('big.csv', big));
    assert.equal(r.rows.length, 120000);
    assert.deepEqual(r.rows[99999], ['99999', 'row 99999, with "quotes" and\nnewline']);
    assert.equal(r.lines[99999], 2 + 2 * 99999);
  });

  it('reads just the header of a file', async () => {
    assert.deepEqual((await readCsvHeader(write('h.csv', '"a,1",b\n1,2\n'))).columns, ['a,1', 'b']);
  });
});

describe('splits/csvReader: bad input is a UserError naming the line or column', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['ragged row', 'a,b,c\n1,2,3\n4,5\n', /line 3 has 2 fields, expected 3/],
    ['extra field', 'a,b\n1,2\n3,4,5\n', /line 3 has 3 fields, expected 2/],
    ['unterminated quote', 'a,b\n1,2\n3,"open\n4,5\n', /unterminated quoted field starting on line 3/],
    ['empty file', '', /the file is empty/],
    ['header only', 'a,b\n', /header but no data rows/],
  ];
  for (const [what, content, message] of cases) {
    it(what, async () => {
      const f = write(`bad-${what.replace(/ /g, '-')}.csv`, content);
      await assert.rejects(rows(f), (e: unknown) => e instanceof UserError && message.test(e.message));
    });
  }

  it('a missing column names the column and lists the header; no output is written', async () => {
    const f = write('m.csv', 'id,label\n1,a\n2,b\n');
    const out = path.join(dir, 'm-folds.csv');
    await assert.rejects(
      createSplit({ input: f, out, strategy: 'stratified-kfold', target: 'Label', folds: 2 }),
      (e: unknown) =>
        e instanceof UserError &&
        /--target column 'Label' is not in the header \(did you mean 'label'\?\); columns are: id, label/.test(
          e.message,
        ),
    );
    assert.equal(fs.existsSync(out), false);
  });

  it('a ragged row through the engine leaves no output and no temp file', async () => {
    const f = write('r.csv', 'id,label\n1,a\n2,b,extra\n');
    const out = path.join(dir, 'sub', 'r-folds.csv');
    await assert.rejects(createSplit({ input: f, out, strategy: 'kfold', folds: 2 }), /line 3 has 3 fields/);
    assert.equal(fs.existsSync(out), false);
    assert.equal(fs.existsSync(out + '.json'), false);
  });

  it('a missing file and an empty target cell are clear errors', async () => {
    await assert.rejects(
      createSplit({ input: path.join(dir, 'nope.csv'), out: path.join(dir, 'x.csv'), strategy: 'kfold' }),
      /file not found/,
    );
    const f = write('e.csv', 'id,label\n1,a\n2,\n3,b\n');
    await assert.rejects(
      createSplit({
        input: f,
        out: path.join(dir, 'e-out.csv'),
        strategy: 'stratified-kfold',
        target: 'label',
        folds: 2,
      }),
      /column 'label' is empty on line 3/,
    );
  });

  it('an unparseable --time value names the line', async () => {
    const f = write('time.csv', 'when,v\n2024-01-01,1\n2024-13-01,2\n2024-01-03,3\n');
    await assert.rejects(
      createSplit({ input: f, out: path.join(dir, 't-out.csv'), strategy: 'time-series', time: 'when', folds: 2 }),
      /line 3: '2024-13-01' is not a date/,
    );
  });
});
