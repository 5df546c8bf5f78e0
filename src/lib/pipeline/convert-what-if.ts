import {copyFile, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import type {ConvertPlan, ConvertWhatIf} from '../plan/convert/plan.js'
import {REQUIREMENTS_PATH} from '../plan/diet/diet.js'
import {isFallback, resolveForStack, type StackResolveOptions} from '../predict/python/predict.js'
import {trackedPaths} from '../source/repo-files.js'

/** Files the resolution reads beside requirements.txt: the Python version, the stack, included requirement files. */
const RESOLUTION_INPUTS = /^(?:runtime\.txt|\.python-version|app\.json|.*requirements.*\.txt|.*constraints.*\.txt)$/

const compressedOf = (packages: {compressed: number}[]) => packages.reduce((n, p) => n + p.compressed, 0)

/**
 * The slug before and after the plan, predicted as slug:inspect --dir does before a push: the same resolver over
 * requirements.txt as it is and as the plan leaves it (in a temp folder: nothing in the repo is written). Models
 * hardly compress: their bytes are their share.
 */
export async function predictConversion(root: string, plan: ConvertPlan, options: StackResolveOptions): Promise<ConvertWhatIf | undefined> {
  const after = plan.requirements?.text
  if (after === undefined) return undefined
  const ignored = new Set(plan.ignored)
  const modelsBefore = plan.models.reduce((n, m) => n + m.before, 0)
  const modelsAfter = modelsBefore - plan.models.filter(m => ignored.has(m.path)).reduce((n, m) => n + m.before, 0) + plan.modelWrites.reduce((n, w) => n + w.bytes, 0)
  const tracked = new Set(await trackedPaths(root))
  const before = await resolveForStack(root, tracked, options)
  if (before === undefined) return undefined
  if (isFallback(before)) return {modelsAfter, modelsBefore, unavailable: before.fallback}

  const work = await mkdtemp(join(tmpdir(), 'slug-diet-convert-what-if-'))
  try {
    const inputs = [...tracked].filter(p => RESOLUTION_INPUTS.test(p.slice(p.lastIndexOf('/') + 1)) && p !== REQUIREMENTS_PATH)
    for (const p of inputs) {
      await mkdir(dirname(join(work, p)), {recursive: true})
      await copyFile(join(root, p), join(work, p)).catch(() => {})
    }

    await writeFile(join(work, REQUIREMENTS_PATH), after)
    const resolved = await resolveForStack(work, new Set([REQUIREMENTS_PATH, ...inputs]), options)
    if (resolved === undefined || isFallback(resolved)) return {modelsAfter, modelsBefore, unavailable: resolved?.fallback ?? 'the new requirements did not resolve'}
    return {modelsAfter, modelsBefore, packagesAfter: compressedOf(resolved.packages), packagesBefore: compressedOf(before.packages)}
  } finally {
    await rm(work, {force: true, recursive: true})
  }
}
