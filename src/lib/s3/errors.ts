import {UserError} from '../shared/errors.js'
import type {S3Timeouts} from './timeouts.js'

interface SdkError {
  $metadata?: {httpStatusCode?: number}
  Code?: string
  code?: string
  message?: string
  name?: string
}

const NETWORK_CODES = new Set(['EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT'])

/** The cause of a failed S3 call, in a few words, from the SDK error or the socket error under it. */
function networkCode(error: SdkError & {cause?: unknown}): string | undefined {
  for (let e: (SdkError & {cause?: unknown}) | undefined = error; e; e = e.cause as typeof e) {
    if (e.code && NETWORK_CODES.has(e.code)) return e.code
    if (/socket hang up/i.test(e.message ?? '')) return 'socket hang up'
    if (e.name === 'TimeoutError') return 'timeout'
  }

  return undefined
}

/** A call that ran out of its whole deadline (S3Timeouts.callMs), its retries included. */
export class S3DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`)
  }
}

export interface S3Context {
  bucket: string
  /** where the store is: "AWS region us-east-1" or the endpoint URL */
  where: string
  /** what was being done: "uploading models/a.h5" */
  doing: string
  timeouts?: S3Timeouts
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`
}

/** Which bound a TimeoutError from the SDK's request handler hit; its messages say it in words. */
function timeoutMessage(error: SdkError & {cause?: unknown}, context: S3Context): string | undefined {
  const {timeouts} = context
  if (!timeouts) return undefined
  for (let e: (SdkError & {cause?: unknown}) | undefined = error; e; e = e.cause as typeof e) {
    // The SDK also names ECONNRESET and EPIPE TimeoutError: only its own timers' messages are timeouts.
    const connecting = /did not establish a connection/.test(e.message ?? '')
    if (e.name !== 'TimeoutError' || (!connecting && !/of inactivity/.test(e.message ?? ''))) continue
    const attempts = (error as {$metadata?: {attempts?: number}}).$metadata?.attempts
    const tried = attempts && attempts > 1 ? ` (${attempts} attempts)` : ''
    const what = connecting
      ? `did not accept a connection within ${seconds(timeouts.connectMs)}`
      : `accepted the connection but sent nothing for ${seconds(timeouts.idleMs)}`
    return `S3 at ${context.where} ${what} while ${context.doing}${tried}: check --endpoint and the network, then run the command again.`
  }

  return undefined
}

/**
 * Maps an AWS SDK failure to a one-line UserError that says what to check. A cut connection says
 * that nothing is lost, since finished uploads are verified and skipped on the next run.
 */
export function s3Error(error: unknown, context: S3Context): Error {
  if (error instanceof UserError) return error
  const e = error as SdkError
  const status = e.$metadata?.httpStatusCode
  const code = e.Code ?? e.name
  if (e.name === 'CredentialsProviderError') {
    return new UserError('No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or use the app\'s storage add-on with --addon.')
  }

  if (error instanceof S3DeadlineError) {
    return new UserError(`S3 at ${context.where} did not finish ${context.doing} within ${seconds(error.ms)}: check --endpoint and the network, then run the command again.`)
  }

  const timedOut = timeoutMessage(e, context)
  if (timedOut) return new UserError(timedOut)
  const cut = networkCode(e as SdkError & {cause?: unknown})
  if (cut) {
    return new UserError(`The connection to S3 (${context.where}) failed while ${context.doing} (${cut}). Nothing was lost: run the command again; verified uploads are skipped.`)
  }

  if (code === 'NoSuchBucket' || (status === 404 && context.doing === 'checking the bucket')) {
    return new UserError(`The bucket ${context.bucket} does not exist (${context.where}). Check --bucket, or create it first.`)
  }

  if (status === 403 || code === 'AccessDenied' || code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch') {
    const why = code && code !== 'Forbidden' && code !== 'Unknown' ? ` ${code}` : ''
    return new UserError(`S3 refused access to the bucket ${context.bucket} (${context.where}, HTTP 403${why}) while ${context.doing}: check the keys and the bucket's policy.`)
  }

  if (code === 'PermanentRedirect' || status === 301) {
    return new UserError(`The bucket ${context.bucket} is in another region than ${context.where}: pass its region with --region.`)
  }

  if (status) {
    return new UserError(`S3 answered HTTP ${status}${code ? ` ${code}` : ''} while ${context.doing} (bucket ${context.bucket}, ${context.where}).`)
  }

  return error as Error
}
