import {expect} from 'chai'

import {replaceBlock} from '../../../scripts/readme-blocks.js'

const README = [
  '# App',
  '',
  'Prose before.',
  '<!-- demo:inspect -->',
  '```',
  'old output',
  'edited by hand',
  '```',
  '<!-- /demo:inspect -->',
  'Prose after, with a fence of its own:',
  '```',
  'kept',
  '```',
  '',
].join('\n')

describe('scripts/readme-blocks replaceBlock', () => {
  it('replaces the fence between the markers and keeps every line around them', () => {
    const out = replaceBlock(README, 'inspect', 'line 1\nline 2\n')!
    expect(out).to.equal(README.replace('old output\nedited by hand\n', 'line 1\nline 2\n'))
  })

  it('is idempotent: the same output twice gives the same README', () => {
    const once = replaceBlock(README, 'inspect', 'new\n')!
    expect(replaceBlock(once, 'inspect', 'new\n')).to.equal(once)
  })

  it('answers undefined for a block the README does not mark (or whose end marker is missing)', () => {
    expect(replaceBlock(README, 'diet', 'x\n')).to.equal(undefined)
    expect(replaceBlock(README.replace('<!-- /demo:inspect -->', ''), 'inspect', 'x\n')).to.equal(undefined)
  })
})
