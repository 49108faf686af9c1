// Injected by esbuild from package.json; the fallback serves unit tests compiled by tsc.
declare const __FLOWBENCH_VERSION__: string | undefined;
export const VERSION: string =
  typeof __FLOWBENCH_VERSION__ === 'string' ? __FLOWBENCH_VERSION__ : (require('../package.json') as { version: string }).version;
