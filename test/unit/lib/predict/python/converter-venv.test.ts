import {expect} from 'chai'
import {chmod, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CONVERTER_PACKAGES, installConverter, TORCH_CPU_INDEX} from '../../../../../src/lib/predict/python/converter-venv.js'
import {rejection} from '../../../../helpers/rejection.js'

/**
 * A fake base Python: `-m venv DIR` makes DIR/bin/python, a fake whose pip writes a --report naming CUDA wheels as
 * FAKE_CUDA says (always, unless-cpu-index, never) and logs every call to LOG.
 */
const FAKE = String.raw`#!/usr/bin/env node
const fs = require('fs')
const path = require('path')
const args = process.argv.slice(2)
fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(args) + '\n')
if (args[0] === '-m' && args[1] === 'venv') {
  fs.mkdirSync(path.join(args[2], 'bin'), {recursive: true})
  fs.copyFileSync(__filename, path.join(args[2], 'bin', 'python'))
  fs.chmodSync(path.join(args[2], 'bin', 'python'), 0o755)
} else if (args.includes('--dry-run')) {
  const cpu = args.includes('--extra-index-url')
  const cuda = process.env.FAKE_CUDA === 'always' || (process.env.FAKE_CUDA === 'unless-cpu-index' && !cpu)
  const dist = (name) => ({download_info: {url: 'https://x/' + name + '.whl'}, metadata: {name, version: '1.0'}})
  const install = ['torch', 'keras', 'onnx', ...(cuda ? ['nvidia-cublas-cu12', 'triton'] : [])].map(dist)
  fs.writeFileSync(args[args.indexOf('--report') + 1], JSON.stringify({install}))
}
`

describe('predict/python/converter-venv', () => {
  let dir: string
  let base: string
  let log: string
  const calls = async () => (await readFile(log, 'utf8')).trim().split('\n').map(l => JSON.parse(l) as string[])

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'converter-venv-'))
    base = join(dir, 'python3')
    log = join(dir, 'log')
    await writeFile(base, FAKE)
    await chmod(base, 0o755)
    await writeFile(log, '')
  })

  afterEach(async () => {
    await rm(dir, {force: true, recursive: true})
  })

  const env = (cuda: string) => ({...process.env, FAKE_CUDA: cuda, FAKE_LOG: log})

  it('makes the virtualenv in the cache folder, installs the converter, and reuses it once complete', async () => {
    const python = await installConverter(join(dir, 'cache'), {env: env('never'), python: base})
    expect(python).to.equal(join(dir, 'cache', 'converter-venv', 'bin', 'python'))
    const steps = await calls()
    expect(steps.map(s => s.slice(0, 3).join(' '))).to.deep.equal([
      `-m venv ${join(dir, 'cache', 'converter-venv')}`,
      '-m pip install',
      '-m pip install',
      '-c import keras, torch, onnx, onnxscript, onnxruntime, h5py, numpy',
    ])
    expect(steps[2]).to.deep.equal(['-m', 'pip', 'install', '--only-binary=:all:', '--quiet', ...CONVERTER_PACKAGES])
    await installConverter(join(dir, 'cache'), {env: env('never'), python: base})
    expect(await calls()).to.have.length(4)
  })

  it('asks PyTorch\'s CPU index when the user\'s indexes would bring CUDA wheels', async () => {
    await installConverter(join(dir, 'cache'), {env: env('unless-cpu-index'), python: base})
    const install = (await calls()).find(s => s[2] === 'install' && !s.includes('--dry-run'))!
    expect(install).to.include.members(['--extra-index-url', TORCH_CPU_INDEX])
  })

  it('refuses when CUDA wheels come whatever the index, installing nothing', async () => {
    const error = await rejection(installConverter(join(dir, 'cache'), {env: env('always'), python: base}))
    expect(error.message).to.match(/^pip would install CUDA wheels \(nvidia-\*\) with torch from your indexes/)
    expect((await calls()).filter(s => s[2] === 'install' && !s.includes('--dry-run'))).to.deep.equal([])
  })
})
