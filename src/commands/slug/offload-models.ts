import * as herokuFlags from '../../lib/heroku/flags.js'
import {Args, Flags, ux} from '@oclif/core'

import {SlugCommand} from '../../lib/command/base.js'
import {checkDestinationFlags, type DestinationFlags} from '../../lib/plan/offload/destination.js'
import type {LoaderKind} from '../../lib/plan/offload/local-files.js'
import type {OffloadResult} from '../../lib/apply/upload.js'
import type {OffloadPlan} from '../../lib/plan/offload/plan.js'
import {prepareOffload} from '../../lib/pipeline/offload.js'
import {uploadProgress} from '../../lib/render/progress/upload.js'
import {renderPlan, renderResult} from '../../lib/render/offload.js'
import {parseSize} from '../../lib/shared/bytes.js'
import {UserError} from '../../lib/shared/errors.js'

export type OffloadOutput = (OffloadPlan & {dryRun: true}) | (OffloadResult & {dryRun: false})

export default class OffloadModels extends SlugCommand {
  static description = `move model files out of the slug into S3, with a loader that fetches and verifies them at boot

Finds the committed model files (or takes the PATHS given), uploads them to S3 (skipping what is already there with the
same sha256), writes a manifest, sets the MODEL_S3_* config vars in one release, lists the models in .slugignore and
writes model_store.py (or model-store.mjs for Node), which each dyno runs before the web process to download and verify them.`
  static enableJsonFlag = true
  static strict = false
  static examples = [
    '$ heroku slug:offload-models --app example-app --bucket example-models',
    '$ heroku slug:offload-models --app example-app --addon bucketeer-rigid-12345 models/',
    '$ heroku slug:offload-models --app example-app --bucket example-models --dry-run',
    '$ heroku slug:offload-models --app example-app --bucket models --endpoint https://s3.example.com --set-credentials',
  ]
  static args = {
    paths: Args.string({description: 'model files, folders or globs to offload (default: every committed model of --min-size or more)'}),
  }
  static flags = {
    app: herokuFlags.app({required: true}),
    remote: herokuFlags.remote(),
    dir: Flags.string({description: 'the app\'s git repository (default: the current directory); PATHS are relative to it'}),
    'min-size': Flags.string({default: '5MB', description: 'smallest model file found by content (without PATHS)'}),
    bucket: Flags.string({description: 'S3 bucket, with keys from the AWS SDK\'s default chain (env, profile)', exclusive: ['addon']}),
    prefix: Flags.string({description: 'key prefix in the bucket (default: APP/models/)'}),
    region: Flags.string({description: 'the bucket\'s region (default: AWS_REGION, the add-on\'s, or us-east-1)'}),
    endpoint: Flags.string({description: 'URL of an S3-compatible store (path-style requests)', exclusive: ['addon']}),
    addon: Flags.string({description: 'use this storage add-on\'s bucket and keys (Bucketeer or Cloudcube; name or service)'}),
    'set-credentials': Flags.boolean({description: 'copy the local AWS keys into AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY on the app'}),
    force: Flags.boolean({description: 'replace config vars that hold other values, and a model_store.py the plugin did not write'}),
    loader: Flags.option({description: 'the boot-time loader to write (default: python for a Python app, node for a Node app)', options: ['python', 'node', 'none'] as const})(),
    'dry-run': Flags.boolean({description: 'show the plan; upload, set and write nothing'}),
  }

  async run(): Promise<OffloadOutput> {
    const {argv, flags} = await this.parse(OffloadModels)
    const destination: DestinationFlags = {addon: flags.addon, bucket: flags.bucket, endpoint: flags.endpoint, prefix: flags.prefix, region: flags.region}
    checkDestinationFlags(destination)
    const minSize = parseSize(flags['min-size'])
    if (minSize === undefined) throw new UserError(`--min-size takes a size such as 5MB or 500kB, not "${flags['min-size']}".`)
    // Hashing big models takes seconds: say what is going on, to a person (stderr is a terminal, no --json).
    const spinner = !this.jsonEnabled() && process.stderr.isTTY
    if (spinner) ux.action.start('Finding and hashing the models, reading the app\'s add-ons and config vars')
    const prepared = await prepareOffload(this.heroku, {
      app: flags.app,
      destination,
      dir: flags.dir ?? process.cwd(),
      force: flags.force,
      loader: flags.loader as LoaderKind | undefined,
      minSize,
      paths: argv as string[],
      setCredentials: flags['set-credentials'],
    }, flags['dry-run'])
    if (spinner) ux.action.stop()
    const print = this.log.bind(this)
    if (!this.jsonEnabled()) renderPlan(prepared.plan, print)
    if (flags['dry-run']) {
      prepared.close()
      if (!this.jsonEnabled()) print('\nDry run: nothing was uploaded, set or written.')
      return {...prepared.plan, dryRun: true}
    }

    const progress = uploadProgress(!this.jsonEnabled())
    let result: OffloadResult
    try {
      result = await prepared.apply(progress?.reporter)
    } finally {
      progress?.stop()
    }

    if (!this.jsonEnabled()) renderResult(result, print)
    return {...result, dryRun: false}
  }
}
