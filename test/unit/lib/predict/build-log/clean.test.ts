import {expect} from 'chai'

import {cleanLogLines} from '../../../../../src/lib/predict/build-log/clean.js'

describe('predict/build-log/clean', () => {
  it('removes remote: prefixes, colour codes and erase-line codes', () => {
    const text = 'remote: \u001B[1m-----> Python app detected\u001B[0m\u001B[K\nremote:\u001B[K\nremote:  \u001B[1;31m!     Push failed\u001B[0m\n'
    expect(cleanLogLines(text)).to.deep.equal(['-----> Python app detected', '', ' !     Push failed'])
  })

  it('keeps only the last drawing of a line redrawn with carriage returns, and handles CRLF', () => {
    const text = 'remote:    ━━╸━━ 1.0/4.0 MB\rremote:    ━━━━━ 4.0/4.0 MB\r\nnext\r\n'
    expect(cleanLogLines(text)).to.deep.equal(['   ━━━━━ 4.0/4.0 MB', 'next'])
  })

  it('drops CI timestamps', () => {
    expect(cleanLogLines('2026-11-25T10:01:22.1234567Z remote: -----> Compressing...')).to.deep.equal(['-----> Compressing...'])
  })
})
