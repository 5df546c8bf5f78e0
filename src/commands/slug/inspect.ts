import * as herokuFlags from '../../lib/heroku/flags.js'
import {Flags} from '@oclif/core'

import {SlugCommand} from '../../lib/command/base.js'
import {checkBudget, parseBudget} from '../../lib/analyze/budget.js'
import {type Inspection, type EvidenceChoice, inspectEvidence} from '../../lib/pipeline/evidence.js'
import {downloadProgress} from '../../lib/render/progress/download.js'
import {resolveProgress} from '../../lib/render/progress/resolve.js'
import type {SlugReport} from '../../lib/analyze/report.js'
import {isNotARepository} from '../../lib/source/repo-files.js'
import {evidenceChoice, evidenceFlags, pluginCacheDir, predictionFlags, scanCacheFor, slugReadingFlags} from '../../lib/command/flags.js'
import {UserError} from '../../lib/shared/errors.js'

export default class Inspect extends SlugCommand {
  static description = `show where the bytes of a slug go, and what to do about them

Streams the slug (never extracted to disk) and shows the largest files, folders and installed packages with each one's share of the compressed size, which is what Heroku's 500 MB limit counts, and findings with their remedies. Without a slug (a push that was rejected), reads the build's log; with --dir, predicts the slug of a local repository.`
  // The evidence flags exclude one another; oclif's generated usage line cannot show that legibly.
  static usage = [
    'slug:inspect [-a <app> | -r <remote>] [OPTIONS]',
    'slug:inspect -a <app> [--release <n> | --slug <id> | --build <id>|latest] [--save <path>] [OPTIONS]',
    'slug:inspect --file <slug.tgz> [--save <path>] [OPTIONS]',
    'slug:inspect --log <build.log>|- [OPTIONS]',
    'slug:inspect [--dir <repo>] [--site-packages <path>] [OPTIONS]',
  ]
  static enableJsonFlag = true
  static examples = [
    '$ heroku slug:inspect --app example-app',
    '$ heroku slug:inspect --app example-app --release v42 --top 40',
    '$ heroku slug:inspect --file slug.tgz --json',
    '$ heroku slug:inspect --app example-app --max-size 400MB',
    '$ heroku slug:inspect --app example-app --html slug-report.html',
    '$ heroku slug:inspect --app example-app --build latest',
    '$ git push heroku main 2>&1 | tee push.log; heroku slug:inspect --log push.log',
    '$ heroku slug:inspect --dir . --site-packages .venv',
  ]
  static flags = {
    app: herokuFlags.app({localSources: ['file', 'log', 'dir']}),
    remote: herokuFlags.remote(),
    ...evidenceFlags,
    dir: Flags.string({
      description: 'predict the slug a git push of this repository would build (the default when no app is given or found)',
      exclusive: ['app', 'remote', 'release', 'slug', 'file', 'build', 'log', 'save'],
    }),
    'site-packages': Flags.string({
      description: 'with a repository: measure Python packages from this installed environment (a site-packages folder or a virtualenv)',
      exclusive: ['app', 'remote', 'release', 'slug', 'file', 'build', 'log', 'save'],
    }),
    save: Flags.string({description: 'also keep the downloaded slug at this path (written atomically)', exclusive: ['build', 'log', 'dir', 'site-packages']}),
    top: Flags.integer({default: 20, description: 'how many of the largest files to list', min: 1}),
    depth: Flags.integer({default: 2, description: 'folder depth of the folder rollup', min: 1}),
    html: Flags.string({description: 'also write the report as one self-contained HTML page (a zoomable treemap) to this path'}),
    'max-size': Flags.string({description: 'exit 1 when the compressed slug is over this size (e.g. 400MB): a CI budget gate'}),
    ...predictionFlags,
    ...slugReadingFlags,
  }

  async run(): Promise<SlugReport> {
    const {flags} = await this.parse(Inspect)
    const budget = parseBudget(flags['max-size'], '--max-size')
    const choice: EvidenceChoice = {...evidenceChoice(flags), dir: flags.dir, sitePackages: flags['site-packages']}
    const options = {
      analyze: {depth: flags.depth, top: flags.top},
      cache: scanCacheFor(this.config.cacheDir, flags.cache),
      connections: flags.connections,
      progress: downloadProgress('Downloading slug', !this.jsonEnabled()),
      node: {
        ...resolveProgress(!this.jsonEnabled(), 'Predicting node_modules from the lock file'),
        cacheDir: pluginCacheDir(this.config.cacheDir),
        dev: flags['node-dev-dependencies'],
      },
      resolve: resolveProgress(!this.jsonEnabled()),
      savePath: flags.save,
      slugSizesIn: pluginCacheDir(this.config.cacheDir),
    }
    const {files, report} = await this.evidence(choice, options)

    // The renderers load on demand: --json needs neither, and hux pulls in a large tree of modules.
    if (!this.jsonEnabled()) {
      const {renderReport} = await import('../../lib/render/report.js')
      renderReport(report, line => this.log(line), {maxPackages: flags.top})
    }

    if (flags.html) {
      const {writeHtmlReport} = await import('../../lib/render/html.js')
      await writeHtmlReport(flags.html, report, {files})
      if (!this.jsonEnabled()) this.log(`HTML report written to ${flags.html}`)
    }

    checkBudget(report, budget)
    return report
  }

  /** With nothing named and no app found, the repository here is what a push would build. */
  private async evidence(choice: EvidenceChoice, options: Parameters<typeof inspectEvidence>[2]): Promise<Inspection> {
    const named = choice.app ?? choice.build ?? choice.dir ?? choice.file ?? choice.log
    if (named !== undefined) return inspectEvidence(this.heroku, choice, options)
    try {
      return await inspectEvidence(this.heroku, {...choice, dir: '.'}, options)
    } catch (error) {
      if (isNotARepository(error)) {
        throw new UserError('Say what to inspect: --app APP (or a heroku git remote), --file SLUG.tgz, --log BUILD.log, or --dir REPO.')
      }

      throw error
    }
  }
}
