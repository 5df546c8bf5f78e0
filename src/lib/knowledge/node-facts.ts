/*
 * What Node.js and Ruby builds leave in a slug, each fact with where it comes from. The analysis
 * (analyze/node/, analyze/ruby/) and slug:diet's heroku-cleanup plan read these tables; the code is small.
 */

export const NODE_SOURCES = {
  buildpack: 'https://devcenter.heroku.com/articles/nodejs-classic-buildpack-builds',
  chromeForTesting: 'https://github.com/heroku/heroku-buildpack-chrome-for-testing',
  dedupe: 'https://docs.npmjs.com/cli/v10/commands/npm-dedupe',
  packageJsonOs: 'https://docs.npmjs.com/cli/v10/configuring-npm/package-json#os',
  puppeteerConfig: 'https://pptr.dev/guides/configuration',
  puppeteerHeroku: 'https://pptr.dev/troubleshooting#running-puppeteer-on-heroku',
  sourceMaps: 'https://developer.mozilla.org/en-US/docs/Glossary/Source_map',
} as const

export const RUBY_SOURCES = {
  assets: 'https://devcenter.heroku.com/articles/rails-asset-pipeline',
  bundler: 'https://bundler.io/man/bundle-install.1.html',
  ruby: 'https://devcenter.heroku.com/articles/ruby-support',
  slugignore: 'https://devcenter.heroku.com/articles/slug-compiler#ignoring-files-with-slugignore',
} as const

export type BuildOutputKind = 'browser' | 'build-cache'

/**
 * Folders the build writes inside /app (install scripts, `npm run build`): build output, whatever the repo holds.
 * `.slugignore` is applied to the pushed files before the build, so it cannot reach them; the Node buildpack's
 * `heroku-cleanup` script (run after pruning) can.
 */
export interface BuildOutputFolder {
  /** relative to /app, with a trailing '/'; matched at the app root and, for `nested`, under any folder */
  prefix: string
  kind: BuildOutputKind
  /** who writes it */
  writer: string
  /** also found below a sub-folder (a monorepo's frontend/node_modules/.cache) */
  nested?: boolean
  source: string
}

export const BUILD_OUTPUT_FOLDERS: readonly BuildOutputFolder[] = [
  {
    kind: 'browser',
    prefix: '.cache/puppeteer/',
    // Heroku builds run with HOME=/app: Puppeteer's default ~/.cache/puppeteer is outside the build dir and
    // never reaches the slug; it is in the slug only when a .puppeteerrc.cjs or PUPPETEER_CACHE_DIR points here.
    source: 'https://pptr.dev/guides/configuration',
    writer: "Puppeteer's install script (Chrome for Testing, where .puppeteerrc.cjs or PUPPETEER_CACHE_DIR puts it)",
  },
  {
    kind: 'browser',
    prefix: '.cache/ms-playwright/',
    source: 'https://playwright.dev/docs/browsers#managing-browser-binaries',
    writer: "Playwright's browser install (where PLAYWRIGHT_BROWSERS_PATH puts it)",
  },
  {
    kind: 'browser',
    nested: true,
    prefix: 'node_modules/playwright-core/.local-browsers/',
    source: 'https://playwright.dev/docs/browsers#managing-browser-binaries',
    writer: 'Playwright with PLAYWRIGHT_BROWSERS_PATH=0',
  },
  {
    kind: 'build-cache',
    nested: true,
    prefix: 'node_modules/.cache/',
    source: 'https://github.com/sindresorhus/find-cache-dir',
    writer: 'build tools (babel-loader, terser, eslint-loader, webpack) through find-cache-dir',
  },
  {
    kind: 'build-cache',
    nested: true,
    prefix: '.next/cache/',
    source: 'https://nextjs.org/docs/app/building-your-application/deploying/ci-build-caching',
    writer: 'next build (its build cache, unused at run time)',
  },
  {
    kind: 'build-cache',
    nested: true,
    prefix: '.angular/cache/',
    source: 'https://angular.dev/cli/cache',
    writer: "the Angular CLI's persistent build cache",
  },
  {
    kind: 'build-cache',
    nested: true,
    prefix: '.parcel-cache/',
    source: 'https://parceljs.org/features/development/#caching',
    writer: "Parcel's build cache",
  },
]

/** The build output folder a path is in, if any (at the app root, or below any folder for `nested` rows). */
export function buildOutputFolderOf(path: string): undefined | {folder: BuildOutputFolder; at: string} {
  for (const folder of BUILD_OUTPUT_FOLDERS) {
    if (path.startsWith(folder.prefix)) return {at: folder.prefix, folder}
    if (folder.nested) {
      const i = path.indexOf(`/${folder.prefix}`)
      if (i !== -1) return {at: path.slice(0, i + 1 + folder.prefix.length), folder}
    }
  }

  return undefined
}

/**
 * A platform an installed package's binary targets, read from its name (npm selects them by the `os`, `cpu`
 * and `libc` fields of each optional package's package.json). A dyno is linux x64 with glibc.
 */
export interface PlatformPackageFamily {
  /** a package name pattern; group 1 is the platform part */
  pattern: RegExp
  family: string
  source: string
}

export const PLATFORM_PACKAGE_FAMILIES: readonly PlatformPackageFamily[] = [
  {family: 'esbuild', pattern: /^@esbuild\/([\w-]+)$/, source: 'https://esbuild.github.io/getting-started/#install-esbuild'},
  {family: 'swc', pattern: /^@swc\/core-([\w-]+)$/, source: 'https://swc.rs/docs/installation'},
  {family: 'next', pattern: /^@next\/swc-([\w-]+)$/, source: 'https://nextjs.org/docs/architecture/nextjs-compiler'},
  {family: 'sharp', pattern: /^@img\/sharp-(?:libvips-)?([\w-]+)$/, source: 'https://sharp.pixelplumbing.com/install#cross-platform'},
  {family: 'rollup', pattern: /^@rollup\/rollup-([\w-]+)$/, source: 'https://github.com/rollup/rollup#installation'},
  {family: 'lightningcss', pattern: /^lightningcss-([\w-]+)$/, source: 'https://lightningcss.dev/docs.html'},
  {family: 'parcel-watcher', pattern: /^@parcel\/watcher-([\w-]+)$/, source: 'https://github.com/parcel-bundler/watcher'},
]

/** What a Heroku dyno runs: linux, x64, glibc (heroku-22 and heroku-24 are Ubuntu). */
export const DYNO_PLATFORM = {cpu: 'x64', libc: 'glibc', os: 'linux'} as const

/**
 * Whether a platform part of a package name (`linux-x64-gnu`, `darwin-arm64`, `linux-x64-musl`, `wasm32`...)
 * can run on a dyno. Unknown words leave it loadable: only a clear mismatch is reported.
 */
export function dynoCanLoad(platform: string): boolean {
  const words = platform.toLowerCase().split('-')
  return !words.some(w => NOT_ON_A_DYNO.has(w))
}

/** Words of a platform-specific package name that a dyno (linux x64 glibc) cannot load: other OSes, CPUs, musl. */
const NOT_ON_A_DYNO = new Set([
  'aix',
  'android',
  'arm',
  'arm64',
  'arm64ec',
  'arm64v8',
  'armv6',
  'armv7',
  'darwin',
  'freebsd',
  'ia32',
  'linuxmusl',
  'loong64',
  'loongarch64',
  'mips64el',
  'musl',
  'netbsd',
  'openbsd',
  'openharmony',
  'ppc64',
  'ppc64le',
  'riscv64',
  's390x',
  'sunos',
  'win32',
  'windows',
  'x32',
])

/**
 * The Node buildpack's settings that keep devDependencies in the slug (it prunes them otherwise). Each with
 * the package manager it applies to.
 */
export const KEEP_DEV_SETTINGS: ReadonlyArray<{name: string; value: string; manager: string}> = [
  {manager: 'npm', name: 'NPM_CONFIG_PRODUCTION', value: 'false'},
  {manager: 'yarn', name: 'YARN_PRODUCTION', value: 'false'},
]

/**
 * Packages used by a build or by tests, never by a running app (unless its start command runs them, which
 * slug:diet checks first): in `dependencies` they stay in the slug, since the buildpack prunes only devDependencies.
 */
export const BUILD_ONLY_PACKAGES: ReadonlyArray<{pattern: RegExp; purpose: string; source: string}> = [
  {pattern: /^typescript$/, purpose: 'TypeScript compiler', source: 'https://www.npmjs.com/package/typescript'},
  {pattern: /^@types\//, purpose: 'type declarations', source: 'https://github.com/DefinitelyTyped/DefinitelyTyped'},
  {pattern: /^(?:eslint|@eslint\/[\w.-]+|eslint-(?:config|plugin)-[\w.-]+|@typescript-eslint\/[\w.-]+)$/, purpose: 'linter', source: 'https://eslint.org/docs/latest/use/getting-started'},
  {pattern: /^prettier$/, purpose: 'formatter', source: 'https://prettier.io/docs/install'},
  {pattern: /^(?:jest|mocha|vitest|chai|sinon|supertest|nyc|c8|@testing-library\/[\w.-]+|@playwright\/test|cypress)$/, purpose: 'test tools', source: 'https://docs.npmjs.com/specifying-dependencies-and-devdependencies-in-a-package-json-file'},
  {pattern: /^(?:webpack|webpack-cli|vite|rollup|parcel|esbuild|@swc\/core|@babel\/(?:core|cli|preset-[\w.-]+))$/, purpose: 'bundlers and compilers', source: 'https://docs.npmjs.com/specifying-dependencies-and-devdependencies-in-a-package-json-file'},
  {pattern: /^(?:nodemon|husky|lint-staged)$/, purpose: 'development helpers', source: 'https://docs.npmjs.com/specifying-dependencies-and-devdependencies-in-a-package-json-file'},
]
