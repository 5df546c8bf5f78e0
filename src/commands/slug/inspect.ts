import {flags} from '@heroku-cli/command'
import {Flags} from '@oclif/core'

import {checkNewestBuild, reportFromBuild, reportFromLogFile} from '../../lib/buildlog/inspect.js'
import {SlugCommand} from '../../lib/command-base.js'
import {parseReleaseVersion} from '../../lib/heroku/slugs.js'
import {scanAppSlug, type ScannedSlug} from '../../lib/inspect/app-slug.js'
import {checkBudget} from '../../lib/inspect/budget.js'
import {classifyFiles} from '../../lib/analysis/index.js'
import {reportFromScan} from '../../lib/report/from-scan.js'
import {writeHtmlReport} from '../../lib/report/html.js'
import {NotARepositoryError} from '../../lib/repo/files.js'
import {predictRepo, type RepoReportOptions} from '../../lib/repo/report.js'
import {downloadProgress} from '../../lib/report/progress.js'
import {renderReport} from '../../lib/report/terminal.js'
import type {SlugReport} from '../../lib/report/types.js'
import {scanSlugFile} from '../../lib/slug/sources.js'
import {UserError} from '../../lib/util/errors.js'

/** A repository's predicted slug, with its scan-shaped file list (the HTML treemap draws every file). */
async function predict(dir: string, options: RepoReportOptions): Promise<{report: SlugReport; scanned: ScannedSlug}> {
  const {report, scan} = await predictRepo(dir, options)
  return {report, scanned: {scan, source: report.source}}
}

export default class Inspect extends SlugCommand {
  static description = `show where the bytes of a slug go, and what to do about them

Streams the slug (never extracted to disk) and shows the largest files, folders and installed packages with each one's
share of the compressed size, which is what Heroku's 500 MB limit counts, and findings with their remedies.`
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
    app: flags.app(),
    remote: flags.remote(),
    release: Flags.string({description: 'inspect the slug of this release (42 or v42) instead of the current one'}),
    slug: Flags.string({description: 'inspect the slug with this id', exclusive: ['release']}),
    file: Flags.string({description: 'inspect a local slug .tgz (as saved by heroku slugs:download); no app or network needed'}),
    build: Flags.string({
      description: 'read the log of this build (an id, or "latest") instead of a slug: what pip installed, ranked by wheel size',
      exclusive: ['release', 'slug', 'file', 'log', 'save'],
    }),
    log: Flags.string({
      description: 'read a saved build log (the output of git push heroku main, or "-" for stdin); no app or network needed',
      exclusive: ['release', 'slug', 'file', 'build', 'save'],
    }),
    dir: Flags.string({
      description: 'predict the slug a git push of this repository would build (the default when no app is given or found)',
      exclusive: ['release', 'slug', 'file', 'build', 'log', 'save'],
    }),
    'site-packages': Flags.string({
      description: 'with a repository: measure Python packages from this installed environment (a site-packages folder or a virtualenv)',
      exclusive: ['release', 'slug', 'file', 'build', 'log', 'save'],
    }),
    save: Flags.string({description: 'also keep the downloaded slug at this path (written atomically)'}),
    top: Flags.integer({default: 20, description: 'how many of the largest files to list', min: 1}),
    depth: Flags.integer({default: 2, description: 'folder depth of the folder rollup', min: 1}),
    html: Flags.string({description: 'also write the report as one self-contained HTML page (a zoomable treemap) to this path'}),
    'max-size': Flags.string({description: 'exit 1 when the compressed slug is over this size (e.g. 400MB): a CI budget gate'}),
  }

  async run(): Promise<SlugReport> {
    const {flags} = await this.parse(Inspect)
    const budget = checkBudget.parse(flags['max-size'])
    const progress = downloadProgress('Downloading slug', !this.jsonEnabled())
    const analyze = {depth: flags.depth, top: flags.top}

    let scanned: ScannedSlug | undefined
    let report: SlugReport | undefined
    let note: string | undefined
    if (flags.log) {
      report = await reportFromLogFile(flags.log)
    } else if (flags.file) {
      scanned = {scan: await scanSlugFile(flags.file, {progress, savePath: flags.save}), source: {file: flags.file}}
    } else if (flags.dir) {
      ({report, scanned} = await predict(flags.dir, {...analyze, sitePackages: flags['site-packages']}))
    } else if (flags.build) {
      report = await reportFromBuild(this.heroku, flags.app, flags.build)
    } else if (flags.app) {
      // With no release or slug named, a failed push newer than the running release is what to show.
      if (flags.release === undefined && flags.slug === undefined) ({note, report} = await checkNewestBuild(this.heroku, flags.app))
      if (!report) {
        scanned = await scanAppSlug(
          this.heroku,
          {app: flags.app, release: flags.release === undefined ? undefined : parseReleaseVersion(flags.release), slugId: flags.slug},
          {progress, savePath: flags.save},
        )
      }
    } else {
      // No app named or found: predict the slug of the repository here, if this is one.
      ({report, scanned} = await predict('.', {...analyze, sitePackages: flags['site-packages']}).catch((error: unknown) => {
        if (error instanceof NotARepositoryError) {
          throw new UserError('Say what to inspect: --app APP (or a heroku git remote), --file SLUG.tgz, --log BUILD.log, or --dir REPO.')
        }

        throw error
      }))
    }

    report ??= reportFromScan(scanned!.scan, scanned!.source, analyze)
    if (note) report.notes.push(note)
    if (!this.jsonEnabled()) renderReport(report, line => this.log(line))
    if (flags.html) {
      await writeHtmlReport(flags.html, report, {files: scanned ? classifyFiles(scanned.scan) : undefined})
      if (!this.jsonEnabled()) this.log(`HTML report written to ${flags.html}`)
    }

    checkBudget(report, budget)
    return report
  }
}
