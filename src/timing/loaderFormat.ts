import * as path from 'node:path';
import { formatTime } from './format';
import type { LoaderResult, LoaderRun } from './loader';
import { formatPerSec, formatRate, headlineRun } from './loaderHistory';

/** Text for `flowbench loader` (and the editor's notification): what was timed, a row per run, the verdict. */

const t = (s: number | null | undefined): string => (s === null || s === undefined ? '—' : formatTime(s));

export function stoppedText(run: Pick<LoaderRun, 'stoppedBy' | 'batches'>): string {
  switch (run.stoppedBy) {
    case 'exhausted':
      return 'exhausted';
    case 'batches':
      return 'no (batch count)';
    case 'time-budget':
      return 'no (time budget)';
    case 'batch-cap':
      return 'no (1,000,000 batches)';
  }
}

export function describeTarget(r: LoaderResult): string {
  const x = r.target;
  const kind = x.isDataLoader ? 'torch DataLoader' : x.type;
  const parts = [kind];
  if (x.batchSize !== null) parts.push(`batch_size ${x.batchSize}`);
  if (x.isDataLoader && x.numWorkers !== null) parts.push(`num_workers ${x.numWorkers}`);
  if (x.length !== null) parts.push(x.isDataLoader ? `${x.length} batches per epoch` : `length ${x.length}`);
  return `${r.name} (${parts.join(', ')}) from ${r.label} of ${path.basename(r.file)}`;
}

/** One line: '61.2 batches/s · 979 samples/s · first batch 74.6 ms (worker start-up included)'. */
export function runSummary(run: LoaderRun): string {
  const parts: string[] = [];
  if (run.batchesPerSec !== null) parts.push(formatRate(run.batchesPerSec, 'batches'));
  if (run.samplesPerSec !== null) parts.push(formatRate(run.samplesPerSec, 'samples'));
  parts.push(
    run.firstBatchSeconds === null
      ? 'the loader yielded nothing'
      : `first batch ${t(run.firstBatchSeconds)}${run.workers ? ' (worker start-up included)' : ''}`,
  );
  return parts.join(' · ');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}

export function formatLoader(r: LoaderResult): string {
  const rows = [
    ['num_workers', 'first batch', 'p50', 'p90', 'max', 'batches/s', 'samples/s', 'batches', 'exhausted'],
    ...r.runs.map((run) => [
      run.workers === null ? '—' : String(run.workers),
      t(run.firstBatchSeconds),
      t(run.perBatch?.p50),
      t(run.perBatch?.p90),
      t(run.perBatch?.max),
      run.batchesPerSec === null ? '—' : formatPerSec(run.batchesPerSec),
      run.samplesPerSec === null ? '—' : formatPerSec(run.samplesPerSec),
      String(run.batches),
      stoppedText(run),
    ]),
  ];
  const out = [describeTarget(r), table(rows)];
  out.push(
    'p50/p90/max: time per batch after the first; the first batch (it starts the iterator and its workers) apart',
  );
  if (r.toDevice) out.push(`batches moved to ${r.toDevice.device} (${r.toDevice.name}), synchronised before each stop`);
  const head = headlineRun(r);
  if (r.runs.length > 1 && r.fastest !== null && head) {
    const slowest = r.runs
      .filter((x) => x.batchesPerSec !== null)
      .reduce((a, b) => (a.batchesPerSec! <= b.batchesPerSec! ? a : b));
    const ratio = slowest.batchesPerSec ? head.batchesPerSec! / slowest.batchesPerSec : 1;
    out.push(
      `fastest: num_workers=${head.workers} (${formatRate(head.batchesPerSec!, 'batches')}` +
        (slowest !== head ? `, ${ratio.toFixed(2)}× num_workers=${slowest.workers})` : ')'),
    );
  } else if (head) {
    out.push(runSummary(head));
  }
  return out.join('\n') + '\n';
}
