import {expect} from 'chai'

import {terminalSafe, terminalSafeDeep, terminalSafeLines} from '../../../../src/lib/shared/terminal-safe.js'

describe('shared/terminal-safe', () => {
  it('shows escape sequences, line breaks, C1 controls and bidi overrides as text', () => {
    expect(terminalSafe('models/\u001B[31mred\u001B[0m.h5')).to.equal(String.raw`models/\e[31mred\e[0m.h5`)
    expect(terminalSafe('a\nb\rc\u0007d\u009Be\u007F')).to.equal(String.raw`a\nb\rc\x07d\x9be\x7f`)
    expect(terminalSafe('invoice\u202Efdp.exe')).to.equal(String.raw`invoice\u202efdp.exe`)
  })

  it('keeps tabs, non-ASCII names and plain text as they are', () => {
    expect(terminalSafe('café/模型\t.h5')).to.equal('café/模型\t.h5')
  })

  it('keeps the newlines of a multi-line text', () => {
    expect(terminalSafeLines('+a\u001B\n-b\n')).to.equal('+a\\e\n-b\n')
  })

  it('copies a renderer\'s data with every string made safe, buffers and numbers kept', () => {
    const peek = Buffer.from([0x1b])
    const data = {files: [{path: 'x\u001B', peek, size: 3}], notes: ['n\u0007'], changes: [{diff: 'a\u001B\nb', path: 'p\n'}]}
    const safe = terminalSafeDeep(data, ['diff'])
    expect(safe).to.deep.equal({files: [{path: String.raw`x\e`, peek, size: 3}], notes: [String.raw`n\x07`], changes: [{diff: 'a\\e\nb', path: String.raw`p\n`}]})
    expect(safe.files[0].peek).to.equal(peek)
    expect(data.files[0].path).to.equal('x\u001B')
  })
})
