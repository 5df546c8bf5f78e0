import {expect} from 'chai'

import {
  addManagedRules, BLOCK_BEGIN, BLOCK_END, managedRules, userRules, withManagedRules,
} from '../../../../src/lib/plan/slugignore-file.js'

describe('slugignore-file', () => {
  const user = '# my rules\n*.log\n\n/scratch/\n'

  it('creates the block in a new file, sorted and deduplicated', () => {
    expect(withManagedRules(undefined, ['/b.csv', '/a.csv', '/b.csv'])).to.equal(`${BLOCK_BEGIN}\n/a.csv\n/b.csv\n${BLOCK_END}\n`)
  })

  it('keeps the user\'s lines byte for byte and adds the block after them', () => {
    const out = withManagedRules(user, ['/notebooks/'])
    expect(out).to.equal(`${user}\n${BLOCK_BEGIN}\n/notebooks/\n${BLOCK_END}\n`)
    expect(userRules(out)).to.deep.equal(['*.log', '/scratch/'])
    expect(managedRules(out)).to.deep.equal(['/notebooks/'])
  })

  it('rewrites only the block, leaving lines after it in place, and is idempotent', () => {
    const once = `${withManagedRules(user, ['/a/'])}# tail comment\n`
    const twice = withManagedRules(once, ['/b/'])
    expect(twice).to.equal(`${user}\n${BLOCK_BEGIN}\n/b/\n${BLOCK_END}\n# tail comment\n`)
    expect(withManagedRules(twice, ['/b/'])).to.equal(twice)
  })

  it('leaves out rules the user already has, and removes an empty block', () => {
    expect(managedRules(withManagedRules(user, ['*.log', '/x/']))).to.deep.equal(['/x/'])
    expect(withManagedRules(withManagedRules(user, ['/x/']), [])).to.equal(`${user}\n`)
  })

  it('addManagedRules keeps the rules already in the block', () => {
    const withModel = addManagedRules(undefined, ['/models/big.h5'])
    expect(managedRules(addManagedRules(withModel, ['/data/']))).to.deep.equal(['/data/', '/models/big.h5'])
  })
})
