import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {parseBuildLog} from '../../../../../src/lib/predict/build-log/parse.js'
import type {ParsedBuildLog} from '../../../../../src/lib/predict/build-log/log.js'

const fixtures = fileURLToPath(new URL('../../../../fixtures/build-logs/', import.meta.url))
const parseFixture = (name: string): ParsedBuildLog => parseBuildLog(readFileSync(fixtures + name, 'utf8'))
const wheelTotal = (log: ParsedBuildLog) => log.downloads.reduce((sum, d) => sum + (d.size ?? 0), 0)
const sizeOf = (log: ParsedBuildLog, name: string) => log.downloads.find(d => d.name === name)?.size

describe('predict/build-log/parse', () => {
  describe('success.log (API output, modern buildpack)', () => {
    const log = parseFixture('success.log')

    it('reads stack, buildpack, Python version and the compressed size', () => {
      expect(log.stack).to.equal('heroku-24')
      expect(log.buildpacks).to.deep.equal(['heroku/python'])
      expect(log.detected).to.deep.equal(['Python'])
      expect(log.pythonVersion).to.equal('3.12.7')
      expect(log.pythonVersionSource).to.equal('.python-version')
      expect(log.doneSize).to.equal(87.4e6)
      expect(log.compiledSize).to.equal(undefined)
      expect(log.slugignoreDeleted).to.equal(12)
      expect(log.outcome).to.equal('succeeded')
      expect(log.truncated).to.equal(false)
      expect(log.errors).to.deep.equal([])
    })

    it('lists every wheel with its size, ignoring .whl.metadata downloads', () => {
      expect(log.downloads).to.have.length(16)
      expect(log.downloads.every(d => d.kind === 'wheel' && !d.file.endsWith('.metadata'))).to.equal(true)
      expect(log.downloads[2]).to.deep.include({
        cached: false,
        file: 'pandas-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
        name: 'pandas',
        size: 12.7e6,
        version: '2.2.3',
      })
      expect(sizeOf(log, 'blinker')).to.equal(8500)
      expect(sizeOf(log, 'markupsafe')).to.equal(23_000)
      expect(sizeOf(log, 'python-dateutil')).to.equal(229_000)
      expect(wheelTotal(log)).to.equal(33_649_500)
    })

    it('reads requirements with who pulled them in, and what was installed', () => {
      expect(log.requirements.find(r => r.name === 'flask')).to.deep.include({requiredBy: undefined, specifier: '==3.1.0'})
      expect(log.requirements.find(r => r.name === 'markupsafe')).to.deep.include({requiredBy: 'jinja2', specifier: '>=2.0'})
      expect(log.requirements.find(r => r.name === 'six')?.requiredBy).to.equal('python-dateutil')
      expect(log.installed).to.have.length(16)
      expect(log.installed[0]).to.deep.equal({displayName: 'Flask', name: 'flask', version: '3.1.0'})
      expect(log.installed.find(p => p.name === 'python-dateutil')?.version).to.equal('2.9.0.post0')
    })
  })

  describe('over-limit.log (older buildpack, cache hits)', () => {
    const log = parseFixture('over-limit.log')

    it('reads the compiled size, the limit and the failure', () => {
      expect(log.compiledSize).to.equal(712.4e6)
      expect(log.maxSize).to.equal(500e6)
      expect(log.outcome).to.equal('failed')
      expect(log.truncated).to.equal(false)
      expect(log.errors).to.deep.equal([
        'Compiled slug size: 712.4M is too large (max is 500M). See: http://devcenter.heroku.com/articles/slug-size',
        'Push failed',
      ])
    })

    it('reads the runtime.txt-era Python lines', () => {
      expect(log.stack).to.equal('heroku-22')
      expect(log.pythonVersion).to.equal('3.12.3')
      expect(log.pythonVersionSource).to.equal('runtime.txt')
    })

    it('tells downloads from cache hits and keeps exact sizes', () => {
      expect(log.downloads).to.have.length(25)
      const tf = log.downloads.find(d => d.name === 'tensorflow')!
      expect(tf).to.deep.include({cached: false, size: 589.8e6, version: '2.16.1'})
      expect(log.downloads.find(d => d.name === 'numpy')).to.deep.include({cached: true, size: 18e6})
      expect(log.downloads.filter(d => d.cached).map(d => d.name)).to.deep.equal(['flask', 'gunicorn', 'numpy'])
      expect(sizeOf(log, 'jupyter')).to.equal(2700)
      expect(sizeOf(log, 'libclang')).to.equal(24.5e6)
      expect(wheelTotal(log)).to.equal(685_952_700)
      expect(log.installed.map(p => p.name)).to.include.members(['jupyter', 'notebook', 'pytest', 'tensorboard', 'tensorflow'])
    })
  })

  describe('soft-limit.log', () => {
    const log = parseFixture('soft-limit.log')

    it('flags the soft-limit warning and keeps the compressed size', () => {
      expect(log.softLimit).to.deep.equal({limit: 300e6, size: 367e6})
      expect(log.doneSize).to.equal(367.9e6)
      expect(log.warnings).to.deep.equal(['Warning: Your slug size (367 MB) exceeds our soft limit (300 MB) which may affect boot time.'])
      expect(log.errors).to.deep.equal([])
      expect(log.outcome).to.equal('succeeded')
    })

    it('reads wheels from an extra index URL (percent-decoded) and sdists', () => {
      expect(log.downloads.find(d => d.name === 'torch')).to.deep.include({
        file: 'torch-2.3.0+cpu-cp312-cp312-linux_x86_64.whl',
        size: 190.4e6,
        version: '2.3.0+cpu',
      })
      expect(log.downloads.find(d => d.name === 'mpmath')?.size).to.equal(536_000)
      expect(log.downloads.find(d => d.name === 'antlr4-python3-runtime')).to.deep.include({kind: 'sdist', size: 117_000, version: '4.9.3'})
      expect(log.installed.find(p => p.name === 'torch')?.version).to.equal('2.3.0+cpu')
      expect(log.pythonVersion).to.equal('3.12.8')
    })
  })

  describe('cuda-torch.log', () => {
    const log = parseFixture('cuda-torch.log')

    it('reads every CUDA wheel with its size, from URLs and file names alike', () => {
      const nvidia = log.downloads.filter(d => d.name.startsWith('nvidia-'))
      expect(nvidia.map(d => d.name).sort()).to.deep.equal([
        'nvidia-cublas-cu12',
        'nvidia-cuda-cupti-cu12',
        'nvidia-cuda-nvrtc-cu12',
        'nvidia-cuda-runtime-cu12',
        'nvidia-cudnn-cu12',
        'nvidia-cufft-cu12',
        'nvidia-curand-cu12',
        'nvidia-cusolver-cu12',
        'nvidia-cusparse-cu12',
        'nvidia-nccl-cu12',
        'nvidia-nvjitlink-cu12',
        'nvidia-nvtx-cu12',
      ])
      expect(sizeOf(log, 'torch')).to.equal(779.1e6)
      expect(sizeOf(log, 'nvidia-cudnn-cu12')).to.equal(731.7e6)
      expect(sizeOf(log, 'nvidia-cublas-cu12')).to.equal(410.6e6)
      expect(sizeOf(log, 'nvidia-cuda-runtime-cu12')).to.equal(823_000)
      expect(sizeOf(log, 'triton')).to.equal(168.1e6)
      expect(nvidia.reduce((s, d) => s + d.size!, 0)).to.equal(1_876_822_000)
      expect(log.downloads.find(d => d.name === 'torch')?.file).to.equal('torch-2.3.0-cp312-cp312-manylinux1_x86_64.whl')
      expect(log.downloads.every(d => d.complete)).to.equal(true)
    })

    it('reads a compiled size in G and which requirement pulled the CUDA wheels', () => {
      expect(log.compiledSize).to.equal(2.9e9)
      expect(log.requirements.find(r => r.name === 'nvidia-nvjitlink-cu12')?.requiredBy).to.equal('nvidia-cusolver-cu12')
      expect(log.requirements.filter(r => r.requiredBy === 'torch')).to.have.length(18)
      expect(log.pythonVersion).to.equal('3.12.3')
      expect(log.pythonVersionSource).to.equal('buildpack default')
      expect(log.installed.find(p => p.name === 'nvidia-cublas-cu12')?.version).to.equal('12.1.3.1')
    })
  })

  describe(String.raw`git-push-ansi.log (remote: prefixes, ANSI colours, \r progress, some CRLF)`, () => {
    const log = parseFixture('git-push-ansi.log')

    it('strips prefixes and colours and reads the same facts as an API log', () => {
      expect(log.stack).to.equal('heroku-24')
      expect(log.slugignoreDeleted).to.equal(3)
      expect(log.pythonVersion).to.equal('3.11.9')
      expect(log.pythonVersionSource).to.equal('runtime.txt')
      expect(log.compiledSize).to.equal(715.3e6)
      expect(log.outcome).to.equal('failed')
      expect(log.downloads.map(d => [d.name, d.size, d.complete])).to.deep.equal([
        ['tensorflow', 589.8e6, true],
        ['opencv-python', 62.5e6, true],
        ['pandas', 13e6, true],
        ['numpy', 18.3e6, true],
        ['tensorboard', 5.5e6, true],
      ])
    })

    it('keeps a multi-paragraph warning together and takes errors from the buildpack, not git', () => {
      expect(log.warnings).to.deep.equal([
        'Warning: The runtime.txt file is deprecated. Please delete your runtime.txt file and create a new file named: .python-version',
      ])
      expect(log.errors).to.deep.equal([
        'Compiled slug size: 715.3M is too large (max is 500M). See: http://devcenter.heroku.com/articles/slug-size',
        'Push failed',
        'Push rejected to example-app.',
      ])
    })
  })

  describe('truncated.log', () => {
    const log = parseFixture('truncated.log')

    it('marks the log truncated and the download it stopped in as incomplete', () => {
      expect(log.truncated).to.equal(true)
      expect(log.outcome).to.equal('unknown')
      const cut = log.downloads.filter(d => !d.complete)
      expect(cut.map(d => d.name)).to.deep.equal(['nvidia-cudnn-cu12'])
      expect(cut[0].size).to.equal(731.7e6)
      expect(log.installed).to.deep.equal([])
      expect(log.compiledSize).to.equal(undefined)
      expect(log.downloads).to.have.length(12)
    })
  })

  describe('failures before compressing', () => {
    it('pip-error.log: pip ERROR lines and the buildpack error paragraph', () => {
      const log = parseFixture('pip-error.log')
      expect(log.outcome).to.equal('failed')
      expect(log.truncated).to.equal(false)
      expect(log.errors).to.deep.equal([
        'pip: Could not find a version that satisfies the requirement tensorflow==2.10.0 (from versions: 2.16.0rc0, 2.16.1, 2.16.2, '
        + '2.17.0rc0, 2.17.0rc1, 2.17.0, 2.17.1, 2.18.0rc0, 2.18.0rc1, 2.18.0rc2, 2.18.0)',
        'pip: No matching distribution found for tensorflow==2.10.0',
        'Error: Unable to install dependencies using pip. See the log output above for more information.',
      ])
      expect(log.downloads).to.deep.equal([])
    })

    it('runtime-unavailable.log: the requested runtime and the rejection', () => {
      const log = parseFixture('runtime-unavailable.log')
      expect(log.outcome).to.equal('failed')
      expect(log.pythonVersion).to.equal('3.7.17')
      expect(log.errors).to.deep.equal([
        "Requested runtime 'python-3.7.17' is not available for this stack (heroku-22). For supported versions, see: https://devcenter.heroku.com/articles/python-support",
        'Push rejected, failed to compile Python app.',
        'Push failed',
      ])
    })
  })

  it('recognises nothing in a file that is not a build log', () => {
    const log = parseFixture('not-a-build-log.log')
    expect(log.recognisedLines).to.equal(0)
    expect(log.totalLines).to.equal(3)
  })

  it('takes the size from the progress bar when the Downloading line has none', () => {
    const log = parseBuildLog([
      '       Collecting big==1.0',
      '         Downloading big-1.0-py3-none-any.whl',
      '            ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 1.2/1.2 GB 50.0 MB/s eta 0:00:00',
      '       Successfully installed big-1.0',
      '-----> Compressing...',
      '       Done: 1.2G',
    ].join('\n'))
    expect(log.downloads[0]).to.deep.include({complete: true, size: 1.2e9})
    expect(log.doneSize).to.equal(1.2e9)
  })

  it('reads old pip output: URLs with fragments, sizes without a space, block progress bars', () => {
    const log = parseBuildLog([
      '-----> Installing requirements with pip',
      '       Collecting torch==1.5.0 (from -r /tmp/build_abc/requirements.txt (line 1))',
      '         Downloading https://files.pythonhosted.org/packages/13/70/torch-1.5.0-cp37-cp37m-manylinux1_x86_64.whl#sha256=abc (752.0MB)',
      '       |████████████████████████████████| 752.0MB 1.6MB/s',
      '       Collecting six',
      '         Using cached https://files.pythonhosted.org/packages/65/26/six-1.14.0-py2.py3-none-any.whl',
    ].join('\n'))
    expect(log.downloads).to.have.length(2)
    expect(log.downloads[0]).to.deep.include({complete: true, file: 'torch-1.5.0-cp37-cp37m-manylinux1_x86_64.whl', size: 752e6, version: '1.5.0'})
    expect(log.downloads[1]).to.deep.include({cached: true, name: 'six', size: undefined})
    expect(log.requirements[0].requiredBy).to.equal(undefined)
  })

  it('notes packages installed from the build cache without a size', () => {
    const log = parseBuildLog('       Requirement already satisfied: numpy==1.26.4 in /app/.heroku/python/lib/python3.12/site-packages (from -r requirements.txt (line 1))\n')
    expect(log.alreadySatisfied).to.deep.equal(['numpy'])
    expect(log.recognisedLines).to.equal(1)
  })

  // The buildpack's step lines around uv's are written for the fixture; uv's own lines are as uv prints them (astral-sh/uv#11165).
  describe('uv-cuda-torch.log (the buildpack installing with uv)', () => {
    const log = parseFixture('uv-cuda-torch.log')

    it('reads each download uv announced, in binary units, and what it installed, with versions', () => {
      expect(log.downloads.map(d => d.name)).to.deep.equal(['setuptools', 'nvidia-cuda-cupti-cu12', 'torch', 'nvidia-cudnn-cu12', 'nvidia-cublas-cu12', 'sympy', 'triton', 'networkx'])
      expect(sizeOf(log, 'torch')).to.equal(Math.round(731.1 * 1024 * 1024))
      expect(log.downloads.every(d => d.complete && d.kind === 'wheel')).to.equal(true)
      expect(log.installed.find(p => p.name === 'torch')).to.deep.equal({displayName: 'torch', name: 'torch', version: '2.6.0'})
      expect(log.installed).to.have.length(11)
      expect(log.compiledSize).to.equal(2.2e9)
      expect([log.outcome, log.truncated]).to.deep.equal(['failed', false])
    })

    it('leaves a download with no Downloaded line incomplete, and reads installs from a URL without a version', () => {
      const cut = parseBuildLog(['       Downloading torch (731.1MiB)', '       Downloading triton (241.4MiB)', '        Downloaded triton', '        + mylib @ git+https://github.com/example/mylib@abc123'].join('\n'))
      expect(cut.downloads.map(d => [d.name, d.complete])).to.deep.equal([['torch', false], ['triton', true]])
      expect(cut.installed).to.deep.equal([{displayName: 'mylib', name: 'mylib', version: undefined}])
      expect(cut.truncated).to.equal(true)
      expect(cut.recognisedLines).to.equal(4)
    })
  })
})
