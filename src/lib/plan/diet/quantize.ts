import {createHash} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'

import {savedModelRoots} from '../../analyze/models.js'
import type {FileRow, Finding} from '../../analyze/rows.js'
import {DYNAMIC_RANGE_INT8} from '../../knowledge/quantize.js'
import {formatBytes} from '../../shared/bytes.js'

const isUnder = (path: string, dir: string) => path.startsWith(`${dir}/`)

const TEMPLATE = fileURLToPath(new URL('../../../../templates/quantize_model.py.tmpl', import.meta.url))

export interface QuantizeModel {
  /** a model file, or a SavedModel folder */
  path: string
  format: string
  files: number
  size: number
  compressed: number
  /** estimated compressed bytes saved once the .tflite file replaces it */
  savings: number
}

/** Keras and SavedModel models of the repo that the TFLiteConverter can quantize, largest first. */
export function quantizableModels(files: FileRow[]): QuantizeModel[] {
  const repo = files.filter(f => f.origin === 'repo')
  const models: QuantizeModel[] = []
  const model = (path: string, format: string, members: FileRow[]): QuantizeModel => {
    const compressed = members.reduce((n, f) => n + f.compressed, 0)
    return {
      compressed,
      files: members.length,
      format,
      path,
      savings: Math.round(compressed * (1 - DYNAMIC_RANGE_INT8.ratio)),
      size: members.reduce((n, f) => n + f.size, 0),
    }
  }

  const roots = savedModelRoots(repo)
  for (const root of roots) models.push(model(root, 'savedmodel', repo.filter(f => isUnder(f.path, root))))
  for (const f of repo) {
    if (f.modelFormat && f.modelFormat !== 'savedmodel' && DYNAMIC_RANGE_INT8.formats.includes(f.modelFormat) && !roots.some(r => isUnder(f.path, r))) {
      models.push(model(f.path, f.modelFormat, [f]))
    }
  }

  return models.sort((a, b) => b.compressed - a.compressed || a.path.localeCompare(b.path))
}

/** The quantization finding: an estimate, since only converting the model tells its real size. */
export function quantizeFinding(models: QuantizeModel[]): Finding | undefined {
  if (models.length === 0) return undefined
  const savings = models.reduce((n, m) => n + m.savings, 0)
  return {
    command: 'heroku slug:diet --emit-quantize-script quantize_model.py',
    estimated: true,
    evidence: models.map(m => `${m.path} (${m.format}): ${formatBytes(m.compressed)} compressed`),
    id: 'quantize-model',
    kind: 'model-in-repo',
    paths: models.map(m => m.path),
    remedy:
      `Convert to ${DYNAMIC_RANGE_INT8.label} (about ${Math.round(1 / DYNAMIC_RANGE_INT8.ratio)}x smaller) and run it with `
      + `${DYNAMIC_RANGE_INT8.runtime} instead of TensorFlow; check the accuracy on your own data first.`,
    savings,
    severity: savings >= 100e6 ? 'high' : (savings >= 10e6 ? 'medium' : 'low'),
    source: DYNAMIC_RANGE_INT8.source,
    title: `${models.length} Keras/SavedModel model${models.length === 1 ? '' : 's'} could be quantized to TensorFlow Lite`,
  }
}

/** The line of the template that marks a script as the plugin's own, so a later run may rewrite it. */
export const QUANTIZE_SCRIPT_MARK = 'Written by `heroku slug:diet --emit-quantize-script`'

/**
 * The .tflite file each model is converted to: `<name>.tflite` beside it (a SavedModel folder: `<folder>.tflite`),
 * or `<file name>.tflite` (models/classifier.h5.tflite) when two models would share a name, so that no
 * conversion overwrites another's.
 */
export function tfliteOutputs(models: Pick<QuantizeModel, 'format' | 'path'>[]): Map<string, string> {
  const plain = (m: Pick<QuantizeModel, 'format' | 'path'>) => {
    const path = m.path.replace(/\/+$/, '')
    if (m.format === 'savedmodel') return `${path}.tflite`
    const dot = path.lastIndexOf('.')
    return `${dot > path.lastIndexOf('/') ? path.slice(0, dot) : path}.tflite`
  }

  const full = (m: Pick<QuantizeModel, 'path'>) => `${m.path.replace(/\/+$/, '')}.tflite`
  const outputs = new Map(models.map(m => [m.path, plain(m)]))
  // Full names are unique (model paths are), but one may equal another model's plain name (a.h5 and
  // a.h5.keras): repeat until no two share a name; each round turns at least one plain name into a full one.
  for (;;) {
    const count = new Map<string, number>()
    for (const out of outputs.values()) count.set(out, (count.get(out) ?? 0) + 1)
    const clashing = models.filter(m => count.get(outputs.get(m.path)!)! > 1 && outputs.get(m.path) !== full(m))
    if (clashing.length === 0) return outputs
    for (const m of clashing) outputs.set(m.path, full(m))
  }
}

/**
 * The script's last line: the sha256 of everything above it, so that a later run can tell its own script as
 * written (rewritten freely) from one the user has edited since (replaced only with --force).
 */
const CHECKSUM_PREFIX = '# heroku-slug-diet sha256='

/** CRLF counts as LF: a checkout with core.autocrlf is not an edit. */
const checksum = (body: string) => createHash('sha256').update(body.replaceAll('\r\n', '\n')).digest('hex')

/** A ready-to-run TFLiteConverter script for these models (paths relative to the repo root). */
export async function renderQuantizeScript(models: Pick<QuantizeModel, 'format' | 'path'>[]): Promise<string> {
  const template = await readFile(TEMPLATE, 'utf8')
  const outputs = tfliteOutputs(models)
  const list = JSON.stringify(models.map(m => ({format: m.format, output: outputs.get(m.path), path: m.path})), null, 1)
  return withChecksum(template.replace('__MODELS__', () => list))
}

/** A file the plugin writes, with the checksum line that later tells it from the user's edits. */
export function withChecksum(body: string): string {
  return `${body}${CHECKSUM_PREFIX}${checksum(body)}\n`
}

/** True when the text is a file this plugin wrote (withChecksum), unchanged since. */
export function isOwnUnedited(text: string): boolean {
  const at = text.lastIndexOf(`\n${CHECKSUM_PREFIX}`)
  if (at === -1) return false
  const value = text.slice(at + 1 + CHECKSUM_PREFIX.length).trim()
  return value === checksum(text.slice(0, at + 1))
}

/**
 * Why the script may not be written to a path that holds a file the plugin did not write (or wrote, and the
 * user edited since), or undefined. The user's own `quantize.py` is never replaced without `--force`.
 */
export function quantizeScriptConflict(path: string, existing: string | undefined): string | undefined {
  if (existing === undefined || isOwnUnedited(existing)) return undefined
  const what = existing.includes(QUANTIZE_SCRIPT_MARK) ? 'was written by this plugin but edited since' : 'exists and was not written by this plugin'
  return `${path} ${what}: choose another --emit-quantize-script path, or run again with --force to replace it. Nothing was written.`
}
