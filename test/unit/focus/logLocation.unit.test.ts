import assert from 'node:assert/strict';
import * as path from 'node:path';
import { WORKSPACE_LOG_PATH, focusLogFile } from '../../../src/focus/focusLog';

describe('focus log location', () => {
  const globalDir = path.join('/g', 'storage');

  it('is .flowbench/focus.jsonl in the workspace folder by default', () => {
    assert.equal(focusLogFile('workspace', '/w', globalDir), path.join('/w', '.flowbench', 'focus.jsonl'));
    assert.equal(focusLogFile('workspace', '/w', globalDir), path.join('/w', WORKSPACE_LOG_PATH));
  });

  it('is in global storage when chosen, or when no folder is open', () => {
    assert.equal(focusLogFile('global', '/w', globalDir), path.join(globalDir, 'focus.jsonl'));
    assert.equal(focusLogFile('workspace', null, globalDir), path.join(globalDir, 'focus.jsonl'));
  });
});
