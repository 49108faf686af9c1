// Packaging check: the linux-x64 .vsix installs into a clean code-server and the extension activates there
// (no extensionDevelopmentPath: what runs is only what the .vsix carries).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, T, LATEST, startCodeServer, workbenchUrl, launchBrowser, codeServerCli } from './codeServer.mjs';
import { assertStyled, webviewWith } from './flows.mjs';
import { prepareDemoWorkspace } from './demoWorkspace.mjs';
import { packageVsix } from './package.mjs';
import { focusFromPalette, harnessTest, COUNTDOWN, runFromPalette } from './ui-tests.mjs';

export async function vsixTest(results, version = LATEST) {
  let server;
  let browser;
  try {
    await harnessTest(
      results,
      'vsix: the packaged linux-x64 .vsix installs into code-server and activates',
      async () => {
        const vsix = packageVsix({ target: 'linux-x64', quiet: true });
        const sizeMb = fs.statSync(vsix).size / 1e6;
        if (sizeMb >= 30) throw new Error(`${path.basename(vsix)} is ${sizeMb.toFixed(1)} MB (limit 30 MB)`);
        const workspace = prepareDemoWorkspace(path.join(T, 'vsix', 'ws'));
        fs.rmSync(path.join(T, 'vsix', 'ext'), { recursive: true, force: true });
        server = await startCodeServer({ name: 'vsix', workspace, version });
        codeServerCli(server, ['--install-extension', vsix]);
        const listed = codeServerCli(server, ['--list-extensions', '--show-versions']);
        if (!/^flowbench\.flowbench@/m.test(listed)) throw new Error(`not listed after install: ${listed}`);
        // The webview pages' stylesheets and scripts ship (a .vscodeignore that dropped them would leave pages bare).
        const installed = fs.readdirSync(server.ext).find((d) => d.startsWith('flowbench.flowbench-'));
        if (!installed) throw new Error(`no flowbench folder in ${server.ext}`);
        const media = fs.readdirSync(path.join(ROOT, 'media', 'webview'));
        const missing = media.filter((f) => !fs.existsSync(path.join(server.ext, installed, 'media', 'webview', f)));
        if (missing.length) throw new Error(`the .vsix lacks media/webview/${missing.join(', ')}`);
        // Installed extensions are picked up at server start: restart on the same folders.
        server.stop();
        await new Promise((r) => setTimeout(r, 1000));
        server = await startCodeServer({ name: 'vsix', workspace, version, extensionsDir: server.ext });
        browser = await launchBrowser(server.state);
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        await page.goto(workbenchUrl(server.base, workspace));
        const text = await focusFromPalette(page, 'vsix-focus');
        if (!COUNTDOWN.test(text)) throw new Error(`status bar item reads '${text}'`);
        // A page of the installed extension loads its stylesheets from where the .vsix put them.
        await runFromPalette(page, 'Flowbench: Show Log of Focus Sessions');
        const { frame } = await webviewWith(page, 'Focus log');
        const sheets = await assertStyled(frame, ['base.css', 'focusLog.css'], [['.totals', 'display', 'flex']]);
        return `${sizeMb.toFixed(1)} MB, ${media.length} webview files, the focus log styled by ${sheets}`;
      },
    );
  } finally {
    await browser?.close().catch(() => {});
    server?.stop();
  }
}
