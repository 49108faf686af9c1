// The split report's two buttons post to the extension, which copies the Python snippet or opens the split file.
const vscode = acquireVsCodeApi();
document.getElementById('copy').addEventListener('click', () => vscode.postMessage({ type: 'copyPython' }));
document.getElementById('open').addEventListener('click', () => vscode.postMessage({ type: 'openOutput' }));
