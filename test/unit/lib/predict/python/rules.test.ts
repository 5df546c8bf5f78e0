import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {PYTHON_VERSION_RULES, runtimeSize} from '../../../../../src/lib/knowledge/python-stack.js'
import {configuredIndexes, parsePipConfigList, PYPI_SIMPLE, redactUrl} from '../../../../../src/lib/predict/python/indexes.js'
import {evaluateMarker} from '../../../../../src/lib/analyze/python/markers.js'
import {pipArguments, pipFailure, parsePipReport} from '../../../../../src/lib/predict/python/pip.js'
import {choosePython} from '../../../../../src/lib/predict/python/python-version.js'
import {parseWheelName, platformTags, stackNamed, wheelRank} from '../../../../../src/lib/predict/python/stack.js'
import {resolveUvLock} from '../../../../../src/lib/predict/python/uv-lock.js'
import {parseRequirements} from '../../../../../src/lib/analyze/python/requirements.js'

describe('resolve: the Python buildpack\'s version rules', () => {
  it('takes runtime.txt, then .python-version, then Pipfile.lock, else the buildpack default, each with its source', () => {
    expect(choosePython({pythonVersion: '3.12\n', runtimeTxt: 'python-3.11.9\n'})).to.deep.equal({minor: '3.11', requested: '3.11.9', source: 'runtime.txt'})
    expect(choosePython({pythonVersion: '# pinned\n 3.12 \n'})).to.deep.equal({minor: '3.12', requested: '3.12', source: '.python-version'})
    expect(choosePython({pipfileLock: JSON.stringify({_meta: {requires: {python_version: '3.13'}}})})).to.deep.equal({minor: '3.13', requested: '3.13', source: 'Pipfile.lock'})
    expect(choosePython({})).to.deep.equal({minor: PYTHON_VERSION_RULES.defaultVersion, requested: PYTHON_VERSION_RULES.defaultFullVersion, source: "the Python buildpack's default"})
  })

  it('names the version file the build would reject', () => {
    expect(choosePython({pythonVersion: '3.12\n3.13\n'})).to.deep.equal({problem: '.python-version holds 2 versions, and the Python buildpack wants exactly one'})
    expect(choosePython({pythonVersion: '3.8'})).to.have.property('problem').that.includes('does not support (3.10 to 3.14)')
    expect(choosePython({runtimeTxt: '3.12'})).to.have.property('problem').that.includes('runtime.txt is not of the form python-3.X')
    expect(choosePython({pythonVersion: 'python-3.12'})).to.have.property('problem').that.includes('rejects')
  })

  it('has a runtime size for every supported minor version', () => {
    for (let minor = PYTHON_VERSION_RULES.oldestMinor; minor <= PYTHON_VERSION_RULES.newestMinor; minor++) {
      expect(runtimeSize(`3.${minor}`).minor).to.equal(`3.${minor}`)
    }
  })
})

describe('resolve: a pinned patch release checked against the releases the buildpack offers', () => {
  it('refuses python-3.11.9999 (no CPython release), and a version with leading zeros, as the buildpack does', () => {
    expect(choosePython({runtimeTxt: 'python-3.11.9999\n'})).to.deep.equal({
      problem: 'runtime.txt asks for Python 3.11.9999, which is no CPython release (the newest 3.11 known here is 3.11.12), so the buildpack cannot download it',
    })
    expect(choosePython({pythonVersion: '3.011\n'})).to.have.property('problem').that.includes('it wants 3.X or 3.X.Y')
  })

  it('accepts a known patch release as it is, and notes one newer than the plugin knows of', () => {
    expect(choosePython({runtimeTxt: 'python-3.11.9\n'})).to.deep.equal({minor: '3.11', requested: '3.11.9', source: 'runtime.txt'})
    const newer = choosePython({pythonVersion: '3.12.13\n'})
    expect(newer).to.deep.include({minor: '3.12', requested: '3.12.13', source: '.python-version'})
    expect((newer as {note?: string}).note).to.match(/^\.python-version pins Python 3\.12\.13, newer than the newest 3\.12 release known here \(3\.12\.10, /)
  })
})

describe('resolve: stack tags', () => {
  it('lists every manylinux tag the stack\'s glibc accepts, legacy aliases included, newest first', () => {
    const tags = platformTags(stackNamed('heroku-24'))
    expect(tags[0]).to.equal('manylinux_2_39_x86_64')
    expect(tags).to.include.members(['manylinux_2_28_x86_64', 'manylinux_2_17_x86_64', 'manylinux2014_x86_64', 'manylinux2010_x86_64', 'manylinux1_x86_64', 'linux_x86_64'])
    expect(platformTags(stackNamed('heroku-22'))[0]).to.equal('manylinux_2_35_x86_64')
    expect(platformTags(stackNamed('heroku-22'))).not.to.include('manylinux_2_39_x86_64')
    expect(stackNamed('no-such-stack').name).to.equal('heroku-24')
  })

  it('ranks wheels as pip prefers them: a cpXY build, then abi3, then pure Python; other platforms never', () => {
    const stack = stackNamed('heroku-24')
    const rank = (file: string, minor = '3.12') => wheelRank(parseWheelName(file)!, minor, stack)
    expect(rank('numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).to.be.below(rank('cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl')!)
    expect(rank('cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl')).to.be.below(rank('flask-3.0.0-py3-none-any.whl')!)
    expect(rank('numpy-2.0.0-cp312-cp312-macosx_11_0_arm64.whl')).to.equal(undefined)
    expect(rank('numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl')).to.equal(undefined)
    expect(rank('numpy-2.0.0-cp312-cp312-manylinux_2_40_x86_64.whl')).to.equal(undefined)
    expect(rank('numpy-2.0.0-cp312-cp312-musllinux_1_1_x86_64.whl')).to.equal(undefined)
    expect(parseWheelName('pkg-1.0.tar.gz')).to.equal(undefined)
  })
})

/** As uv-lock.ts asks: a marker it cannot read counts as holding. */
const markerHolds = (marker: string) => evaluateMarker(marker, {extras: new Set(), pythonVersion: '3.12'}) !== false

describe('resolve: environment markers on a dyno (the one PEP 508 reader, analyze/python/markers.ts)', () => {
  it('evaluates platform and version markers as pip would on Linux x86_64', () => {
    expect(markerHolds("sys_platform == 'win32'")).to.equal(false)
    expect(markerHolds('sys_platform == "linux" and platform_machine == "x86_64"')).to.equal(true)
    expect(markerHolds('python_version < "3.11" or (platform_system == "Linux" and implementation_name == "cpython")')).to.equal(true)
    expect(markerHolds('python_version >= "3.13"')).to.equal(false)
    expect(markerHolds("'linux' in sys_platform and os_name != 'nt'")).to.equal(true)
    expect(markerHolds("platform_system not in 'Windows Darwin'")).to.equal(true)
    expect(markerHolds('extra == "test"')).to.equal(false)
  })

  it('counts a package whose marker it cannot read', () => {
    expect(markerHolds('sys_platform ==')).to.equal(true)
    expect(markerHolds('unknown_variable == "x"')).to.equal(true)
  })
})

describe('resolve: configured indexes', () => {
  it('reads pip config list output, requirements index lines, and falls back to PyPI', () => {
    const config = parsePipConfigList([
      ":env:.extra-index-url='https://extra.example/simple'",
      "global.extra-index-url='file:///opt/pypi/simple file:///opt/more/simple'",
      "global.find-links='/opt/wheels'",
    ].join('\n'))
    expect(config).to.deep.equal([
      {key: 'extra-index-url', origin: 'PIP_EXTRA_INDEX_URL', value: 'https://extra.example/simple'},
      {key: 'extra-index-url', origin: 'pip config global.extra-index-url', value: 'file:///opt/pypi/simple file:///opt/more/simple'},
    ])
    const requirements = [{file: 'requirements.txt', lines: parseRequirements('--extra-index-url https://download.pytorch.org/whl/cpu\ntorch==2.5.1+cpu\n')}]
    const indexes = configuredIndexes(config, requirements)
    expect(indexes.map(i => [i.url, i.origin, i.primary])).to.deep.equal([
      [PYPI_SIMPLE, "pip's default", true],
      ['https://download.pytorch.org/whl/cpu/', 'requirements.txt line 1', false],
      ['https://extra.example/simple/', 'PIP_EXTRA_INDEX_URL', false],
      ['file:///opt/pypi/simple/', 'pip config global.extra-index-url', false],
      ['file:///opt/more/simple/', 'pip config global.extra-index-url', false],
    ])
    const primary = configuredIndexes(parsePipConfigList(":env:.index-url='https://mirror.example/simple'"), [])
    expect(primary).to.deep.equal([{origin: 'PIP_INDEX_URL', primary: true, url: 'https://mirror.example/simple/'}])
  })

  it('never shows an index token', () => {
    expect(redactUrl('https://user:s3cret@pkgs.example/simple/')).to.equal('https://***@pkgs.example/simple/')
    expect(redactUrl('https://__token__:abc@pkgs.example/simple/')).not.to.include('abc')
    expect(redactUrl('https://pypi.org/simple/')).to.equal('https://pypi.org/simple/')
  })
})

describe('resolve: pip', () => {
  it('asks for a dry run for the stack: report, platforms, Python version, binary wheels, no colours, bounded network waits', () => {
    const args = pipArguments({minor: '3.12', platforms: ['manylinux_2_39_x86_64', 'manylinux2014_x86_64'], requirements: '/app/requirements.txt'}, '/tmp/r.json', '/tmp/t')
    expect(args.join(' ')).to.equal([
      '-m pip install --dry-run --report /tmp/r.json --ignore-installed --only-binary=:all:',
      '--platform manylinux_2_39_x86_64 --platform manylinux2014_x86_64 --python-version 3.12 --implementation cp --target /tmp/t',
      '--disable-pip-version-check --no-color --no-input --progress-bar off --retries 0 --timeout 15 -r /app/requirements.txt',
    ].join(' '))
  })

  it('tells a package without a wheel from an index that does not answer (pip 23.2 output)', () => {
    expect(pipFailure([
      'Looking in indexes: http://127.0.0.1:35073/simple/',
      'ERROR: Could not find a version that satisfies the requirement onlysrc (from versions: none)',
      'ERROR: No matching distribution found for onlysrc',
    ].join('\n'))).to.deep.equal({kind: 'no-wheel', name: 'onlysrc', requirement: 'onlysrc'})
    expect(pipFailure('ERROR: Could not find a version that satisfies the requirement numpy>=1.23 (from tensorflow) (from versions: none)\n'))
    .to.deep.equal({kind: 'no-wheel', name: 'numpy', requiredBy: 'tensorflow', requirement: 'numpy>=1.23'})
    expect(pipFailure([
      'WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by '
      + "'NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: "
      + "[Errno 111] Connection refused')': /simple/flask/",
      'ERROR: Could not find a version that satisfies the requirement flask (from versions: none)',
    ].join('\n')).kind).to.equal('unreachable')
    expect(pipFailure('ERROR: HTTP error 404 while getting https://__token__:s3cret@pkgs.example/x.whl\n')).to.deep.equal({
      detail: 'HTTP error 404 while getting https://***@pkgs.example/x.whl', kind: 'failed',
    })
    expect(pipFailure('/usr/bin/python3: No module named pip\n')).to.deep.equal({detail: 'this Python has no pip', kind: 'missing'})
    expect(pipFailure('ERROR: Cannot install a and b because these package versions have conflicting dependencies.\n')).to.deep.equal({
      detail: 'Cannot install a and b because these package versions have conflicting dependencies.', kind: 'failed',
    })
  })

  it('reads the installation report', () => {
    const report = parsePipReport(JSON.stringify({
      install: [
        {download_info: {url: 'https://x/Flask-3.0.0-py3-none-any.whl'}, metadata: {name: 'Flask', requires_dist: ['Werkzeug>=3'], version: '3.0.0'}, requested: true},
        {metadata: {name: 'broken'}},
      ],
      pip_version: '23.2.1',
    }))
    expect(report).to.deep.equal({
      dists: [{name: 'flask', requested: true, requiresDist: ['Werkzeug>=3'], url: 'https://x/Flask-3.0.0-py3-none-any.whl', version: '3.0.0'}],
      pipVersion: '23.2.1',
    })
  })
})

describe('resolve: uv.lock', () => {
  const lock = readFileSync(new URL('../../../../fixtures/uv/ci_uv.uv.lock', import.meta.url), 'utf8')
  const stack = stackNamed('heroku-24')

  it('installs what uv sync --no-default-groups would, with the sizes uv recorded (a lock written by uv)', () => {
    const resolution = resolveUvLock(lock, '3.14', stack)
    expect(resolution.wheels).to.deep.equal([{
      filename: 'typing_extensions-4.15.0-py3-none-any.whl',
      name: 'typing-extensions',
      requested: true,
      size: 44_614,
      url: 'https://files.pythonhosted.org/packages/18/67/36e9267722cc04a6b9f15c7f3441c2363321a3ea07da7ae0c0707beb2a9c/typing_extensions-4.15.0-py3-none-any.whl',
      version: '4.15.0',
    }])
    expect(resolution.unresolvable).to.deep.equal([])
  })

  it('follows dependencies through their markers: a Windows-only one is not installed on a dyno', () => {
    // pytest made a production dependency: colorama is pytest's only on win32.
    const production = lock.replace('dependencies = [\n    { name = "typing-extensions" },\n]', 'dependencies = [\n    { name = "typing-extensions" },\n    { name = "pytest" },\n]')
    const names = resolveUvLock(production, '3.14', stack).wheels.map(w => w.name).sort()
    expect(names).to.deep.equal(['iniconfig', 'packaging', 'pluggy', 'pygments', 'pytest', 'typing-extensions'])
    expect(resolveUvLock(production, '3.14', stack).requires.get('pytest')).to.include.members(['colorama', 'pluggy'])
  })

  it('reports a package with no wheel for the stack, and whether a source archive exists', () => {
    const noLinux = lock.replace('typing_extensions-4.15.0-py3-none-any.whl', 'typing_extensions-4.15.0-cp314-cp314-win_amd64.whl')
    expect(resolveUvLock(noLinux, '3.14', stack).unresolvable).to.deep.equal([{name: 'typing-extensions', sdist: true, version: '4.15.0'}])
  })

  it('says in one line that a broken uv.lock is not TOML', () => {
    expect(() => resolveUvLock('[[package]\nname=', '3.12', stack)).to.throw(/^uv.lock is not valid TOML/)
  })
})
