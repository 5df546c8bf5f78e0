import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Diet from '../../src/commands/slug/diet.js'
import type {DietResult} from '../../src/commands/slug/diet.js'
import {INSTALL_FACTOR, runtimeSize} from '../../src/lib/knowledge/python-stack.js'
import type {SlugReport} from '../../src/lib/analyze/report.js'
import {predictRepo} from '../../src/lib/predict/repo/report.js'
import {runPipResolve} from '../../src/lib/predict/python/pip.js'
import {committedRepo} from '../helpers/git-repo.js'
import {type PackageIndex, servePackageIndex} from '../helpers/package-index.js'
import {runCommand} from '../helpers/run-command.js'

// The machine's real pip resolves against package indexes on 127.0.0.1 that serve wheels the tests build.
const LINUX_312 = 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64'

/** The environment pip runs in: none of the machine's pip configuration, the test index as the user's index. */
function pipEnv(index: string, cache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PIP_')) env[key] = value
  return {...env, PIP_CACHE_DIR: cache, PIP_CONFIG_FILE: '/dev/null', PIP_INDEX_URL: index}
}

function rows(report: SlugReport): Record<string, {version?: string; size: number; compressed: number}> {
  return Object.fromEntries(report.packages.map(p => [p.name, {compressed: p.compressed, size: p.size, version: p.version}]))
}

describe('resolve: the real pip against a local package index', function () {
  this.timeout(120_000)
  let pypi: PackageIndex
  let cpu: PackageIndex
  let cache: string
  const repos: string[] = []
  const repo = (files: Record<string, string>): string => {
    const dir = committedRepo({Procfile: 'web: gunicorn app:app\n', 'app.py': 'import flask\n', ...files}, {prefix: 'resolve-it-'})
    repos.push(dir)
    return dir
  }

  const predict = async (dir: string, env = pipEnv(pypi.url, cache), python = 'python3') =>
    (await predictRepo(dir, {depth: 2, resolve: {env, python}, top: 10})).report

  before(async () => {
    cache = mkdtempSync(join(tmpdir(), 'pip-cache-'))
    pypi = await servePackageIndex([
      {
        extras: ['and-cuda'],
        name: 'tensorflow',
        payload: 600_000,
        requires: ['numpy>=1.23.5,<2', 'tensorboard>=2.16,<2.17', 'nvidia-cublas-cu12; extra == "and-cuda"'],
        tag: LINUX_312,
        version: '2.16.1',
      },
      {name: 'numpy', payload: 120_000, tag: LINUX_312, version: '1.26.4'},
      {name: 'numpy', payload: 90_000, tag: 'cp312-cp312-macosx_11_0_arm64', version: '1.26.4'},
      {name: 'numpy', payload: 130_000, tag: LINUX_312, version: '2.1.0'},
      {name: 'tensorboard', payload: 50_000, version: '2.16.2'},
      {name: 'nvidia-cublas-cu12', payload: 400_000, tag: 'py3-none-manylinux1_x86_64', version: '12.3.4.1'},
      {name: 'flask', payload: 20_000, requires: ['werkzeug>=3'], version: '3.0.3'},
      {name: 'flask', payload: 21_000, version: '4.0.0'},
      {name: 'werkzeug', payload: 30_000, version: '3.0.4'},
      {name: 'requests', payload: 10_000, requires: ['PySocks!=1.5.7; extra == "socks"'], extras: ['socks'], version: '2.32.3'},
      {name: 'pysocks', payload: 3000, version: '1.7.1'},
      {name: 'pywin32', payload: 9000, tag: 'cp312-cp312-win_amd64', version: '306'},
      {name: 'typing-extensions', payload: 2000, version: '4.12.2'},
      {name: 'onlymac', payload: 1000, tag: 'cp312-cp312-macosx_11_0_arm64', version: '1.0'},
      {name: 'needsmac', payload: 1000, requires: ['onlymac'], version: '1.0'},
      {name: 'torch', payload: 700_000, requires: ['nvidia-cublas-cu12'], tag: LINUX_312, version: '2.5.1'},
    ])
    cpu = await servePackageIndex([{name: 'torch', payload: 200_000, tag: LINUX_312, version: '2.5.1+cpu'}])
  })

  after(async () => {
    await pypi.close()
    await cpu.close()
    for (const dir of repos) rmSync(dir, {force: true, recursive: true})
    rmSync(cache, {force: true, recursive: true})
  })

  it('resolves pins, ranges, extras and markers for Linux x86_64 and the .python-version CPython, wheel sizes from the index', async () => {
    const dir = repo({
      '.python-version': '3.12\n',
      'requirements.txt': [
        'tensorflow==2.16.1',
        'flask>=3,<4',
        'requests[socks]',
        'pywin32==306; sys_platform == "win32"',
        'typing-extensions; python_version < "3.11"',
        '',
      ].join('\n'),
    })
    const report = await predict(dir)
    const packages = rows(report)
    const linuxWheel = (name: string, version: string) => pypi.wheels.find(w => w.project === name && w.wheel.version === version && w.filename.includes('manylinux'))!
    expect(Object.keys(packages).sort()).to.deep.equal(['flask', 'numpy', 'pysocks', 'python', 'requests', 'tensorboard', 'tensorflow', 'werkzeug'])
    expect(packages.numpy.version).to.equal('1.26.4')
    expect(packages.flask.version).to.equal('3.0.3')
    const tensorflow = pypi.wheels.find(w => w.filename.startsWith('tensorflow-'))!
    expect(packages.tensorflow).to.deep.equal({compressed: Math.round(tensorflow.bytes.length * INSTALL_FACTOR.factor), size: tensorflow.bytes.length, version: '2.16.1'})
    expect(packages.numpy.size).to.equal(linuxWheel('numpy', '1.26.4').bytes.length)
    expect(packages.python).to.deep.equal({compressed: runtimeSize('3.12').compressed, size: runtimeSize('3.12').unpacked, version: '3.12'})
    expect(report.notes.join('\n')).to.include('and CPython 3.12 (.python-version), binary wheels only, by pip')
    expect(report.findings.map(f => f.id)).to.include.members(['heavy-package:tensorflow', 'dev-package:tensorboard'])
    // PEP 658 metadata and PEP 700 sizes: pip never needed the index to answer for a wheel it did not install.
    expect(pypi.requests).not.to.include(`GET /files/${pypi.wheels.find(w => w.filename.includes('macosx'))!.filename}`)
  })

  it('takes the +cpu build from a second index named by --extra-index-url in requirements.txt, without CUDA wheels', async () => {
    const cuda = await predict(repo({'.python-version': '3.12\n', 'requirements.txt': 'torch==2.5.1\n'}))
    expect(Object.keys(rows(cuda)).sort()).to.deep.equal(['nvidia-cublas-cu12', 'python', 'torch'])
    const heavy = cuda.findings.find(f => f.id === 'heavy-package:torch')!
    expect(heavy.packages).to.deep.equal(['torch', 'nvidia-cublas-cu12'])
    expect(heavy.estimated).to.equal(true)

    const report = await predict(repo({'.python-version': '3.12\n', 'requirements.txt': `--extra-index-url ${cpu.url}\ntorch==2.5.1+cpu\n`}))
    expect(rows(report)).to.have.keys(['python', 'torch'])
    expect(rows(report).torch.version).to.equal('2.5.1+cpu')
    expect(rows(report).torch.size).to.equal(cpu.wheels[0].bytes.length)
    expect(report.findings.filter(f => f.kind === 'heavy-package' || f.kind === 'cuda-on-dyno')).to.deep.equal([])
    expect(report.notes.join('\n')).to.include(`${cpu.url} (requirements.txt line 1)`)
  })

  it('sets aside a requirement with no Linux wheel for that Python, says the build would compile it or fail, and sizes the rest', async () => {
    const report = await predict(repo({'.python-version': '3.12\n', 'requirements.txt': 'onlymac==1.0\nflask>=3,<4\n'}))
    expect(Object.keys(rows(report)).sort()).to.deep.equal(['flask', 'python', 'werkzeug'])
    expect(report.notes).to.include('onlymac has no wheel for heroku-24 (Linux x86_64) and CPython 3.12 on the configured indexes: the build would compile it from source or fail. Not counted.')

    const transitive = await predict(repo({'.python-version': '3.12\n', 'requirements.txt': 'needsmac\n'}))
    expect(transitive.notes[0]).to.equal('Python dependencies were not resolved: pip found no wheel for onlymac (required by needsmac). The prediction counts the repo\'s own files only.')
    expect(transitive.notes[1]).to.match(/^onlymac \(required by needsmac\) has no wheel for heroku-24/)
  })

  it('resolves a Pipfile.lock with pip, exactly as locked, for the Pipfile.lock Python version', async () => {
    const lock = {
      _meta: {requires: {python_version: '3.12'}, sources: [{name: 'local', url: pypi.url, verify_ssl: false}]},
      default: {flask: {version: '==3.0.3'}, pywin32: {markers: "sys_platform == 'win32'", version: '==306'}, werkzeug: {version: '==3.0.4'}},
      develop: {pytest: {version: '==8.2.0'}},
    }
    const report = await predict(repo({Pipfile: '[packages]\nflask = "*"\n', 'Pipfile.lock': JSON.stringify(lock)}))
    expect(Object.keys(rows(report)).sort()).to.deep.equal(['flask', 'python', 'werkzeug'])
    expect(report.notes.join('\n')).to.include('CPython 3.12 (Pipfile.lock)')
  })

  it('falls back to the repo alone in one line when the index does not answer or there is no pip, quickly', async () => {
    const started = Date.now()
    const down = await predict(repo({'requirements.txt': 'flask\n'}), pipEnv('http://127.0.0.1:9/simple/', cache))
    expect(down.notes[0]).to.equal('Python dependencies were not resolved: the package index http://127.0.0.1:9/simple/ did not answer (ECONNREFUSED). The prediction counts the repo\'s own files only.')
    expect(down.packages.map(p => [p.name, p.compressed])).to.deep.equal([['flask', 0]])
    expect(Date.now() - started).to.be.below(20_000)

    const noPip = await predict(repo({'requirements.txt': 'flask\n'}), pipEnv(pypi.url, cache), '/nonexistent/python3')
    expect(noPip.notes[0]).to.equal([
      'Python dependencies were not resolved: /nonexistent/python3 is not installed (or not on PATH), and pip is needed to resolve them.',
      'The prediction counts the repo\'s own files only.',
    ].join(' '))
  })

  it('says an index whose project pages time out timed out, not that the package has no wheel', async () => {
    // The index's root answers (the pre-check passes); its project pages never do: pip, without retries, sees no files.
    const slow = createServer((req, res) => {
      if (req.url === '/simple/') res.end('<html></html>')
    })
    await new Promise<void>(resolve => {
      slow.listen(0, '127.0.0.1', resolve)
    })
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/simple/`
    try {
      const report = await predict(repo({'requirements.txt': 'flask\n'}), pipEnv(url, cache))
      expect(report.notes[0]).to.equal(`Python dependencies were not resolved: pip could not reach a package index (the page of flask on ${url} timed out (UND_ERR_HEADERS_TIMEOUT)). The prediction counts the repo's own files only.`)
      expect(report.notes.join('\n')).not.to.match(/no wheel|0 packages/)
    } finally {
      slow.closeAllConnections()
      slow.close()
    }
  })

  it('kills a pip that waits on an index which never answers, at the deadline', async () => {
    const silent = createServer(() => {})
    await new Promise<void>(resolve => {
      silent.listen(0, '127.0.0.1', resolve)
    })
    const dir = repo({'requirements.txt': 'flask\n'})
    const started = Date.now()
    try {
      const outcome = await runPipResolve({
        cwd: dir,
        env: pipEnv(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/simple/`, cache),
        minor: '3.12',
        platforms: ['manylinux2014_x86_64'],
        python: 'python3',
        requirements: join(dir, 'requirements.txt'),
        timeoutMs: 3000,
      })
      expect(outcome).to.deep.equal({detail: 'pip (python3) did not finish within 3 s', kind: 'timeout'})
      expect(Date.now() - started).to.be.below(8000)
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })

  it('slug:diet --dir plans on the resolved packages: the tensorflow swap counts in the size after it', async () => {
    const dir = repo({'.python-version': '3.12\n', 'requirements.txt': 'tensorflow==2.16.1\nflask>=3,<4\n'})
    const saved = {...process.env}
    Object.assign(process.env, pipEnv(pypi.url, cache), {HEROKU_SLUG_DIET_PYTHON: 'python3'})
    for (const key of Object.keys(process.env)) if (key.startsWith('PIP_') && !(key in pipEnv(pypi.url, cache))) delete process.env[key]
    try {
      const {exitCode, result, stdout} = await runCommand<DietResult>(Diet, ['--dir', dir, '--dry-run', '--fix-requirements'])
      expect(exitCode).to.equal(0)
      const swap = result!.whatIf.lines.find(l => l.label === 'requirements.txt: swap tensorflow')!
      expect(swap).to.include({applied: true, estimated: true})
      expect(swap.savings).to.be.above(0)
      expect(result!.evidence.compressed).to.be.above(runtimeSize('3.12').compressed)
      expect(stdout).to.include('tensorflow-cpu==2.16.1')
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
  })
})
