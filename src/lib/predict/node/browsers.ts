import {join} from 'node:path'

import type {LockNode} from '../../analyze/node/lock.js'
import type {PackageRow} from '../../analyze/rows.js'
import {PUPPETEER_BROWSERS, PUPPETEER_BROWSERS_SOURCE, PUPPETEER_DOWNLOAD_SIZE} from '../../knowledge/browser-downloads.js'
import {formatBytes} from '../../shared/bytes.js'
import {readRegularText} from '../../shared/read-file.js'

/** Puppeteer's configuration files (cosmiconfig's names for "puppeteer"), in the order it searches them. */
const CONFIG_FILES = ['.puppeteerrc', '.puppeteerrc.json', '.puppeteerrc.yaml', '.puppeteerrc.yml', '.puppeteerrc.js', '.puppeteerrc.cjs', '.puppeteerrc.mjs', 'puppeteer.config.js', 'puppeteer.config.cjs', 'puppeteer.config.mjs']

/** Whether a config text turns the download off. */
const SKIPS = /\bskipDownload\b["']?\s*:\s*true\b/
/**
 * Whether a config text puts the cache inside the app: a cacheDirectory built from `__dirname`, `import.meta`,
 * `process.cwd()`, a relative path (the build runs in the app's folder) or one under /app; not `/tmp/...` nor `~/...`.
 */
const IN_APP = /\bcacheDirectory\b["']?\s*:\s*(?:[^,}\n]*(?:__dirname|import\.meta|process\.cwd\(\))|["'](?:\/app\/|(?![/~]))[^"'\n]*["'])/

export interface BrowserDownloads {
  packages: PackageRow[]
  notes: string[]
}

const truthy = (value: string | undefined): boolean => value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'

/**
 * What install scripts download into the slug. Puppeteer downloads its browser into its cache folder, by default
 * `$HOME/.cache/puppeteer`; during a Heroku build HOME is /app, outside the build folder the slug is made from,
 * so by default the browser is NOT in the slug (and the app cannot find it at run time). It is in the slug when
 * a config file or PUPPETEER_CACHE_DIR puts the cache inside the app; PUPPETEER_SKIP_DOWNLOAD or `skipDownload`
 * stops the download.
 */
export async function browserDownloads(root: string, tracked: ReadonlySet<string>, env: NodeJS.ProcessEnv, installed: LockNode[]): Promise<BrowserDownloads> {
  const puppeteer = installed.find(n => n.name === 'puppeteer')
  const notes: string[] = []
  if (installed.some(n => n.name === 'playwright' || n.name === '@playwright/test' || n.name === 'playwright-core')) {
    notes.push("Playwright's browsers are downloaded by `npx playwright install`, not by installing the package: they are in the slug only when a build script runs it with PLAYWRIGHT_BROWSERS_PATH=0 or a path inside the app (not predicted).")
  }

  if (!puppeteer) return {notes, packages: []}
  const major = Number.parseInt(puppeteer.version, 10)
  const browser = PUPPETEER_BROWSERS.find(b => b.major === major) ?? (major > PUPPETEER_BROWSERS.at(-1)!.major ? PUPPETEER_BROWSERS.at(-1) : undefined)
  const configFile = CONFIG_FILES.find(f => tracked.has(f))
  const config = configFile ? await readRegularText(join(root, configFile), 1024 * 1024).catch(() => '') : ''
  const what = browser ? `${browser.chrome}${browser.headlessShell ? ' and chrome-headless-shell' : ''}` : 'its browser'
  if (truthy(env.PUPPETEER_SKIP_DOWNLOAD) || SKIPS.test(config)) {
    notes.push(`puppeteer ${puppeteer.version} downloads no browser (${SKIPS.test(config) ? `skipDownload in ${configFile}` : 'PUPPETEER_SKIP_DOWNLOAD'}): the app needs one at run time (e.g. Heroku's Chrome for Testing buildpack).`)
    return {notes, packages: []}
  }

  const inApp = env.PUPPETEER_CACHE_DIR ? !env.PUPPETEER_CACHE_DIR.startsWith('/') || env.PUPPETEER_CACHE_DIR.startsWith('/app/') : IN_APP.test(config)
  if (!inApp) {
    notes.push([
      `puppeteer ${puppeteer.version} downloads ${what} at install into $HOME/.cache/puppeteer; during a Heroku build HOME is /app, `,
      'outside the build folder the slug is made from, so it is not in the slug and puppeteer.launch() fails on the dyno. ',
      'Put the cache in the app (a .puppeteerrc.cjs with cacheDirectory: join(__dirname, ".cache", "puppeteer"), which adds the browser to the slug), ',
      "or use puppeteer-core with Heroku's Chrome for Testing buildpack.",
    ].join(''))
    return {notes, packages: []}
  }

  const where = env.PUPPETEER_CACHE_DIR ? 'PUPPETEER_CACHE_DIR' : configFile!
  notes.push([
    `Estimate: puppeteer ${puppeteer.version} downloads ${what} into the app (${where}): ${formatBytes(PUPPETEER_DOWNLOAD_SIZE.compressed)} compressed `,
    `(${PUPPETEER_DOWNLOAD_SIZE.source}; the build it pins: ${PUPPETEER_BROWSERS_SOURCE}).`,
  ].join(''))
  return {
    notes,
    packages: [{
      compressed: PUPPETEER_DOWNLOAD_SIZE.compressed,
      ecosystem: 'node',
      evidence: 'requirement',
      files: 0,
      location: '.cache/puppeteer',
      name: 'puppeteer browser',
      size: PUPPETEER_DOWNLOAD_SIZE.unpacked,
      version: browser?.chrome,
    }],
  }
}
