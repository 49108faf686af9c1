import assert from 'node:assert/strict';
import { duplicateGroups, RowHashes } from '../../../src/splits/checks';

/** The repeats as a plain map would find them: rows in row order, groups numbered in ascending hash order. */
function reference(h: Float64Array): { rows: number[]; group: number[]; groups: number } {
  const count = new Map<number, number>();
  for (const v of h) count.set(v, (count.get(v) ?? 0) + 1);
  const repeated = [...count].filter(([, c]) => c > 1).map(([v]) => v);
  repeated.sort((a, b) => a - b);
  const id = new Map(repeated.map((v, i) => [v, i]));
  const rows: number[] = [];
  const group: number[] = [];
  h.forEach((v, i) => {
    if (id.has(v)) {
      rows.push(i);
      group.push(id.get(v)!);
    }
  });
  return { rows, group, groups: repeated.length };
}

describe('splits/checks: repeated rows by hash', () => {
  let seed = 5;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  // 53-bit hashes as the CSV engine makes them, with planted repeats (pairs, triples, far apart and adjacent) and
  // values at the edges of the ranges the partitioned search splits the hashes into.
  const n = 200_000;
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) h[i] = Math.floor(rnd() * 2 ** 21) * 2 ** 32 + Math.floor(rnd() * 2 ** 32);
  for (let k = 0; k < 3000; k++) h[Math.floor(rnd() * n)] = h[Math.floor(rnd() * n)];
  const edges = [0, 2 ** 51 - 1, 2 ** 51, 2 ** 52, 3 * 2 ** 51 - 1, 2 ** 53 - 1];
  edges.forEach((v, k) => {
    h[100 + k] = v;
    h[n - 1 - k] = v;
  });
  // Same low 32 bits, different high bits: one bucket, no repeat.
  h[7] = 2 ** 40 + 12345;
  h[8] = 2 ** 45 + 12345;

  const want = reference(h);
  for (const partitions of [1, 2, 3, 4, 7]) {
    it(`finds every repeat and only repeats, in ${partitions} range(s) of hash values`, () => {
      const got = duplicateGroups(RowHashes.of(h), partitions);
      assert.ok(want.groups > 2000, `planted groups: ${want.groups}`);
      assert.equal(got.groups, want.groups);
      assert.deepEqual(Array.from(got.rows), want.rows);
      assert.deepEqual(Array.from(got.group), want.group);
    });
  }

  it('holds as many repeats as rows (every row repeats another)', () => {
    const all = Float64Array.from({ length: 50_000 }, (_, i) => ((i * 7919) % 1000) * 2 ** 43 + 17);
    for (const partitions of [1, 4]) {
      const got = duplicateGroups(RowHashes.of(all), partitions);
      assert.equal(got.rows.length, all.length);
      assert.equal(got.groups, 1000);
      assert.deepEqual(Array.from(got.group), reference(all).group);
    }
  });

  it('spans RowHashes blocks (a million hashes each) the same way', () => {
    const big = new Float64Array(RowHashes.BLOCK + 5000);
    for (let i = 0; i < big.length; i++) big[i] = Math.floor(rnd() * 2 ** 53);
    big[big.length - 1] = big[3];
    big[RowHashes.BLOCK] = big[RowHashes.BLOCK - 1];
    const hashes = new RowHashes();
    for (let at = 0; at < big.length; at += 77_777) hashes.append(big.subarray(at, Math.min(big.length, at + 77_777)));
    const got = duplicateGroups(hashes, 4);
    assert.deepEqual(Array.from(got.rows), [3, RowHashes.BLOCK - 1, RowHashes.BLOCK, big.length - 1]);
    assert.equal(got.groups, 2);
    assert.deepEqual(Array.from(got.rows), reference(big).rows);
  });
});
