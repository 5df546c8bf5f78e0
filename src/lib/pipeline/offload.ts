import type {HerokuApi} from '../heroku/client.js'

import {listAddons, storageAddons} from '../heroku/addons.js'
import {getConfigVars, patchConfigVars} from '../heroku/config-vars.js'
import {sameChecksum} from '../s3/checksum.js'
import {openObjectStore, type ObjectStore, type S3Credentials} from '../s3/store.js'
import {allInOrder} from '../shared/all-in-order.js'
import {UserError} from '../shared/errors.js'
import {checkConfigVarPlan, configPatch, type ConfigVarPlan, isOwnManifest, planConfigVars, wantedConfigVars} from '../plan/offload/config-plan.js'
import {type Destination, type DestinationFlags, isObjectKey, manifestKey, resolveDestination} from '../plan/offload/destination.js'
import {findModels} from '../plan/offload/find.js'
import {defaultLoader, type LoaderKind, planLocalFiles, publicChanges, writeLocalFiles} from '../plan/offload/local-files.js'
import {buildManifest, manifestSha256, readLocalManifest, serializeManifest} from '../plan/offload/manifest.js'
import {InterruptedError, type OffloadResult, type UploadReporter, uploadObjects} from '../apply/upload.js'
import {describeObjects} from '../plan/offload/objects.js'
import type {OffloadPlan} from '../plan/offload/plan.js'

export interface OffloadOptions {
  app: string
  /** the repo (or a folder in it); explicit paths are relative to it */
  dir: string
  /** explicit paths or globs; empty: every committed model of at least minSize */
  paths: string[]
  minSize: number
  destination: DestinationFlags
  /** copy the local AWS keys into the app's config vars */
  setCredentials: boolean
  force: boolean
  loader?: LoaderKind
}

/** A plan and the means to carry it out; the secrets stay in this closure and never reach the plan. */
export interface PreparedOffload {
  plan: OffloadPlan
  apply(reporter?: UploadReporter): Promise<OffloadResult>
  close(): void
}

const RERUN = 'Nothing was lost: fix the cause and run the command again; verified uploads are skipped.'

/**
 * Reads everything first (models, add-ons, config vars, local files) and refuses a conflict before
 * any byte moves. `apply` then runs upload all -> verify -> manifest -> config vars -> local files,
 * so a failure leaves the earlier steps harmless and a re-run picks up where it stopped.
 */
export async function prepareOffload(heroku: HerokuApi, options: OffloadOptions, dryRun: boolean): Promise<PreparedOffload> {
  const {app} = options
  // A wrong --app is reported before anything about the repository, whichever failed first.
  const [addons, config, found] = await allInOrder([
    listAddons(heroku, app).then(list => storageAddons(list)),
    getConfigVars(heroku, app),
    findModels({cwd: options.dir, dir: options.dir, minSize: options.minSize, paths: options.paths}),
  ])
  const {models, root} = found
  const resolved = resolveDestination(app, options.destination, {addons, config})
  const {destination} = resolved
  if (options.setCredentials && destination.credentials.source === 'addon') {
    throw new UserError('--set-credentials copies local AWS keys; with a storage add-on the loader reads the add-on\'s own vars, so leave it out.')
  }

  const objects = await describeObjects(root, models, destination.prefix)
  const manifest = buildManifest(destination.bucket, destination.prefix, objects, await readLocalManifest(root))
  const manifestText = serializeManifest(manifest)
  const key = manifestKey(destination.prefix, manifestSha256(manifestText))
  const loader = options.loader ?? defaultLoader(found.paths)
  const local = await planLocalFiles({force: options.force, loader, manifest, models, root})

  // The SDK is loaded only when S3 is used, or local keys must be read for --set-credentials.
  const {copied, store} = !dryRun || options.setCredentials ? await openStore(destination, resolved.credentials, options.setCredentials) : {}
  const wanted = wantedConfigVars(destination, key, copied)
  const configVars: ConfigVarPlan = planConfigVars(config, wanted, (name, value) => name === 'MODEL_S3_MANIFEST' && isOwnManifest(destination.prefix, value))
  try {
    checkConfigVarPlan(configVars, options.force)
  } catch (error) {
    store?.destroy()
    throw error
  }

  const plan: OffloadPlan = {
    app, configVars, destination, files: publicChanges(local.writes), loader, manifestKey: key, models,
    notes: [...resolved.notes, ...local.notes], objects, root,
  }

  return {
    async apply(reporter) {
      if (!store) throw new Error('apply() on a dry-run plan')
      return applyOffload({heroku, local: local.writes, manifestText, plan, store, wanted}, reporter)
    },
    close() {
      store?.destroy()
    },
    plan,
  }
}

/** The S3 client, and the local keys when --set-credentials copies them to the app. */
async function openStore(destination: Destination, credentials: S3Credentials | undefined, setCredentials?: boolean): Promise<{copied?: S3Credentials; store: ObjectStore}> {
  const store = await openObjectStore({...destination, credentials})
  if (!setCredentials) return {store}
  try {
    const copied = await store.credentials()
    if (copied.sessionToken) {
      throw new UserError('The local AWS keys are temporary (they carry a session token) and would stop working on the app: use long-lived keys with --set-credentials.')
    }

    return {copied, store}
  } catch (error) {
    store.destroy()
    throw error
  }
}

interface ApplyContext {
  heroku: HerokuApi
  local: Parameters<typeof writeLocalFiles>[1]
  manifestText: string
  plan: OffloadPlan
  store: ObjectStore
  wanted: ReturnType<typeof wantedConfigVars>
}

/** upload all -> verify -> manifest -> config vars -> local files; Ctrl-C stops before the manifest. */
async function applyOffload({heroku, local, manifestText, plan, store, wanted}: ApplyContext, reporter?: UploadReporter): Promise<OffloadResult> {
  const {app, configVars, destination, manifestKey: key, objects, root} = plan
  const started = new Date()
  // Ctrl-C or SIGTERM during the uploads aborts the one in flight (S3 bills unfinished parts)
  // and stops before the manifest, the config vars and the repo files. A second signal kills.
  const interrupt = new AbortController()
  const stop = () => interrupt.abort()
  const listen = (on: boolean) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      if (on) process.once(signal, stop)
      else process.off(signal, stop)
    }
  }

  listen(true)
  try {
    await store.checkBucket()
    const {prefix} = destination
    const aborted = await store.abortStaleUploads(`${prefix}sha256/`, k => isObjectKey(prefix, k), started)
    const uploads = await uploadObjects(store, root, objects, {reporter, signal: interrupt.signal})
    if (interrupt.signal.aborted) throw new InterruptedError()
    // Same models, same manifest, same key: a manifest S3 holds intact is never rewritten.
    const held = await store.head(key)
    if (!sameChecksum(held?.checksum, Buffer.from(manifestSha256(manifestText), 'hex').toString('base64'))) {
      await store.putText(key, manifestText, 'application/json')
    }

    listen(false)
    const patch = configPatch(configVars, wanted)
    const released = Object.keys(patch).length > 0
    if (released) await patchConfigVars(heroku, app, patch, new Set(configVars.changes.filter(c => !c.secret).map(c => c.name)))
    await writeLocalFiles(root, local)
    return {...plan, abortedUploads: aborted ?? null, bytesUploaded: uploads.reduce((sum, u) => sum + u.bytesSent, 0), released, uploads}
  } catch (error) {
    if (error instanceof UserError && !/run the command again/i.test(error.message)) {
      throw new UserError(`${error.message} ${RERUN}`, error.exitCode)
    }

    throw error
  } finally {
    listen(false)
    store.destroy()
  }
}
