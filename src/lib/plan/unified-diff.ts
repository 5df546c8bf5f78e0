import {createTwoFilesPatch, FILE_HEADERS_ONLY} from 'diff'

import {redactUrlCredentials} from '../shared/redact.js'

/**
 * A unified diff (as `diff -u` prints it, 3 lines of context) of a file's old and new text; empty when
 * nothing changes. A file that does not exist yet, or is removed, is diffed against /dev/null. CRLF lines
 * are shown without their carriage return, and credentials in URLs masked: the diff is for reading (and
 * --json), the file keeps its bytes.
 */
export function unifiedDiff(path: string, before: string | undefined, after?: string): string {
  if (before === after) return ''
  return redactUrlCredentials(createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    after === undefined ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    {context: 3, headerOptions: FILE_HEADERS_ONLY, stripTrailingCr: true},
  ))
}
