import {expect} from 'chai'

import {thrownMessage} from '../../../../helpers/rejection.js'

import {
  addManagedRules, BLOCK_BEGIN, BLOCK_END, managedRules, userRules, withManagedRules,
} from '../../../../../src/lib/analyze/slugignore/file.js'

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
    expect(managedRules(withManagedRules(user, ['/scratch/', '/x/']))).to.deep.equal(['/x/'])
    expect(withManagedRules(withManagedRules(user, ['/x/']), [])).to.equal(`${user}\n`)
  })

  it('writes markers that are single tokens, so Heroku\'s slug compiler (the file split on whitespace) reads no pattern in them', () => {
    const out = withManagedRules('#mine\n*.log\n/scratch/\n', ['/notebooks/'])
    for (const marker of [BLOCK_BEGIN, BLOCK_END]) {
      expect(marker).not.to.match(/\s/)
      expect(marker.startsWith('#')).to.equal(true)
    }

    const tokens = out.split(/\s+/).filter(Boolean).map(t => t.split('#')[0]).filter(Boolean)
    expect(tokens).to.deep.equal(['*.log', '/scratch/', '/notebooks/'])
  })

  it('recognises the markers earlier versions wrote and rewrites the block with the new ones, user lines kept', () => {
    const legacy = `${user}# >>> heroku-slug-diet: managed block, rewritten by \`heroku slug:diet\` and \`slug:offload-models\`\n/old/\n# <<< heroku-slug-diet\n# tail\n`
    expect(managedRules(legacy)).to.deep.equal(['/old/'])
    expect(withManagedRules(legacy, ['/new/'])).to.equal(`${user}${BLOCK_BEGIN}\n/new/\n${BLOCK_END}\n# tail\n`)
  })

  it('anchors rules with an inner / and refuses, with the reason, paths that cannot be one literal anchored token', () => {
    expect(managedRules(withManagedRules(undefined, ['models/clf.h5', 'nets/encoder/', '/a.bin']))).to.deep.equal(['/a.bin', '/models/clf.h5', '/nets/encoder/'])
    expect(thrownMessage(() => withManagedRules(undefined, ['/my model.h5']))).to.match(/^\.slugignore cannot hold "\/my model\.h5" .*: it has a space/)
    expect(thrownMessage(() => withManagedRules(undefined, ['/data#1/']))).to.match(/it has a "#"/)
    expect(thrownMessage(() => withManagedRules(undefined, ['/a/*.ipynb']))).to.match(/glob character/)
    expect(thrownMessage(() => withManagedRules(undefined, ['tests/']))).to.match(/not anchored/)
    expect(thrownMessage(() => addManagedRules(user, ['/my model.h5']))).not.to.contain('\n')
  })

  it('keeps CRLF line endings', () => {
    const crlf = '# mine\r\n/scratch/\r\n'
    const out = withManagedRules(crlf, ['/x/'])
    expect(out).to.equal(`# mine\r\n/scratch/\r\n\r\n${BLOCK_BEGIN}\r\n/x/\r\n${BLOCK_END}\r\n`)
    expect(managedRules(out)).to.deep.equal(['/x/'])
    expect(withManagedRules(out, ['/x/'])).to.equal(out)
  })

  it('keeps each of the user\'s lines byte for byte in a file with mixed line endings', () => {
    const mixed = '# mine\n/scratch/\r\n/old/\n'
    const out = withManagedRules(mixed, ['/x/'])
    expect(out.startsWith(mixed)).to.equal(true)
    expect(managedRules(out)).to.deep.equal(['/x/'])
    expect(withManagedRules(out, []).startsWith(mixed)).to.equal(true)
    expect(withManagedRules(out, ['/x/'])).to.equal(out)
  })

  describe('a block without its end marker: refused with the line, never guessed', () => {
    it('a stray begin marker followed by the user\'s lines', () => {
      const text = `# mine\n${BLOCK_BEGIN}\n/old/\n`
      expect(thrownMessage(() => withManagedRules(text, ['/x/']))).to.match(/^\.slugignore:2: the heroku-slug-diet block begins here but has no end marker; .* Nothing was written\.$/)
      expect(thrownMessage(() => managedRules(text))).to.match(/^\.slugignore:2:/)
      expect(thrownMessage(() => addManagedRules(text, ['/x/']))).to.match(/^\.slugignore:2:/)
    })

    it('a stray begin marker before a whole block, an old-style one too', () => {
      const text = `# >>> heroku-slug-diet: managed block, rewritten by \`heroku slug:diet\` and \`slug:offload-models\`\n/old/\n${BLOCK_BEGIN}\n/x/\n${BLOCK_END}\n`
      expect(thrownMessage(() => withManagedRules(text, ['/x/']))).to.match(/^\.slugignore:3: a second heroku-slug-diet block begins here/)
    })

    it('an end marker without a begin marker', () => {
      expect(thrownMessage(() => withManagedRules(`/a/\n${BLOCK_END}\n`, ['/x/']))).to.match(/^\.slugignore:2: a heroku-slug-diet end marker without its begin marker/)
      expect(thrownMessage(() => withManagedRules(`${BLOCK_BEGIN}\n${BLOCK_END}\n${BLOCK_END}\n`, ['/x/']))).to.match(/^\.slugignore:3:/)
    })
  })

  it('addManagedRules keeps the rules already in the block', () => {
    const withModel = addManagedRules(undefined, ['/models/big.h5'])
    expect(managedRules(addManagedRules(withModel, ['/data/']))).to.deep.equal(['/data/', '/models/big.h5'])
  })
})
