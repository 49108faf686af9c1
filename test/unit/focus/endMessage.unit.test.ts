import assert from 'node:assert/strict';
import type { EndOutcome } from '../../../src/focus/controller';
import { endMessage, outcomePrompt, playsEndSound } from '../../../src/focus/endMessage';
import { toLogRecord } from '../../../src/focus/focusLog';
import type { GitSummary } from '../../../src/focus/gitSummary';
import type { SessionSummary } from '../../../src/focus/session';

const MIN = 60_000;

function summary(o: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id: 's1',
    kind: 'work',
    breakKind: null,
    intent: '',
    startedAt: 0,
    endedAt: 25 * MIN,
    plannedMs: 25 * MIN,
    extendedMs: 0,
    focusedMs: 25 * MIN,
    pausedMs: 0,
    idleMs: 0,
    endedBy: 'completed',
    ...o,
  };
}

function ended(s: SessionSummary, commits: number | null): EndOutcome {
  const git: GitSummary | null =
    commits === null
      ? null
      : {
          root: '/w',
          headStart: 'a',
          headEnd: 'b',
          commits: Array.from({ length: commits }, (_, i) => ({ hash: `h${i}`, subject: `c${i}` })),
          filesChanged: commits,
          insertions: 1,
          deletions: 0,
        };
  return { summary: s, record: toLogRecord(s, git, null), logFile: '/w/.flowbench/focus.jsonl' };
}

describe('focus end notice message', () => {
  it('reports focused minutes and commits, with the three next steps', () => {
    const m = endMessage(ended(summary({ intent: 'ablation' }), 3));
    assert.equal(m.text, 'Flowbench: focus session done (ablation): 25 min focused, 3 commits.');
    assert.deepEqual(m.choices, ['Start Break', 'Another Session', 'Note Outcome']);
    // Stopped by hand, the outcome is asked at once: the notice does not offer it again.
    assert.deepEqual(endMessage(ended(summary(), 2), { outcomeAsked: true }).choices, [
      'Start Break',
      'Another Session',
    ]);
    assert.equal(endMessage(ended(summary(), 1)).text, 'Flowbench: focus session done: 25 min focused, 1 commit.');
  });

  it('names idle and paused time from a minute up, and no commit count without a git summary', () => {
    const s = summary({ focusedMs: 20 * MIN, idleMs: 4 * MIN + 20_000, pausedMs: 59_000, endedBy: 'stopped' });
    assert.equal(endMessage(ended(s, null)).text, 'Flowbench: focus session stopped: 20 min focused, 4 min idle.');
    const p = summary({ pausedMs: 90_000, idleMs: 30_000 });
    const text = 'Flowbench: focus session done: 25 min focused, 2 min paused, 0 commits.';
    assert.equal(endMessage(ended(p, 0)).text, text, 'rounded to whole minutes');
  });

  it('says when the session ended while VS Code was closed', () => {
    const m = endMessage(ended(summary({ endedBy: 'closed-while-away' }), null));
    assert.equal(m.text, 'Flowbench: a focus session ended while VS Code was closed: 25 min focused.');
  });

  it('a break offers the next session', () => {
    const m = endMessage(ended(summary({ kind: 'break', breakKind: 'short', intent: 'ignored' }), 2));
    assert.deepEqual(m, { text: 'Flowbench: break over.', choices: ['Start Focus Session'] });
  });

  it('asks for the outcome against the intent', () => {
    assert.equal(outcomePrompt({ intent: 'ablation' }), 'Intent: ablation');
    assert.equal(outcomePrompt({ intent: '' }), 'What came out of this session?');
  });

  it('sounds only when the setting is on and the session ran out just now', () => {
    assert.equal(playsEndSound({ endedBy: 'completed' }, true), true);
    assert.equal(playsEndSound({ endedBy: 'completed' }, false), false);
    assert.equal(playsEndSound({ endedBy: 'stopped' }, true), false);
    assert.equal(playsEndSound({ endedBy: 'closed-while-away' }, true), false);
  });
});
