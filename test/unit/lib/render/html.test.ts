import {expect} from 'chai'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Inspect from '../../../../src/commands/slug/inspect.js'
import {escapeHtml, renderHtmlReport, scriptJson, writeHtmlReport} from '../../../../src/lib/render/html.js'
import type {SlugReport} from '../../../../src/lib/analyze/report.js'
import {UserError} from '../../../../src/lib/shared/errors.js'
import {syntheticReport} from '../../../browser/synthetic-report.js'
import {runCommand} from '../../../helpers/run-command.js'
import {buildSlug, incompressible} from '../../../helpers/slug-builder.js'
import {rejection} from '../../../helpers/rejection.js'

function embedded(html: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`).exec(html)
  if (!m) throw new Error(`no #${id} in the page`)
  return JSON.parse(m[1])
}

describe('render/html', () => {
  describe('scriptJson', () => {
    it('leaves no way to close the script element or open a comment, and parses back to the same value', () => {
      const value = {name: '</script><script>alert(1)</script>', other: '<!-- x -->', amp: 'a & b', ls: 'a\u2028b\u2029c'}
      const text = scriptJson(value)
      expect(text).not.to.match(/<|>/)
      expect(text).not.to.include('\u2028')
      expect(JSON.parse(text)).to.deep.equal(value)
    })
  })

  it('escapeHtml escapes markup characters', () => {
    expect(escapeHtml('<a href="x">\'&\'</a>')).to.equal('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;')
  })

  describe('renderHtmlReport', () => {
    const {files, report} = syntheticReport(500)

    it('embeds the report unchanged, the same object --json prints', () => {
      const html = renderHtmlReport(report, {files})
      expect(JSON.stringify(embedded(html, 'slug-report'))).to.equal(JSON.stringify(report))
    })

    it('is self-contained: no external script, style, image or link, and a policy that forbids fetching any', () => {
      const html = renderHtmlReport(report, {files})
      expect(html).not.to.match(/<script[^>]+src=/i)
      expect(html).not.to.match(/<link/i)
      expect(html).not.to.match(/<img/i)
      expect(html).not.to.match(/https?:\/\/(?!pypi\.org)/)
      expect(html).to.include('content="default-src \'none\'; script-src \'unsafe-inline\'')
      expect(html).to.include('function formatBytes(')
    })

    it('keeps hostile file names inside the data', () => {
      const hostile = {...files[0], path: 'models/x</script><script>alert(1)<!--.h5'}
      const html = renderHtmlReport(report, {files: [hostile, ...files.slice(1)]})
      expect(html.match(/<script/g)).to.have.length(3)
      expect(html.match(/<\/script>/g)).to.have.length(3)
      type Cell = {name: string; children?: Cell[]}
      const page = embedded(html, 'slug-page') as {trees: {folder: Cell}}
      const models = page.trees.folder.children!.find(c => c.name === 'models')!
      const dir = models.children!.find(c => c.name === 'x<')!
      expect(dir.children!.map(c => c.name)).to.deep.equal(['script><script>alert(1)<!--.h5'])
    })

    it('titles the page by where the report came from, escaped', () => {
      expect(renderHtmlReport(report)).to.include('<title>Slug of example-app v42</title>')
      expect(renderHtmlReport({...report, kind: 'repo', prediction: true, source: {dir: '<repo>'}})).to.include('<title>Predicted slug of &#60;repo&#62;</title>')
      expect(renderHtmlReport({...report, files: [], kind: 'build-log', prediction: true, source: {app: 'a', buildId: 'b1'}})).to.include('<title>Predicted slug of a (build log of b1)</title>')
    })

    it('has no folder tree for a build log (it lists packages, not files)', () => {
      const html = renderHtmlReport({...report, files: [], kind: 'build-log', prediction: true})
      const page = embedded(html, 'slug-page') as {trees: {folder?: unknown; package: unknown}}
      expect(page.trees.folder).to.equal(undefined)
      expect(page.trees.package).to.be.an('object')
    })
  })

  it('writeHtmlReport says in one line why it cannot write', async () => {
    const {report} = syntheticReport(10)
    const error = await rejection(writeHtmlReport('/nonexistent-dir/report.html', report))
    expect(error).to.be.instanceOf(UserError)
    expect(error.message).to.equal('Cannot write the HTML report to /nonexistent-dir/report.html: its folder does not exist (ENOENT).')
    const dir = await mkdtemp(join(tmpdir(), 'html-dir-'))
    const onDir = await rejection(writeHtmlReport(dir, report))
    expect(onDir.message).to.equal(`Cannot write the HTML report to ${dir}: it is a directory: give a file path (EISDIR).`)
  })

  it('writeHtmlReport says in one line that the disk is full (ENOSPC, injected)', async () => {
    const {report} = syntheticReport(10)
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
    const error = await rejection(writeHtmlReport('/tmp/r.html', report, {}, () => Promise.reject(full)))
    expect(error).to.be.instanceOf(UserError)
    expect(error.message).to.equal('Cannot write the HTML report to /tmp/r.html: the disk is full (ENOSPC).')
  })

  it('slug:inspect --file --html writes the page with every file of the slug, and the same report as --json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'html-inspect-'))
    try {
      const many = Array.from({length: 30}, (_, i) => ({content: `print(${i})\n`, path: `./app/pkg/m${i}.py`}))
      await writeFile(join(dir, 'slug.tgz'), buildSlug([{content: incompressible(200_000), path: './app/models/m.onnx'}, ...many]))
      const html = join(dir, 'report.html')
      const run = await runCommand<SlugReport>(Inspect, ['--file', join(dir, 'slug.tgz'), '--html', html, '--top', '5', '--json'])
      expect(run.exitCode).to.equal(0)
      const page = await readFile(html, 'utf8')
      expect(JSON.stringify(embedded(page, 'slug-report'))).to.equal(JSON.stringify(run.result))
      const {trees} = (embedded(page, 'slug-page') as {trees: {folder: {files: number}}})
      expect(run.result!.files).to.have.length(5)
      expect(trees.folder.files).to.equal(31)
    } finally {
      await rm(dir, {force: true, recursive: true})
    }
  })

  it('writeHtmlReport writes the page to the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'html-report-'))
    try {
      const {report} = syntheticReport(50)
      const path = join(dir, 'report.html')
      await writeHtmlReport(path, report)
      expect(await readFile(path, 'utf8')).to.equal(renderHtmlReport(report))
    } finally {
      await rm(dir, {force: true, recursive: true})
    }
  })
})
