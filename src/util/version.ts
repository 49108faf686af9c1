import * as fs from 'node:fs';
import * as path from 'node:path';

// Injected by esbuild from package.json; the fallback serves unit tests compiled by tsc into out/.
declare const __FLOWBENCH_VERSION__: string | undefined;

function versionFromPackageJson(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'flowbench' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return '0.0.0-dev';
  }
}

export const VERSION: string =
  typeof __FLOWBENCH_VERSION__ === 'string' ? __FLOWBENCH_VERSION__ : versionFromPackageJson();
