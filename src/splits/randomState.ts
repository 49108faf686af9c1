import { UserError } from '../util/errors';

const N = 624;
const M = 397;

/**
 * numpy's legacy `RandomState` (MT19937 seeded with `init_genrand`), ported bit for bit because scikit-learn draws
 * every shuffle from it; numpy guarantees this stream never changes (NEP 19), so matching it once matches every
 * release.

 */
export class RandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new UserError(`seed must be a whole number between 0 and 2**32 - 1, got ${seed}`);
    }
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.key[i] = s;
      const x = (s ^ (s >>> 30)) >>> 0;
      // 1812433253 * x overflows 2**53, so split the multiply to keep it exact modulo 2**32.
      s = (Math.imul(1812433253, x) + i + 1) >>> 0;
    }
    this.pos = N;
  }

  private twist(): void {
    const mt = this.key;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + M] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; i < N - 1; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + (M - N)] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    const y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    this.pos = 0;
  }

  nextUint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * numpy `random_interval`: a uniform integer in [0, max] by masked rejection (not Lemire), as legacy shuffles use.
   */
  randomInterval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) throw new Error('randomInterval beyond 32 bits is not needed by any splitter');
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /** `RandomState.shuffle` on a 1-D array, in place. */
  shuffle<T>(x: { length: number; [i: number]: T }): void {
    if (x instanceof Int32Array || x instanceof Int8Array || x instanceof Int16Array) return this.shuffleTyped(x);
    for (let i = x.length - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** The same shuffle on a typed array, where V8 keeps the loop monomorphic (millions of rows in stratified folds). */
  private shuffleTyped(x: Int8Array | Int16Array | Int32Array): void {
    for (let i = x.length - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** `RandomState.permutation(n)`. */
  permutation(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    this.shuffle(a);
    return a;
  }

  /** `RandomState.choice(a, size, replace=False)` without weights: it always consumes a full permutation. */
  choiceWithoutReplacement<T>(a: readonly T[], size: number): T[] {
    const p = this.permutation(a.length);
    const out: T[] = [];
    for (let i = 0; i < size; i++) out.push(a[p[i]]);
    return out;
  }
}
