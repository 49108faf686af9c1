import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fieldText, scanCsv } from '../../../src/data/csv';
import { ChunkParser, type ColumnSpec } from '../../../src/data/chunkParser';
import { decodeRow, scanProgress, scanTable } from '../../../src/data/parallelScan';
import { UserError } from '../../../src/util/errors';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-pscan-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function write(content: string | Buffer, ext = '.csv'): string {
  const file = path.join(dir, `f${seq++}${ext}`);
  fs.writeFileSync(file, content);
  return file;
}

interface Read {
  columns: string[];
  rows: string[][];
  lines: number[];
}

async function sequential(file: string): Promise<Read> {
  let columns: string[] = [];
  const rows: string[][] = [];
  const lines: number[] = [];
  await scanCsv(
    file,
    (h) => {
      columns = h.columns;
    },
    (r) => {
      rows.push(columns.map((_, j) => fieldText(r, j)));
      lines.push(r.line);
    },
  );
  return { columns, rows, lines };
}

/**
 * The parallel reader's view of a file: each row decoded in full at the start the chunk parser found, its line from
 * the chunk's first line, and (when `intern` is set) every column interned by the parser itself, so the parser's
 * own field boundaries are compared too.
 */
async function parallel(file: string, chunkBytes: number, workers: number, intern = true): Promise<Read> {
  let columns: string[] = [];
  const rows: string[][] = [];
  const lines: number[] = [];
  let delim = 44;
  await scanTable(
    file,
    (h) => {
      columns = h.columns;
      delim = h.delimiter.charCodeAt(0);
      const specs: ColumnSpec[] = intern
        ? h.columns.map((name, index) => ({ index, kind: 'intern', name, rows: 'all' }))
        : [];
      return {
        plan: { columns: specs },
        onChunk: (c) => {
          for (let r = 0; r < c.rows; r++) {
            const decoded = decodeRow(c.data, c.rowStarts[r], delim)!.fields;
            if (intern) {
              const fromParser = c.a.columns.map((col) => col!.dict!.texts[col!.codes![r]]);
              assert.deepEqual(fromParser, decoded, `row ${c.firstRow + r}: the parser's fields`);
            }
            rows.push(decoded);
            lines.push(c.firstLine + ChunkParser.lineAt(c.data, c.rowStarts[r]));
          }
        },
      };
    },
    { chunkBytes, workers },
  );
  return { columns, rows, lines };
}

const CHUNKS = [4, 5, 7, 11, 16, 23, 64, 1 << 20];

async function agree(content: string | Buffer, intern = true, ext = '.csv'): Promise<void> {
  const file = write(content, ext);
  const want = await sequential(file);
  for (const chunkBytes of CHUNKS) {
    for (const workers of chunkBytes === 7 || chunkBytes === 1 << 20 ? [0, 2] : [0]) {
      const got = await parallel(file, chunkBytes, workers, intern);
      assert.deepEqual(got, want, `chunks of ${chunkBytes} bytes, ${workers} workers`);
    }
  }
}

async function refusal(file: string, run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof UserError, `a UserError for ${file}, not ${String(err)}`);
    return err.message;
  }
  throw new Error(`no error for ${file}`);
}

describe('data/parallelScan: the same rows as the sequential reader, wherever the chunks are cut', function () {
  this.timeout(60_000);

  it('a quoted newline, a doubled quote and a delimiter straddling every possible boundary', async () => {
    await agree('a,b,c\n1,"x, y","say ""hi"""\n2,"two\nlines\nhere",z\n3,p,q\n4,"""",""""""\n');
  });

  it('CRLF split across a boundary, lone CR line ends, blank lines and a BOM', async () => {
    await agree(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,label\r\n1,a\r\n\r\n2,b\r\n\n3,c\r4,d\r\n')]),
    );
    await agree('x,y\r1,2\r3,4\r');
  });

  it('no final newline, text after a closing quote, quotes inside an unquoted field', async () => {
    await agree('a,b\n1,"q"tail\n2,ab"c"d\n3,"last"', false);
    await agree('a,b\n1,"q"tail\n2,ab"c"d\n3,"last"\n', false);
  });

  it('tab- and semicolon-separated files', async () => {
    await agree('x\ty\n1,5\tb\n"q\t1"\tc\n', true, '.tsv');
    await agree('x;y\n"1,5";b\n2;"c;d"\n');
  });

  it('rows that span many chunks (a quoted field longer than the chunk)', async () => {
    const long = 'z'.repeat(300);
    await agree(`k,text\n1,"${long}\n${long}"\n2,short\n3,"${long}"\n`);
  });

  it('random quoted files agree with the sequential reader (seeded)', async () => {
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const pieces = ['a', 'bb', '1.5', '-3', '"q,1"', '"x\ny"', '""""', '"a""b"', ' sp ', 'é', '"\r\n"'];
    for (let t = 0; t < 12; t++) {
      const nCols = 1 + Math.floor(rnd() * 4);
      const lines = [Array.from({ length: nCols }, (_, j) => `c${j}`).join(',')];
      const nRows = 1 + Math.floor(rnd() * 12);
      for (let r = 0; r < nRows; r++) {
        lines.push(Array.from({ length: nCols }, () => pieces[Math.floor(rnd() * pieces.length)]).join(','));
        if (rnd() < 0.15) lines.push('');
      }
      await agree(lines.join(rnd() < 0.3 ? '\r\n' : '\n') + (rnd() < 0.5 ? '\n' : ''), false);
    }
  });
});

describe("data/parallelScan: errors are the sequential reader's, with the same lines", function () {
  this.timeout(60_000);
  const cases: Array<[string, string]> = [
    ['ragged row', 'a,b,c\n1,2,3\n4,5\n'],
    ['extra field', 'a,b\n1,2\n3,4,5\n'],
    ['unterminated quote', 'a,b\n1,2\n3,"open\n4,5\n'],
    ['ragged row after a quoted newline', 'a,b\n1,"x\ny"\n2\n'],
    ['empty file', ''],
    ['only blank lines', '\n\n\r\n'],
    ['header only', 'a,b\n'],
  ];
  for (const [what, content] of cases) {
    it(what, async () => {
      const file = write(content);
      const want = await refusal(file, () => sequential(file));
      for (const chunkBytes of [4, 9, 1 << 20]) {
        for (const workers of [0, 2]) {
          assert.equal(await refusal(file, () => parallel(file, chunkBytes, workers, false)), want);
        }
      }
    });
  }

  it('a value refused by a column (an empty label) names its line, after any ragged row before it', async () => {
    const file = write('id,label\n1,a\n2,"x\ny"\n3,\n');
    const spec: ColumnSpec = { index: 1, kind: 'intern', name: 'label', rows: 'all' };
    const msg = await refusal(file, () =>
      scanTable(file, () => ({ plan: { columns: [spec] }, onChunk: () => undefined }), { chunkBytes: 5, workers: 2 }),
    );
    assert.equal(msg, "column 'label' is empty on line 5; fill or drop rows without a value");
  });
});

describe('data/parallelScan: row hashes and numbers', function () {
  this.timeout(60_000);

  async function hashes(
    content: string,
    hashColumns: number[],
    chunkBytes: number,
    workers: number,
  ): Promise<number[]> {
    const file = write(content);
    const out: number[] = [];
    await scanTable(
      file,
      () => ({ plan: { columns: [], hashColumns }, onChunk: (c) => void out.push(...c.a.hashes!) }),
      { chunkBytes, workers },
    );
    return out;
  }

  it('equal rows hash alike, whatever the chunking; an excluded column does not count; one byte does', async () => {
    const content = 'id,x,y\n1,abc,"q,1"\n2,abc,"q,1"\n3,abd,"q,1"\n4,abc,"q,2"\n5,abc,"q,1"\n';
    const want = await hashes(content, [1, 2], 1 << 20, 0);
    assert.equal(want.length, 5);
    assert.equal(want[0], want[1]);
    assert.equal(want[0], want[4]);
    assert.notEqual(want[0], want[2]);
    assert.notEqual(want[0], want[3]);
    assert.ok(want.every((h) => Number.isSafeInteger(h) && h >= 0));
    for (const [chunkBytes, workers] of [
      [5, 0],
      [9, 2],
      [17, 2],
    ]) {
      assert.deepEqual(await hashes(content, [1, 2], chunkBytes, workers), want);
    }
    // With the id in the hash, no two rows are alike.
    assert.equal(new Set(await hashes(content, [0, 1, 2], 1 << 20, 0)).size, 5);
  });

  it('numbers parse exactly as the text reader parses them, with the line of a bad one', async () => {
    const texts = [
      '0.1',
      '-0.0',
      '1e-7',
      '+2.5',
      '123456789012345678',
      '  7 ',
      'inf',
      '-Infinity',
      '.5',
      '5.',
      '3.14159',
    ];
    const file = write('v\n' + texts.join('\n') + '\n');
    const got: number[] = [];
    await scanTable(
      file,
      () => ({
        plan: { columns: [{ index: 0, kind: 'number', name: 'v', rows: 'all' }] },
        onChunk: (c) => void got.push(...c.a.columns[0]!.values!),
      }),
      { chunkBytes: 6, workers: 0 },
    );
    const { parseNumber } = await import('../../../src/data/labels');
    assert.deepEqual(got, texts.map(parseNumber));
    assert.ok(Object.is(got[1], -0));
    const bad = write('v\n1\n2\nx7\n');
    const msg = await refusal(bad, () =>
      scanTable(
        bad,
        () => ({ plan: { columns: [{ index: 0, kind: 'number', name: 'v', rows: 'all' }] }, onChunk: () => undefined }),
        { workers: 0 },
      ),
    );
    assert.match(msg, /^text 'x7' where a number is expected in column 'v' on line 4 of f\d+\.csv$/);
  });

  it('phase B decodes only the rows a selection picks, per column bit', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${i % 3 === 0 ? 'a' : 'b'},${i / 4}`);
    const file = write('id,k,v\n' + rows.join('\n') + '\n');
    const picked: number[] = [];
    const labels: string[] = [];
    await scanTable(
      file,
      () => ({
        plan: {
          columns: [
            { index: 2, kind: 'number', name: 'v', rows: 2 },
            { index: 1, kind: 'intern', name: 'k', rows: 1 | 2 },
          ],
        },
        // Bit 2 on every 5th row, bit 1 on every other row.
        select: (first, n) =>
          Uint8Array.from({ length: n }, (_, r) => ((first + r) % 5 === 0 ? 2 : 0) | ((first + r) % 2)),
        onChunk: (c) => {
          picked.push(...c.b!.columns[0]!.values!);
          const k = c.b!.columns[1]!;
          labels.push(...Array.from(k.codes!, (code) => k.dict!.texts[code]));
        },
      }),
      { chunkBytes: 37, workers: 2 },
    );
    assert.deepEqual(
      picked,
      Array.from({ length: 8 }, (_, j) => (5 * j) / 4),
    );
    const sel = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 5 === 0 || i % 2 === 1);
    assert.deepEqual(
      labels,
      sel.map((i) => (i % 3 === 0 ? 'a' : 'b')),
    );
  });
});

describe('data/parallelScan: progress while a long read runs', () => {
  it('says how far, how many rows, and rows and MB per second', () => {
    // 412 MB and 4,512,000 rows in 1.5 s: 3.0M rows/s, 275 MB/s.
    assert.equal(
      scanProgress('data.csv', 412e6, 1e9, 4_512_000, 1500),
      'data.csv: 41% · 4,512,000 rows · 3.0M rows/s · 275 MB/s',
    );
    assert.equal(scanProgress('a.csv', 1e6, 4e6, 900, 1000), 'a.csv: 25% · 900 rows · 900 rows/s · 1 MB/s');
    assert.equal(scanProgress('a.csv', 0, 0, 45_000, 2000), 'a.csv: 0% · 45,000 rows · 23k rows/s · 0 MB/s');
  });
});
