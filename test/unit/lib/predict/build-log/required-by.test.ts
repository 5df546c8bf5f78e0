import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {parseBuildLog} from '../../../../../src/lib/predict/build-log/parse.js'
import {parseRequiredByLine} from '../../../../../src/lib/predict/build-log/pip.js'
import {reportFromBuildLog} from '../../../../../src/lib/predict/build-log/report.js'

const fixtures = fileURLToPath(new URL('../../../../fixtures/build-logs/', import.meta.url))

describe('buildlog: who required what', () => {
  it('reads the requiring package from Collecting and Requirement already satisfied lines', () => {
    expect(parseRequiredByLine('       Collecting tensorflow<2.19,>=2.18 (from tf-keras==2.18.0->-r requirements.txt (line 2))')).to.deep.equal({name: 'tensorflow', requiredBy: 'tf-keras'})
    expect(parseRequiredByLine('Collecting MarkupSafe>=2.0 (from Jinja2>=3.1.2->Flask==3.1.0->-r requirements.txt (line 1))')).to.deep.equal({name: 'markupsafe', requiredBy: 'jinja2'})
    expect(parseRequiredByLine('Requirement already satisfied: tensorflow<2.19,>=2.18 in ./.heroku/python/lib/python3.12/site-packages (from tf-keras==2.18.0->-r requirements.txt (line 2)) (2.18.0)')).to.deep.equal({name: 'tensorflow', requiredBy: 'tf-keras'})
    expect(parseRequiredByLine('Collecting numpy>=1.0 (from Tensorflow_Text[all]==2.18.0)')).to.deep.equal({name: 'numpy', requiredBy: 'tensorflow-text'})
  })

  it('gives nothing for top-level requirements and other lines', () => {
    expect(parseRequiredByLine('Collecting tf-keras==2.18.0 (from -r requirements.txt (line 2))')).to.equal(undefined)
    expect(parseRequiredByLine('Requirement already satisfied: pip in ./.heroku/python/lib/python3.12/site-packages (24.3.1)')).to.equal(undefined)
    expect(parseRequiredByLine('Collecting numpy')).to.equal(undefined)
    expect(parseRequiredByLine('Downloading numpy-2.0.2.whl (16 MB)')).to.equal(undefined)
    expect(parseRequiredByLine('Collecting x (from ')).to.equal(undefined)
  })

  it('stays linear on a long hostile line', () => {
    const started = performance.now()
    parseRequiredByLine(`Collecting a${' (from '.repeat(20_000)}`)
    parseRequiredByLine(`Requirement already satisfied: ${'a'.repeat(100_000)}`)
    expect(performance.now() - started).to.be.below(200)
  })

  it('refuses a swap the log shows another package requires (ultralytics -> opencv-python)', () => {
    const log = parseBuildLog(readFileSync(`${fixtures}tf-keras.log`, 'utf8'))
    expect(log.requiredBy).to.deep.include.members([
      {name: 'tensorflow', requiredBy: 'tf-keras'},
      {name: 'opencv-python', requiredBy: 'ultralytics'},
    ])
    const opencv = reportFromBuildLog(log, {file: 'tf-keras.log'}).findings.find(f => f.id === 'heavy-package:opencv-python')!
    expect(opencv).to.deep.include({blockedBy: ['ultralytics'], savings: 0})
    expect(opencv.command).to.equal(undefined)
  })
})
