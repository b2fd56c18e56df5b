// Lint: typescript-eslint defaults plus the layer rules from DESIGN.md.
// Dependencies point one way: shared ← planner ← main (and sim); shared ← renderer. The
// simulator sits beside main, not on it; inside main only the hosts and the CLI know the hosts.
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

/** src/sim is a robot, not part of the console: it may use shared and planner, never main. */
const simBesideMain = {
  group: ['**/main/**', '**/main'],
  message: 'The simulator sits beside main, not on it: it may use shared and planner (the wire codec is src/shared/wire), never src/main.',
};
/** Inside main, only the hosts themselves and the CLI that starts them may import src/main/hosts. */
const hostsFromMain = {
  group: ['**/hosts/**', '**/hosts'],
  message: 'Core, recorder, review and the rest of main must not know the hosts: they serve the API (src/main/api); only src/main/hosts and src/main/cli import hosts.',
};

// ESLint flat config: where several blocks set no-restricted-imports for one file, the last
// one wins, so every block below lists all the patterns its files are held to.
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
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/hosts/**', 'src/main/cli/**'],
    rules: forbid([upward('renderer', 'preload'), hostsFromMain]),
  },
  {
    files: ['src/main/hosts/**/*.ts', 'src/main/cli/**/*.ts'],
    rules: forbid([upward('renderer', 'preload')]),
  },
  {
    files: ['src/sim/**/*.ts'],
    rules: forbid([upward('renderer', 'preload'), simBesideMain]),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: forbid([upward('planner', 'main', 'renderer', 'sim')]),
  },
);
