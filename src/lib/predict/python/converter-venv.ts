import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ChildStartError, runBounded} from '../../shared/child-process.js'
import {UserError} from '../../shared/errors.js'
import {parsePipReport, pipFailure} from './pip.js'
import {lastLine} from './scripts.js'

/** What python/convert_models.py needs (issue 18): Keras on its torch backend, a CPU torch, the ONNX exporters and runtime. */
export const CONVERTER_PACKAGES = ['keras', 'torch', 'onnx', 'onnxscript', 'onnxruntime', 'h5py', 'numpy']
const IMPORT_CHECK = 'import keras, torch, onnx, onnxscript, onnxruntime, h5py, numpy'
/** PyTorch's CPU wheels (https://pytorch.org/get-started/locally/): asked for when the user's indexes offer CUDA ones. */
export const TORCH_CPU_INDEX = 'https://download.pytorch.org/whl/cpu'
const VENV_TIMEOUT_MS = 3 * 60 * 1000
const RESOLVE_TIMEOUT_MS = 10 * 60 * 1000
const INSTALL_TIMEOUT_MS = 30 * 60 * 1000
const MARKER = '.slug-diet-complete'

/** CUDA libraries: a conversion runs on the CPU, and these weigh gigabytes. */
const isCuda = (name: string) => name.startsWith('nvidia-') || name === 'triton'

export interface ConverterOptions {
  /** the Python the virtualenv is made from */
  python: string
  progress?: (line: string) => void
  env?: NodeJS.ProcessEnv
}

function venvPython(venv: string): string {
  return process.platform === 'win32' ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python')
}

interface Step {
  label: string
  command: string
  args: string[]
  timeoutMs: number
}

async function step({args, command, label, timeoutMs}: Step, options: ConverterOptions): Promise<string> {
  const result = await runBounded({args, command, env: {...options.env ?? process.env, PIP_NO_INPUT: '1'}, onLine: options.progress, timeoutMs}).catch((error: unknown) => {
    if (!(error instanceof ChildStartError)) throw error
    const why = error.code === 'ENOENT' ? 'is not installed (or not on PATH)' : `could not run (${error.code})`
    throw new UserError(`${command} ${why}: name another with HEROKU_SLUG_DIET_PYTHON.`)
  })
  if (result.timedOut) throw new UserError(`${label} did not finish within ${Math.round(timeoutMs / 60_000)} min and was stopped.`)
  if (result.code !== 0) {
    const output = result.stdout + result.stderr
    const failure = pipFailure(output)
    const detail = failure.kind === 'no-wheel' ? `no wheel for ${failure.requirement}` : ('detail' in failure ? failure.detail : 'pip failed')
    throw new UserError(`${label} failed: ${args.includes('pip') ? detail : lastLine(output) ?? `exit ${result.code}`}.`)
  }

  return result.stdout
}

/** The extra pip arguments that keep CUDA out: none when the user's indexes already give a CPU torch. */
async function cpuArguments(python: string, options: ConverterOptions): Promise<string[]> {
  const work = await mkdtemp(join(tmpdir(), 'slug-diet-converter-'))
  try {
    for (const extra of [[], ['--extra-index-url', TORCH_CPU_INDEX]]) {
      const report = join(work, 'report.json')
      const args = ['-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--only-binary=:all:', '--report', report, '--quiet', ...extra, ...CONVERTER_PACKAGES]
      await step({args, command: python, label: 'Resolving the converter\'s packages', timeoutMs: RESOLVE_TIMEOUT_MS}, options)
      const cuda = parsePipReport(await readFile(report, 'utf8')).dists.map(d => d.name).filter(n => isCuda(n))
      if (cuda.length === 0) return extra
      const names = `${cuda.slice(0, 3).join(', ')}${cuda.length > 3 ? '...' : ''}`
      options.progress?.(`pip would install CUDA wheels (${names}) with torch${extra.length === 0 ? `: trying PyTorch's CPU index ${TORCH_CPU_INDEX}` : ''}`)
    }

    throw new UserError([
      `pip would install CUDA wheels (nvidia-*) with torch from your indexes, even with ${TORCH_CPU_INDEX}: a conversion runs on the CPU.`,
      `Configure an index with CPU torch wheels (pip config set global.extra-index-url ${TORCH_CPU_INDEX}) and run again, or pass --python with your own converter.`,
    ].join(' '))
  } finally {
    await rm(work, {force: true, recursive: true})
  }
}

/**
 * The converter's virtualenv, in the plugin's cache folder (`converter-venv`): keras, a CPU torch, onnx, onnxscript,
 * onnxruntime, h5py and numpy from the user's configured indexes (pip.conf, PIP_* variables), never CUDA wheels.
 * Made once; a complete one is reused. Every step is bounded in time. Returns its python.
 */
export async function installConverter(cacheDir: string, options: ConverterOptions): Promise<string> {
  const venv = join(cacheDir, 'converter-venv')
  const python = venvPython(venv)
  const wanted = CONVERTER_PACKAGES.join(' ')
  const marker = await readFile(join(venv, MARKER), 'utf8').catch(() => '')
  if (marker.trim() === wanted) return python

  options.progress?.(`Installing the converter (${wanted}) in ${venv}...`)
  await rm(venv, {force: true, recursive: true})
  await mkdir(cacheDir, {recursive: true})
  await step({args: ['-m', 'venv', venv], command: options.python, label: 'Creating the converter\'s virtualenv', timeoutMs: VENV_TIMEOUT_MS}, options)
  const extra = await cpuArguments(python, options)
  const install = ['-m', 'pip', 'install', '--only-binary=:all:', '--quiet', ...extra, ...CONVERTER_PACKAGES]
  await step({args: install, command: python, label: 'Installing the converter\'s packages', timeoutMs: INSTALL_TIMEOUT_MS}, options)
  const check = {...options, env: {...options.env ?? process.env, KERAS_BACKEND: 'torch'}}
  await step({args: ['-c', IMPORT_CHECK], command: python, label: 'Checking the converter', timeoutMs: VENV_TIMEOUT_MS}, check)
  await writeFile(join(venv, MARKER), `${wanted}\n`)
  return python
}
