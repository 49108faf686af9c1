// Entry of the integration suite inside a real VS Code extension host (code-server or desktop via test-electron).
// Writes the counts to FLOWBENCH_TEST_RESULTS (when set) so the harness never has to trust exit codes or parse logs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.FLOWBENCH_TEST_GREP;
  if (grep) mocha.grep(grep);
  const dir = __dirname;
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.integration.test.js'))
    .sort())
    mocha.addFile(path.join(dir, f));

  const failures: { title: string; error: string }[] = [];
  let passed = 0;
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => passed++);
    runner.on('fail', (test, err: Error) =>
      failures.push({ title: test.fullTitle(), error: String(err?.stack ?? err) }),
    );
  });
  const summary = { passed, failed: failures.length, failures };
  const out = process.env.FLOWBENCH_TEST_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify(summary, null, 2));
  console.log(`integration: ${passed} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`${failures.length} integration test(s) failed`);
}
