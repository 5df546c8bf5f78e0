import {RUBY_SOURCES} from '../../knowledge/node-facts.js'
import {formatBytes} from '../../shared/bytes.js'
import {COMMANDS, severityOf} from '../findings.js'
import type {FileRow, Finding} from '../rows.js'

/*
 * Findings about a Ruby slug (Heroku's Ruby buildpack: gems in vendor/bundle, Ruby in vendor/ruby-*): the .gem
 * archives Bundler keeps beside the installed gems, node_modules left after `rake assets:precompile`, tmp/cache,
 * and the app's test folders. The first three are build output (.slugignore cannot reach them); the Ruby buildpack
 * runs `rake assets:precompile`, so a task enhancing it is the place to delete them after the build.
 */

const MIN_SAVINGS = 100_000
/** vendor/bundle/ruby/3.3.0/cache/rails-7.1.3.gem */
const GEM_CACHE = /^vendor\/bundle\/ruby\/[^/]+\/cache\//
/** The app's own test folders (spec/, test/ at the root: RSpec and Minitest). */
const TEST_ROOTS = ['spec/', 'test/']

const RAKE_HOOK = "Rake::Task['assets:precompile'].enhance { ... } in lib/tasks/slug.rake"

function sum(files: FileRow[]): number {
  return files.reduce((n, f) => n + f.compressed, 0)
}

function finding(files: FileRow[], f: Omit<Finding, 'estimated' | 'evidence' | 'savings' | 'severity'> & {what: string}): Finding | undefined {
  const savings = sum(files)
  if (savings < MIN_SAVINGS) return undefined
  const {what, ...rest} = f
  const largest = [...files].sort((a, b) => b.compressed - a.compressed).slice(0, 3)
  return {
    ...rest,
    estimated: false,
    evidence: [`${what}: ${files.length} file${files.length === 1 ? '' : 's'}, ${formatBytes(savings)} compressed`, ...largest.map(l => `${l.path}: ${formatBytes(l.compressed)} compressed`)],
    savings,
    severity: severityOf(savings),
  }
}

/** Every Ruby finding of a slug; none unless it has gems installed by Bundler in vendor/bundle. */
export function rubySlugFindings(files: FileRow[]): Finding[] {
  if (!files.some(f => f.path.startsWith('vendor/bundle/'))) return []
  const nodeModules = files.filter(f => f.path.startsWith('node_modules/'))
  const runsNode = files.some(f => f.path === 'package.json') && files.some(f => f.path.startsWith('.heroku/node/'))
  const found = [
    finding(files.filter(f => GEM_CACHE.test(f.path)), {
      id: 'gem-cache',
      kind: 'gem-cache',
      paths: [...new Set(files.filter(f => GEM_CACHE.test(f.path)).map(f => f.path.slice(0, f.path.indexOf('/cache/') + 7)))].sort(),
      remedy:
        'The .gem archives Bundler downloaded, kept beside the installed gems: the app loads the installed copies, never these. '
        + `Build output: delete vendor/bundle/ruby/*/cache after the build, in a task the Ruby buildpack runs (${RAKE_HOOK}).`,
      source: RUBY_SOURCES.bundler,
      title: 'Gem archives (vendor/bundle/ruby/*/cache) next to the installed gems',
      what: '.gem archives',
    }),
    finding(nodeModules, {
      id: 'node-modules-after-assets',
      kind: 'node-modules-after-assets',
      paths: ['node_modules/'],
      remedy:
        'JavaScript packages the asset build needed (rake assets:precompile compiled them into public/assets). Unless the app runs '
        + `Node at run time, delete node_modules after the build (${RAKE_HOOK}; with the Node.js buildpack first, its heroku-cleanup `
        + `script).${runsNode ? ' This slug has a Node runtime too: check that no process of the Procfile runs node.' : ''}`,
      source: RUBY_SOURCES.assets,
      title: 'node_modules left after assets:precompile',
      what: 'node_modules',
    }),
    finding(files.filter(f => f.path.startsWith('tmp/cache/')), {
      id: 'ruby-tmp-cache',
      kind: 'ruby-tmp-cache',
      paths: ['tmp/cache/'],
      remedy:
        'Caches written during the build (Sprockets and Bootsnap in tmp/cache): the dyno rebuilds what it needs. Build output: delete '
        + `tmp/cache after the build (${RAKE_HOOK}); the next build may take longer to compile assets.`,
      source: RUBY_SOURCES.assets,
      title: 'tmp/cache left by the build',
      what: 'tmp/cache',
    }),
    finding(files.filter(f => f.origin === 'repo' && TEST_ROOTS.some(t => f.path.startsWith(t))), {
      command: COMMANDS.diet,
      id: 'tests-in-repo',
      kind: 'tests-in-repo',
      paths: TEST_ROOTS.filter(t => files.some(f => f.path.startsWith(t))),
      remedy:
        'The app\'s test suites, pushed with the code: add them to .slugignore (`heroku slug:diet`, which keeps them when app.json '
        + 'sets up Heroku CI, whose test runs need them).',
      source: RUBY_SOURCES.slugignore,
      title: 'Test folders (spec/, test/) in the slug',
      what: 'spec/ and test/',
    }),
  ]
  return found.filter((f): f is Finding => f !== undefined)
}
