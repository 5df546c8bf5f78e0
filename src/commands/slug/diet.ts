import * as herokuFlags from '../../lib/heroku/flags.js'
import * as hux from '@heroku/heroku-cli-util/hux'
import {Flags} from '@oclif/core'
import {isAbsolute, relative, resolve} from 'node:path'

import {SlugCommand} from '../../lib/command/base.js'
import {applyChanges, recoverInterruptedApply} from '../../lib/apply/files.js'
import {type DietPlan, PLAN_FILES, planDiet} from '../../lib/plan/diet/diet.js'
import {inspectForDiet, loadRepoState, repoEstimator} from '../../lib/pipeline/diet.js'
import {quantizeScriptConflict} from '../../lib/plan/diet/quantize.js'
import {renderDietPlan} from '../../lib/render/diet.js'
import {downloadProgress} from '../../lib/render/progress/download.js'
import {resolveProgress} from '../../lib/render/progress/resolve.js'
import {repoRoot} from '../../lib/source/repo-files.js'
import {evidenceChoice, evidenceFlags, pluginCacheDir, predictionFlags, scanCacheFor, slugReadingFlags} from '../../lib/command/flags.js'
import {UserError} from '../../lib/shared/errors.js'
import {redactUrlCredentials, redactUrlCredentialsDeep} from '../../lib/shared/redact.js'

export interface DietResult extends DietPlan {
  /** the repo root the plan is for */
  root: string
  dryRun: boolean
  /** files written, relative to the root (empty on a dry run or when declined) */
  written: string[]
}

/** How long the confirmation waits for an answer before taking "no". */
const CONFIRM_MS = 10 * 60 * 1000

export default class Diet extends SlugCommand {
  static description = [
    'shrink the slug: .slugignore rules, bin/post_compile pruning, lighter requirements and a Node.js heroku-cleanup script, with the bytes each saves\n',
    [
      'Reads the same evidence as slug:inspect (the app\'s current slug, a slug file, a build log, or the repo alone),',
      'plans changes that cannot break the next build or the running app, shows them with their savings, the predicted',
      'slug size and the diff of every file, and writes them after confirmation.',
    ].join(' '),
  ].join('\n')
  static enableJsonFlag = true
  // The evidence flags exclude one another; oclif's generated usage line cannot show that legibly.
  static usage = [
    'slug:diet [-a <app> | -r <remote>] [--release <n> | --slug <id> | --build <id>|latest] [--dir <repo>] [OPTIONS]',
    'slug:diet --file <slug.tgz> | --log <build.log>|- [--dir <repo>] [OPTIONS]',
  ]
  static examples = [
    '$ heroku slug:diet --app example-app --dry-run',
    '$ heroku slug:diet --app example-app --post-compile --fix-requirements',
    '$ heroku slug:diet --log push.log --dir . --yes',
    '$ heroku slug:diet --app example-app --build latest --fix-requirements',
    '$ heroku slug:diet --file slug.tgz --emit-quantize-script quantize_model.py',
    '$ heroku slug:diet --app example-node-app --fix-package-json',
  ]
  static flags = {
    app: herokuFlags.app({localSources: ['file', 'log']}),
    remote: herokuFlags.remote(),
    ...evidenceFlags,
    dir: Flags.string({description: 'the app\'s git repository (default: the current directory)'}),
    'post-compile': Flags.boolean({description: 'write bin/post_compile to prune what pip installed that the app cannot import'}),
    'fix-requirements': Flags.boolean({description: 'rewrite requirements.txt (lighter builds, dev packages out, pins); advice only without it'}),
    'fix-package-json': Flags.boolean({description: 'move dependencies only the build or tests use to devDependencies in package.json; advice only without it'}),
    'keep-tests': Flags.boolean({description: 'keep test folders in the slug (automatic when app.json has environments.test)'}),
    'emit-quantize-script': Flags.string({description: 'write a TFLiteConverter script for the Keras/SavedModel models found to this path'}),
    force: Flags.boolean({description: 'replace an --emit-quantize-script file that this plugin did not write'}),
    'dry-run': Flags.boolean({description: 'show the plan and the diffs, write nothing', exclusive: ['yes']}),
    yes: Flags.boolean({char: 'y', description: 'write without asking for confirmation'}),
    ...predictionFlags,
    ...slugReadingFlags,
  }

  async run(): Promise<DietResult> {
    const {flags} = await this.parse(Diet)
    // The flags are checked before the repo is read: a typo in --release fails first.
    const choice = evidenceChoice(flags)
    const quantizePath = flags['emit-quantize-script']
    const cwd = process.cwd()

    // The repo comes first: a missing or broken repo fails before any download.
    const dir = resolve(cwd, flags.dir ?? '.')
    const root = await repoRoot(dir)
    // A run killed while writing the plan's files is finished (or undone) before the repo is read again.
    const recovered = await recoverInterruptedApply(root)
    if (recovered) this.warn(recovered)
    const scriptPath = quantizePath === undefined ? undefined : repoPath(root, resolve(cwd, quantizePath))
    const repo = await loadRepoState(root, scriptPath === undefined ? PLAN_FILES : [...PLAN_FILES, scriptPath])
    if (scriptPath !== undefined && !flags['dry-run']) await this.checkScriptPath(scriptPath, repo.existing[scriptPath], flags)

    const progress = downloadProgress('Downloading slug', !this.jsonEnabled())
    const evidence = await inspectForDiet(this.heroku, choice, repo, {
      cache: scanCacheFor(this.config.cacheDir, flags.cache),
      connections: flags.connections,
      progress,
      node: {
        ...resolveProgress(!this.jsonEnabled(), 'Predicting node_modules from the lock file'),
        cacheDir: pluginCacheDir(this.config.cacheDir),
        dev: flags['node-dev-dependencies'],
      },
      resolve: resolveProgress(!this.jsonEnabled()),
    })

    const plan = await planDiet(
      {
        ...evidence,
        converted: repo.converted,
        declared: repo.declared,
        estimate: repoEstimator(repo),
        existing: repo.existing,
        models: repo.models,
        offloaded: repo.offloaded,
        repoFiles: repo.repoFiles,
        texts: repo.texts,
      },
      {fixPackageJson: flags['fix-package-json'], fixRequirements: flags['fix-requirements'], keepTests: flags['keep-tests'], postCompile: flags['post-compile'], quantizeScript: scriptPath},
    )
    // '%s': this.log formats its message, which would turn the hook's `%%` into `%`
    if (!this.jsonEnabled()) renderDietPlan(plan, line => this.log('%s', redactUrlCredentials(line)))
    // What is shown (and --json) never holds a password of the user's URLs; the files are written as they are.
    const result: DietResult = {...plan, dryRun: flags['dry-run'], root: repo.root, written: []}
    if (flags['dry-run'] || plan.changes.length === 0) return redactUrlCredentialsDeep(result)

    if (!flags.yes) {
      const files = plan.changes.map(c => c.path).join(', ')
      if (this.jsonEnabled() || !process.stdin.isTTY || !process.stdout.isTTY) {
        throw new UserError(`slug:diet would write ${files} but cannot ask for confirmation here: pass --yes to write, or --dry-run to only see the plan. Nothing was written.`)
      }

      if (!(await hux.confirm(`Write ${files}?`, {defaultAnswer: false, ms: CONFIRM_MS}))) {
        this.log('Nothing was written.')
        return redactUrlCredentialsDeep(result)
      }
    }

    result.written = await applyChanges(repo.root, plan.changes)
    if (!this.jsonEnabled()) {
      const removed = new Set(plan.changes.filter(c => c.after === undefined).map(c => c.path))
      const wrote = result.written.filter(p => !removed.has(p))
      const done = [wrote.length > 0 ? `Wrote ${wrote.join(', ')}` : '', removed.size > 0 ? `Removed ${[...removed].join(', ')}` : ''].filter(Boolean).join('; ')
      this.log(`${done}. Review with git diff, commit, and push to rebuild.`)
    }

    return redactUrlCredentialsDeep(result)
  }

  /** The user's own file at the quantize script's path is replaced only with --force, or when they say so. */
  private async checkScriptPath(path: string, existing: string | undefined, flags: {force: boolean; yes: boolean}): Promise<void> {
    const conflict = quantizeScriptConflict(path, existing)
    if (!conflict || flags.force) return
    const canAsk = !flags.yes && !this.jsonEnabled() && process.stdin.isTTY && process.stdout.isTTY
    if (canAsk && await hux.confirm(`${path} is not a script this plugin wrote (or it was edited since). Replace it?`, {defaultAnswer: false, ms: CONFIRM_MS})) return
    throw new UserError(conflict)
  }
}

/** A path relative to the repo root when it is inside the repo, else absolute. */
function repoPath(root: string, absolute: string): string {
  const rel = relative(root, absolute)
  return rel.startsWith('..') || isAbsolute(rel) ? absolute : rel.split('\\').join('/')
}
