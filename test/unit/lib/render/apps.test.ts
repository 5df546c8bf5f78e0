import {expect} from 'chai'

import {appSlug, appsReport} from '../../../../src/lib/analyze/apps.js'
import {slugGrowth} from '../../../../src/lib/analyze/growth.js'
import {headline, renderApps} from '../../../../src/lib/render/apps.js'
import {printedBy} from '../../../helpers/printed.js'

const MB = 1e6
const cedar = (name: string, size: null | number) => appSlug({generation: {name: 'cedar'}, name, slug_size: size, stack: {name: 'heroku-24'}})

function printed(report: ReturnType<typeof appsReport>): string {
  return printedBy(print => renderApps(report, print))
}

describe('render/apps', () => {
  it('words the headline from the counts', () => {
    expect(headline(appsReport({kind: 'all'}, [cedar('a', 10 * MB)]))).to.equal('No app is over the 300 MB warning.')
    expect(headline(appsReport({kind: 'all'}, [cedar('a', 301 * MB)]))).to.equal('1 app over the 300 MB warning.')
    const grown = {...cedar('b', 460 * MB), history: slugGrowth([{size: 400 * MB, slugId: 'x', version: 1}, {size: 460 * MB, slugId: 'y', version: 2}])}
    expect(headline(appsReport({kind: 'all'}, [grown, cedar('c', 501 * MB), cedar('d', 320 * MB)])))
    .to.equal('3 apps over the 300 MB warning, 1 within 10% of the 500 MB limit, 1 over the 500 MB limit; fastest growing: b (+60.0 MB over 2 releases).')
  })

  it('shows control characters in names from the API as text', () => {
    const out = printed(appsReport({kind: 'team', team: 'ac\u001B[2Jme'}, [cedar('evil\u001B[31m\u0007', 10 * MB)]))
    expect(out).not.to.include('\u001B')
    expect(out).not.to.include('\u0007')
    expect(out).to.include(String.raw`=== Slugs of team ac\e[2Jme (1 app)`)
    expect(out).to.include(String.raw`evil\e[31m\x07`)
  })
})
