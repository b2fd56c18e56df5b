// Lint: typescript-eslint defaults plus the layer rules from DESIGN.md.
// Dependencies point one way: shared ← planner ← main (and sim); shared ← renderer.
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

// Bare names ('fs'); the `node:` forms are caught by the 'node:*' pattern below.
const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('node:'));

const PURE_MESSAGE = 'This layer is pure TypeScript: no Node built-ins and no Electron (DESIGN.md, layers).';

/**
 * Imports a layer may not use, with the reason shown in the lint message. Node built-ins are
 * matched as exact module names (`paths`), never as patterns: a pattern `console` would also
 * match a relative import such as '../core/console'.
 */
const forbid = (groups, { pure = false } = {}) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: pure ? nodeBuiltins.map((name) => ({ name, message: PURE_MESSAGE })) : [],
      patterns: groups,
    },
  ],
});

const nodeAndElectron = {
  group: ['node:*', 'electron', 'electron/*'],
  message: PURE_MESSAGE,
};
const upward = (...layers) => ({
  group: layers.flatMap((l) => [`**/${l}/**`, `**/${l}`]),
  message: `Layers point one way: shared ← planner ← main; shared ← renderer. Importing ${layers.join('/')} here points the wrong way.`,
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'resources/firmware/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: forbid([nodeAndElectron, upward('planner', 'main', 'renderer', 'sim', 'preload')], { pure: true }),
  },
  {
    files: ['src/planner/**/*.ts'],
    rules: {
      ...forbid([nodeAndElectron, upward('main', 'renderer', 'sim', 'preload')], { pure: true }),
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Planner time is passed in, never read (determinism).' },
        { object: 'Math', property: 'random', message: 'Planner randomness comes from a seeded generator passed in.' },
        { object: 'performance', property: 'now', message: 'Planner time is passed in, never read.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date']", message: 'Planner time is passed in, never read.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'No DOM in the planner.' },
        { name: 'document', message: 'No DOM in the planner.' },
        { name: 'process', message: 'No Node in the planner.' },
        { name: 'require', message: 'No Node in the planner.' },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...forbid([nodeAndElectron, upward('planner', 'main', 'sim', 'preload')], { pure: true }),
    },
  },
  {
    files: ['src/main/**/*.ts', 'src/sim/**/*.ts'],
    rules: forbid([upward('renderer', 'preload')]),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: forbid([upward('planner', 'main', 'renderer', 'sim')]),
  },
);
