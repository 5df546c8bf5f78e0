import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {SlugSizeCache} from '../../../../src/lib/heroku/slug-sizes.js'
import type {SlugReport} from '../../../../src/lib/analyze/report.js'
import {addGrowth} from '../../../../src/lib/pipeline/growth.js'
import {growthLine} from '../../../../src/lib/render/report.js'
import {lazyPlatformApi} from '../../../helpers/platform-api.js'

const MB = 1e6
const slugId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

function report(compressed: number): SlugReport {
  return {
    findings: [], files: [], folders: [], kind: 'slug', notes: [], packages: [], prediction: false,
    source: {app: 'ml', release: 30, slugId: slugId(30)},
    totals: {compressed, files: 1, limit: 500 * MB, uncompressed: compressed, warning: 300 * MB},
  } as unknown as SlugReport
}

/** 15 releases newest first, v30 current: every third one a deploy (slug n), the others config changes. */
const releases = Array.from({length: 15}, (_, i) => {
  const version = 30 - i
  const deploy = version - ((version) % 3)
  return {current: i === 0, slug: {id: slugId(version === 30 ? 30 : deploy)}, status: 'succeeded', version}
})

const cache = () => new SlugSizeCache(join(mkdtempSync(join(tmpdir(), 'growth-')), 'slug-sizes.json'))

describe('pipeline/growth: the growth line of slug:inspect', () => {
  const platform = lazyPlatformApi()

  it('for a slug over the warning, reads the 10 newest releases\' slugs (not the current one: its size is known)', async () => {
    platform.api
    .get(`/apps/ml/slugs/${slugId(21)}`).reply(200, {size: 240 * MB})
    .get(`/apps/ml/slugs/${slugId(24)}`).reply(200, {size: 250 * MB})
    .get(`/apps/ml/slugs/${slugId(27)}`).reply(200, {size: 330 * MB})
    const r = report(340 * MB)
    await addGrowth(platform.heroku, r, releases, cache())
    expect(r.growth?.releases.map(x => x.version)).to.deep.equal([21, 22, 23, 24, 25, 26, 27, 28, 29, 30])
    expect(r.growth?.growth).to.equal(100 * MB)
    expect(growthLine(r.growth!)).to.equal('+100 MB over the last 10 releases (v21 to v30), +11.1 MB per release; biggest jump v27: +80.0 MB')
  })

  it('asks nothing for a slug under the warning', async () => {
    const r = report(299 * MB)
    await addGrowth(platform.heroku, r, releases, cache())
    expect(r).not.to.have.property('growth')
  })

  it('keeps the report when the API refuses a slug, with a note that says so', async () => {
    platform.api.get(`/apps/ml/slugs/${slugId(21)}`).reply(403, {id: 'forbidden', message: 'Nope.'})
    const r = report(340 * MB)
    await addGrowth(platform.heroku, r, releases, cache())
    expect(r).not.to.have.property('growth')
    expect(r.notes).to.deep.equal([`How the slug grew over its last releases is not shown: Access to slug ${slugId(21)} was refused: Nope.`])
  })
})
