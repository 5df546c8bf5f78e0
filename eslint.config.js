import oclif from 'eslint-config-oclif'

export default [
  // test/node/apps/ are users' apps (CommonJS, JSX) that the test:node suite installs and builds, not this project's code.
  {ignores: ['dist/', 'coverage/', 'node_modules/', 'bench/.work/', 'test-artifacts/', '.cache/', 'templates/', 'test/node/apps/']},
  ...oclif,
  {
    rules: {
      // Byte counting and binary formats read more clearly with bitwise ops and numeric literals.
      'no-bitwise': 'off',
      'unicorn/numeric-separators-style': 'off',
      'unicorn/prefer-string-slice': 'off',
      'perfectionist/sort-objects': 'off',
      'perfectionist/sort-object-types': 'off',
      'perfectionist/sort-interfaces': 'off',
      'perfectionist/sort-classes': 'off',
      'perfectionist/sort-union-types': 'off',
      'perfectionist/sort-named-imports': 'off',
      'perfectionist/sort-imports': 'off',
      'perfectionist/sort-modules': 'off',
      'no-await-in-loop': 'off',
      'max-depth': 'off',
      complexity: 'off',
      'unicorn/no-array-reduce': 'off',
      'unicorn/prefer-top-level-await': 'off',
      'unicorn/no-process-exit': 'off',
      'n/no-process-exit': 'off',
      'unicorn/prefer-event-target': 'off',
      'mocha/no-setup-in-describe': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      camelcase: 'off',
      // Long one-line imports and literals read better than one name per line.
      '@stylistic/object-curly-newline': 'off',
      'unicorn/number-literal-case': 'off',
      'mocha/max-top-level-suites': 'off',
    },
  },
  {
    // Test helpers are modules: they export, and a helper may register the hooks of the suite that calls it.
    files: ['test/helpers/**'],
    rules: {'mocha/no-exports': 'off', 'mocha/no-top-level-hooks': 'off'},
  },
  {
    // Ceilings the product code meets (issue 20): a function over them is a sequence of steps waiting for names.
    // Lower them as the code allows. Tests, benches and scripts are exempt: a test is one scenario read top to bottom.
    files: ['src/**'],
    rules: {
      complexity: ['error', 30],
      'max-depth': ['error', 4],
      'max-lines-per-function': ['error', {max: 60, skipBlankLines: true, skipComments: true}],
    },
  },
]
