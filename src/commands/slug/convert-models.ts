import * as hux from '@heroku/heroku-cli-util/hux'
import {Args, Flags} from '@oclif/core'
import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'

import {SlugCommand} from '../../lib/command/base.js'
import {pluginCacheDir} from '../../lib/command/flags.js'
import {applyChanges, recoverInterruptedApply} from '../../lib/apply/files.js'
import {convertModels} from '../../lib/pipeline/convert.js'
import {predictConversion} from '../../lib/pipeline/convert-what-if.js'
import {resolveProgress} from '../../lib/render/progress/resolve.js'
import {installConverter} from '../../lib/predict/python/converter-venv.js'
import type {ConvertPlan, ConvertWhatIf} from '../../lib/plan/convert/plan.js'
import {choosePython} from '../../lib/predict/python/scripts.js'
import {renderConvertPlan} from '../../lib/render/convert.js'
import {UserError} from '../../lib/shared/errors.js'
import {repoRoot} from '../../lib/source/repo-files.js'

export interface ConvertResult extends ConvertPlan {
  /** the repo root */
  root: string
  /** the Python that converted */
  python: string
  versions: Record<string, null | string>
  whatIf?: ConvertWhatIf
  dryRun: boolean
  /** files written, relative to the root (empty on a dry run or when declined) */
  written: string[]
}

/** How long the confirmation waits for an answer before taking "no". */
const CONFIRM_MS = 10 * 60 * 1000

export default class ConvertModels extends SlugCommand {
  static description = [
    'convert Keras and PyTorch models to ONNX, verified, and move an app that only runs inference to ONNX Runtime\n',
    [
      'Finds the committed models by content, converts each with the framework\'s own exporter in your Python and checks',
      'the ONNX model against the original on seeded inputs before anything is written. When the app\'s code only loads',
      'models and calls them, the framework leaves requirements.txt for onnxruntime, the loads point at a small runtime',
      'module written into the app, and the original models leave the slug (.slugignore).',
    ].join(' '),
  ].join('\n')
  static enableJsonFlag = true
  static strict = false
  static examples = [
    '$ heroku slug:convert-models --dry-run',
    '$ heroku slug:convert-models models/classifier.h5 --quantize int8 --yes',
    '$ heroku slug:convert-models --install-converter --dir ../my-app',
  ]
  static args = {
    paths: Args.string({description: 'model files or globs to convert (default: every committed Keras and PyTorch model)'}),
  }
  static flags = {
    dir: Flags.string({description: 'the app\'s git repository (default: the current directory)'}),
    python: Flags.string({description: 'the Python that converts (default: HEROKU_SLUG_DIET_PYTHON, else python3): it needs keras or torch, onnx, onnxscript, onnxruntime'}),
    quantize: Flags.string({description: 'also quantize to int8, kept only where its top-1 agreement meets --min-agreement', options: ['int8']}),
    'input-shape': Flags.string({description: 'a PyTorch model\'s input shape, batch first (e.g. 1,3,224,224): a torch module does not record it; float32'}),
    'min-agreement': Flags.string({default: '0.99', description: 'share of samples whose top-1 class the int8 model must keep (0 to 1)'}),
    'install-converter': Flags.boolean({
      description: 'install keras, CPU torch, onnx, onnxscript, onnxruntime and h5py in a virtualenv in the CLI\'s cache folder, and convert with it',
      exclusive: ['python'],
    }),
    force: Flags.boolean({description: 'replace an .onnx file or onnx_model.py that this plugin did not write'}),
    'dry-run': Flags.boolean({description: 'convert and verify, show the plan and the diffs, write nothing', exclusive: ['yes']}),
    yes: Flags.boolean({char: 'y', description: 'write without asking for confirmation'}),
  }

  async run(): Promise<ConvertResult> {
    const {argv, flags} = await this.parse(ConvertModels)
    const inputShape = flags['input-shape']?.split(',').map(d => Number(d.trim()))
    if (inputShape && (inputShape.length < 2 || !inputShape.every(d => Number.isSafeInteger(d) && d > 0))) {
      throw new UserError(`--input-shape takes positive whole dimensions, batch first (1,3,224,224), not "${flags['input-shape']}".`)
    }

    const minAgreement = Number(flags['min-agreement'])
    if (!(minAgreement >= 0 && minAgreement <= 1)) throw new UserError(`--min-agreement takes a share between 0 and 1 (0.99 for 99%), not "${flags['min-agreement']}".`)
    const cwd = process.cwd()
    const dir = resolve(cwd, flags.dir ?? '.')
    // A run killed while writing its files is finished (or undone) before the repo is read again.
    const recovered = await recoverInterruptedApply(await repoRoot(dir))
    if (recovered) this.warn(recovered)
    const progress = !this.jsonEnabled()
    const python = flags['install-converter']
      ? await installConverter(pluginCacheDir(this.config.cacheDir), {python: choosePython(), progress: progress ? line => this.logToStderr(line) : undefined})
      : choosePython(flags.python)

    if (progress) this.logToStderr(`Converting and verifying with ${python}...`)
    const run = await convertModels({
      cwd,
      dir,
      force: flags.force,
      inputShape,
      minAgreement,
      missingHint: 'or pass --install-converter',
      // The converter says which model it is on (stderr): a big model takes minutes.
      onLine: progress ? line => this.logToStderr(`  ${line}`) : undefined,
      paths: argv as string[],
      python,
      quantize: flags.quantize === 'int8',
    })
    try {
      // What the push would weigh, before anything is written; a resolver that cannot answer is one line.
      const whatIf = await predictConversion(run.root, run.plan, resolveProgress(progress))
      const result = {...run.plan, dryRun: flags['dry-run'], python: run.python, root: run.root, versions: run.versions, whatIf, written: []}
      return await this.finish(run.plan, result, flags)
    } finally {
      await run.cleanup()
    }
  }

  private async finish(plan: ConvertPlan, result: ConvertResult, flags: {'dry-run': boolean; force: boolean; yes: boolean}): Promise<ConvertResult> {
    if (!this.jsonEnabled()) renderConvertPlan(plan, result.whatIf, line => this.log('%s', line))
    const files = [...plan.modelWrites.map(w => w.path), ...plan.changes.map(c => c.path)]
    if (flags['dry-run'] || files.length === 0) return result
    if (plan.conflicts.length > 0) throw new UserError(`${plan.conflicts[0]}${plan.conflicts.length > 1 ? ` (and ${plan.conflicts.length - 1} more)` : ''}. Nothing was written.`)
    if (!flags.yes) {
      if (this.jsonEnabled() || !process.stdin.isTTY || !process.stdout.isTTY) {
        throw new UserError(`slug:convert-models would write ${files.join(', ')} but cannot ask for confirmation here: pass --yes to write, or --dry-run to only see the plan. Nothing was written.`)
      }

      if (!(await hux.confirm(`Write ${files.join(', ')}?`, {defaultAnswer: false, ms: CONFIRM_MS}))) {
        this.log('Nothing was written.')
        return result
      }
    }

    const binaries = await Promise.all(plan.modelWrites.map(async w => ({
      data: await readFile(w.from),
      expect: flags.force ? 'any' as const : 'absent' as const,
      path: w.path,
    })))
    result.written = await applyChanges(result.root, plan.changes, {binaries, command: 'slug:convert-models'})
    if (!this.jsonEnabled()) this.log(`Wrote ${result.written.join(', ')}. Review with git diff, run the app, commit, and push to rebuild.`)
    return result
  }
}
