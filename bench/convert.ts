/**
 * `npm run bench:convert`: what a web process pays at start-up to answer its first prediction, with TensorFlow
 * (the original `.h5`) and with ONNX Runtime (the model converted by python/convert_models.py, fp32 and int8, run by
 * templates/onnx_model.py as the converted app runs it). One 27M-parameter Keras MLP (512 -> 4096 -> 4096 -> 2048 ->
 * 10), built with a fixed seed. Each run is a fresh process: import, load, predict 16 rows; wall time around it, CPU
 * and peak RSS from GNU time; runs interleaved. Writes the "convert" section of bench/RESULTS.md.
 *
 * Needs the converter venv (scripts/convert-venv.sh) and a TensorFlow venv in bench/.work/tf-venv (tensorflow-cpu
 * and h5py from pip's indexes), created here when missing.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {parseArgs} from 'node:util'

import {BUILD_MODEL} from '../scripts/convert-demo.js'
import {formatBytes} from '../src/lib/shared/bytes.js'
import {checkGnuTime, measure, median, type Sample, WORK} from './lib/measure.js'
import {machine, writeSection} from './lib/results.js'

const {values} = parseArgs({options: {runs: {default: '5', type: 'string'}}})
const RUNS = Number(values.runs)
const DIR = resolve(WORK, 'convert')
const TF_VENV = resolve(WORK, 'tf-venv')
const H5 = join(DIR, 'mlp27m.h5')
const FP32 = join(DIR, 'mlp27m.onnx')
const INT8 = join(DIR, 'mlp27m.int8.onnx')

const PREDICT_INPUT = 'np.random.default_rng(0).standard_normal((16, 512)).astype("float32")'
const RUN_TF = `
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf
model = tf.keras.models.load_model(sys.argv[1], compile=False)
model.predict(${PREDICT_INPUT}, verbose=0)
`
const RUN_ONNX = `
import sys
import numpy as np, onnx_model
model = onnx_model.load_model(sys.argv[1])
model.predict(${PREDICT_INPUT})
`

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, input?: string): string {
  const result = spawnSync(command, args, {encoding: 'utf8', env, input, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'inherit']})
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`)
  return result.stdout
}

/** The TensorFlow venv, installed once (its time printed: a figure for the README). */
function tfPython(): string {
  const python = join(TF_VENV, 'bin/python')
  if (existsSync(join(TF_VENV, '.complete'))) return python
  const started = Date.now()
  run('/usr/bin/python3', ['-m', 'venv', TF_VENV])
  run(python, ['-m', 'pip', 'install', '--quiet', '--no-input', 'tensorflow-cpu', 'h5py'], {...process.env, PIP_RETRIES: '1'})
  execFileSync('sh', ['-c', `echo tensorflow-cpu h5py > "${TF_VENV}/.complete"`])
  console.error(`tf-venv installed in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  return python
}

interface Conversion {
  fp32: {maxAbsDiff: number; top1Agreement: number}
  int8: {kept: boolean; maxAbsDiff: number; top1Agreement: number}
  seconds: number
}

function convertModel(converter: string): Conversion {
  const request = {minAgreement: 0, models: [{out: FP32, path: H5}], quantize: 'int8'}
  const report = JSON.parse(run(converter, ['python/convert_models.py'], process.env, JSON.stringify(request)))
  const [model] = report.models
  if (!model.ok || !model.int8?.kept) throw new Error(`conversion failed: ${model.error ?? model.int8?.reason}`)
  return model
}

function versions(python: string, modules: string[]): string {
  const code = `import importlib.metadata as m, platform; print("Python " + platform.python_version() + "; " + "; ".join(n + " " + m.version(n) for n in ${JSON.stringify(modules)}))`
  return run(python, ['-c', code]).trim()
}

interface Row {
  command: string[]
  name: string
  samples: Sample[]
}

async function measureRows(rows: Row[]): Promise<void> {
  for (let i = 0; i < RUNS; i++) {
    for (let j = 0; j < rows.length; j++) {
      const row = rows[(i + j) % rows.length] // order rotated each run
      row.samples.push(await measure(row.command))
    }
  }
}

function table(rows: Row[], sizes: Record<string, number>): string {
  const lines = ['| runtime | model file | wall median (s) | CPU median (s) | peak RSS median (MB) |', '|---|---|---|---|---|']
  for (const row of rows) {
    const m = (key: keyof Sample) => median(row.samples.map(s => s[key]))
    lines.push(`| ${row.name} | ${formatBytes(sizes[row.name])} | ${m('wall').toFixed(2)} | ${m('cpu').toFixed(2)} | ${m('rss').toFixed(0)} |`)
  }

  return lines.join('\n')
}

async function main(): Promise<void> {
  checkGnuTime()
  mkdirSync(DIR, {recursive: true})
  const converter = run('scripts/convert-venv.sh', []).trim().split('\n').at(-1)!
  const tf = tfPython()
  const params = existsSync(H5) ? null : run(converter, ['-c', BUILD_MODEL, H5]).trim()
  const conversion = convertModel(converter)
  const started = machine()
  const onnxEnv = ['env', `PYTHONPATH=${resolve('templates')}`] // exec'd: GNU time measures the python
  const rows: Row[] = [
    {command: [tf, '-c', RUN_TF, H5], name: 'TensorFlow, .h5', samples: []},
    {command: [...onnxEnv, converter, '-c', RUN_ONNX, FP32], name: 'ONNX Runtime fp32 (onnx_model.py)', samples: []},
    {command: [...onnxEnv, converter, '-c', RUN_ONNX, INT8], name: 'ONNX Runtime int8 (onnx_model.py)', samples: []},
  ]
  await measureRows(rows)
  const sizes = {[rows[0].name]: statSync(H5).size, [rows[1].name]: statSync(FP32).size, [rows[2].name]: statSync(INT8).size}
  const loadEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ')
  await writeSection('convert', `## Start-up with TensorFlow vs ONNX Runtime (\`npm run bench:convert\`)

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${RUNS} runs per row, interleaved (order rotated each run),
page cache warm. Each run is a fresh Python process: import, load the model, predict 16 rows of 512 floats (what a web
process does before its first answer). Wall time around the process; CPU time and peak RSS from GNU time.
Model: a Keras MLP 512 -> 4096 -> 4096 -> 2048 -> 10 (${Number(params ?? 27_293_706).toLocaleString('en-US')} parameters), built with seed 0 and saved
as \`.h5\`; converted by \`python/convert_models.py\` (KERAS_BACKEND=torch) in ${conversion.seconds.toFixed(1)} s: fp32 max abs diff
${conversion.fp32.maxAbsDiff.toExponential(1)}, top-1 ${(conversion.fp32.top1Agreement * 100).toFixed(0)}%; int8 max abs diff
${conversion.int8.maxAbsDiff.toExponential(1)}, top-1 ${(conversion.int8.top1Agreement * 100).toFixed(1)}% (16 seeded samples). The bench asks for
\`minAgreement\` 0 so the int8 file is kept to be measured: the model is untrained, its 10 outputs are near-ties, and
under the default 99% a top-1 agreement like this one refuses the int8 model.

${started}
- load average when it ended: ${loadEnd} (on 2 cores: above 2, processes waited for a CPU and wall times stretch; CPU
  times and peak RSS do not)
- TensorFlow: ${versions(tf, ['tensorflow-cpu', 'keras', 'numpy'])}
- ONNX Runtime: ${versions(converter, ['onnxruntime', 'numpy'])}

${table(rows, sizes)}
`)
  console.log(readFileSync('bench/RESULTS.md', 'utf8').split('<!-- convert:start -->')[1].split('<!-- convert:end -->')[0])
}

await main()
