import assert from 'node:assert/strict';
import { RuntimeSlot } from '../../../src/focus/runtimeSlot';

/** A runtime that records what happened to it and when (by the slot's clock). */
class FakeRuntime {
  static made: FakeRuntime[] = [];
  disposedAt: number | null = null;
  private release!: (v: { action: string }) => void;
  readonly started = new Promise<{ action: string }>((r) => (this.release = r));

  constructor(readonly clock: () => number) {
    FakeRuntime.made.push(this);
  }
  init(): Promise<{ action: string }> {
    return this.started;
  }
  finishStartup(action = 'none'): void {
    this.release({ action });
  }
  dispose(): void {
    this.disposedAt = this.clock();
  }
}

describe('focus runtime slot', () => {
  beforeEach(() => {
    FakeRuntime.made = [];
  });

  it('hands out the runtime only once its startup is done', async () => {
    const slot = new RuntimeSlot(
      (clock) => new FakeRuntime(clock),
      () => assert.fail('no startup error'),
    );
    let got: FakeRuntime | null = null;
    const pending = slot.get().then((r) => (got = r));
    await new Promise((r) => setImmediate(r));
    assert.equal(got, null);
    FakeRuntime.made[0].finishStartup();
    await pending;
    assert.equal(got, FakeRuntime.made[0]);
  });

  it('a reload disposes the old runtime before the clock moves; the new one starts on the moved clock', async () => {
    const slot = new RuntimeSlot(
      (clock) => new FakeRuntime(clock),
      () => undefined,
    );
    const [first] = FakeRuntime.made;
    first.finishStartup();
    const before = Date.now();
    const reloaded = slot.reload(2 * 3_600_000);
    await new Promise((r) => setImmediate(r));
    assert.ok(first.disposedAt !== null && first.disposedAt < before + 60_000, 'the old window never saw the jump');
    const second = FakeRuntime.made[1];
    assert.ok(second.clock() >= before + 2 * 3_600_000);
    second.finishStartup('closed-out');
    assert.deepEqual(await reloaded, { action: 'closed-out' });
    assert.equal(await slot.get(), second);
    slot.dispose();
    assert.notEqual(second.disposedAt, null);
  });

  it('moves the clock without a reload, and a reload without an offset keeps it', async () => {
    const slot = new RuntimeSlot(
      (clock) => new FakeRuntime(clock),
      () => undefined,
    );
    FakeRuntime.made[0].finishStartup();
    slot.moveClock(-60_000);
    assert.ok(slot.clock() < Date.now() - 59_000);
    const reloaded = slot.reload();
    await new Promise((r) => setImmediate(r));
    FakeRuntime.made[1].finishStartup();
    await reloaded;
    assert.ok(slot.clock() < Date.now() - 59_000);
  });

  it('reports a failed startup once, and commands still see the failure', async () => {
    const errors: unknown[] = [];
    const slot = new RuntimeSlot(
      () => ({ init: () => Promise.reject(new Error('disk full')), dispose: () => undefined }),
      (err) => errors.push(err),
    );
    await assert.rejects(slot.get(), /disk full/);
    assert.equal(errors.length, 1);
  });
});
