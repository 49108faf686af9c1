import assert from 'node:assert/strict';
import { CellMatcher, cellAtLine, cellHash, hasCode, parseCells, preamble } from '../../../src/python/cells';

describe('timing/cells: percent-format parsing as the Jupyter extension delimits cells', () => {
  it('splits at every marker form, the last cell running to the end of the file', () => {
    const text = [
      '"""doc"""',
      'import os',
      '# %%',
      'a = 1',
      '#%% Title here',
      'b = 2',
      '',
      '# <codecell>',
      'c = 3',
      '# In[12]',
      'd = 4',
      '# In[ ]',
      'e = 5',
      '# In[]',
      'f = 6',
    ].join('\n');
    const cells = parseCells(text);
    assert.deepEqual(
      cells.map((c) => [c.index, c.kind, c.startLine, c.endLine, c.source]),
      [
        [0, 'code', 2, 3, 'a = 1'],
        [1, 'code', 4, 6, 'b = 2\n'],
        [2, 'code', 7, 8, 'c = 3'],
        [3, 'code', 9, 10, 'd = 4'],
        [4, 'code', 11, 12, 'e = 5'],
        [5, 'code', 13, 14, 'f = 6'],
      ],
    );
    assert.equal(cells[1].title, 'Title here');
    assert.equal(preamble(text, cells), '"""doc"""\nimport os');
  });

  it('markdown cells are recognised (and win over the code expression, which matches them too)', () => {
    const cells = parseCells('# %% [markdown]\n# Hello\n#%%[markdown]\n# x\n# <markdowncell>\n# y\n# %%\nx = 1');
    assert.deepEqual(
      cells.map((c) => c.kind),
      ['markdown', 'markdown', 'markdown', 'code'],
    );
  });

  it('matches on the trimmed line (indented markers count) but not markers inside other text', () => {
    const cells = parseCells('x = 1  # %% not a marker\n    # %% indented\ny = 2\n#  %%  spaced\nz = 3\n"# %%"\n');
    assert.deepEqual(
      cells.map((c) => c.startLine),
      [1, 3],
    );
    assert.equal(cells[1].source, 'z = 3\n"# %%"\n');
  });

  it('has no cells without markers, and treats \\r\\n like \\n', () => {
    assert.deepEqual(parseCells('import os\nprint(1)\n'), []);
    const crlf = parseCells('# %%\r\na = 1\r\n# %%\r\nb = 2\r\n');
    assert.deepEqual(
      crlf.map((c) => c.source),
      ['a = 1', 'b = 2\n'],
    );
    assert.equal(crlf[0].hash, parseCells('# %%\na = 1\n# %%\nb = 2\n')[0].hash);
  });

  it('configurable markers: a custom code expression, the default marker, and a bad expression falling back', () => {
    const custom = parseCells('## cell\na = 1\n# %%\nb = 2\n#-- md\ntext', {
      codeRegex: '^## cell',
      markdownRegex: '^#--',
    });
    // '# %%' still starts a cell: Jupyter's isCode also accepts the default marker (cellMarker.default).
    assert.deepEqual(
      custom.map((c) => [c.startLine, c.kind]),
      [
        [0, 'code'],
        [2, 'code'],
        [4, 'markdown'],
      ],
    );
    const dflt = parseCells('#### go\na = 1', { codeRegex: '^NEVER', defaultMarker: '#### go' });
    assert.equal(dflt.length, 1);
    const bad = parseCells('# %%\na = 1', { codeRegex: '([' });
    assert.equal(bad.length, 1, 'an invalid expression falls back to the default like Jupyter');
    assert.equal(new CellMatcher().title('# In[3] hello'), 'hello');
  });

  it('the content hash ignores trailing spaces and outer blank lines but not real edits', () => {
    assert.equal(cellHash('\n\na = 1   \nb = 2\n\n'), cellHash('a = 1\nb = 2'));
    assert.notEqual(cellHash('a = 1\nb = 2'), cellHash('a = 1\nb = 3'));
    assert.notEqual(cellHash('a = 1\n    b'), cellHash('a = 1\nb'));
    assert.match(cellHash('x'), /^[0-9a-f]{16}$/);
  });

  it('finds the cell at a line and tells code from comments-only cells', () => {
    const cells = parseCells('import x\n# %%\na = 1\n# %%\n# only a comment\n\n');
    assert.equal(cellAtLine(cells, 0), undefined);
    assert.equal(cellAtLine(cells, 2)?.index, 0);
    assert.equal(cellAtLine(cells, 5)?.index, 1);
    assert.equal(hasCode(cells[0].source), true);
    assert.equal(hasCode(cells[1].source), false);
  });
});
