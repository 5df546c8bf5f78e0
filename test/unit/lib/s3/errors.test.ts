import {expect} from 'chai'

import {s3Error} from '../../../../src/lib/s3/errors.js'
import {UserError} from '../../../../src/lib/shared/errors.js'

const context = {bucket: 'models', doing: 'uploading p/a.h5', where: 'AWS region us-east-1'}

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(name), {$metadata: {httpStatusCode: status}, name, ...extra})
}

describe('s3/errors', () => {
  it('missing credentials', () => {
    const error = s3Error(sdkError('CredentialsProviderError'), context)
    expect(error).to.be.instanceOf(UserError)
    expect(error.message).to.match(/^No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \(or AWS_PROFILE\), or use .* --addon\.$/)
  })

  it('a bucket that does not exist, from an error code or a 404 on the bucket check', () => {
    expect(s3Error(sdkError('NoSuchBucket', 404), context).message).to.equal('The bucket models does not exist (AWS region us-east-1). Check --bucket, or create it first.')
    expect(s3Error(sdkError('NotFound', 404), {...context, doing: 'checking the bucket'}).message).to.match(/^The bucket models does not exist/)
  })

  it('403: access refused, with the S3 code when there is one', () => {
    expect(s3Error(sdkError('AccessDenied', 403), context).message)
    .to.equal('S3 refused access to the bucket models (AWS region us-east-1, HTTP 403 AccessDenied) while uploading p/a.h5: check the keys and the bucket\'s policy.')
    expect(s3Error(sdkError('Forbidden', 403), context).message).to.include('(AWS region us-east-1, HTTP 403) while')
    expect(s3Error(sdkError('InvalidAccessKeyId', 403), context).message).to.include('HTTP 403 InvalidAccessKeyId')
  })

  it('a connection cut mid-way, found under the SDK error\'s causes', () => {
    const socket = Object.assign(new Error('read ECONNRESET'), {code: 'ECONNRESET'})
    const error = s3Error(Object.assign(new Error('upload failed'), {cause: socket}), context)
    expect(error.message).to.equal('The connection to S3 (AWS region us-east-1) failed while uploading p/a.h5 (ECONNRESET). Nothing was lost: run the command again; verified uploads are skipped.')
    expect(s3Error(new Error('socket hang up'), context).message).to.include('(socket hang up)')
  })

  it('timeouts name the endpoint and what did not answer; a reset the SDK also calls TimeoutError stays a cut connection', () => {
    const timed = {...context, timeouts: {callMs: 90_000, connectMs: 10_000, idleMs: 60_000}, where: 'https://s3.example.com'}
    const handler = '@smithy/node-http-handler - the request socket'
    const connect = Object.assign(new Error(`${handler} did not establish a connection with the server within the configured timeout of 10000 ms.`), {name: 'TimeoutError'})
    expect(s3Error(Object.assign(connect, {$metadata: {attempts: 3}}), timed).message)
    .to.equal('S3 at https://s3.example.com did not accept a connection within 10 s while uploading p/a.h5 (3 attempts): check --endpoint and the network, then run the command again.')
    const idle = Object.assign(new Error(`${handler} timed out after 60000 ms of inactivity (configured by client requestHandler).`), {name: 'TimeoutError'})
    expect(s3Error(idle, timed).message)
    .to.equal('S3 at https://s3.example.com accepted the connection but sent nothing for 60 s while uploading p/a.h5: check --endpoint and the network, then run the command again.')
    const reset = Object.assign(new Error('read ECONNRESET'), {code: 'ECONNRESET', name: 'TimeoutError'})
    expect(s3Error(reset, timed).message).to.match(/^The connection to S3 \(https:\/\/s3\.example\.com\) failed while uploading p\/a\.h5 \(ECONNRESET\)\./)
  })

  it('a bucket in another region, any other HTTP status, and a UserError passed through', () => {
    expect(s3Error(sdkError('PermanentRedirect', 301), context).message).to.match(/another region .* --region/)
    expect(s3Error(sdkError('SlowDown', 503), context).message).to.equal('S3 answered HTTP 503 SlowDown while uploading p/a.h5 (bucket models, AWS region us-east-1).')
    const own = new UserError('mine')
    expect(s3Error(own, context)).to.equal(own)
  })

  it('leaves a bug (no HTTP status, no known cause) as it is', () => {
    const bug = new TypeError('x is undefined')
    expect(s3Error(bug, context)).to.equal(bug)
  })
})
