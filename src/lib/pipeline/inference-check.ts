import type {Finding} from '../analyze/rows.js'
import type {SlugReport} from '../analyze/report.js'
import {type AppUses, AppUsesSchema} from '../predict/python/convert-output.js'
import {choosePython, runPythonScript} from '../predict/python/scripts.js'
import {UserError} from '../shared/errors.js'

/** Reading the app's code with `ast` takes a second or two; past this, the finding stays conditional. */
const APP_USES_TIMEOUT_MS = 60_000
/** The modules app_uses.py reports, per framework label of the finding. */
const MODULES: Record<string, string[]> = {pytorch: ['torch'], tensorflow: ['tensorflow', 'keras']}

/** The finding once the app's code has answered its condition; undefined when it does not apply. */
function answered(finding: Finding, uses: AppUses): Finding | undefined {
  const label = finding.id.slice(finding.id.indexOf(':') + 1)
  const used = (MODULES[label] ?? []).map(m => [m, uses.frameworks[m]] as const).filter(([, f]) => f?.imported)
  // Imported by none of the app's files: a library may use it; the condition stays open.
  if (used.length === 0) return finding
  const other = used.flatMap(([m, f]) => f.otherUses.map(u => `${u.file}:${u.line} ${u.code} (${m})`))
  if (other.length > 0) return undefined
  const loads = used.flatMap(([, f]) => f.loads.map(l => `${l.file}:${l.line}`))
  return {
    ...finding,
    // Still an alternative to the other findings on these packages: its savings are not added to theirs.
    condition: 'instead of the other findings on these packages',
    evidence: [...finding.evidence, `the app's code only loads models and calls them (${loads.slice(0, 3).join(', ') || 'no load found'}), read with Python's ast`],
    title: finding.title.replace(/^If the app only runs inference with (.+?):/, 'The app only runs inference with $1:'),
  }
}

/**
 * For a repo (--dir): whether the app only runs inference, read from its code with python/app_uses.py, turns the
 * conditional ONNX Runtime finding into a definite one, or removes it when the app uses the framework for more.
 * Without a Python (HEROKU_SLUG_DIET_PYTHON=none) or when the script fails, the finding stays as it was.
 */
export async function checkInference(report: SlugReport, root: string, python: string | undefined): Promise<SlugReport> {
  if (python === 'none' || !report.findings.some(f => f.kind === 'inference-runtime')) return report
  let uses: AppUses
  try {
    uses = await runPythonScript({args: [root], cwd: root, python: choosePython(python), schema: AppUsesSchema, script: 'app_uses.py', timeoutMs: APP_USES_TIMEOUT_MS})
  } catch (error) {
    if (error instanceof UserError) return report
    throw error
  }

  const findings = report.findings.flatMap(f => (f.kind === 'inference-runtime' ? [answered(f, uses)].filter(a => a !== undefined) : [f]))
  return {...report, findings}
}
