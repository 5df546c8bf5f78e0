import {expect} from 'chai'

import Diet from '../../../../src/commands/slug/diet.js'
import Inspect from '../../../../src/commands/slug/inspect.js'
import {evidenceChoice, evidenceFlags} from '../../../../src/lib/command/flags.js'

describe('command/flags: the evidence flags', () => {
  it('are one definition that slug:inspect and slug:diet both use', () => {
    for (const name of Object.keys(evidenceFlags) as Array<keyof typeof evidenceFlags>) {
      expect(Inspect.flags[name], name).to.equal(evidenceFlags[name])
      expect(Diet.flags[name], name).to.equal(evidenceFlags[name])
    }
  })

  it('name the evidence: a release parsed from v42, and no app when a local file or log is read', () => {
    expect(evidenceChoice({app: 'tf-demo', release: 'v42'})).to.deep.equal({app: 'tf-demo', build: undefined, file: undefined, log: undefined, release: 42, slugId: undefined})
    expect(evidenceChoice({app: 'tf-demo', file: 'slug.tgz'}).app).to.equal(undefined)
    expect(evidenceChoice({app: 'tf-demo', log: '-'}).app).to.equal(undefined)
    expect(() => evidenceChoice({release: 'latest'})).to.throw(/--release/)
  })
})
