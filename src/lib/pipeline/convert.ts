import {lstat, mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {modelFormatInfo} from '../knowledge/model-formats.js'
import {CONVERTIBLE_FORMATS, outputNames} from '../plan/convert/naming.js'
import {type ConvertModelInput, type ConvertPlan, planConvert, RUNTIME_MODULE} from '../plan/convert/plan.js'
import {REQUIREMENTS_PATH, SLUGIGNORE_PATH} from '../plan/diet/diet.js'
import {findModels} from '../plan/offload/find.js'
import {type AppUses, AppUsesSchema, type Conversion, type ConversionRequest, ConversionSchema} from '../predict/python/convert-output.js'
import {runPythonScript} from '../predict/python/scripts.js'
import {UserError} from '../shared/errors.js'
import {readExisting} from './diet.js'

const TEMPLATE = fileURLToPath(new URL('../../../templates/onnx_model.py', import.meta.url))

/** A conversion exports and runs every model twice: minutes for a large one on a small machine. */
export const CONVERT_TIMEOUT_MS = 30 * 60 * 1000
/** Reading the app's code with `ast` takes seconds. */
const APP_USES_TIMEOUT_MS = 2 * 60 * 1000
/** fp32 outputs must match the original's within this, relative to the output's scale (issue 18). */
const TOLERANCE = 1e-4
/**
 * Seeded inputs per model. 16 could only say 100% or at most 93.8%, so a 99% agreement threshold meant "no flip
 * in 16", which passed an int8 MLP that flipped 1 of 37 real inputs; with 128, two flips fall under 99%.
 */
const SAMPLES = 128

export interface ConvertOptions {
  /** the repo, or a folder inside it */
  dir: string
  cwd: string
  /** models named on the command line; empty: every convertible model, by content */
  paths: string[]
  python: string
  quantize: boolean
  minAgreement: number
  force: boolean
  /** a PyTorch model's input shape, batch first (`1,3,224,224`): a torch module does not record it */
  inputShape?: number[]
  timeoutMs?: number
  /** what to suggest when the Python lacks a module */
  missingHint?: string
  /** each line the converter prints on stderr */
  onLine?: (line: string) => void
}

export interface ConvertRun {
  root: string
  python: string
  versions: Conversion['versions']
  plan: ConvertPlan
  /** removes the converter's output folder: call when the models are written (or not) */
  cleanup: () => Promise<void>
}

/** Keras and PyTorch models of the repo (the rest named on the command line is refused). */
async function convertibleModels(options: ConvertOptions): Promise<{models: ConvertModelInput[]; root: string}> {
  const found = await findModels({
    cwd: options.cwd,
    dir: options.dir,
    minSize: 0,
    noneFound: root => `No committed model file was found in ${root}: name the files (slug:convert-models PATH...).`,
    paths: options.paths,
  })
  const models = found.models.filter(m => CONVERTIBLE_FORMATS.has(m.format))
  const other = found.models.filter(m => !CONVERTIBLE_FORMATS.has(m.format))
  if (options.paths.length > 0 && other.length > 0) {
    const [first] = other
    const what = modelFormatInfo(first.format)?.label ?? `not a model slug:convert-models knows (${first.format})`
    throw new UserError(`${first.path} is ${what}: slug:convert-models converts Keras (.keras, .h5) and PyTorch models.`)
  }

  if (models.length === 0) {
    const seen = other.slice(0, 3).map(m => `${m.path} (${modelFormatInfo(m.format)?.label ?? m.format})`).join(', ')
    throw new UserError(`No Keras or PyTorch model is committed in ${found.root}${seen ? `; found ${seen}` : ''}. Nothing to convert.`)
  }

  return {models: models.map(m => ({format: m.format, kind: m.kind, path: m.path, size: m.size})), root: found.root}
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/** The files the plan reads and may change: requirements, .slugignore, the runtime module, the code app_uses.py edits. */
async function readTexts(root: string, uses: AppUses | undefined): Promise<Record<string, string | undefined>> {
  const places = uses ? [...uses.edits, ...uses.addImport, ...uses.removeImports].map(e => e.file) : []
  const modules = places.map(f => (f.includes('/') ? `${f.slice(0, f.lastIndexOf('/') + 1)}${RUNTIME_MODULE}` : RUNTIME_MODULE))
  const paths = [...new Set([REQUIREMENTS_PATH, RUNTIME_MODULE, SLUGIGNORE_PATH, ...modules, ...places])]
  const texts: Record<string, string | undefined> = {}
  for (const path of paths) texts[path] = await readExisting(root, path)
  return texts
}

/** app_uses.py over the app: how it uses the frameworks, and the edits pointing its loads at the ONNX models. */
async function readAppUses(root: string, python: string, map: Map<string, string>): Promise<{error?: string; uses?: AppUses}> {
  try {
    const args = [root, ...[...map].flatMap(([from, to]) => ['--map', `${from}=${to}`])]
    return {uses: await runPythonScript({args, cwd: root, python, schema: AppUsesSchema, script: 'app_uses.py', timeoutMs: APP_USES_TIMEOUT_MS})}
  } catch (error) {
    if (error instanceof UserError) return {error: error.message.replace(/ Nothing was written\.$/, '')}
    throw error
  }
}

/**
 * slug:convert-models up to its plan: the repo's Keras and PyTorch models converted and verified by the user's
 * Python into a temp folder (nothing in the repo is touched), the app's code read, and the plan of what to write.
 */
export async function convertModels(options: ConvertOptions): Promise<ConvertRun> {
  const {models, root} = await convertibleModels(options)
  const names = outputNames(models.map(m => m.path))
  const work = await mkdtemp(join(tmpdir(), 'slug-diet-convert-'))
  const cleanup = () => rm(work, {force: true, recursive: true})
  try {
    const request: ConversionRequest = {
      minAgreement: options.minAgreement,
      models: models.map((m, i) => ({
        inputs: options.inputShape && m.format.startsWith('pytorch') ? [{dtype: 'float32', shape: [null, ...options.inputShape.slice(1)]}] : undefined,
        out: join(work, `${i}.onnx`),
        path: resolve(root, m.path),
      })),
      quantize: options.quantize ? 'int8' : null,
      root,
      samples: SAMPLES,
      seed: 0,
      tolerance: TOLERANCE,
    }
    const conversion = await runPythonScript({
      cwd: root,
      input: request,
      missingHint: options.missingHint,
      onLine: options.onLine,
      python: options.python,
      schema: ConversionSchema,
      script: 'convert_models.py',
      timeoutMs: options.timeoutMs ?? CONVERT_TIMEOUT_MS,
    })
    // The contract keeps the order; a converter that does not is not trusted with the user's files.
    if (conversion.models.length !== models.length || conversion.models.some((m, i) => m.path !== request.models[i].path)) {
      throw new UserError('convert_models.py answered for other models than it was asked about. Nothing was written.')
    }

    const map = new Map<string, string>()
    for (const [i, m] of models.entries()) {
      const out = conversion.models[i]
      if (out.ok) map.set(m.path, out.int8?.kept ? names.get(m.path)!.int8 : names.get(m.path)!.onnx)
    }

    const {error, uses} = map.size > 0 ? await readAppUses(root, options.python, map) : {}
    const texts = await readTexts(root, uses)
    const targets = [...[...names.values()].flatMap(n => [n.onnx, n.int8]), ...Object.keys(texts).filter(p => p.endsWith(RUNTIME_MODULE))]
    const existing = new Set<string>()
    for (const path of targets) if (await exists(resolve(root, path))) existing.add(path)
    const template = await readFile(TEMPLATE, 'utf8').catch(() => {
      throw new UserError(`The plugin's templates/onnx_model.py is missing (${TEMPLATE}): reinstall heroku-slug-diet. Nothing was written.`)
    })
    const plan = planConvert({conversion, existing, force: options.force, models, names, template, texts, uses})
    if (error) plan.stays.splice(0, plan.stays.length, `the app's code could not be read (${error})`)
    return {cleanup, plan, python: options.python, root, versions: conversion.versions}
  } catch (error) {
    await cleanup()
    throw error
  }
}
