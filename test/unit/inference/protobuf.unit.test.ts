import assert from 'node:assert/strict';
import { ProtoError, ProtoReader, ProtoWriter } from '../../../src/inference/protobuf';

describe('inference/protobuf', () => {
  it('round-trips varints including negative int64 and large values', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 40 + 5, -1, -7, -(2 ** 35)];
    const w = new ProtoWriter();
    values.forEach((v, i) => w.int(i + 1, v));
    const r = new ProtoReader(w.finish());
    const got: number[] = [];
    for (let f = r.next(); f; f = r.next()) got.push(f.value);
    assert.deepEqual(got, values);
  });

  it('reads strings, nested messages and packed ints', () => {
    const inner = new ProtoWriter().string(1, 'héllo').packedInts(2, [3, 1, -1]);
    const r = new ProtoReader(new ProtoWriter().message(7, inner).float(3, 1.5).finish());
    const f = r.next()!;
    assert.equal(f.field, 7);
    const s = r.sub(f);
    assert.equal(s.string(s.next()!), 'héllo');
    assert.deepEqual(s.varints(s.next()!), [3, 1, -1]);
    assert.equal(r.float32(r.next()!), 1.5);
    assert.equal(r.next(), null);
  });

  it('flags a length that runs past the end as truncated', () => {
    const bytes = new ProtoWriter().string(2, 'a long enough string').finish();
    const r = new ProtoReader(bytes.subarray(0, bytes.length - 3));
    assert.throws(
      () => r.next(),
      (e: unknown) => e instanceof ProtoError && e.truncated,
    );
  });

  it('rejects wire types protobuf does not have', () => {
    assert.throws(
      () => new ProtoReader(Uint8Array.from([0x0f, 0])).next(),
      (e: unknown) => e instanceof ProtoError && !e.truncated && /wire type 7/.test(e.message),
    );
  });
});
