import {expect} from 'chai'

import type {Finding, PackageRow} from '../../../../src/lib/analyze/rows.js'
import {limitStatus, renderReport} from '../../../../src/lib/render/report.js'
import {SLUG_LIMIT, SLUG_WARNING, type SlugReport} from '../../../../src/lib/analyze/report.js'
import {printedBy} from '../../../helpers/printed.js'

function report(compressed: number, packages: PackageRow[] = []): SlugReport {
  return {
    categories: [],
    files: [],
    findings: [],
    folders: [],
    kind: 'slug',
    notes: [],
    origins: {buildpack: {compressed: 0, files: 0, size: 0}, repo: {compressed: 0, files: 0, size: 0}},
    packages,
    prediction: false,
    source: {file: 'slug.tgz'},
    totals: {compressed, files: 0, limit: SLUG_LIMIT, uncompressed: 0, warning: SLUG_WARNING},
  }
}

function capture(r: SlugReport, options?: {maxPackages?: number}): string {
  return printedBy(print => renderReport(r, print, options))
}

function finding(savings: number, estimated: boolean): Finding {
  return {estimated, evidence: [], id: `f${savings}`, kind: 'caches', remedy: 'r', savings, severity: 'high', title: 't'}
}

describe('terminal report', () => {
  it('places the compressed size against the 300 MB warning and the 500 MB limit', () => {
    const r = report(0)
    expect(limitStatus(120e6, r)).to.equal('24.0% of the 500 MB limit')
    expect(limitStatus(312e6, r)).to.equal('62.4% of the 500 MB limit: over the 300 MB warning, boots may be slow')
    expect(limitStatus(572.9e6, r)).to.equal('114.6% of the 500 MB limit: over by 72.9 MB, Heroku rejects this build')
  })

  it('lists at most maxPackages packages and says how many more --json has', () => {
    const packages = ['tensorflow', 'numpy', 'keras'].map((name, i) => ({
      compressed: (3 - i) * 1e6, ecosystem: 'python' as const, evidence: 'installed' as const, files: 1, name, size: (3 - i) * 2e6,
    }))
    const out = capture(report(10e6, packages), {maxPackages: 2})
    expect(out).to.match(/tensorflow\s+python\s+6\.0 MB\s+3\.0 MB\s+30\.0%/)
    expect(out).to.include('numpy')
    expect(out).not.to.include('keras')
    expect(out).to.include('...and 1 smaller packages (--top to show more, --json lists them all)')
  })

  it('reads the totals line unambiguously: what the findings save, then what the slug would be', () => {
    const measured = {...report(935e6), findings: [finding(500e6, false), finding(44e6, false)]}
    expect(capture(measured)).to.include('All findings together save 544 MB compressed: the slug would be 391 MB, 78.2% of the 500 MB limit: over the 300 MB warning, boots may be slow.\n')
    const estimated = {...report(500e6), findings: [finding(300e6, true)]}
    expect(capture(estimated)).to.include('All findings together save about 300 MB compressed: the slug would be about 200 MB, 40.0% of the 500 MB limit.\n')
  })

  it('says so when there are no findings', () => {
    expect(capture(report(1e6))).to.include('No findings: nothing in this slug has a known lighter remedy.')
  })
})
