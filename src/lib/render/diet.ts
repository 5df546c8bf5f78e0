// The subpath modules: the package root also loads its Postgres and SSH helpers.
import * as color from '@heroku/heroku-cli-util/color'
import * as hux from '@heroku/heroku-cli-util/hux'

import {describeEvidence} from '../analyze/report.js'
import {formatBytes, formatPercent} from '../shared/bytes.js'
import {terminalSafeDeep} from '../shared/terminal-safe.js'
import type {DietPlan} from '../plan/diet/diet.js'
import type {LimitBand} from '../analyze/report.js'
import type {WhatIf} from '../plan/diet/what-if.js'

type Print = (line: string) => void

const approx = (estimated: boolean, bytes: number) => `${estimated ? '~' : ''}${formatBytes(bytes)}`

function statusText(status: LimitBand, whatIf: WhatIf): string {
  if (status === 'over-limit') return `over the ${formatBytes(whatIf.limit)} limit`
  if (status === 'over-warning') return `under the limit, over the ${formatBytes(whatIf.warning)} warning`
  return `under the ${formatBytes(whatIf.warning)} warning`
}

/**
 * heroku-buildpack-python's bin/compile runs the hook, then saves site-packages to the build cache: what the
 * hook prunes stays pruned in later builds, even once the hook is gone, until the cache is cleared.
 */
export function buildCacheNote(app: string | undefined): string {
  return [
    '  The Python buildpack saves site-packages to the build cache after bin/post_compile runs: pruned files stay pruned',
    `in later builds, even after the hook is removed, until you clear the cache with heroku builds:cache:purge -a ${app ?? 'APP'} (heroku-builds plugin).`,
  ].join(' ')
}

type TableOptions = {printLine: (s: unknown) => void}

/** The plan as tables, then the diff of every file it would write. */
export function renderDietPlan(unsafe: DietPlan, print: Print): void {
  // Names come from the slug, the log, the repo or the API: control characters are shown, never sent raw.
  const plan = terminalSafeDeep(unsafe, ['diff'])
  const tableOptions = {printLine: (s: unknown) => print(String(s))}
  hux.styledHeader(`Slug diet plan from ${describeEvidence(plan.evidence, color.app)}`)
  renderSlugignore(plan, print, tableOptions)
  renderPostCompile(plan, print, tableOptions)
  renderHerokuCleanup(plan, print, tableOptions)
  renderRequirements(plan, print, tableOptions)
  for (const advice of plan.declaredAdvice) print(`  ${advice}`)
  const {finding} = plan.quantize
  if (finding) {
    print('')
    print(`${finding.title}: ~${formatBytes(finding.savings)} (estimate; ${finding.source}).`)
    print(`  ${finding.remedy}`)
  }

  print('')
  renderWhatIf(plan, print, tableOptions)
  for (const note of plan.notes) print(`  ${note}`)
  print('')
  renderChanges(plan, print)
}

function renderSlugignore({slugignore, slugignoreEstimated}: DietPlan, print: Print, tableOptions: TableOptions): void {
  if (slugignore.items.length > 0) {
    print('.slugignore: repo files the dyno does not need')
    hux.table(
      slugignore.items.map(i => ({
        files: String(i.files.length),
        kind: i.kinds.join(', '),
        rule: i.rule,
        saves: approx(slugignoreEstimated, i.compressed),
        why: i.why,
      })),
      {rule: {header: 'Rule'}, kind: {header: 'Kind'}, files: {header: 'Files'}, saves: {header: 'Saves'}, why: {header: 'Why'}},
      tableOptions,
    )
  } else {
    print('.slugignore: no repo file to add.')
  }

  if (slugignore.heldBack.length > 0) {
    print('')
    print('Kept in the slug (looked removable, but):')
    for (const h of slugignore.heldBack.slice(0, 20)) print(`  ${h.path}: ${h.reason}`)
    if (slugignore.heldBack.length > 20) print(`  ... and ${slugignore.heldBack.length - 20} more (see --json)`)
  }
}

function renderPostCompile(plan: DietPlan, print: Print, tableOptions: TableOptions): void {
  const items = plan.postCompile?.items.filter(i => i.files > 0) ?? []
  if (items.length === 0) return
  print('')
  print('bin/post_compile: installed files the app cannot import')
  hux.table(
    items.map(i => ({
      files: String(i.files),
      folders: String(i.targets.length),
      rule: i.rule.title,
      saves: formatBytes(i.compressed),
    })),
    {rule: {header: 'Rule'}, folders: {header: 'Targets'}, files: {header: 'Files'}, saves: {header: 'Saves'}},
    tableOptions,
  )
  print(buildCacheNote(plan.evidence.source.app))
}

function renderHerokuCleanup({herokuCleanup}: DietPlan, print: Print, tableOptions: TableOptions): void {
  if (!herokuCleanup || herokuCleanup.items.length === 0) return
  print('')
  print('package.json heroku-cleanup: build output the dyno does not need (the Node.js buildpack runs it after pruning)')
  hux.table(
    herokuCleanup.items.map(i => ({
      paths: i.paths.length > 3 ? `${i.paths.slice(0, 3).join(' ')} +${i.paths.length - 3}` : i.paths.join(' '),
      saves: formatBytes(i.savings),
      what: i.label,
    })),
    {what: {header: 'Deletes'}, paths: {header: 'Paths'}, saves: {header: 'Saves'}},
    tableOptions,
  )
}

function renderRequirements({requirements: req}: DietPlan, print: Print, tableOptions: TableOptions): void {
  if (!req || req.changes.length === 0) return
  print('')
  print(`${req.path}: lighter dependencies`)
  hux.table(
    req.changes.map(c => ({
      change: c.kind,
      line: c.after === undefined ? `${c.before ?? ''} (${c.kind === 'move-dev' ? 'moved' : 'removed'})` : `${c.before ?? '(new)'} -> ${c.after}`,
      saves: c.savings > 0 ? approx(c.estimated, c.savings) : '',
      why: c.why,
    })),
    {change: {header: 'Change'}, line: {header: 'Line'}, saves: {header: 'Saves'}, why: {header: 'Why'}},
    tableOptions,
  )
}

function renderWhatIf({whatIf}: DietPlan, print: Print, tableOptions: TableOptions): void {
  hux.styledHeader('What if')
  hux.table(
    whatIf.lines.map(l => ({
      change: l.label,
      saves: approx(l.estimated, l.savings),
      basis: l.basis,
      when: l.applied ? 'this run' : 'advice',
    })),
    {change: {header: 'Change'}, saves: {header: 'Saves'}, when: {header: 'When'}, basis: {header: 'Figure from'}},
    tableOptions,
  )
  const est = whatIf.estimated ? ' (estimate)' : ''
  print(`Compressed slug now:          ${approx(whatIf.beforeEstimated, whatIf.before)}, ${statusText(whatIf.status.before, whatIf)}`)
  print(`After this run:               ${formatBytes(whatIf.after)}${est}, ${statusText(whatIf.status.after, whatIf)} (${formatPercent(whatIf.after, whatIf.limit)} of the limit)`)
  print(`After the advice too:         ${formatBytes(whatIf.afterAll)}${est}, ${statusText(whatIf.status.afterAll, whatIf)}`)
}

/** The diff of every file the plan writes. */
function renderChanges({changes}: DietPlan, print: Print): void {
  if (changes.length === 0) {
    print('Nothing to write: the repo already has these changes.')
    return
  }

  for (const c of changes) {
    const what = c.before === undefined ? 'New' : (c.after === undefined ? 'Removed' : 'Changed')
    print(`${what}: ${c.path} (${c.why})`)
    for (const line of c.diff.trimEnd().split('\n')) print(line)
    print('')
  }
}
