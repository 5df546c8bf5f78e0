/**
 * `npm run bench:convert-slug`: the slug of the README's demo app (scripts/convert-demo.ts: Flask, tensorflow-cpu,
 * a 27M-parameter Keras MLP as .h5) before and after `heroku slug:convert-models --quantize int8 --yes`, each built
 * as the Python buildpack lays it out: the committed files (git archive, minus what .slugignore names) in ./app and
 * the requirements installed by pip (`pip install --target app/.heroku/python/lib/pythonX.Y/site-packages`, from
 * pip's configured indexes) beside them; then `tar -czf` (gzip -6, as slugs are) and the compressed size, and
 * `slug:inspect --file slug.tgz --json` on each. The Python runtime itself (.heroku/python/bin, lib/pythonX.Y) is
 * not installed: the same on both sides (~22.5 MB compressed for 3.11, src/lib/knowledge/python-stack.ts).
 * Writes the "convert-slug" section of bench/RESULTS.md.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {formatBytes} from '../src/lib/shared/bytes.js'
import {buildDemoApp, converterPython} from '../scripts/convert-demo.js'
import {WORK} from './lib/measure.js'
import {machine, writeSection} from './lib/results.js'

const DIR = resolve(WORK, 'convert-slug')
const APP = join(DIR, 'classifier-app')
const PYTHON = process.env.HEROKU_SLUG_DIET_PYTHON ?? 'python3'

function run(command: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): string {
  const result = spawnSync(command, args, {cwd: options.cwd, encoding: 'utf8', env: options.env ?? process.env, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit']})
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`)
  return result.stdout
}

/** The paths a .slugignore names (the plugin's block holds literal paths; anything else is refused here). */
function slugignored(text: string): string[] {
  const paths = text.split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
  for (const path of paths) if (/[*?[\]!]/.test(path)) throw new Error(`.slugignore pattern ${path}: this bench only removes literal paths`)
  return paths.map(p => p.replace(/^\//, ''))
}

interface Slug {
  files: number
  /** the titles of slug:inspect's findings */
  findings: string[]
  inspect: {compressed: number; uncompressed: number}
  packages: number
  requirements: string
  seconds: number
  tgz: number
}

/** The app's committed tree as a slug: ./app with the repo's files and site-packages, tar -czf. */
function buildSlug(name: string): Slug {
  const started = Date.now()
  const root = join(DIR, name)
  const app = join(root, 'app')
  rmSync(root, {force: true, recursive: true})
  mkdirSync(app, {recursive: true})
  spawnSync('sh', ['-c', `git -C "${APP}" archive HEAD | tar -x -C "${app}"`], {stdio: 'inherit'})
  let ignored: string[] = []
  try {
    ignored = slugignored(readFileSync(join(app, '.slugignore'), 'utf8'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  for (const path of ignored) rmSync(join(app, path), {force: true, recursive: true})
  const minor = run(PYTHON, ['-c', 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")']).trim()
  const site = join(app, '.heroku', 'python', 'lib', `python${minor}`, 'site-packages')
  run(PYTHON, ['-m', 'pip', 'install', '--quiet', '--no-input', '--disable-pip-version-check', '--only-binary=:all:', '--target', site, '-r', join(app, 'requirements.txt')], {
    env: {...process.env, PIP_RETRIES: process.env.PIP_RETRIES ?? '1'},
  })
  const packages = Number(run('sh', ['-c', `ls -d "${site}"/*.dist-info | wc -l`]).trim())
  const tgz = join(root, 'slug.tgz')
  run('tar', ['-czf', tgz, '-C', root, './app'])
  const report = JSON.parse(run(resolve('bin/run.js'), ['slug:inspect', '--file', tgz, '--json']))
  return {
    files: report.totals.files,
    findings: report.findings.map((f: {title: string}) => f.title),
    inspect: {compressed: report.totals.compressed, uncompressed: report.totals.uncompressed},
    packages,
    requirements: readFileSync(join(app, 'requirements.txt'), 'utf8').trim().split('\n').join(', '),
    seconds: (Date.now() - started) / 1000,
    tgz: statSync(tgz).size,
  }
}

/** Flask's test client POSTs one row to the built slug's /predict, importing from its site-packages only. */
const ANSWER = `
import json, sys
from app import app
body = app.test_client().post("/predict", json={"features": [0.5] * 512}).get_json()
frameworks = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "torch"))
print(json.dumps({"label": body["label"], "frameworks": frameworks}))
`

function answer(name: string): {frameworks: string[]; label: number} {
  const app = join(DIR, name, 'app')
  const site = run('sh', ['-c', `ls -d "${app}"/.heroku/python/lib/python*/site-packages`]).trim()
  return JSON.parse(run(PYTHON, ['-s', '-c', ANSWER], {cwd: app, env: {...process.env, PYTHONPATH: site, TF_CPP_MIN_LOG_LEVEL: '3'}}))
}

async function main(): Promise<void> {
  run('npm', ['run', '--silent', 'build'])
  const started = machine()
  const converter = await converterPython()
  await buildDemoApp(APP, converter)
  const model = (path: string) => `${path.split('/').at(-1)} (${formatBytes(statSync(join(APP, path)).size)})`
  const beforeModel = model('models/classifier.h5')
  console.error('bench:convert-slug: the slug before (tensorflow-cpu from pip)...')
  const before = buildSlug('before')
  const convertArgs = ['slug:convert-models', '--dir', APP, '--python', converter, '--quantize', 'int8', '--min-agreement', '0.98', '--yes']
  run(resolve('bin/run.js'), convertArgs, {env: {...process.env, NO_COLOR: '1'}})
  run('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'add', '-A'], {cwd: APP})
  run('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-qm', 'converted'], {cwd: APP})
  const afterModel = model('models/classifier.int8.onnx')
  console.error('bench:convert-slug: the slug after (onnxruntime from pip)...')
  const after = buildSlug('after')
  const answers = {after: answer('after'), before: answer('before')}
  const row = (name: string, modelFile: string, s: Slug) =>
    `| ${name} | ${s.requirements} | ${modelFile} | ${s.packages} | ${formatBytes(s.tgz)} | ${formatBytes(s.inspect.compressed)} | ${formatBytes(s.inspect.uncompressed)} | ${s.files} |`
  const saved = before.tgz - after.tgz
  await writeSection('convert-slug', `## Slug size before and after slug:convert-models (\`npm run bench:convert-slug\`)

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. The README's demo app (\`scripts/convert-demo.ts\`: Flask,
\`tf.keras.models.load_model("models/classifier.h5")\` and \`predict\`, a 27M-parameter Keras MLP built with seed 0) as its
slug would be built, before and after \`heroku slug:convert-models --quantize int8 --min-agreement 0.98 --yes\` and a
commit: the committed files (\`git archive HEAD\`, minus the paths \`.slugignore\` names) in \`./app\`, the requirements
installed by \`pip install --only-binary=:all: --target app/.heroku/python/lib/python3.X/site-packages\` from pip's
configured indexes (here a local mirror of PyPI's wheels), then \`tar -czf\` (gzip -6). The Python runtime is not in
either (the same on both sides: ~22.5 MB compressed for 3.11). "slug:inspect" is \`slug:inspect --file slug.tgz --json\`
on the same archive (for a slug file its compressed total is the archive's size; uncompressed is what it unpacks to).
int8 needs \`--min-agreement 0.98\` here: the model is untrained, its 10 outputs are near-ties and int8 flips 2 of the
128 seeded samples (98.4%), under the default 99%.

${started}
- pip: ${run(PYTHON, ['-m', 'pip', '--version']).trim().split(' from ')[0]}; ${PYTHON} ${run(PYTHON, ['-c', 'import platform; print(platform.python_version())']).trim()}

| slug | requirements.txt | model | packages installed | slug.tgz (tar -czf) | slug:inspect compressed | slug:inspect uncompressed | files |
|---|---|---|---|---|---|---|---|
${row('before', beforeModel, before)}
${row('after', afterModel, after)}

Saved: ${formatBytes(saved)} of the compressed slug (${((saved / before.tgz) * 100).toFixed(0)}%); built in ${before.seconds.toFixed(0)} s and ${after.seconds.toFixed(0)} s.
Both slugs answer: Flask's test client POSTs one row to \`/predict\` with the slug's site-packages first on the path
(\`python3 -s\`, PYTHONPATH): before, label ${answers.before.label} (modules loaded: ${answers.before.frameworks.filter(m => !m.includes('.')).join(', ')});
after, label ${answers.after.label} (${answers.after.frameworks.length === 0 ? 'no TensorFlow, Keras or torch module loaded' : `loaded: ${answers.after.frameworks.join(', ')}`}).
slug:inspect's findings on the slug before: ${before.findings.map(f => `"${f}"`).join('; ')}.
After: ${after.findings.map(f => `"${f}"`).join('; ') || 'none'}.
`)
  console.log(readFileSync('bench/RESULTS.md', 'utf8').split('<!-- convert-slug:start -->')[1].split('<!-- convert-slug:end -->')[0])
}

await main()
