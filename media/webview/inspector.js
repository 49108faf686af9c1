// The model inspector (a trusted workspace only): its buttons run a model command on this file, and its tables sort
// by the clicked header, numbers by data-v and text otherwise; a second click reverses.
const vscode = acquireVsCodeApi();
document
  .querySelectorAll('button[data-cmd]')
  .forEach((b) => b.addEventListener('click', () => vscode.postMessage({ cmd: b.dataset.cmd })));

document.querySelectorAll('table.sortable').forEach((table) => {
  table.querySelectorAll('th').forEach((th, col) =>
    th.addEventListener('click', () => {
      const body = table.tBodies[0];
      const desc = th.dataset.dir !== 'desc';
      table.querySelectorAll('th').forEach((h) => {
        delete h.dataset.dir;
        h.removeAttribute('aria-sort');
      });
      th.dataset.dir = desc ? 'desc' : 'asc';
      th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      const key = (row) => {
        const c = row.cells[col];
        return c.dataset.v !== undefined ? Number(c.dataset.v) : c.textContent;
      };
      const rows = [...body.rows].sort((a, b) => {
        const x = key(a);
        const y = key(b);
        const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return desc ? -r : r;
      });
      body.append(...rows);
    }),
  );
});
