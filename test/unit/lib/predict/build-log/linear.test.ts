import {expect} from 'chai'

import {MAX_LOG_LINE_CHARS, parseBuildLog} from '../../../../../src/lib/predict/build-log/parse.js'
import {reportFromBuildLog} from '../../../../../src/lib/predict/build-log/report.js'

/*
 * Every pattern the parser applies to a log line must take time linear in the line: a log is untrusted text,
 * and a regex with overlapping quantifiers (\s* next to [^(]*?, say) backtracks for minutes on one crafted line.
 * Each case below is a known line start followed by a long run of one filler and an ending that makes the
 * match fail late; a quadratic pattern takes seconds on any one of them.
 */
const STARTS = [
  'remote:        Collecting x',
  'Collecting x',
  'Collecting x[a',
  'Collecting x ; a',
  'Downloading x',
  'Downloading x.whl',
  'Using cached x',
  '      Downloaded x',
  ' + x',
  ' + x==1',
  ' !',
  ' !     Warning',
  '-----> ',
  '-----> Using Python 3',
  '-----> No Python version was specified. Using the buildpack default: python-3',
  '-----> Installing python-3.12',
  '       Done: 1',
  'Compiled slug size: 1',
  'Your slug size (1',
  "Requested runtime 'python-3",
  'Deleting 1',
  '━━━━ 1/2',
  '━━━━ 1',
  '|',
  '|██ 1',
  'Successfully installed',
  'Requirement already satisfied:',
  'ERROR:',
  '2024-01-01T00:00:00',
  '\u001B[',
  '\u001B]',
]
const FILLERS = [' ', '\t', '1', '.', 'a', '(', '=', '\u2028', '█', '━', '\u001B[']
const ENDS = ['(z', 'x', '\u2028', ')']
/** long enough that a quadratic pattern takes far longer than LINE_MS on one line, short enough to run them all */
const RUN = 12_000
const LINE_MS = 100

describe('predict/build-log/parse on hostile lines', function () {
  this.timeout(2000)

  it('reads `Collecting x` + 1,000 spaces + `(z` at once (it backtracked for over a minute)', () => {
    // not a Collecting line (the parenthesis is not "(from ...)"), and known at once
    const log = parseBuildLog(`remote:        Collecting x${' '.repeat(1000)}(z\nremote:        Collecting y${' '.repeat(1000)}(from z)\n`)
    expect(log.requirements.map(r => [r.name, r.requiredBy])).to.deep.equal([['y', 'z']])
  })

  for (const start of STARTS) {
    it(`stays linear on long runs after ${JSON.stringify(start)}`, () => {
      for (const filler of FILLERS) {
        for (const end of ENDS) {
          // after "Compressing..." so that the "Done: SIZE" pattern is tried too
          const text = `-----> Compressing...\n${start}${filler.repeat(RUN)}${end}\n`
          const started = performance.now()
          const log = parseBuildLog(text)
          const ms = performance.now() - started
          expect(log.totalLines, JSON.stringify([filler, end])).to.be.greaterThan(0)
          expect(ms, `${JSON.stringify(start + filler + end)}: ${ms.toFixed(0)} ms`).to.be.lessThan(LINE_MS)
        }
      }
    })
  }

  it('skips a 40 MB line and says so in the report', () => {
    const huge = `Collecting x${' '.repeat(40 * 1000 * 1000)}(z`
    const log = parseBuildLog(`-----> Building on the Heroku-24 stack\n${huge}\n       Downloading numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.whl (18.0 MB)\n`)
    expect(log.longLinesSkipped).to.equal(1)
    expect(log.downloads.map(d => d.name)).to.deep.equal(['numpy'])
    const report = reportFromBuildLog(log, {file: 'push.log'})
    expect(report.notes.join('\n')).to.include(`1 line longer than ${MAX_LOG_LINE_CHARS.toLocaleString('en-US')} characters was skipped`)
  })
})
