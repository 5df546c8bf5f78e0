import {expect} from 'chai'
import {rmSync} from 'node:fs'

import Inspect from '../../../../src/commands/slug/inspect.js'
import {INSTALL_FACTOR, runtimeSize} from '../../../../src/lib/knowledge/python-stack.js'
import type {SlugReport} from '../../../../src/lib/analyze/report.js'
import {committedRepo} from '../../../helpers/git-repo.js'
import {runCommand} from '../../../helpers/run-command.js'

const wheel = (file: string, size: number) => `    { url = "https://files.pythonhosted.org/packages/ab/cd/${file}", hash = "sha256:00", size = ${size} },`
const pkg = (name: string, version: string, wheels: string[], deps: string[] = []) => [
  '[[package]]',
  `name = "${name}"`,
  `version = "${version}"`,
  'source = { registry = "https://pypi.org/simple" }',
  ...(deps.length > 0 ? ['dependencies = [', ...deps.map(d => `    ${d},`), ']'] : []),
  'wheels = [',
  ...wheels,
  ']',
  '',
].join('\n')

/** A uv.lock in uv's own layout (see test/fixtures/uv/ci_uv.uv.lock): sizes as uv records them. */
function uvLock(): string {
  return [
    'version = 1',
    'revision = 3',
    'requires-python = ">=3.12"',
    '',
    '[[package]]',
    'name = "tf-app"',
    'version = "0.1.0"',
    'source = { virtual = "." }',
    'dependencies = [',
    '    { name = "tensorflow", extra = ["and-cuda"] },',
    '    { name = "pywin32", marker = "sys_platform == \'win32\'" },',
    ']',
    '',
    '[package.dev-dependencies]',
    'dev = [',
    '    { name = "pytest" },',
    ']',
    '',
    pkg('tensorflow', '2.16.1', [
      wheel('tensorflow-2.16.1-cp312-cp312-macosx_12_0_arm64.whl', 227_000_000),
      wheel('tensorflow-2.16.1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 589_800_000),
    ], ['{ name = "numpy" }']),
    '[package.optional-dependencies]\nand-cuda = [\n    { name = "nvidia-cublas-cu12" },\n]\n',
    pkg('numpy', '1.26.4', [wheel('numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 17_900_000)]),
    pkg('nvidia-cublas-cu12', '12.3.4.1', [wheel('nvidia_cublas_cu12-12.3.4.1-py3-none-manylinux1_x86_64.whl', 412_600_000)]),
    pkg('pytest', '8.2.0', [wheel('pytest-8.2.0-py3-none-any.whl', 339_000)]),
    pkg('pywin32', '306', [wheel('pywin32-306-cp312-cp312-win_amd64.whl', 9_200_000)]),
  ].join('\n')
}

describe('slug:inspect --dir: dependencies resolved for the Heroku stack', () => {
  const saved = process.env.HEROKU_SLUG_DIET_PYTHON
  let repo: string

  beforeEach(() => {
    repo = committedRepo({'.python-version': '3.12\n', Procfile: 'web: gunicorn app:app\n', 'app.py': 'import tensorflow\n', 'pyproject.toml': '[project]\nname = "tf-app"\n', 'uv.lock': uvLock()})
  })

  afterEach(() => {
    process.env.HEROKU_SLUG_DIET_PYTHON = saved
    rmSync(repo, {force: true, recursive: true})
  })

  it('reads uv.lock for Linux x86_64 and CPython 3.12: wheel sizes, the runtime, totals and findings, all estimates', async () => {
    process.env.HEROKU_SLUG_DIET_PYTHON = 'python3'
    const {result, stdout} = await runCommand<SlugReport>(Inspect, ['--dir', repo])
    const rows = new Map(result!.packages.map(p => [p.name, p]))
    expect([...rows.keys()].sort()).to.deep.equal(['numpy', 'nvidia-cublas-cu12', 'python', 'tensorflow'])
    expect(rows.get('tensorflow')).to.include({compressed: Math.round(589_800_000 * INSTALL_FACTOR.factor), size: 589_800_000, version: '2.16.1'})
    expect(rows.get('python')).to.include({compressed: runtimeSize('3.12').compressed, ecosystem: 'runtime', version: '3.12'})
    const packages = result!.packages.reduce((sum, p) => sum + p.compressed, 0)
    expect(result!.totals.compressed).to.be.above(packages).and.below(packages + 1000)
    expect(result!.totals.compressed).to.be.above(500e6)

    expect(result!.findings.map(f => f.id)).to.include('heavy-package:tensorflow')
    const heavy = result!.findings.find(f => f.id === 'heavy-package:tensorflow')!
    expect(heavy.packages).to.deep.equal(['tensorflow'])
    const cuda = result!.findings.find(f => f.id === 'cuda-on-dyno')!
    expect(cuda).to.include({estimated: true, savings: Math.round(412_600_000 * INSTALL_FACTOR.factor)})
    expect(heavy.evidence[0]).to.equal('tensorflow 2.16.1: 620 MB compressed (estimate, from its 590 MB wheel)')

    expect(stdout).to.include('Compressed:   1.1 GB (estimate), 218.3% of the 500 MB limit: over by 591 MB, Heroku rejects this build')
    expect(stdout).to.include('Python dependencies resolved for heroku-24 (Linux x86_64, manylinux up to glibc 2.39) and CPython 3.12 (.python-version), binary wheels only, by uv.lock')
    expect(stdout).to.match(/python 3\.12\s+runtime/)
    expect(stdout).not.to.include('pywin32')
    expect(stdout).not.to.include('pytest')
  })

  it('says nothing about Python for a repo the Python buildpack would not build', async () => {
    process.env.HEROKU_SLUG_DIET_PYTHON = 'python3'
    const node = committedRepo({'index.js': 'console.log(1)\n', 'package.json': '{"dependencies": {}}\n'})
    try {
      const {result} = await runCommand<SlugReport>(Inspect, ['--dir', node, '--json'])
      expect(result!.notes.join('\n')).not.to.include('Python dependencies')
      // the Node.js runtime the Node prediction adds, and nothing of Python's
      expect(result!.packages.map(p => `${p.ecosystem}:${p.name}`)).to.deep.equal(['runtime:node'])
    } finally {
      rmSync(node, {force: true, recursive: true})
    }
  })

  it('says in one line why it counts the repo only when resolution is switched off', async () => {
    process.env.HEROKU_SLUG_DIET_PYTHON = 'none'
    const {result} = await runCommand<SlugReport>(Inspect, ['--dir', repo, '--json'])
    expect(result!.notes[0]).to.equal('Python dependencies were not resolved: HEROKU_SLUG_DIET_PYTHON is "none". The prediction counts the repo\'s own files only.')
    expect(result!.packages.every(p => p.compressed === 0)).to.equal(true)
  })
})
