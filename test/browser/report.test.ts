/* eslint-disable unicorn/prefer-dom-node-text-content -- these are playwright's Locator.innerText(), not the DOM property */
import {expect} from 'chai'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import type {Page} from 'playwright-core'

import type {FileRow} from '../../src/lib/analyze/rows.js'
import {renderHtmlReport} from '../../src/lib/render/html.js'
import {reportTrees, type TreeNode} from '../../src/lib/render/html/tree.js'
import type {SlugReport} from '../../src/lib/analyze/report.js'
import {type Browser, launchBrowser, openPage, type WatchedPage} from './browser.js'
import {syntheticReport} from './synthetic-report.js'

const ARTIFACTS = join(process.cwd(), 'test-artifacts')

let browser: Browser
let dir: string

async function open(name: string, report: SlugReport, files?: FileRow[]): Promise<WatchedPage> {
  const path = join(dir, `${name}.html`)
  await writeFile(path, renderHtmlReport(report, {files}))
  return openPage(browser, pathToFileURL(path).href)
}

async function topNames(page: Page): Promise<string[]> {
  const cells = await page.locator('#treemap .cell[data-depth="1"]').all()
  return Promise.all(cells.map(async c => (await c.getAttribute('data-name'))!))
}

/** A cell's area as a share of the treemap's inside (the treemap has a 1px border). */
async function areaShare(page: Page, selector: string): Promise<number> {
  const box = (await page.locator(selector).boundingBox())!
  const map = (await page.locator('#treemap').boundingBox())!
  return (box.width * box.height) / ((map.width - 2) * (map.height - 2))
}

async function crumbs(page: Page): Promise<string[]> {
  return page.locator('#breadcrumb .crumb').allTextContents()
}

/** The path of a file drawn only as part of a "N small files" cell, and the folder that holds that cell. */
function fileInSmallCell(node: TreeNode, prefix = ''): undefined | {folder: string; path: string} {
  for (const c of node.children ?? []) {
    if (c.kind === 'small') return {folder: prefix, path: prefix ? `${prefix}/${c.members!.at(-1)}` : c.members!.at(-1)!}
    const found = fileInSmallCell(c, prefix ? `${prefix}/${c.name}` : c.name)
    if (found) return found
  }

  return undefined
}

/** Clicks a box's label strip: its middle is covered by what it holds. */
async function clickLabel(page: Page, selector: string): Promise<void> {
  await page.locator(selector).first().click({position: {x: 8, y: 6}})
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({fullPage: true, path: join(ARTIFACTS, `${name}.png`)})
}

describe('HTML report in Chromium', function () {
  this.timeout(120_000)
  const {files, report} = syntheticReport(2000)

  before(async () => {
    await mkdir(ARTIFACTS, {recursive: true})
    dir = await mkdtemp(join(tmpdir(), 'slug-report-'))
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await rm(dir, {force: true, recursive: true})
  })

  it('loads from disk with no console errors and no network, and draws one rectangle per top-level folder', async () => {
    const {errors, page, requests} = await open('slug', report, files)
    expect(errors).to.deep.equal([])
    expect(requests.every(u => u.startsWith('file://'))).to.equal(true)
    expect(requests).to.have.length(1)

    const expected = reportTrees(report, files).folder!.children!.filter(c => c.compressed > 0)
    expect(await topNames(page)).to.deep.equal(expected.map(c => c.name))
    expect(await crumbs(page)).to.deep.equal(['/app'])
    await screenshot(page, 'report-folder')
  })

  it('gives each rectangle an area in proportion to its compressed share', async () => {
    const {page} = await open('areas', report, files)
    const root = reportTrees(report, files).folder!
    const names = await topNames(page)
    expect(names.length).to.be.greaterThan(3)
    for (const name of names) {
      const node = root.children!.find(c => c.name === name)!
      expect(await areaShare(page, `#treemap .cell[data-depth="1"][data-name="${name}"]`), name).to.be.closeTo(node.compressed / root.compressed, 0.01)
    }
  })

  it('zooms into a folder on click and back out with the breadcrumb and Escape', async () => {
    const {errors, page} = await open('zoom', report, files)
    await clickLabel(page, '#treemap .cell[data-depth="1"][data-name="models"]')
    expect(await crumbs(page)).to.deep.equal(['/app', 'models'])
    expect(await topNames(page)).to.deep.equal(['classifier.h5', 'embeddings.npy'])

    await page.keyboard.press('Escape')
    expect(await crumbs(page)).to.deep.equal(['/app'])

    await clickLabel(page, '#treemap .cell[data-name$="site-packages"]')
    const path = await crumbs(page)
    expect(path.at(-1)).to.match(/site-packages$/)
    expect(await topNames(page)).to.include('tensorflow')
    await page.locator('#breadcrumb .crumb', {hasText: '/app'}).click()
    expect(await crumbs(page)).to.deep.equal(['/app'])
    expect(errors).to.deep.equal([])
  })

  it('shows the path, sizes and share of the slug on hover', async () => {
    const {page} = await open('hover', report, files)
    await page.locator('#treemap .cell[data-name="classifier.h5"]').hover()
    const tip = await page.locator('#tooltip').innerText()
    expect(tip).to.include('models/classifier.h5')
    expect(tip).to.match(/Compressed: 167 MB \(\d+\.\d% of the slug\)/)
    expect(tip).to.include('Uncompressed: 180 MB')
    expect(tip).to.include('Category: Models')
  })

  it('finds a file by search and zooms to it', async () => {
    const {errors, page} = await open('search', report, files)
    await page.fill('#search', 'embeddings')
    expect(await page.locator('#search-results li .path').allTextContents()).to.deep.equal(['models/embeddings.npy'])
    await page.press('#search', 'Enter')
    expect(await crumbs(page)).to.deep.equal(['/app', 'models'])
    expect(await page.locator('#treemap .cell.found').getAttribute('data-name')).to.equal('embeddings.npy')
    expect(await page.locator('#search-status').innerText()).to.equal('Found models/embeddings.npy')
    expect(errors).to.deep.equal([])
  })

  it('finds a file merged into a "small files" cell and highlights that cell', async () => {
    const {page} = await open('search-small', report, files)
    const small = fileInSmallCell(reportTrees(report, files).folder!)!
    expect(files.map(f => f.path)).to.include(small.path)
    await page.fill('#search', small.path.split('/').at(-1)!)
    await page.locator('#search-results li', {hasText: small.path}).click()
    const found = page.locator('#treemap .cell.found')
    expect(await found.getAttribute('data-kind')).to.equal('small')
    expect(await page.locator('#search-status').innerText()).to.include(small.path)
    expect(await page.locator('#treemap').getAttribute('data-current')).to.equal(small.folder)
  })

  it('lists the findings with their savings, as text (a file name cannot inject markup)', async () => {
    const {dialogs, page} = await open('findings', report, files)
    const items = page.locator('#findings > li')
    expect(await items.count()).to.equal(3)
    expect(await items.locator('.finding-title').allTextContents()).to.deep.equal([
      'Models committed to the repo',
      'tensorflow pulls GPU kernels a dyno cannot use',
      'Data files in the repo',
    ])
    expect(await items.first().locator('.savings').innerText()).to.equal('203 MB')
    expect(await items.nth(1).locator('.savings').innerText()).to.equal('~180 MB')
    expect(await items.nth(1).locator('.remedy code').allTextContents()).to.deep.equal(['tensorflow-cpu'])
    expect(await items.nth(1).locator('.remedy').innerText()).to.equal('Use tensorflow-cpu: dynos have no GPU.')
    expect(await items.nth(2).innerText()).to.include('<script>alert(1)</script>')
    expect(dialogs).to.deep.equal([])

    await items.first().locator('button.show').click()
    expect(await page.locator('#treemap .cell.found').getAttribute('data-name')).to.equal('classifier.h5')
    await items.nth(2).locator('button.show').click()
    expect(await crumbs(page)).to.deep.equal(['/app', 'data'])
    expect(await page.locator('#search-status').innerText()).to.equal('Opened data')
  })

  it('shows the compressed size against the 300 MB warning and 500 MB limit', async () => {
    const {page} = await open('sizebar', report, files)
    expect(await page.locator('#size-text').innerText()).to.match(/^\d+ MB compressed · \d+\.\d% of the 500 MB limit .* over the limit by /)
    expect(await page.locator('.mark .mark-label').allTextContents()).to.deep.equal(['300 MB warning', '500 MB limit'])
    const bar = (await page.locator('#bar').boundingBox())!
    const warning = (await page.locator('.mark.warning').boundingBox())!.x - bar.x
    const limit = (await page.locator('.mark.limit').boundingBox())!.x - bar.x
    expect(limit / warning).to.be.closeTo(500 / 300, 0.05)
  })

  it('toggles between folders and packages, and between compressed and uncompressed areas', async () => {
    const {errors, page} = await open('toggles', report, files)
    await page.click('#view-package')
    expect(await page.getAttribute('#view-package', 'aria-pressed')).to.equal('true')
    expect(await crumbs(page)).to.deep.equal(['All packages'])
    expect(await topNames(page)).to.deep.equal(['Python packages', 'Not in a package', 'Language runtime'])
    await clickLabel(page, '#treemap .cell[data-name="tensorflow 2.16.1"]')
    expect(await crumbs(page)).to.deep.equal(['All packages', 'Python packages', 'tensorflow 2.16.1'])
    await screenshot(page, 'report-package')

    await page.click('#view-folder')
    const share = async () => areaShare(page, '#treemap .cell[data-depth="1"][data-name="models"]')
    const compressed = await share()
    await page.click('#area-uncompressed')
    expect(await page.getAttribute('#area-uncompressed', 'aria-pressed')).to.equal('true')
    const uncompressed = await share()
    const root = reportTrees(report, files).folder!
    const models = root.children!.find(c => c.name === 'models')!
    expect(compressed).to.be.closeTo(models.compressed / root.compressed, 0.01)
    expect(uncompressed).to.be.closeTo(models.size / root.size, 0.01)
    expect(errors).to.deep.equal([])
  })

  it('draws a failed build log by package only, marked as a prediction', async () => {
    const buildLog: SlugReport = {
      ...report,
      files: [],
      findings: report.findings.slice(1, 2),
      totals: {...report.totals, files: 0, uncompressed: 0},
      kind: 'build-log',
      prediction: true,
      source: {app: 'example-app', buildId: '01234567-89ab-4cde-8f01-23456789abcd'},
    }
    const {errors, page} = await open('build-log', buildLog)
    expect(errors).to.deep.equal([])
    expect(await page.isDisabled('#view-folder')).to.equal(true)
    expect(await page.getAttribute('#view-package', 'aria-pressed')).to.equal('true')
    expect(await page.locator('#kind-badge').innerText()).to.equal('prediction')
    expect(await page.locator('#prediction').innerText()).to.include('predicted from a build log')
    expect(await topNames(page)).to.deep.equal(['Python packages', 'Rest of the slug (not in the log)', 'Language runtime'])
    expect(await page.locator('#source').innerText()).not.to.include('files')
    await screenshot(page, 'report-build-log')
  })

  it('draws a local repo prediction', async () => {
    const {errors, page} = await open('repo', {...report, kind: 'repo', prediction: true, source: {dir: '/src/example-app'}}, files)
    expect(errors).to.deep.equal([])
    expect(await page.locator('h1').innerText()).to.equal('Predicted slug of /src/example-app')
    expect(await page.locator('#prediction').innerText()).to.include('predicted from the local repo')
    expect(await page.locator('#treemap .cell[data-depth="1"]').count()).to.be.greaterThan(0)
  })

  it('stays usable with 100,000 files (render time is reported, not asserted)', async () => {
    const big = syntheticReport(100_000)
    const started = Date.now()
    const html = renderHtmlReport(big.report, {files: big.files})
    const buildMs = Date.now() - started
    const {errors, page} = await open('large', big.report, big.files)
    const renderedAt = await page.evaluate(() => (globalThis as unknown as {slugReportRenderedAt: number}).slugReportRenderedAt)
    const cells = await page.locator('#treemap .cell').count()
    console.log(`      100,000 files: page ${(html.length / 1e6).toFixed(1)} MB built in ${buildMs} ms; drawn in the browser ${Math.round(renderedAt)} ms after navigation start (${cells} cells)`)
    expect(errors).to.deep.equal([])
    expect(cells).to.be.within(1, 5000)

    const target = fileInSmallCell(reportTrees(big.report, big.files).folder!)!
    await page.fill('#search', target.path.split('/').at(-1)!)
    await page.locator('#search-results li', {hasText: target.path}).click()
    expect(await page.locator('#search-status').innerText()).to.include(target.path)
    expect(await page.locator('#treemap .cell.found').count()).to.equal(1)
    await screenshot(page, 'report-100k')
  })
})
