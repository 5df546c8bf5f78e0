import {expect} from 'chai'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {classify} from '../../../src/lib/analyze/classify.js'
import {readDistributions} from '../../../src/lib/source/site-packages.js'
import {buildReferenceIndex} from '../../../src/lib/plan/diet/references.js'
import {SlugScanner} from '../../../src/lib/scan/scanner.js'
import {buildSlug} from '../../helpers/slug-builder.js'

/*
 * Text from a slug, a site-packages folder or a repository is untrusted: the patterns read over it must take
 * time linear in it. Each case below is a long run that made a pattern backtrack for seconds (minutes on the
 * 8 MB a captured file may hold).
 */
const RUN = 200_000
const SITE = './app/.heroku/python/lib/python3.12/site-packages'

describe('patterns over untrusted text', function () {
  this.timeout(2000)

  it('reads a METADATA header with a long run of spaces in a slug', () => {
    const metadata = `Metadata-Version: 2.1\nName: NumPy\nVersion: 1.26.4${' '.repeat(RUN)}x\n\nbody`
    const scanner = new SlugScanner()
    scanner.write(buildSlug([
      {content: metadata, path: `${SITE}/numpy-1.26.4.dist-info/METADATA`},
      {content: 'numpy/__init__.py,,\n', path: `${SITE}/numpy-1.26.4.dist-info/RECORD`},
      {content: 'x = 1\n', path: `${SITE}/numpy/__init__.py`},
    ]))
    const {packages} = classify(scanner.end())
    expect(packages.map(p => p.name)).to.include('numpy')
  })

  it('reads a METADATA header with a long run of spaces in a site-packages folder', async () => {
    const site = mkdtempSync(join(tmpdir(), 'site-'))
    mkdirSync(join(site, 'numpy-1.26.4.dist-info'))
    writeFileSync(join(site, 'numpy-1.26.4.dist-info', 'METADATA'), `Name: numpy${' '.repeat(RUN)}x\nVersion: 1.26.4\n`)
    writeFileSync(join(site, 'numpy-1.26.4.dist-info', 'RECORD'), 'numpy/__init__.py,,\n')
    const [dist] = await readDistributions(site)
    expect(dist.version).to.equal('1.26.4')
  })

  it('indexes a minified source line of one long word', () => {
    const index = buildReferenceIndex({'static/app.min.js': `${'a'.repeat(RUN)} models/model.h5 ${'b@'.repeat(RUN / 2)}`})
    expect(index.has('models/model.h5')).to.equal(true)
  })

  it('reads a gem folder name with many version-like parts', () => {
    const name = `${'a-1'.repeat(RUN / 3)}\n`
    const scanner = new SlugScanner()
    scanner.write(buildSlug([{content: 'x', longName: 'pax', path: `./app/vendor/bundle/ruby/3.3.0/gems/${name}/lib/x.rb`}]))
    expect(classify(scanner.end()).files).to.have.length(1)
  })
})
