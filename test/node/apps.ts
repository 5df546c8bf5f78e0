import {incompressible} from '../helpers/slug-builder.js'
import type {NodeSlugOptions} from '../helpers/node-slug.js'

/*
 * The test apps of the test:node suite, as built (test/helpers/node-slug.ts). One module so that every test asks
 * for the same build and the cache serves it.
 */

/** The Chrome for Testing build Puppeteer 25.19.0 pins (puppeteer-core's src/revisions.ts). */
export const PUPPETEER_CHROME = '158.0.8127.88'

export const EXPRESS_NEXT: NodeSlugOptions = {app: 'express-next'}
/** The same app built with NPM_CONFIG_PRODUCTION=false: the buildpack does not prune devDependencies. */
export const EXPRESS_NEXT_DEV: NodeSlugOptions = {app: 'express-next', keepDev: true}

/**
 * Puppeteer installed with PUPPETEER_SKIP_DOWNLOAD (no browser download can happen here), then the browser folders
 * laid where its .puppeteerrc.cjs says, at Puppeteer's layout, as stand-ins much smaller than the real ones
 * (Chrome for Testing is ~150 MB compressed): incompressible bytes, so their compressed share is their size.
 */
export const PUPPETEER_APP: NodeSlugOptions = {
  app: 'puppeteer-app',
  builtFiles: {
    [`.cache/puppeteer/chrome/linux-${PUPPETEER_CHROME}/chrome-linux64/chrome`]: incompressible(24_000_000, 7),
    [`.cache/puppeteer/chrome/linux-${PUPPETEER_CHROME}/chrome-linux64/resources.pak`]: incompressible(4_000_000, 8),
    [`.cache/puppeteer/chrome-headless-shell/linux-${PUPPETEER_CHROME}/chrome-headless-shell-linux64/chrome-headless-shell`]: incompressible(12_000_000, 9),
  },
  env: {PUPPETEER_SKIP_DOWNLOAD: 'true'},
}

/**
 * esbuild and @swc/core with the binaries of other platforms installed over the tree (what a node_modules built on a
 * Mac, or by an npm that ignored `libc`, holds): the dyno loads only linux-x64-gnu.
 */
export const BUILD_TOOLS: NodeSlugOptions = {
  app: 'build-tools',
  foreignPackages: ['@esbuild/darwin-arm64@0.28.2', '@swc/core-linux-x64-musl@1.16.22', '@swc/core-darwin-arm64@1.16.22'],
}

export const ALL_APPS = [EXPRESS_NEXT, EXPRESS_NEXT_DEV, PUPPETEER_APP, BUILD_TOOLS]
