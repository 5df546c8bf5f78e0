import * as herokuFlags from '../../lib/heroku/flags.js'
import {Args, Flags, ux} from '@oclif/core'

import {SlugCommand} from '../../lib/command/base.js'
import {diffSlugs} from '../../lib/analyze/diff/diff.js'
import {renderDiff} from '../../lib/render/diff.js'
import {resolveReleasePair} from '../../lib/source/release-pair.js'
import {scanFilePair, scanReleasePair} from '../../lib/pipeline/diff.js'
import type {SlugDiff} from '../../lib/analyze/diff/changes.js'
import {parseReleaseVersion} from '../../lib/heroku/slugs.js'
import type {ScannedSlug} from '../../lib/source/app-slug.js'
import {scanCacheFor, slugReadingFlags} from '../../lib/command/flags.js'
import {UserError} from '../../lib/shared/errors.js'

export default class Diff extends SlugCommand {
  static args = {
    from: Args.string({description: 'release to compare from (42 or v42); default: the previous release with a different slug'}),
    to: Args.string({description: 'release to compare to (42 or v42); default: the current release'}),
  }
  static description = `show what changed between two slugs: files, folders and packages added, removed, grown or shrunk

Streams both slugs at once (never extracted to disk) and lists the changes biggest first by their share of the \
compressed size, which is what Heroku's 500 MB limit counts. By default it compares the app's current release with \
the last release before it that had a different slug (config-var releases reuse the slug, so they are skipped).`
  static enableJsonFlag = true
  static examples = [
    '$ heroku slug:diff --app example-app',
    '$ heroku slug:diff --app example-app v41 v45 --top 40',
    '$ heroku slug:diff --file old-slug.tgz --file new-slug.tgz --json',
  ]
  static flags = {
    app: herokuFlags.app({localSources: ['file']}),
    remote: herokuFlags.remote(),
    file: Flags.string({description: 'a local slug .tgz (or a FIFO, or - for stdin); give it twice, older first: --file OLD --file NEW', exclusive: ['app', 'remote'], multiple: true, multipleNonGreedy: true}),
    top: Flags.integer({default: 20, description: 'how many rows each table lists', min: 1}),
    depth: Flags.integer({default: 2, description: 'folder depth of the folder rollup', min: 1}),
    ...slugReadingFlags,
  }

  async run(): Promise<SlugDiff> {
    const {args, flags} = await this.parse(Diff)
    const cache = scanCacheFor(this.config.cacheDir, flags.cache)
    let sides: [ScannedSlug, ScannedSlug]
    if (flags.file) {
      if (flags.file.length !== 2) throw new UserError(`Give two slugs to compare, older first: --file OLD.tgz --file NEW.tgz (got ${flags.file.length}).`)
      if (args.from !== undefined) throw new UserError('FROM and TO name releases of an app; with --file, give no release numbers.')
      const [from, to] = flags.file
      sides = await this.action(`Scanning ${from} and ${to}`, () => scanFilePair(from, to, cache))
    } else if (flags.app) {
      const {app} = flags
      const choice = {
        from: args.from === undefined ? undefined : parseReleaseVersion(args.from, 'FROM'),
        to: args.to === undefined ? undefined : parseReleaseVersion(args.to, 'TO'),
      }
      const pair = await resolveReleasePair(this.heroku, app, choice)
      sides = await this.action(`Downloading the slugs of v${pair.from.version} and v${pair.to.version}`, () => scanReleasePair(this.heroku, app, pair, {cache, connections: flags.connections}))
    } else {
      throw new UserError('Say what to compare: --app APP (or a heroku git remote), or --file OLD.tgz --file NEW.tgz.')
    }

    const diff = diffSlugs(sides[0], sides[1], {depth: flags.depth, top: flags.top})
    if (!this.jsonEnabled()) renderDiff(diff, line => this.log(line))
    return diff
  }

  /**
   * A spinner on stderr while both slugs stream (two downloads at once cannot share one progress bar),
   * only on a terminal and never with --json, like slug:inspect's progress bar.
   */
  private async action<T>(label: string, work: () => Promise<T>): Promise<T> {
    if (this.jsonEnabled() || !process.stderr.isTTY) return work()
    ux.action.start(label)
    try {
      const result = await work()
      ux.action.stop()
      return result
    } catch (error) {
      ux.action.stop('failed')
      throw error
    }
  }
}
