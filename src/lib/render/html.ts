import {readFileSync} from 'node:fs'

import type {FileRow} from '../analyze/rows.js'
import {writeFileAtomic} from '../shared/atomic-write.js'
import {UserError} from '../shared/errors.js'
import {formatBytes, formatPercent} from '../shared/bytes.js'
import {CATEGORY_STYLES} from './html/categories.js'
import {reportTrees, type TreeOptions} from './html/tree.js'
import type {SlugReport} from '../analyze/report.js'

export interface HtmlReportOptions extends TreeOptions {
  /** every file of the slug (classifyFiles of the scan); without it only the report's top files are drawn */
  files?: FileRow[]
}

/** Why a write failed, in words: the ones a user can meet and act on. */
const WRITE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EISDIR: 'it is a directory: give a file path',
  ENOENT: 'its folder does not exist',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'a part of the path is not a folder',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
}

/** The page's script and styles: plain files under templates/ (shipped with the package), read once. */
const TEMPLATE_DIR = new URL('../../../templates/report/', import.meta.url)
let assets: {css: string; js: string} | undefined

function pageAssets(): {css: string; js: string} {
  assets ??= {
    css: readFileSync(new URL('report.css', TEMPLATE_DIR), 'utf8'),
    js: readFileSync(new URL('report.js', TEMPLATE_DIR), 'utf8'),
  }
  return assets
}

/**
 * JSON that is safe inside a <script> element: no `<` means no `</script` and no `<!--`, and U+2028/2029
 * are escaped too, so the text is inert whatever file names the slug holds.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
  .replaceAll('<', String.raw`\u003c`)
  .replaceAll('>', String.raw`\u003e`)
  .replaceAll('&', String.raw`\u0026`)
  .replaceAll('\u2028', String.raw`\u2028`)
  .replaceAll('\u2029', String.raw`\u2029`)
}

export function escapeHtml(text: string): string {
  return text.replaceAll(/[&<>"']/g, c => `&#${c.codePointAt(0)};`)
}

function reportTitle(report: SlugReport): string {
  const {source} = report
  if (report.kind === 'build-log') {
    if (source.app) return `Predicted slug of ${source.app} (build log${source.buildId ? ` of ${source.buildId}` : ''})`
    return `Predicted slug from the build log ${source.file ?? ''}`.trim()
  }

  if (report.kind === 'repo') return `Predicted slug of ${source.dir ?? 'the repo'}`
  if (source.app) return `Slug of ${source.app}${source.release === undefined ? '' : ` v${source.release}`}`
  return `Slug ${source.file ?? source.slugId ?? ''}`.trim()
}

/**
 * One self-contained HTML page (no network: the script, styles and data are inline) with a zoomable
 * treemap of the slug by folder and by package, the findings and the size against Heroku's limits.
 * The report itself is embedded unchanged (the same object as --json) in #slug-report.
 */
export function renderHtmlReport(report: SlugReport, options: HtmlReportOptions = {}): string {
  const {css, js} = pageAssets()
  const title = reportTitle(report)
  const trees = reportTrees(report, options.files, options)
  const page = {categories: CATEGORY_STYLES, title, trees}
  // The page formats bytes with the plugin's own formatter, so the page and the terminal agree.
  const helpers = `${formatBytes.toString()}\n${formatPercent.toString()}`
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>
${css}
</style>
</head>
<body>
<header><h1 id="title"></h1><span id="kind-badge"></span><p id="source"></p></header>
<div id="prediction"></div>
<section id="sizebar" aria-label="Compressed size against Heroku's limits"><div id="size-text"></div><div class="bar" id="bar"></div><div class="bar-scale"></div></section>
<div id="toolbar">
<div class="toggle" role="group" aria-label="Treemap by"><button type="button" id="view-folder">By folder</button><button type="button" id="view-package">By package</button></div>
<div class="toggle" role="group" aria-label="Area is">
<button type="button" id="area-compressed" title="What the 500 MB limit counts">Compressed</button><button type="button" id="area-uncompressed">Uncompressed</button>
</div>
<div id="search-box"><input id="search" type="search" placeholder="Find a file or folder" autocomplete="off" aria-label="Find a file or folder"><ol id="search-results" hidden></ol></div>
<span id="search-status" role="status"></span>
</div>
<nav id="breadcrumb" aria-label="Where you are in the treemap"></nav>
<main>
<div id="treemap-wrap"><div id="treemap"></div><div id="legend"></div></div>
<aside id="findings-panel"><h2>Findings<span id="findings-count"></span></h2><ol id="findings"></ol></aside>
</main>
<section id="notes"></section>
<div id="tooltip" hidden></div>
<noscript><p class="noscript">This report draws its treemap with JavaScript; the data is in the #slug-report script element as JSON.</p></noscript>
<script type="application/json" id="slug-report">${scriptJson(report)}</script>
<script type="application/json" id="slug-page">${scriptJson(page)}</script>
<script>
${helpers}
${js}
</script>
</body>
</html>
`
}

/** Writes the report to `path` (atomically: a half-written page never replaces a good one). */
export async function writeHtmlReport(
  path: string,
  report: SlugReport,
  options: HtmlReportOptions = {},
  write: (path: string, data: string) => Promise<void> = writeFileAtomic,
): Promise<void> {
  try {
    await write(path, renderHtmlReport(report, options))
  } catch (error) {
    const {code, message} = error as NodeJS.ErrnoException
    const why = code === undefined ? message : (WRITE_ERRORS[code] ? `${WRITE_ERRORS[code]} (${code})` : code)
    throw new UserError(`Cannot write the HTML report to ${path}: ${why}.`)
  }
}
