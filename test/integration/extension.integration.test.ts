import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'flowbench.flowbench';

interface Manifest {
  contributes: { commands: { command: string; category?: string }[] };
}

describe('Flowbench extension', () => {
  it('activates in a workspace with a Python file', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    const pyFiles = await vscode.workspace.findFiles('**/*.py', '**/node_modules/**', 5);
    assert.ok(pyFiles.length > 0, 'the workspace holds a Python file');
    const doc = await vscode.workspace.openTextDocument(pyFiles[0]);
    await vscode.window.showTextDocument(doc);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.activationMs, 'number');
  });

  it('registers every command declared in package.json, each in the Flowbench category', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    const manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
    const registered = new Set(await vscode.commands.getCommands(true));
    const declared = manifest.contributes.commands;
    assert.ok(declared.length > 0);
    const missing = declared.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'declared but not registered');
    // Nothing beyond what the manifest declares: test and script hooks go through the extension's exports instead.
    const declaredIds = new Set(declared.map((c) => c.command));
    const undeclared = [...registered].filter((id) => id.startsWith('flowbench.') && !declaredIds.has(id));
    assert.deepEqual(undeclared, [], 'registered but not declared in package.json');
    for (const c of declared) {
      assert.match(c.command, /^flowbench\./);
      assert.equal(c.category, 'Flowbench', `${c.command} has the Flowbench category`);
    }
  });

  it('runs a command non-interactively through its argument object', async () => {
    const text = await vscode.commands.executeCommand<string>('flowbench.about', { quiet: true });
    assert.match(text, /^Flowbench \d+\.\d+\.\d+ on VS Code \d+\.\d+/);
  });
});
