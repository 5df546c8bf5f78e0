import type {StorageAddon} from '../../heroku/addons.js'
import type {ConfigVars} from '../../heroku/config-vars.js'
import type {S3Credentials} from '../../s3/store.js'
import {UserError} from '../../shared/errors.js'

/** Keys read from an add-on's config vars, named (never copied) so the loader can read them too. */
export interface AddonKeys {
  source: 'addon'
  addon: string
  service: string
  accessKeyIdVar: string
  secretAccessKeyVar: string
}

/** Where the models go and where the keys come from; holds no secret, so it can be shown and put in --json. */
export interface Destination {
  bucket: string
  /** key prefix, '' or ending in '/' */
  prefix: string
  region: string
  endpoint?: string
  credentials: AddonKeys | {source: 'default-chain'}
}

export interface DestinationFlags {
  addon?: string
  bucket?: string
  endpoint?: string
  prefix?: string
  region?: string
}

export interface ResolvedDestination {
  destination: Destination
  /** the add-on's keys; undefined for the SDK's default chain */
  credentials?: S3Credentials
  notes: string[]
}

const DEFAULT_REGION = 'us-east-1'

/** "https://user:secret@host/" -> "https://user:***@host/": a URL as it may be printed. */
export function maskUrl(url: URL): string {
  if (url.password === '') return url.href
  const copy = new URL(url.href)
  copy.password = '***'
  return copy.href
}

/** An S3-compatible store's URL: http or https, checked before any request so a typo is one line. */
export function checkEndpoint(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UserError(`--endpoint takes the URL of an S3-compatible store, such as https://s3.example.com, not "${text.includes('@') ? '(a value with credentials)' : text}".`)
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`--endpoint must be an http:// or https:// URL, not ${maskUrl(url)}.`)
  }

  return url
}

// AWS names regions like us-east-1; S3-compatible stores use names such as auto, nyc3 or eu-central-003.
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/

export function checkRegion(region: string): void {
  if (!REGION.test(region)) {
    throw new UserError(`--region takes a region name such as us-east-1 (lowercase letters, digits and hyphens), not "${region}".`)
  }
}

// S3's bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/

export function checkBucketName(bucket: string, source = '--bucket'): void {
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new UserError(`${source} ${bucket} is not a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.`)
  }

  if (IP_ADDRESS.test(bucket)) throw new UserError(`${source} ${bucket} is not a valid S3 bucket name: it must not look like an IP address.`)
}

/** Checks the destination flags on their own, before any request and also under --dry-run. */
export function checkDestinationFlags(flags: DestinationFlags): void {
  if (flags.endpoint !== undefined) checkEndpoint(flags.endpoint)
  if (flags.region !== undefined) checkRegion(flags.region)
  if (flags.bucket !== undefined) checkBucketName(flags.bucket)
}

/** "/a//b" -> "a/b/"; "" stays "" (the bucket's root). */
export function normalizePrefix(prefix: string): string {
  const parts = prefix.split('/').filter(p => p !== '')
  if (parts.includes('..') || parts.includes('.')) throw new UserError(`--prefix cannot contain "." or ".." segments: ${prefix}`)
  return parts.length === 0 ? '' : `${parts.join('/')}/`
}

export function defaultPrefix(app: string): string {
  return `${app}/models/`
}

/**
 * Objects are named by their content, so a key never holds other bytes: a re-run cannot overwrite
 * what a running (or rolled-back) release reads, and the same bytes are stored once.
 */
export function objectKey(prefix: string, sha256: string): string {
  return `${prefix}sha256/${sha256}`
}

const HEX64 = /^[0-9a-f]{64}$/

/** Whether `key` is one of the plugin's content-addressed objects under `prefix`. */
export function isObjectKey(prefix: string, key: string): boolean {
  return key.startsWith(`${prefix}sha256/`) && HEX64.test(key.slice(prefix.length + 'sha256/'.length))
}

/** One manifest per set of models, named by the sha256 of its own bytes; MODEL_S3_MANIFEST names it. */
export function manifestKey(prefix: string, manifestSha256: string): string {
  return `${prefix}manifests/${manifestSha256}.json`
}

/** CLOUDCUBE_URL is https://BUCKET.s3.amazonaws.com/CUBE: every object of the add-on lives under CUBE/. */
export function parseCloudcubeUrl(text: string): {bucket: string, prefix: string} {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UserError('The Cloudcube URL config var is not a URL.')
  }

  const bucket = url.hostname.split('.s3')[0]
  const cube = url.pathname.split('/').find(p => p !== '')
  if (!bucket || !cube || !url.hostname.includes('.s3')) {
    throw new UserError(`The Cloudcube URL does not have the form https://BUCKET.s3.amazonaws.com/CUBE: ${url.hostname}${url.pathname}`)
  }

  return {bucket, prefix: `${cube}/`}
}

function findAddon(addons: StorageAddon[], name: string): StorageAddon {
  const hit = addons.filter(a => a.name === name || a.service === name)
  if (hit.length === 1) return hit[0]
  const known = addons.map(a => `${a.name} (${a.service})`).join(', ') || 'none'
  if (hit.length > 1) throw new UserError(`More than one ${name} add-on is attached; name one with --addon: ${known}.`)
  throw new UserError(`No storage add-on named ${name} is attached to the app. Storage add-ons found: ${known}.`)
}

function fromAddon(app: string, addon: StorageAddon, config: ConfigVars, flags: DestinationFlags): ResolvedDestination {
  const value = (role: keyof StorageAddon['vars']): string | undefined => {
    const name = addon.vars[role]
    return name ? config[name] : undefined
  }

  const accessKeyIdVar = addon.vars.accessKeyId
  const secretAccessKeyVar = addon.vars.secretAccessKey
  const accessKeyId = value('accessKeyId')
  const secretAccessKey = value('secretAccessKey')
  if (!accessKeyIdVar || !secretAccessKeyVar || !accessKeyId || !secretAccessKey) {
    throw new UserError(`The ${addon.service} add-on ${addon.name} has no access key config vars set on the app: check heroku addons:info ${addon.name}.`)
  }

  const own = flags.prefix === undefined ? defaultPrefix(app) : flags.prefix
  let bucket: string | undefined
  let prefix: string
  if (addon.vars.url) {
    const url = value('url')
    if (!url) throw new UserError(`The ${addon.service} add-on ${addon.name} has no ${addon.vars.url} config var set on the app.`)
    const cube = parseCloudcubeUrl(url)
    bucket = cube.bucket
    prefix = normalizePrefix(`${cube.prefix}${own}`)
  } else {
    bucket = value('bucket')
    prefix = normalizePrefix(own)
  }

  if (!bucket) throw new UserError(`The ${addon.service} add-on ${addon.name} does not say which bucket it provides.`)
  return {
    credentials: {accessKeyId, secretAccessKey},
    destination: {
      bucket,
      credentials: {accessKeyIdVar, addon: addon.name, secretAccessKeyVar, service: addon.service, source: 'addon'},
      prefix,
      region: flags.region ?? value('region') ?? DEFAULT_REGION,
    },
    notes: [],
  }
}

/**
 * Picks the destination: the add-on named by --addon, else --bucket with the AWS SDK's default
 * credential chain, else the app's only storage add-on. Anything ambiguous is a UserError.
 */
export function resolveDestination(
  app: string,
  flags: DestinationFlags,
  {addons, config}: {addons: StorageAddon[], config: ConfigVars},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedDestination {
  if (flags.addon) return fromAddon(app, findAddon(addons, flags.addon), config, flags)
  if (flags.bucket) {
    const notes = addons.length === 1
      ? [`${app} has the ${addons[0].service} add-on ${addons[0].name}: --addon ${addons[0].name} would use its bucket and keys instead.`]
      : []
    return {
      destination: {
        bucket: flags.bucket,
        credentials: {source: 'default-chain'},
        endpoint: flags.endpoint,
        prefix: normalizePrefix(flags.prefix ?? defaultPrefix(app)),
        region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION,
      },
      notes,
    }
  }

  if (addons.length === 1) {
    const resolved = fromAddon(app, addons[0], config, flags)
    resolved.notes.push(`Using the ${addons[0].service} add-on ${addons[0].name} (the app's only storage add-on).`)
    return resolved
  }

  if (addons.length === 0) {
    throw new UserError(`Say where the models go: --bucket NAME (keys from the AWS SDK's usual sources), or attach a Bucketeer or Cloudcube add-on to ${app} and use --addon.`)
  }

  throw new UserError(`${app} has ${addons.length} storage add-ons; choose one with --addon: ${addons.map(a => a.name).join(', ')}.`)
}
