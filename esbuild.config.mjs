// Bundles the extension, the CLI and worker entries. `--production` minifies without sourcemaps (packaging);
// the default build keeps sourcemaps for debugging. `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync, rmSync, chmodSync, copyFileSync, mkdirSync, watch as watchFile } from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  // onnxruntime-node loads a native binding through a computed path no bundler can follow; it ships in node_modules.
  // wabt assembles csvIndex.wat only under the unit tests; the bundles load the prebuilt dist/csvIndex.wasm.
  external: ['vscode', 'onnxruntime-node', 'wabt'],
  define: { __FLOWBENCH_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  // Lazy loads become require() calls: the extension host's loader and older VS Code builds handle those everywhere.
  supported: { 'dynamic-import': false },
};

// simple-git is bundled on its own and required from dist/vendor/ only when git is first read, so its ~110 KB are
// neither parsed nor run at activation. (CommonJS bundles cannot be code-split by esbuild.)
const LAZY_VENDOR = { 'simple-git': './vendor/simple-git.js' };
/** @type {import('esbuild').Plugin} */
const lazyVendor = {
  name: 'lazy-vendor',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${Object.keys(LAZY_VENDOR).join('|')})$`) }, (args) => ({
      path: LAZY_VENDOR[args.path],
      external: true,
    }));
  },
};
common.plugins = [lazyVendor];

const builds = [
  { ...common, plugins: [], entryPoints: { 'vendor/simple-git': 'simple-git' }, outdir: 'dist' },
  { ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { onnxWorker: 'src/inference/worker.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { scanWorker: 'src/data/scanWorker.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { engineWorker: 'src/engineWorker.ts' }, outdir: 'dist' },
];

// Files the bundles run as they are, found beside them at run time (src/timing/shipped.ts looks for dist/harness.py
// and dist/kernelTimeit.py).
const COPIES = {
  'src/timing/harness.py': 'dist/harness.py',
  'src/timing/kernelTimeit.py': 'dist/kernelTimeit.py',
};
const copyAll = () => {
  for (const [from, to] of Object.entries(COPIES)) copyFileSync(from, to);
};

// The CSV engine's WebAssembly, assembled from its text (wabt, a devDependency) next to the bundles that load it.
async function assembleWasm() {
  const wabt = await (await import('wabt')).default();
  const source = 'src/data/csvIndex.wat';
  const mod = wabt.parseWat(source, readFileSync(source, 'utf8'), { simd: true, multi_value: true });
  try {
    writeFileSync('dist/csvIndex.wasm', mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
copyAll();
await assembleWasm();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  // esbuild watches only what it bundles; the folder is watched because editors save by renaming over the file.
  for (const from of Object.keys(COPIES)) {
    watchFile(path.dirname(from), (_event, name) => {
      if (name !== path.basename(from)) return;
      try {
        copyAll();
      } catch (err) {
        console.error(`copying ${from}: ${err.message}`);
      }
    });
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
