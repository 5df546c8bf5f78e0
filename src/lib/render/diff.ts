// The subpath modules: the package root also loads its Postgres and SSH helpers.
import * as color from '@heroku/heroku-cli-util/color'
import * as hux from '@heroku/heroku-cli-util/hux'

import {limitStatus} from './report.js'
import {formatBytes, formatSignedBytes} from '../shared/bytes.js'
import {terminalSafeDeep} from '../shared/terminal-safe.js'
import type {ChangeSizes, Delta, DiffSource, LimitLevel, SlugDiff} from '../analyze/diff/changes.js'

type Print = (line: string) => void

const signedCount = (n: number) => (n > 0 ? `+${n.toLocaleString('en-US')}` : n.toLocaleString('en-US'))
const span = (d: Delta, format: (n: number) => string) => `${format(d.before)} → ${format(d.after)}`

function sideLabel(source: DiffSource): string {
  if (source.release !== undefined) return `v${source.release}`
  return source.file ?? source.slugId ?? source.sha256.slice(0, 12)
}

function sideDetails(source: DiffSource): string {
  const parts: string[] = []
  if (source.release !== undefined) parts.push(`v${source.release}`)
  if (source.file) parts.push(source.file)
  if (source.slugId) parts.push(`slug ${source.slugId}`)
  if (source.commit) parts.push(`commit ${source.commit.slice(0, 12)}`)
  parts.push(`sha256 ${source.sha256.slice(0, 12)}`)
  return parts.join(', ')
}

function title(diff: SlugDiff): string {
  const app = diff.to.app ? ` of ${color.app(diff.to.app)}` : ''
  return `Slug diff${app}: ${sideLabel(diff.from)} → ${sideLabel(diff.to)}`
}

const LEVEL_TEXT: Record<LimitLevel, (d: SlugDiff) => string> = {
  ok: d => `under the ${formatBytes(d.totals.warning)} warning`,
  'over-limit': d => `over the ${formatBytes(d.totals.limit)} limit`,
  'over-warning': d => `over the ${formatBytes(d.totals.warning)} warning`,
}

function header(diff: SlugDiff): Record<string, string> {
  const {totals} = diff
  const limitOf = {totals: {compressed: totals.compressed.after, files: totals.files.after, limit: totals.limit, uncompressed: totals.uncompressed.after, warning: totals.warning}}
  const rows: Record<string, string> = {
    From: sideDetails(diff.from),
    To: sideDetails(diff.to),
    Compressed: `${span(totals.compressed, formatBytes)} (${formatSignedBytes(totals.compressed.delta)}), ${limitStatus(totals.compressed.after, limitOf)}`,
    Uncompressed: `${span(totals.uncompressed, formatBytes)} (${formatSignedBytes(totals.uncompressed.delta)})`,
    Files: `${span(totals.files, n => n.toLocaleString('en-US'))} (${signedCount(totals.files.delta)})`,
  }
  if (totals.level.before !== totals.level.after) {
    rows.Limit = `was ${LEVEL_TEXT[totals.level.before](diff)}, now ${LEVEL_TEXT[totals.level.after](diff)}`
  }

  if (!diff.identical) rows['Changed files'] = changeSummary(diff)
  return rows
}

function changeSummary(diff: SlugDiff): string {
  const {files, moved} = diff.counts
  const parts = (['added', 'removed', 'grew', 'shrank', 'modified'] as const).filter(k => files[k] > 0).map(k => `${files[k]} ${k}`)
  if (moved > 0) parts.push(`${moved} moved`)
  return parts.length > 0 ? parts.join(', ') : 'none (the slugs differ only in metadata or file order)'
}

function sizeCells(row: ChangeSizes) {
  return {
    compressed: span(row.compressed, formatBytes),
    compressedDelta: formatSignedBytes(row.compressed.delta),
    size: span(row.size, formatBytes),
    sizeDelta: formatSignedBytes(row.size.delta),
  }
}

const SIZE_COLUMNS = {
  compressedDelta: {header: 'Compressed Δ'},
  compressed: {header: 'Compressed'},
  sizeDelta: {header: 'Size Δ'},
  size: {header: 'Size'},
}

function section(print: Print, name: string, shown: number, total: number): void {
  print('')
  hux.styledHeader(total > shown ? `${name}, biggest change first (${shown} of ${total}; --top for more)` : `${name}, biggest change first`)
}

function versionCell(before?: string, after?: string): string {
  if (before && after && before !== after) return `${before} → ${after}`
  return after ?? before ?? ''
}

/** The terminal view of a slug diff: a header with both totals, then files, folders, packages and moves. */
export function renderDiff(unsafe: SlugDiff, print: Print): void {
  // Names come from the slugs and the API: control characters in them are shown, never sent raw.
  const diff = terminalSafeDeep(unsafe)
  const tableOptions = {printLine: (s: unknown) => print(String(s))}
  hux.styledHeader(title(diff))
  hux.styledObject(header(diff))
  if (diff.identical) {
    print('')
    print(`${sideLabel(diff.from)} and ${sideLabel(diff.to)} are identical: the same slug, sha256 ${diff.to.sha256}.`)
    return
  }

  if (diff.files.length > 0) {
    section(print, 'Files', diff.files.length, Object.values(diff.counts.files).reduce((a, b) => a + b, 0))
    hux.table(diff.files.map(f => ({change: f.change, path: f.path, ...sizeCells(f)})), {path: {header: 'Path'}, change: {header: 'Change'}, ...SIZE_COLUMNS}, tableOptions)
  }

  if (diff.folders.length > 0) {
    section(print, `Folders to depth ${diff.depth}`, diff.folders.length, diff.counts.folders)
    hux.table(
      diff.folders.map(f => ({change: f.change, files: signedCount(f.files.delta), path: f.path, ...sizeCells(f)})),
      {path: {header: 'Folder'}, change: {header: 'Change'}, ...SIZE_COLUMNS, files: {header: 'Files Δ'}},
      tableOptions,
    )
  }

  if (diff.packages.length > 0) {
    section(print, 'Packages', diff.packages.length, diff.counts.packages)
    hux.table(
      diff.packages.map(p => ({change: p.change, ecosystem: p.ecosystem, name: p.name, version: versionCell(p.versionBefore, p.versionAfter), ...sizeCells(p)})),
      {name: {header: 'Package'}, ecosystem: {header: 'Kind'}, version: {header: 'Version'}, change: {header: 'Change'}, ...SIZE_COLUMNS},
      tableOptions,
    )
  }

  if (diff.moved.length > 0) {
    print('')
    hux.styledHeader(diff.counts.moved > diff.moved.length ? `Moved files (${diff.moved.length} of ${diff.counts.moved})` : 'Moved files')
    hux.table(
      diff.moved.map(m => ({compressed: formatBytes(m.compressed.after), from: m.from, size: formatBytes(m.size), to: m.to})),
      {from: {header: 'From'}, to: {header: 'To'}, size: {header: 'Size'}, compressed: {header: 'Compressed'}},
      tableOptions,
    )
  }
}
