import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type BrowserContext, chromium, type Page} from 'playwright-core'

/** Debian's chromium (apt-get install chromium); playwright-core brings no browser of its own. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** A headless Chromium with a fresh, empty profile that is removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'slug-report-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    args: ARGS,
    executablePath: CHROMIUM,
    headless: true,
    viewport: {height: 900, width: 1400},
  })
  return {
    async close() {
      await context.close()
      await rm(profile, {force: true, recursive: true})
    },
    context,
  }
}

export interface WatchedPage {
  page: Page
  /** console errors and uncaught exceptions */
  errors: string[]
  /** every URL the page asked for */
  requests: string[]
  /** alert/confirm/prompt dialogs that opened (an injected script would show up here) */
  dialogs: string[]
}

export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const page = await browser.context.newPage()
  const watched: WatchedPage = {dialogs: [], errors: [], page, requests: []}
  page.on('console', m => {
    if (m.type() === 'error') watched.errors.push(m.text())
  })
  page.on('pageerror', e => watched.errors.push(String(e)))
  page.on('request', r => watched.requests.push(r.url()))
  page.on('dialog', d => {
    watched.dialogs.push(d.message())
    d.dismiss().catch(() => {})
  })
  await page.goto(url)
  await page.waitForSelector('html[data-ready="true"]')
  return watched
}
