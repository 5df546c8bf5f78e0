import {expect} from 'chai'

import type {StorageAddon} from '../../../../../src/lib/heroku/addons.js'
import {isObjectKey, manifestKey, normalizePrefix, objectKey, parseCloudcubeUrl, resolveDestination} from '../../../../../src/lib/plan/offload/destination.js'
import {thrownMessage} from '../../../../helpers/rejection.js'

const bucketeer: StorageAddon = {
  name: 'bucketeer-rigid-12345',
  service: 'bucketeer',
  vars: {accessKeyId: 'BUCKETEER_AWS_ACCESS_KEY_ID', bucket: 'BUCKETEER_BUCKET_NAME', region: 'BUCKETEER_AWS_REGION', secretAccessKey: 'BUCKETEER_AWS_SECRET_ACCESS_KEY'},
}
const cloudcube: StorageAddon = {
  name: 'cloudcube-curved-777',
  service: 'cloudcube',
  vars: {accessKeyId: 'CLOUDCUBE_ACCESS_KEY_ID', secretAccessKey: 'CLOUDCUBE_SECRET_ACCESS_KEY', url: 'CLOUDCUBE_URL'},
}
const config = {
  BUCKETEER_AWS_ACCESS_KEY_ID: 'AKIABUCKETEER',
  BUCKETEER_AWS_REGION: 'eu-west-1',
  BUCKETEER_AWS_SECRET_ACCESS_KEY: 'bucketeer-secret',
  BUCKETEER_BUCKET_NAME: 'bucketeer-1234-abcd',
  CLOUDCUBE_ACCESS_KEY_ID: 'AKIACLOUDCUBE',
  CLOUDCUBE_SECRET_ACCESS_KEY: 'cloudcube-secret',
  CLOUDCUBE_URL: 'https://cloud-cube-eu.s3.amazonaws.com/abc123cube',
}

describe('plan/offload/destination', () => {
  it('normalizes prefixes and builds keys', () => {
    expect(normalizePrefix('/a//b')).to.equal('a/b/')
    expect(normalizePrefix('')).to.equal('')
    expect(normalizePrefix('example-app/models/')).to.equal('example-app/models/')
    expect(thrownMessage(() => normalizePrefix('a/../b'))).to.match(/cannot contain/)
    const hex = 'a1'.repeat(32)
    expect(objectKey('p/', hex)).to.equal(`p/sha256/${hex}`)
    expect(manifestKey('p/', hex)).to.equal(`p/manifests/${hex}.json`)
    expect(isObjectKey('p/', `p/sha256/${hex}`)).to.equal(true)
    expect(isObjectKey('p/', `p/sha256/${hex}x`)).to.equal(false)
    expect(isObjectKey('p/', `other/sha256/${hex}`)).to.equal(false)
    expect(isObjectKey('p/', 'p/models/a.h5')).to.equal(false)
  })

  it('reads the bucket and the cube from a Cloudcube URL', () => {
    expect(parseCloudcubeUrl('https://cloud-cube.s3.amazonaws.com/abc123cube')).to.deep.equal({bucket: 'cloud-cube', prefix: 'abc123cube/'})
    expect(thrownMessage(() => parseCloudcubeUrl('not a url'))).to.equal('The Cloudcube URL config var is not a URL.')
    expect(thrownMessage(() => parseCloudcubeUrl('https://example.com/'))).to.match(/does not have the form/)
  })

  it('--bucket uses the SDK default chain, APP/models/ by default, the region from flags, then AWS_REGION', () => {
    const {credentials, destination, notes} = resolveDestination('example-app', {bucket: 'models'}, {addons: [], config: {}}, {AWS_REGION: 'eu-central-1'})
    expect(destination).to.deep.equal({
      bucket: 'models', credentials: {source: 'default-chain'}, endpoint: undefined, prefix: 'example-app/models/', region: 'eu-central-1',
    })
    expect(credentials).to.equal(undefined)
    expect(notes).to.deep.equal([])
    const custom = resolveDestination('example-app', {bucket: 'models', endpoint: 'http://127.0.0.1:9000', prefix: 'x', region: 'auto'}, {addons: [], config: {}}, {})
    expect(custom.destination).to.include({endpoint: 'http://127.0.0.1:9000', prefix: 'x/', region: 'auto'})
  })

  it('--bucket with one storage add-on attached mentions --addon', () => {
    const {notes} = resolveDestination('example-app', {bucket: 'models'}, {addons: [bucketeer], config}, {})
    expect(notes).to.deep.equal(['example-app has the bucketeer add-on bucketeer-rigid-12345: --addon bucketeer-rigid-12345 would use its bucket and keys instead.'])
  })

  it('--addon bucketeer: the add-on\'s bucket, region and keys, naming (not copying) its key vars', () => {
    const {credentials, destination} = resolveDestination('example-app', {addon: 'bucketeer'}, {addons: [bucketeer, cloudcube], config}, {})
    expect(destination).to.deep.equal({
      bucket: 'bucketeer-1234-abcd',
      credentials: {
        accessKeyIdVar: 'BUCKETEER_AWS_ACCESS_KEY_ID', addon: 'bucketeer-rigid-12345', secretAccessKeyVar: 'BUCKETEER_AWS_SECRET_ACCESS_KEY', service: 'bucketeer', source: 'addon',
      },
      prefix: 'example-app/models/',
      region: 'eu-west-1',
    })
    expect(credentials).to.deep.equal({accessKeyId: 'AKIABUCKETEER', secretAccessKey: 'bucketeer-secret'})
  })

  it('--addon cloudcube-curved-777: objects go under the cube, then the prefix', () => {
    const {destination} = resolveDestination('example-app', {addon: 'cloudcube-curved-777'}, {addons: [bucketeer, cloudcube], config}, {})
    expect(destination.bucket).to.equal('cloud-cube-eu')
    expect(destination.prefix).to.equal('abc123cube/example-app/models/')
  })

  it('offers the only storage add-on when neither --bucket nor --addon is given', () => {
    const {destination, notes} = resolveDestination('example-app', {}, {addons: [cloudcube], config}, {})
    expect(destination.credentials.source).to.equal('addon')
    expect(notes).to.deep.equal(['Using the cloudcube add-on cloudcube-curved-777 (the app\'s only storage add-on).'])
  })

  it('refuses to guess: no destination, two add-ons, an unknown add-on, an add-on without keys', () => {
    expect(thrownMessage(() => resolveDestination('example-app', {}, {addons: [], config: {}}, {}))).to.match(/^Say where the models go: --bucket NAME/)
    expect(thrownMessage(() => resolveDestination('example-app', {}, {addons: [bucketeer, cloudcube], config}, {})))
    .to.equal('example-app has 2 storage add-ons; choose one with --addon: bucketeer-rigid-12345, cloudcube-curved-777.')
    expect(thrownMessage(() => resolveDestination('example-app', {addon: 'nope'}, {addons: [bucketeer], config}, {})))
    .to.equal('No storage add-on named nope is attached to the app. Storage add-ons found: bucketeer-rigid-12345 (bucketeer).')
    expect(thrownMessage(() => resolveDestination('example-app', {addon: 'bucketeer'}, {addons: [bucketeer], config: {}}, {})))
    .to.match(/has no access key config vars set on the app/)
  })
})
