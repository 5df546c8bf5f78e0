import {expect} from 'chai'
import {chmod, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import * as v from 'valibot'

import {choosePython, EXIT_MISSING_MODULES, runPythonScript} from '../../../../../src/lib/predict/python/scripts.js'
import {UserError} from '../../../../../src/lib/shared/errors.js'
import {rejection} from '../../../../helpers/rejection.js'

const Schema = v.object({answer: v.number()})

/** A fake interpreter: a shell script run as `PY script.py ARGS`, with its stdin. */
async function fakePython(dir: string, body: string): Promise<string> {
  const path = join(dir, 'python')
  await writeFile(path, `#!/bin/sh\n${body}\n`)
  await chmod(path, 0o755)
  return path
}

describe('predict/python/scripts', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scripts-test-'))
  })

  afterEach(async () => {
    await rm(dir, {force: true, recursive: true})
  })

  it('chooses --python, else HEROKU_SLUG_DIET_PYTHON, else python3', () => {
    expect(choosePython('/x/py', {HEROKU_SLUG_DIET_PYTHON: '/y/py'})).to.equal('/x/py')
    expect(choosePython(undefined, {HEROKU_SLUG_DIET_PYTHON: '/y/py'})).to.equal('/y/py')
    expect(choosePython(undefined, {})).to.equal('python3')
    expect(choosePython(undefined, {HEROKU_SLUG_DIET_PYTHON: 'none'})).to.equal('python3')
  })

  it('sends the request on stdin and reads one JSON object back, the script path first', async () => {
    const python = await fakePython(dir, `echo "$1" > ${dir}/argv; cat > ${dir}/stdin; echo '{"answer": 42}'`)
    const out = await runPythonScript({input: {models: []}, python, schema: Schema, script: 'convert_models.py', timeoutMs: 10_000})
    expect(out).to.deep.equal({answer: 42})
    expect(await readFile(join(dir, 'stdin'), 'utf8')).to.equal('{"models":[]}')
    expect((await readFile(join(dir, 'argv'), 'utf8')).trim()).to.match(/\/python\/convert_models\.py$/)
  })

  it('names the missing modules and the pip command on exit 3', async () => {
    const python = await fakePython(dir, `echo '{"missing": ["onnx", "onnxscript"], "models": []}'; exit ${EXIT_MISSING_MODULES}`)
    const error = await rejection(runPythonScript({missingHint: 'or pass --install-converter', python, schema: Schema, script: 'convert_models.py', timeoutMs: 10_000}))
    expect(error).to.be.instanceOf(UserError)
    expect(error.message).to.equal(`${python} is missing the modules onnx, onnxscript: ${python} -m pip install onnx onnxscript, or pass --install-converter. Nothing was written.`)
  })

  it('shows the last line of stderr when the script crashes', async () => {
    const python = await fakePython(dir, 'echo "Traceback (most recent call last):" >&2; echo "  File x" >&2; echo "ValueError: bad shape" >&2; exit 1')
    const error = await rejection(runPythonScript({python, schema: Schema, script: 'convert_models.py', timeoutMs: 10_000}))
    expect(error.message).to.equal('convert_models.py failed (exit 1): ValueError: bad shape. Nothing was written.')
  })

  it('refuses output that is not JSON, or JSON of the wrong shape, in one line', async () => {
    const notJson = await fakePython(dir, 'echo "loading model..."')
    expect((await rejection(runPythonScript({python: notJson, schema: Schema, script: 'app_uses.py', timeoutMs: 10_000}))).message)
    .to.equal('app_uses.py did not print one JSON object (it printed "loading model..."). Nothing was written.')
    const wrong = await fakePython(dir, 'echo \'{"answer": "many"}\'')
    expect((await rejection(runPythonScript({python: wrong, schema: Schema, script: 'app_uses.py', timeoutMs: 10_000}))).message)
    .to.match(/^app_uses\.py printed JSON that does not fit: "answer" .*number.*\. Nothing was written\.$/)
  })

  it('says a script that prints past the output bound was stopped for it, not that it crashed', async () => {
    const python = await fakePython(dir, String.raw`head -c 70000000 /dev/zero | tr "\0" a; sleep 30`)
    const error = await rejection(runPythonScript({python, schema: Schema, script: 'convert_models.py', timeoutMs: 20_000}))
    expect(error.message).to.equal('convert_models.py printed more than the plugin reads and was stopped. Nothing was written.')
  })

  it('kills the whole process group past the time bound', async () => {
    // The child of the fake python writes its pid, then sleeps: it must die with its parent.
    const python = await fakePython(dir, `sleep 30 & echo $! > ${dir}/child; wait`)
    const started = Date.now()
    const error = await rejection(runPythonScript({python, schema: Schema, script: 'convert_models.py', timeoutMs: 300}))
    expect(error.message).to.equal('convert_models.py did not finish within 0.3 s and was stopped. Nothing was written.')
    expect(Date.now() - started).to.be.below(5000)
    const child = Number((await readFile(join(dir, 'child'), 'utf8')).trim())
    await new Promise(r => {
      setTimeout(r, 200)
    })
    // gone, or a zombie nobody reaps (a container's init may not)
    const state = await readFile(`/proc/${child}/stat`, 'utf8').then(t => t.split(') ')[1]?.[0], () => 'gone')
    expect(state).to.be.oneOf(['gone', 'Z'])
  })

  it('says when the Python cannot be found', async () => {
    const error = await rejection(runPythonScript({python: join(dir, 'no-such-python'), schema: Schema, script: 'x.py', timeoutMs: 10_000}))
    expect(error.message).to.equal(`${join(dir, 'no-such-python')} is not installed (or not on PATH): name a Python with --python or HEROKU_SLUG_DIET_PYTHON. Nothing was written.`)
  })
})
