import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {readDeclaredDependencies} from '../../../../src/lib/source/repo-dependencies.js'
import {rejection} from '../../../helpers/rejection.js'

const summary = (rows: {name: string; version?: string; evidence: string; ecosystem: string}[]): string[] =>
  rows.map(r => `${r.ecosystem}:${r.name}${r.version ? `@${r.version}` : ''}:${r.evidence}`)

/** The packages of a pyproject.toml made of `lines`, by manager. */
async function managers(dir: string, lines: string[]): Promise<Record<string, string[]>> {
  writeFileSync(join(dir, 'pyproject.toml'), lines.join('\n'))
  return Object.fromEntries((await readDeclaredDependencies(dir)).map(r => [r.manager, summary(r.packages)]))
}

describe('source/repo-dependencies', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slug-deps-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('reads requirements.txt with its -r includes, and notes extra indexes and URL installs', async () => {
    mkdirSync(join(dir, 'requirements'))
    writeFileSync(
      join(dir, 'requirements.txt'),
      '--extra-index-url https://download.pytorch.org/whl/cpu\n-r requirements/base.txt\ntorch==2.1.0+cpu\n./wheels/x-1.0-py3-none-any.whl\n',
    )
    writeFileSync(join(dir, 'requirements/base.txt'), 'Flask>=2\n-r ../requirements.txt\nnumpy==1.26.4 \\\n  --hash=sha256:abc\nUvicorn[Standard]>=0.29\n')
    const result = await readDeclaredDependencies(dir)
    expect(result.map(r => [r.file, r.manager])).to.deep.equal([
      ['requirements.txt', 'pip'],
      ['requirements/base.txt', 'pip'],
    ])
    expect(summary(result[0].packages)).to.deep.equal(['python:torch@2.1.0+cpu:requirement'])
    expect(result[0].notes).to.deep.equal([
      'line 1: packages may come from https://download.pytorch.org/whl/cpu (--extra-index-url)',
      'line 4: ./wheels/x-1.0-py3-none-any.whl is installed from a URL or path; its name is not known before it is built',
    ])
    expect(summary(result[1].packages)).to.deep.equal(['python:flask:requirement', 'python:numpy@1.26.4:requirement', 'python:uvicorn:requirement'])
    expect(result[1].extras).to.deep.equal({uvicorn: ['standard']})
    expect(result[1].packages[0]).to.include({compressed: 0, files: 0, size: 0})
  })

  it('masks credentials in the index and URL notes, which slug:inspect prints and puts in its report', async () => {
    writeFileSync(join(dir, 'requirements.txt'), '-i https://user:S3CRET@pypi.example.com/simple\ngit+https://ghp_T0KEN@github.com/o/r.git\n')
    const [{notes}] = await readDeclaredDependencies(dir)
    expect(notes).to.deep.equal([
      'line 1: packages may come from https://user:***@pypi.example.com/simple (-i)',
      'line 2: git+https://***@github.com/o/r.git is installed from a URL or path; its name is not known before it is built',
    ])
  })

  it('reads pyproject.toml ([project] and [tool.poetry.dependencies]), Pipfile.lock, uv.lock and package.json', async () => {
    writeFileSync(
      join(dir, 'pyproject.toml'),
      [
        '[project]',
        'name = "demo"',
        'dependencies = [',
        '  "tensorflow==2.16.1",  # the model',
        '  "pandas>=2; python_version >= \'3.10\'",',
        ']',
        '',
        '[tool.poetry.dependencies]',
        'python = "^3.11"',
        'numpy = "1.26.4"',
        'torch = {version = "^2.1", source = "pytorch", extras = ["Opt_Einsum"]}',
        '"opencv-python" = "*"',
      ].join('\n'),
    )
    writeFileSync(
      join(dir, 'Pipfile.lock'),
      JSON.stringify({default: {Requests: {version: '==2.31.0'}}, develop: {pytest: {version: '==8.0.0'}}}),
    )
    writeFileSync(
      join(dir, 'uv.lock'),
      [
        'version = 1',
        '',
        '[[package]]',
        'name = "demo"',
        'version = "0.1.0"',
        'source = { editable = "." }',
        'dependencies = [',
        '    { name = "scikit-learn" },',
        ']',
        '',
        '[[package]]',
        'name = "scikit-learn"',
        'version = "1.4.2"',
        'source = { registry = "https://pypi.org/simple" }',
        'wheels = [',
        '    { url = "https://files/x.whl", hash = "sha256:1", size = 123 },',
        ']',
      ].join('\n'),
    )
    writeFileSync(join(dir, 'package.json'), JSON.stringify({dependencies: {'@scope/ui': '^1.2.0', express: '4.19.2'}, devDependencies: {mocha: '^10', typescript: '^5'}}))

    const result = await readDeclaredDependencies(dir)
    const byManager = Object.fromEntries(result.map(r => [r.manager, r]))
    expect(Object.keys(byManager).sort()).to.deep.equal(['npm', 'pep621', 'pipenv', 'poetry', 'uv'])
    expect(summary(byManager.pep621.packages)).to.deep.equal(['python:tensorflow@2.16.1:requirement', 'python:pandas:requirement'])
    expect(summary(byManager.poetry.packages)).to.deep.equal(['python:numpy@1.26.4:requirement', 'python:torch:requirement', 'python:opencv-python:requirement'])
    expect(byManager.poetry.extras).to.deep.equal({torch: ['opt-einsum']})
    expect(summary(byManager.pipenv.packages)).to.deep.equal(['python:requests@2.31.0:requirement'])
    expect(byManager.pipenv.notes).to.deep.equal(['1 "develop" packages are not installed on Heroku and are not listed'])
    expect(summary(byManager.uv.packages)).to.deep.equal(['python:scikit-learn@1.4.2:requirement'])
    expect(summary(byManager.npm.packages)).to.deep.equal(['node:@scope/ui:requirement', 'node:express@4.19.2:requirement'])
    expect(byManager.npm.notes).to.deep.equal(['2 devDependencies are pruned by the Node.js buildpack after the build and are not listed'])
  })

  it('returns nothing for a repo that declares nothing', async () => {
    expect(await readDeclaredDependencies(dir)).to.deep.equal([])
  })

  it('fails with a one-line UserError on an unreadable, binary, invalid or broken file', async () => {
    mkdirSync(join(dir, 'requirements.txt'))
    const unreadable = await rejection(readDeclaredDependencies(dir))
    expect(unreadable.name).to.equal('UserError')
    expect(unreadable.message).to.equal('Cannot read requirements.txt: it is a directory')
    rmSync(join(dir, 'requirements.txt'), {recursive: true})

    execFileSync('mkfifo', [join(dir, 'pipe')])
    symlinkSync('pipe', join(dir, 'requirements.txt'))
    expect((await rejection(readDeclaredDependencies(dir))).message).to.equal('Cannot read requirements.txt: it is a FIFO (named pipe), not a regular file')
    rmSync(join(dir, 'requirements.txt'))
    rmSync(join(dir, 'pipe'))

    writeFileSync(join(dir, 'requirements.txt'), Buffer.from([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00]))
    expect((await rejection(readDeclaredDependencies(dir))).message).to.equal('requirements.txt is not a text file: it cannot be read as a dependency list.')

    writeFileSync(join(dir, 'requirements.txt'), 'flask\nnumpy >= 1 <2\n')
    expect((await rejection(readDeclaredDependencies(dir))).message).to.equal('requirements.txt line 2: pip cannot read "numpy >= 1 <2" as a requirement.')

    writeFileSync(join(dir, 'requirements.txt'), 'flask\n-r missing.txt\n')
    expect((await rejection(readDeclaredDependencies(dir))).message).to.equal('requirements.txt line 2 includes missing.txt: Cannot read missing.txt: it does not exist.')

    writeFileSync(join(dir, 'requirements.txt'), 'flask\n')
    writeFileSync(join(dir, 'Pipfile.lock'), '{"default": ')
    expect((await rejection(readDeclaredDependencies(dir))).message).to.match(/^Pipfile\.lock is not valid JSON/)
  })

  describe('pyproject.toml read as TOML 1.0', () => {
    it('reads comments, nested arrays, inline tables, literal and multi-line strings', async () => {
      expect(await managers(dir, [
        'top = 1 # comment',
        '[project]',
        String.raw`dependencies = ["numpy==1.26.4", 'pandas', """flask""", ['ignored'], {k = "v"}]`,
      ])).to.deep.equal({pep621: ['python:numpy@1.26.4:requirement', 'python:pandas:requirement', 'python:flask:requirement']})
    })

    it(String.raw`decodes unicode escapes in strings ("r\u0065quests" is requests)`, async () => {
      expect(await managers(dir, ['[project]', String.raw`dependencies = ["r\u0065quests==2.32.3"]`]))
      .to.deep.equal({pep621: ['python:requests@2.32.3:requirement']})
    })

    it('reads dotted keys at the root as the tables they name', async () => {
      expect(await managers(dir, ['project.dependencies = ["numpy"]', 'tool.poetry.dependencies.torch = "2.5.1"']))
      .to.deep.equal({pep621: ['python:numpy:requirement'], poetry: ['python:torch@2.5.1:requirement']})
    })

    it('keeps a quoted key with dots one key, and a bare dotted key a nested table', async () => {
      expect(await managers(dir, [
        '[tool.poetry.dependencies]',
        '"zope.interface" = "6.4"',
        'torch.version = "2.5.1"',
        'torch.extras = ["opt-einsum"]',
      ])).to.deep.equal({poetry: ['python:zope-interface@6.4:requirement', 'python:torch@2.5.1:requirement']})
    })

    it('fails with a one-line UserError naming the line and column of malformed TOML', async () => {
      writeFileSync(join(dir, 'pyproject.toml'), '[project]\ndependencies = ["numpy"\nname = "x"\n')
      const error = await rejection(readDeclaredDependencies(dir))
      expect(error.name).to.equal('UserError')
      expect(error.message).to.match(/^pyproject\.toml line \d+, column \d+ is not valid TOML: [^\n]+\.$/)

      writeFileSync(join(dir, 'pyproject.toml'), '')
      writeFileSync(join(dir, 'uv.lock'), '[[package]\nname = "x"\n')
      expect((await rejection(readDeclaredDependencies(dir))).message).to.match(/^uv\.lock line 1, column \d+ is not valid TOML: [^\n]+\.$/)
    })
  })
})
