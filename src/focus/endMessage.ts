import type { EndOutcome } from './controller';
import type { SessionSummary } from './session';

export type EndChoice = 'Start Break' | 'Another Session' | 'Note Outcome' | 'Start Focus Session';

export interface EndMessage {
  text: string;
  choices: EndChoice[];
}

const min = (ms: number) => Math.round(ms / 60_000);

/** The end notice: what the session produced, and the next steps on offer (no Note Outcome when it was asked). */
export function endMessage(ended: EndOutcome, opts: { outcomeAsked?: boolean } = {}): EndMessage {
  const s = ended.summary;
  if (s.kind === 'break') return { text: 'Flowbench: break over.', choices: ['Start Focus Session'] };
  const commits = ended.record?.git?.commits.length ?? 0;
  const parts = [`${min(s.focusedMs)} min focused`];
  // Under a minute of idle or pause is noise, not something to report.
  if (s.idleMs >= 60_000) parts.push(`${min(s.idleMs)} min idle`);
  if (s.pausedMs >= 60_000) parts.push(`${min(s.pausedMs)} min paused`);
  // Without a git summary (no repository, untrusted workspace) "0 commits" would be a claim nobody checked.
  if (ended.record?.git) parts.push(`${commits} commit${commits === 1 ? '' : 's'}`);
  const head =
    s.endedBy === 'closed-while-away'
      ? 'Flowbench: a focus session ended while VS Code was closed'
      : s.endedBy === 'stopped'
        ? 'Flowbench: focus session stopped'
        : 'Flowbench: focus session done';
  return {
    text: `${head}${s.intent ? ` (${s.intent})` : ''}: ${parts.join(', ')}.`,
    choices:
      opts.outcomeAsked || ended.record?.outcome
        ? ['Start Break', 'Another Session']
        : ['Start Break', 'Another Session', 'Note Outcome'],
  };
}

export function outcomePrompt(s: Pick<SessionSummary, 'intent'>): string {
  return s.intent ? `Intent: ${s.intent}` : 'What came out of this session?';
}

/** Only a session that ran out just now sounds: one the user stopped, or one that ended while closed, is old news. */
export function playsEndSound(s: Pick<SessionSummary, 'endedBy'>, soundSetting: boolean): boolean {
  return soundSetting && s.endedBy === 'completed';
}
