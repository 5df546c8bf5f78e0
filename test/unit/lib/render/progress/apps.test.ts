import {expect} from 'chai'
import {Writable} from 'node:stream'

import {appsProgress} from '../../../../../src/lib/render/progress/apps.js'

/** A terminal-like stream that keeps what was written. */
function terminal(isTTY: boolean): NodeJS.WriteStream & {text: () => string} {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  return Object.assign(stream, {
    clearLine: (_dir: number, cb?: () => void) => cb?.() ?? true,
    columns: 100,
    cursorTo: (_x: number, _y?: unknown, cb?: () => void) => (typeof _y === 'function' ? (_y as () => void)() : cb?.()) ?? true,
    isTTY,
    moveCursor: (_x: number, _y: number, cb?: () => void) => cb?.() ?? true,
    text: () => chunks.join(''),
  }) as unknown as NodeJS.WriteStream & {text: () => string}
}

describe('render/apps-progress', () => {
  it('counts the listing up page by page, then shows the histories as a bar of apps', () => {
    const stream = terminal(true)
    const progress = appsProgress(true, stream)!
    progress.listed(1000, 1)
    progress.listed(1500, 2)
    progress.history(0, 40)
    progress.history(40, 40)
    progress.stop()
    expect(stream.text()).to.include('Listing apps: 1,000 so far, page 1')
    expect(stream.text()).to.include('Reading release histories')
    expect(stream.text()).to.include('40/40 apps')
  })

  it('says nothing with --json or when stderr is not a terminal', () => {
    expect(appsProgress(false, terminal(true))).to.equal(undefined)
    expect(appsProgress(true, terminal(false))).to.equal(undefined)
  })
})
