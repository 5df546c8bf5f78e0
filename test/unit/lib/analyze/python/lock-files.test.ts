import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {parsePipfileLock, wheelSize} from '../../../../../src/lib/analyze/python/lock-files.js'
import {stackNamed} from '../../../../../src/lib/predict/python/stack.js'
import {resolveUvLock} from '../../../../../src/lib/predict/python/uv-lock.js'
import {readDeclaredDependencies} from '../../../../../src/lib/source/repo-dependencies.js'
import {rejection, thrownMessage} from '../../../../helpers/rejection.js'

const UV_LOCK = `version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "flask" },
]

[[package]]
name = "flask"
version = "3.0.0"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "https://files.pythonhosted.org/packages/flask-3.0.0-py3-none-any.whl", size = 99724 },
]
`

describe('lock files read against a schema (uv.lock, Pipfile.lock)', () => {
  let dir: string
  const stack = stackNamed('heroku-24')

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lock-files-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('reads a well-formed uv.lock', () => {
    expect(resolveUvLock(UV_LOCK, '3.12', stack).wheels.map(w => [w.name, w.size])).to.deep.equal([['flask', 99_724]])
  })

  const uvCases: Array<[string, string, string]> = [
    ['package = "oops"', 'version = 1\npackage = "oops"\n', 'uv.lock: "package" Expected Array but received "oops".'],
    [
      'dependencies as a string',
      UV_LOCK.replace('dependencies = [\n    { name = "flask" },\n]', 'dependencies = "flask"'),
      'uv.lock: package 1 (app), field "dependencies": Expected Array but received "flask".',
    ],
    [
      'a wheel size of 1e308',
      UV_LOCK.replace('size = 99724', 'size = 1e308'),
      'uv.lock: package 2 (flask), field "wheels.0.size": Expected a size in whole bytes but received 1e+308.',
    ],
  ]
  for (const [what, text, message] of uvCases) {
    it(`uv.lock with ${what}: one line naming the file and the field, in the prediction and in the declared dependencies`, async () => {
      expect(thrownMessage(() => resolveUvLock(text, '3.12', stack))).to.equal(message)
      writeFileSync(join(dir, 'uv.lock'), text)
      const error = await rejection(readDeclaredDependencies(dir))
      expect(error.name).to.equal('UserError')
      expect(error.message).to.equal(message)
    })
  }

  it('Pipfile.lock with an array for a version: one line naming the file and the field', async () => {
    const text = JSON.stringify({_meta: {sources: [{url: 'https://pypi.org/simple'}]}, default: {flask: {version: ['==3.0.0']}}})
    expect(thrownMessage(() => parsePipfileLock(text))).to.equal('Pipfile.lock: "default.flask.version" Expected string but received Array.')
    writeFileSync(join(dir, 'Pipfile.lock'), text)
    expect((await rejection(readDeclaredDependencies(dir))).message).to.equal('Pipfile.lock: "default.flask.version" Expected string but received Array.')
    expect(thrownMessage(() => parsePipfileLock('[1, 2]'))).to.equal('Pipfile.lock is not a table of fields.')
  })

  it('a wheel size that is not a plausible size is unknown, not shown as is', () => {
    expect(wheelSize(99_724)).to.equal(99_724)
    for (const bad of [1e308, -1, Number.NaN, 1.5, '12', Infinity]) expect(wheelSize(bad), String(bad)).to.equal(undefined)
  })
})
