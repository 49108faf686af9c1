// ESLint: typescript-eslint's recommended rules plus Flowbench's architecture, as one local rule
// (flowbench/boundaries) so the dependency rule in src/ARCHITECTURE.md is checked on every `npm test`.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(ROOT, 'src');

/** Shared modules, each allowed to use the ones listed (and itself). */
const SHARED = {
  util: [],
  data: ['util'],
  python: ['util'],
  // The VS Code layer every feature shares: command ids and registry, settings, log, workspace paths.
  editor: ['util', 'data', 'python'],
};
const FEATURES = ['focus', 'timing', 'splits', 'inference', 'lenses'];
/** The one module of a feature that other features may import (types of the small interface it offers). */
const FEATURE_API = 'api';
/** Editor-layer modules that hold no VS Code code, so engines may use them (command ids name commands in lenses). */
const VSCODE_FREE_EDITOR = new Set(['editor/commandIds']);

/** 'timing/editor/feature' → { top: 'timing', editorLayer: true }; root files (extension.ts, cli.ts) → top ''. */
function place(rel) {
  const parts = rel.split('/');
  if (parts.length === 1) return { top: '', editorLayer: true };
  const top = parts[0];
  return { top, editorLayer: top === 'editor' || parts[1] === 'editor' };
}

function check(context, node, spec) {
  const file = context.filename;
  if (!file.startsWith(SRC + path.sep)) return;
  const from = place(path.relative(SRC, file).split(path.sep).join('/').replace(/\.ts$/, ''));
  if (spec === 'vscode') {
    if (!from.editorLayer || (from.top === '' && path.basename(file) === 'cli.ts')) {
      context.report({
        node,
        message:
          "only the VS Code layer (src/editor/, src/<feature>/editor/, src/extension.ts) imports 'vscode'; engines stay testable without it",
      });
    }
    return;
  }
  if (!spec.startsWith('.')) return;
  const target = path
    .relative(SRC, path.resolve(path.dirname(file), spec))
    .split(path.sep)
    .join('/');
  if (target.startsWith('..')) return context.report({ node, message: `import outside src/: ${spec}` });
  const to = place(target);
  if (from.top === '') return; // extension.ts and cli.ts wire everything together
  if (to.top === '') return context.report({ node, message: `nothing imports the entry points (${spec})` });
  if (from.top === to.top) {
    if (!from.editorLayer && to.editorLayer) {
      context.report({
        node,
        message: `an engine file imports the feature's VS Code layer (${spec}); move the shared part out of editor/`,
      });
    }
    return;
  }
  if (from.top in SHARED) {
    if (!SHARED[from.top].includes(to.top)) {
      context.report({
        node,
        message: `src/${from.top}/ may use only ${SHARED[from.top].map((s) => `src/${s}/`).join(', ') || 'itself'}, not src/${to.top}/ (${spec})`,
      });
    }
    return;
  }
  // A feature.
  if (to.top === 'editor' && !from.editorLayer && !VSCODE_FREE_EDITOR.has(target)) {
    return context.report({ node, message: `an engine file imports the VS Code layer src/editor/ (${spec})` });
  }
  if (to.top in SHARED) return;
  if (FEATURES.includes(to.top)) {
    if (target !== `${to.top}/${FEATURE_API}`) {
      context.report({
        node,
        message: `src/${from.top}/ reaches into src/${to.top}/ (${spec}); features use each other only through ${to.top}/${FEATURE_API}.ts`,
      });
    }
    return;
  }
  context.report({ node, message: `unknown src/ folder ${to.top} (${spec}): add it to eslint.config.mjs's map` });
}

const boundaries = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const source = (node) =>
      node.source && typeof node.source.value === 'string' && check(context, node.source, node.source.value);
    return {
      ImportDeclaration: source,
      ExportNamedDeclaration: source,
      ExportAllDeclaration: source,
      ImportExpression: source,
      CallExpression(node) {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments[0]?.type === 'Literal'
        ) {
          const v = node.arguments[0].value;
          if (typeof v === 'string') check(context, node.arguments[0], v);
        }
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'bench-results/**', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { flowbench: { rules: { boundaries } } },
    rules: {
      'flowbench/boundaries': 'error',
      // ANSI colour codes are stripped from native runtime logs on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // The CLI requires each feature's commands lazily (so `flowbench --help` loads no engine).
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^\\./[a-z]+/cli$'] }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        AbortController: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        document: 'readonly',
        window: 'readonly',
      },
    },
  },
  {
    // Prettier wraps code at 120 columns but not strings, template literals (HTML) or comments: those are wrapped by
    // hand, and this keeps them so. A URL or a regular expression may run longer (it cannot be split readably).
    files: ['src/**/*.ts'],
    rules: { 'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
  {
    // The webview pages' scripts: plain browser scripts, loaded by <script src> inside VS Code's webview.
    files: ['media/webview/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', window: 'readonly', acquireVsCodeApi: 'readonly' },
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests build hostile inputs and stand-ins on purpose.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
