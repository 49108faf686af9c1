import type { NodeTime, ProfileReport } from './profile';

/** Plain text of `flowbench profile`: the run, the top nodes, the op types, what the nodes do not cover. */

/** CPUExecutionProvider → CPU, as the tables show providers. */
export function shortProvider(p: string): string {
  return p.replace(/ExecutionProvider$/, '');
}

export function ms(v: number): string {
  return v >= 100 ? v.toFixed(1) : v >= 1 ? v.toFixed(3) : v.toFixed(4);
}

export function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((x, c) => (c <= 2 ? x.padEnd(widths[c]) : x.padStart(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** How a node is named in a table: a fused node says what it was made from. */
export function nodeLabel(n: NodeTime): string {
  if (n.origin === 'graph') return n.unnamed ? `${n.name} (unnamed)` : n.name;
  if (n.origin === 'inserted') return `${n.name} (inserted copy)`;
  return `${n.name} (made by onnxruntime${n.mentions.length ? ` from ${n.mentions.join(', ')}` : ''})`;
}

export function formatProfile(r: ProfileReport, top = 20): string {
  const out: string[] = [];
  out.push(
    `${r.model.path} on ${r.session.provider} (batch ${r.batch}; ${r.runs} profiled runs after ${r.warmup} ` +
      `warm-up; graph optimisation ${r.optimization}; onnxruntime ${r.session.runtimeVersion})`,
  );
  for (const f of r.session.failures) out.push(`${f.provider} did not run: ${f.reason}. Fix: ${f.fix}`);
  out.push(
    `run: ${ms(r.run.meanMs)} ms mean (onnxruntime's model_run; p50 ${ms(r.run.p50Ms)} ms), ` +
      `session.run from JavaScript ${ms(r.run.wallMeanMs)} ms`,
  );
  out.push(
    `nodes: ${ms(r.nodeMs)} ms per run, ${pct(r.coverage)} of the run; the rest ` +
      `(${ms(Math.max(0, r.run.meanMs - r.nodeMs))} ms) is framework and copy overhead`,
  );
  out.push('');
  const shown = r.nodes.slice(0, top);
  out.push(
    table([
      ['node', 'op', 'provider', 'ms/run', 'share'],
      ...shown.map((n) => [nodeLabel(n), n.op, shortProvider(n.provider), ms(n.meanMs), pct(n.share)]),
    ]),
  );
  if (r.nodes.length > top) out.push(`… ${r.nodes.length - top} more nodes (the JSON output lists them all)`);
  out.push('');
  out.push(
    table([
      ['op type', 'nodes', 'provider', 'ms/run', 'share'],
      ...r.ops.map((o) => [
        o.op,
        String(o.nodes),
        o.providers.map(shortProvider).join(','),
        ms(o.meanMs),
        pct(o.share),
      ]),
    ]),
  );
  if (r.notRun.length) {
    const names = r.notRun.slice(0, 8).map((n) => n.name);
    out.push('');
    out.push(
      `${r.notRun.length} graph node(s) did not run as themselves (fused into another node or removed by ` +
        `onnxruntime's optimiser): ${names.join(', ')}${r.notRun.length > names.length ? ', …' : ''}`,
    );
  }
  if (r.trace) out.push(`trace kept: ${r.trace}`);
  return out.join('\n') + '\n';
}
