import {expect} from 'chai'
import {chmod, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {knowledgeFindings} from '../../../../src/lib/analyze/package-findings.js'
import type {SlugReport} from '../../../../src/lib/analyze/report.js'
import type {PackageRow} from '../../../../src/lib/analyze/rows.js'
import {checkInference} from '../../../../src/lib/pipeline/inference-check.js'

const tf: PackageRow = {compressed: 300e6, ecosystem: 'python', evidence: 'installed', files: 1, name: 'tensorflow-cpu', size: 300e6, version: '2.21.0'}
const report = {findings: knowledgeFindings([tf])} as unknown as SlugReport

/** A fake Python answering as python/app_uses.py, with `other` as TensorFlow's other uses. */
async function fakePython(dir: string, other: unknown[]): Promise<string> {
  const uses = {
    addImport: [], edits: [], removeImports: [],
    frameworks: {tensorflow: {imported: true, inferenceOnly: other.length === 0, loads: [{file: 'app.py', line: 5, model: 'm.h5'}], otherUses: other}},
  }
  const path = join(dir, 'python')
  await writeFile(path, `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(uses)}\nJSON\n`)
  await chmod(path, 0o755)
  return path
}

describe('pipeline/inference-check', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inference-check-'))
  })

  afterEach(async () => {
    await rm(dir, {force: true, recursive: true})
  })

  it('turns the finding definite when the app\'s code only loads and calls models', async () => {
    const checked = await checkInference(report, dir, await fakePython(dir, []))
    const finding = checked.findings.find(f => f.kind === 'inference-runtime')
    expect(finding?.title).to.match(/^The app only runs inference with TensorFlow: ONNX Runtime would save ~/)
    expect(finding?.evidence.at(-1)).to.equal('the app\'s code only loads models and calls them (app.py:5), read with Python\'s ast')
  })

  it('removes the finding when the app uses the framework for more, and leaves it without a Python', async () => {
    const checked = await checkInference(report, dir, await fakePython(dir, [{code: 'model.fit(x, y)', file: 'train.py', line: 9}]))
    expect(checked.findings.filter(f => f.kind === 'inference-runtime')).to.deep.equal([])
    expect(await checkInference(report, dir, 'none')).to.equal(report)
    expect(await checkInference(report, dir, join(dir, 'no-python'))).to.equal(report)
  })
})
