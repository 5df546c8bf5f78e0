import * as hux from '@heroku/heroku-cli-util/hux'

import {type ConvertedRow, type ConvertPlan, type ConvertWhatIf, RUNTIME_MODULE} from '../plan/convert/plan.js'
import {formatBytes} from '../shared/bytes.js'
import {terminalSafeDeep} from '../shared/terminal-safe.js'

type Print = (line: string) => void

const FORMAT_LABELS: Record<string, string> = {
  h5: 'Keras .h5',
  keras: 'Keras .keras',
  savedmodel: 'SavedModel',
  'torch-module': 'PyTorch module',
  torchscript: 'TorchScript',
}

function diff(r: ConvertedRow): string {
  if (r.maxRelDiff !== undefined) return `${r.maxAbsDiff?.toExponential(1) ?? '-'} (rel ${r.maxRelDiff.toExponential(1)})`
  return r.maxAbsDiff === undefined ? '-' : r.maxAbsDiff.toExponential(1)
}

function agreement(r: ConvertedRow): string {
  return r.agreement === undefined ? '-' : `${(r.agreement * 100).toFixed(1)}%`
}

/** The predicted slug change, or why the packages part could not be predicted. */
function whatIfLines(w: ConvertWhatIf): string[] {
  const models = `models ${formatBytes(w.modelsBefore)} -> ${formatBytes(w.modelsAfter)}`
  if (w.unavailable || w.packagesBefore === undefined || w.packagesAfter === undefined) {
    return [`Predicted slug: ${models}. ${w.unavailable ?? 'The packages could not be predicted.'}`]
  }

  const change = (w.packagesAfter + w.modelsAfter) - (w.packagesBefore + w.modelsBefore)
  return [
    `Predicted slug (as slug:inspect --dir predicts a push): packages ~${formatBytes(w.packagesBefore)} -> ~${formatBytes(w.packagesAfter)} compressed, ${models}:`
    + ` ${change <= 0 ? `~${formatBytes(-change)} smaller` : `~${formatBytes(change)} larger`}.`,
  ]
}

/** The table of models, what the framework does, the files to write and their diffs. */
export function renderConvertPlan(unsafe: ConvertPlan, whatIf: ConvertWhatIf | undefined, print: Print): void {
  // Paths come from the repo and messages from the converter: control characters are shown, never sent raw.
  const plan = terminalSafeDeep(unsafe, ['diff'])
  const tableOptions = {printLine: (s: unknown) => print(String(s))}
  hux.styledHeader('Models converted to ONNX (verified against the originals)')
  hux.table(
    plan.models.map(r => ({
      after: r.ok && r.after !== undefined ? `${formatBytes(r.after)} ${r.precision}` : '-',
      agreement: agreement(r),
      before: formatBytes(r.before),
      diff: diff(r),
      format: FORMAT_LABELS[r.format] ?? r.format,
      model: r.ok ? `${r.path} -> ${r.onnx}` : r.path,
      seconds: r.seconds.toFixed(1),
    })),
    {
      model: {header: 'Model'},
      format: {header: 'Format'},
      before: {header: 'Before'},
      after: {header: 'After'},
      diff: {header: 'Max diff'},
      agreement: {header: 'Top-1'},
      seconds: {header: 'Seconds'},
    },
    tableOptions,
  )
  for (const r of plan.models) {
    if (!r.ok) print(`  ${r.path}: not converted: ${r.error}`)
    else if (r.int8Note) print(`  ${r.path}: int8 not kept (${r.int8Note}): fp32 instead`)
  }

  print('')
  renderFramework(plan, print)
  for (const k of plan.requirements?.kept ?? []) print(`  ${k.package} stays in requirements.txt: ${k.why}`)
  if (whatIf) for (const line of whatIfLines(whatIf)) print(line)
  for (const note of plan.notes) print(note)
  for (const conflict of plan.conflicts) print(`Refused: ${conflict}`)
  renderWrites(plan, print)
  if (plan.advice.length > 0) {
    print('')
    print('To apply by hand (not written):')
    for (const a of plan.advice) {
      print('')
      print(a.diff.trimEnd())
    }
  }
}

/** Whether the framework leaves requirements.txt, or why it stays. */
function renderFramework(plan: ConvertPlan, print: Print): void {
  const names = plan.frameworks.map(f => f.name).join(' and ')
  if (plan.frameworkLeaves && plan.requirements?.text !== undefined) {
    print(`The app only runs inference with ${names}: it leaves requirements.txt, onnxruntime==${plan.onnxruntime} comes in.`)
  } else if (plan.frameworkLeaves) {
    print(`The app only runs inference with ${names}: ONNX Runtime serves the models, but requirements.txt is left as it is:`)
  } else {
    print('The framework stays:')
    for (const why of plan.stays) print(`  - ${why}`)
  }
}

/** The files this run writes, each with its diff (the runtime module by name only). */
function renderWrites(plan: ConvertPlan, print: Print): void {
  const writes = [...plan.modelWrites.map(w => `${w.path} (${formatBytes(w.bytes)})`), ...plan.changes.map(c => c.path)]
  if (writes.length === 0) return
  print('')
  print(`Files to write: ${writes.join(', ')}`)
  for (const c of plan.changes) {
    print('')
    // The runtime module is the plugin's own file: its 100 lines say nothing about the app (--json has the diff).
    const how = c.before === undefined ? 'new' : 'replaced'
    print(c.path.endsWith(RUNTIME_MODULE) ? `${c.path}: ${how}, the plugin's runtime module (onnxruntime and numpy only)` : c.diff.trimEnd())
  }
}
