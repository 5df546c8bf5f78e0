import {flags} from '@heroku-cli/command'
import {Flags} from '@oclif/core'

import {SlugCommand} from '../../lib/command-base.js'
import {parseReleaseVersion} from '../../lib/heroku/slugs.js'
import {scanAppSlug, type ScannedSlug} from '../../lib/inspect/app-slug.js'
import {checkBudget} from '../../lib/inspect/budget.js'
import {classifyFiles} from '../../lib/analysis/index.js'
import {reportFromScan} from '../../lib/report/from-scan.js'
import {writeHtmlReport} from '../../lib/report/html.js'
import {downloadProgress} from '../../lib/report/progress.js'
import {renderReport} from '../../lib/report/terminal.js'
import type {SlugReport} from '../../lib/report/types.js'
import {scanSlugFile} from '../../lib/slug/sources.js'
import {UserError} from '../../lib/util/errors.js'

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
  ]
  static flags = {
    app: flags.app(),
    remote: flags.remote(),
    release: Flags.string({description: 'inspect the slug of this release (42 or v42) instead of the current one'}),
    slug: Flags.string({description: 'inspect the slug with this id', exclusive: ['release']}),
    file: Flags.string({description: 'inspect a local slug .tgz (as saved by heroku slugs:download); no app or network needed'}),
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

    let scanned: ScannedSlug
    if (flags.file) {
      scanned = {scan: await scanSlugFile(flags.file, {progress, savePath: flags.save}), source: {file: flags.file}}
    } else if (flags.app) {
      scanned = await scanAppSlug(
        this.heroku,
        {app: flags.app, release: flags.release === undefined ? undefined : parseReleaseVersion(flags.release), slugId: flags.slug},
        {progress, savePath: flags.save},
      )
    } else {
      throw new UserError('Say what to inspect: --app APP (or a heroku git remote), or --file SLUG.tgz.')
    }

    const report = reportFromScan(scanned.scan, scanned.source, analyze)
    if (!this.jsonEnabled()) renderReport(report, line => this.log(line))
    if (flags.html) {
      await writeHtmlReport(flags.html, report, {files: classifyFiles(scanned.scan)})
      if (!this.jsonEnabled()) this.log(`HTML report written to ${flags.html}`)
    }

    checkBudget(report, budget)
    return report
  }
}
