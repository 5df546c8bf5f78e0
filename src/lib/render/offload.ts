// The subpath modules: the package root also loads its Postgres and SSH helpers.
import * as color from '@heroku/heroku-cli-util/color'
import * as hux from '@heroku/heroku-cli-util/hux'

import {formatBytes} from '../shared/bytes.js'
import type {Destination} from '../plan/offload/destination.js'
import type {OffloadResult} from '../apply/upload.js'
import type {OffloadPlan} from '../plan/offload/plan.js'

type Print = (line: string) => void

/** The Procfile line that runs each loader before the web server (the server command is an example). */
const PROCFILE_LINES: Record<string, string> = {
  node: 'web: node model-store.mjs && node server.js',
  python: 'web: python -m model_store && gunicorn app:app',
}

export function describeDestination(d: Destination): string {
  const where = d.endpoint ? `endpoint ${d.endpoint}` : `AWS region ${d.region}`
  const keys = d.credentials.source === 'addon' ? `keys from the ${d.credentials.service} add-on ${d.credentials.addon}` : 'keys from the AWS SDK\'s default chain'
  return `s3://${d.bucket}/${d.prefix} (${where}; ${keys})`
}

/** The plan: models, destination, config vars (secret values never shown) and files to write. */
export function renderPlan(plan: OffloadPlan, print: Print): void {
  const table = {printLine: (s: unknown) => print(String(s))}
  const total = plan.models.reduce((sum, m) => sum + m.size, 0)
  hux.styledHeader(`Models of ${color.app(plan.app)} to offload: ${plan.models.length}, ${formatBytes(total)}`)
  hux.table(
    plan.models.map(m => ({files: String(m.files.length), format: m.format, path: m.kind === 'folder' ? `${m.path}/` : m.path, size: formatBytes(m.size)})),
    {path: {header: 'Path'}, format: {header: 'Format'}, size: {header: 'Size'}, files: {header: 'Files'}},
    table,
  )
  print('')
  print(`Destination: ${describeDestination(plan.destination)}`)
  print(`Manifest:    s3://${plan.destination.bucket}/${plan.manifestKey}`)
  print('')
  hux.styledHeader('Config vars (set in one release)')
  hux.table(
    plan.configVars.changes.map(c => ({action: c.action, name: c.name, value: c.secret ? '(secret, not shown)' : (c.value ?? '')})),
    {name: {header: 'Name'}, action: {header: 'Change'}, value: {header: 'Value'}},
    table,
  )
  print('')
  hux.styledHeader('Files in the repo')
  hux.table(plan.files.map(f => ({...f})), {path: {header: 'Path'}, action: {header: 'Change'}, why: {header: 'Why'}}, table)
  for (const note of plan.notes) print(`Note: ${note}`)
}

/** What happened: uploads, the release, and the one Procfile change left to the user. */
export function renderResult(result: OffloadResult, print: Print): void {
  print('')
  if (result.abortedUploads === null) {
    print('Note: the keys may not list unfinished multipart uploads, so none an interrupted run left was aborted: a lifecycle rule (AbortIncompleteMultipartUpload) on the bucket removes them.')
  } else if (result.abortedUploads > 0) {
    print(`Aborted ${result.abortedUploads} unfinished upload(s) an earlier, interrupted run left under the prefix (S3 bills their parts until then).`)
  }

  for (const u of result.uploads) {
    print(u.status === 'skipped'
      ? `${u.path}: already in S3 with the same SHA256 checksum, skipped`
      : `${u.path}: uploaded ${formatBytes(u.size)} in ${u.seconds.toFixed(1)} s, verified`)
  }

  const uploaded = result.uploads.filter(u => u.status === 'uploaded').length
  const skipped = result.uploads.length - uploaded
  print(`Uploaded ${formatBytes(result.bytesUploaded)} in ${uploaded} file(s)${skipped > 0 ? `; ${skipped} already in S3` : ''}. Manifest: s3://${result.destination.bucket}/${result.manifestKey}`)
  print(result.released ? `Config vars of ${color.app(result.app)} set in one release.` : 'Config vars already set: no new release.')
  const written = result.files.filter(f => f.action !== 'unchanged').map(f => f.path)
  print(written.length > 0 ? `Wrote ${written.join(', ')}.` : 'The repo files were already up to date.')
  const procfile = PROCFILE_LINES[result.loader]
  if (procfile) {
    print('Next: run the loader before the web process in the Procfile, e.g.')
    print(`  ${procfile}`)
    print('then commit and push; the models stay in git, out of the slug.')
  }
}
