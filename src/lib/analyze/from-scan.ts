import {type ReportSource, SLUG_LIMIT, SLUG_WARNING, type SlugReport} from './report.js'
import type {ScanResult} from '../scan/entries.js'
import {formatBytes} from '../shared/bytes.js'
import {analyzeScan, type AnalyzeOptions} from './analyze.js'
import type {Classified} from './classify.js'

/** A measured report: the analysis of one scanned slug, with where it came from. */
export function reportFromScan(scan: ScanResult, source: ReportSource, options: AnalyzeOptions, classified?: Classified): SlugReport {
  const notes: string[] = []
  if (scan.outside.count > 0) {
    notes.push(`${scan.outside.count} entries (${formatBytes(scan.outside.size)}) lie outside ./app/; Heroku does not unpack them, but they still count toward the compressed size.`)
  }

  if (scan.escaping && scan.escaping.count > 0) {
    const examples = scan.escaping.examples.join(', ')
    const why = 'Heroku\'s slug compiler never writes such names: this archive was made or altered by something else.'
    notes.push(`${scan.escaping.count} entries have names that climb out of ./app/ with ".." (${examples}): they are not counted as app files. ${why}`)
  }

  return {
    ...analyzeScan(scan, options, classified),
    kind: 'slug',
    notes,
    prediction: false,
    source,
    totals: {
      compressed: scan.compressedSize,
      files: scan.fileCount,
      limit: SLUG_LIMIT,
      outside: scan.outside,
      uncompressed: scan.uncompressedSize,
      warning: SLUG_WARNING,
    },
  }
}
