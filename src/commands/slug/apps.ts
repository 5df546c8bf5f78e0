import * as herokuFlags from '../../lib/heroku/flags.js'
import {Flags} from '@oclif/core'

import type {AppsReport} from '../../lib/analyze/apps.js'
import {SlugCommand} from '../../lib/command/base.js'
import {pluginCacheDir} from '../../lib/command/flags.js'
import type {AppsScope} from '../../lib/heroku/apps.js'
import {slugSizeCacheFor} from '../../lib/heroku/slug-sizes.js'
import {parseBudget} from '../../lib/analyze/budget.js'
import {checkAppsBudget, collectApps} from '../../lib/pipeline/apps.js'
import {appsProgress} from '../../lib/render/progress/apps.js'

export default class Apps extends SlugCommand {
  static description = `rank every app's slug by size, and show which ones grow toward the limit

Lists the apps you can see (or a team's, or your personal apps) with each one's compressed slug size, its share of Heroku's 500 MB limit and a mark from the 300 MB warning on. With --history N, reads each app's N newest releases and shows how much its slug grew, per release, and the release with the biggest jump. Slug sizes are kept in the CLI's cache folder: a slug never changes size, so the next run asks only for new releases' slugs.`
  static usage = ['slug:apps [-t <team> | -p] [--history <n>] [--max-size <size>] [--max-growth <size>] [--json]']
  static enableJsonFlag = true
  static examples = [
    '$ heroku slug:apps',
    '$ heroku slug:apps --team example-team --history 20',
    '$ heroku slug:apps --personal --json',
    '$ heroku slug:apps --team example-team --max-size 400MB',
    '$ heroku slug:apps --team example-team --history 10 --max-growth 50MB',
  ]
  static flags = {
    team: herokuFlags.team({exclusive: ['personal']}),
    personal: Flags.boolean({char: 'p', description: 'only the apps of your personal account (when HEROKU_TEAM names a default team, too)', exclusive: ['team']}),
    history: Flags.integer({
      description: 'read each app\'s N newest releases: growth in MB over them and per release, and the release with the biggest jump',
      max: 100,
      min: 2,
    }),
    'max-size': Flags.string({description: 'exit 1, naming them, when any app\'s compressed slug is over this size (e.g. 400MB): a cron or CI budget'}),
    'max-growth': Flags.string({
      dependsOn: ['history'],
      description: 'exit 1, naming them, when any app\'s slug grew more than this (e.g. 50MB) over the --history window',
    }),
  }

  async run(): Promise<AppsReport> {
    const {flags} = await this.parse(Apps)
    const budget = {maxGrowth: parseBudget(flags['max-growth'], '--max-growth'), maxSize: parseBudget(flags['max-size'], '--max-size')}
    const scope: AppsScope = flags.team ? {kind: 'team', team: flags.team} : {kind: flags.personal ? 'personal' : 'all'}
    const report = await collectApps(this.heroku, {
      budget,
      history: flags.history,
      progress: appsProgress(!this.jsonEnabled()),
      scope,
      sizes: slugSizeCacheFor(pluginCacheDir(this.config.cacheDir)),
    })

    // hux pulls in a large tree of modules: --json never loads it.
    if (!this.jsonEnabled()) {
      const {renderApps} = await import('../../lib/render/apps.js')
      renderApps(report, line => this.log(line))
    }

    checkAppsBudget(report)
    return report
  }
}
