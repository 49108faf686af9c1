// A process that starts the harness and is then killed, for the harness test that checks the harness stops when its
// parent dies: runHarness on the job and options given as JSON arguments, its outcome ignored.
// Usage: node out/test/unit/timing/harnessParent.js JOB_JSON OPTIONS_JSON
import { runHarness } from '../../../src/timing/runner';

const [job, options] = process.argv.slice(2).map((arg) => JSON.parse(arg));
runHarness(job, options).catch(() => {});
