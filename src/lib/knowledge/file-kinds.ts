/*
 * What kind of file a repo path is, by its name alone: the tables the slug's categories (analyze/categories.ts)
 * and the .slugignore planner (plan/diet/repo-candidates.ts, references.ts) share, so that a file the report
 * calls app code is also one the planner reads for references, and a build input is one for both.
 */

/**
 * Source code, templates and settings: text the app runs, renders or reads. A repo file is proposed for
 * .slugignore only when none of these mentions it. Template languages are Jinja (Flask, Django), ERB/Haml/Slim
 * (Rails), EJS/Pug/Handlebars/Mustache/Liquid (Node), Twig (PHP).
 */
export const SOURCE_EXTENSIONS = new Set([
  '.bash',
  '.cfg',
  '.cjs',
  '.conf',
  '.css',
  '.ejs',
  '.env',
  '.erb',
  '.go',
  '.haml',
  '.handlebars',
  '.hbs',
  '.htm',
  '.html',
  '.ini',
  '.j2',
  '.java',
  '.jinja',
  '.jinja2',
  '.js',
  '.json',
  '.jsx',
  '.kt',
  '.less',
  '.liquid',
  '.mjs',
  '.mustache',
  '.php',
  '.pl',
  '.pug',
  '.py',
  '.pyi',
  '.r',
  '.rake',
  '.rb',
  '.rs',
  '.sass',
  '.scala',
  '.scss',
  '.sh',
  '.slim',
  '.sql',
  '.svelte',
  '.toml',
  '.ts',
  '.tsx',
  '.twig',
  '.vue',
  '.xml',
  '.yaml',
  '.yml',
  '.zsh',
])

/** Part of the app but not text worth searching: fonts, icons and source maps it serves, lock and text files beside its code. */
export const APP_ASSET_EXTENSIONS = new Set(['.eot', '.ico', '.lock', '.map', '.otf', '.ttf', '.txt', '.woff', '.woff2'])

/** Folder names that hold test suites (pytest, RSpec, Jest and Mocha conventions). */
export const TEST_DIRS = new Set(['__tests__', 'spec', 'test', 'tests'])

/**
 * Root files a build or a dyno start reads (buildpack detection and settings, process types, runtime versions,
 * dependency declarations, the models manifest the loader reads): never removed, always app code.
 * https://devcenter.heroku.com/articles/buildpacks, https://devcenter.heroku.com/articles/procfile,
 * https://devcenter.heroku.com/articles/python-runtimes, https://devcenter.heroku.com/articles/nodejs-support
 */
export const BUILD_INPUT_FILES = new Set([
  '.buildpacks',
  '.node-version',
  '.nvmrc',
  '.profile',
  '.python-version',
  '.slugignore',
  'app.json',
  'Aptfile',
  'Gemfile',
  'Gemfile.lock',
  'heroku.yml',
  'MANIFEST.in',
  'models.manifest.json',
  'package-lock.json',
  'package.json',
  'Pipfile',
  'Pipfile.lock',
  'pnpm-lock.yaml',
  'poetry.lock',
  'Procfile',
  'project.toml',
  'pyproject.toml',
  'requirements.txt',
  'runtime.txt',
  'setup.cfg',
  'setup.py',
  'uv.lock',
  'yarn.lock',
])

/** Lock files of every package manager (Gemfile.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, uv.lock, bun.lockb...), anywhere. */
export const LOCK_FILE = /(?:\.lock|\.lockb|-lock\.json|-lock\.yaml|-lock\.yml|\.lock\.json)$/

/** Whether a build or a dyno start reads this path: a build input at the root, or a lock file anywhere. */
export function isBuildInput(path: string): boolean {
  const slash = path.lastIndexOf('/')
  return (slash === -1 && BUILD_INPUT_FILES.has(path)) || LOCK_FILE.test(path.slice(slash + 1))
}
