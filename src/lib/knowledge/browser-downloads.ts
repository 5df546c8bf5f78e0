/**
 * What Puppeteer's install script downloads, per major version: the browser build the newest release of that major
 * pins (puppeteer-core's revisions.js, read from each release's npm package on 2026-12-07; earlier releases of a
 * major pin older builds of about the same size). Puppeteer 21 and later download chrome-headless-shell too.
 */
export interface PuppeteerBrowser {
  major: number
  /** the release whose pin is listed */
  release: string
  /** Chrome for Testing (Chromium's revision for Puppeteer 19) */
  chrome: string
  headlessShell: boolean
}

export const PUPPETEER_BROWSERS: PuppeteerBrowser[] = [
  {chrome: 'Chromium r1108766', headlessShell: false, major: 19, release: '19.11.1'},
  {chrome: 'Chrome for Testing 115.0.5790.98', headlessShell: false, major: 20, release: '20.9.0'},
  {chrome: 'Chrome for Testing 121.0.6167.85', headlessShell: true, major: 21, release: '21.11.0'},
  {chrome: 'Chrome for Testing 127.0.6533.88', headlessShell: true, major: 22, release: '22.15.0'},
  {chrome: 'Chrome for Testing 131.0.6778.204', headlessShell: true, major: 23, release: '23.11.1'},
  {chrome: 'Chrome for Testing 148.0.7778.97', headlessShell: true, major: 24, release: '24.43.1'},
  {chrome: 'Chrome for Testing 158.0.8127.88', headlessShell: true, major: 25, release: '25.19.0'},
]

export const PUPPETEER_BROWSERS_SOURCE = "puppeteer-core's lib/**/revisions.js in each major's newest npm release (npm pack puppeteer-core@MAJOR, 2026-12-07)"

/**
 * The download's size in a slug. Not measured here (this machine cannot reach Chrome for Testing's storage): the
 * figures of issue 22 (~280 MB on Linux) and of the project's design notes (~150 MB compressed), for the Linux
 * download Puppeteer keeps in its cache folder.
 */
export const PUPPETEER_DOWNLOAD_SIZE = {
  compressed: 150_000_000,
  source: "issue 22 and the project's design notes (Heroku slugs with Puppeteer's download: ~280 MB, ~150 MB compressed); not measured on this machine",
  unpacked: 280_000_000,
} as const
