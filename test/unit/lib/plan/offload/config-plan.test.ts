import {expect} from 'chai'

import {checkConfigVarPlan, configPatch, isOwnManifest, planConfigVars, wantedConfigVars} from '../../../../../src/lib/plan/offload/config-plan.js'
import type {Destination} from '../../../../../src/lib/plan/offload/destination.js'
import {thrownMessage} from '../../../../helpers/rejection.js'

const chain: Destination = {bucket: 'models', credentials: {source: 'default-chain'}, prefix: 'example-app/models/', region: 'us-east-1'}
const addon: Destination = {
  bucket: 'bucketeer-1',
  credentials: {accessKeyIdVar: 'BUCKETEER_AWS_ACCESS_KEY_ID', addon: 'bucketeer-x', secretAccessKeyVar: 'BUCKETEER_AWS_SECRET_ACCESS_KEY', service: 'bucketeer', source: 'addon'},
  prefix: 'example-app/models/',
  region: 'eu-west-1',
}
const MANIFEST = 'example-app/models/manifests/abababababababababababababababababababababababababababababababab.json'
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'

function ours(name: string, value: string): boolean {
  return name === 'MODEL_S3_MANIFEST' && isOwnManifest('example-app/models/', value)
}

describe('plan/offload/config-plan', () => {
  it('wants the loader\'s vars; no key vars without --set-credentials; an endpoint only when given', () => {
    expect(wantedConfigVars(chain, MANIFEST)).to.deep.equal({
      MODEL_S3_ACCESS_KEY_ID_VAR: null,
      MODEL_S3_BUCKET: 'models',
      MODEL_S3_ENDPOINT: null,
      MODEL_S3_MANIFEST: MANIFEST,
      MODEL_S3_PREFIX: 'example-app/models/',
      MODEL_S3_REGION: 'us-east-1',
      MODEL_S3_SECRET_ACCESS_KEY_VAR: null,
    })
    expect(wantedConfigVars({...chain, endpoint: 'https://s3.example.com'}, MANIFEST).MODEL_S3_ENDPOINT).to.equal('https://s3.example.com')
  })

  it('with an add-on, names its key vars and copies no key', () => {
    const wanted = wantedConfigVars(addon, MANIFEST)
    expect(wanted.MODEL_S3_ACCESS_KEY_ID_VAR).to.equal('BUCKETEER_AWS_ACCESS_KEY_ID')
    expect(wanted.MODEL_S3_SECRET_ACCESS_KEY_VAR).to.equal('BUCKETEER_AWS_SECRET_ACCESS_KEY')
    expect(wanted).not.to.have.property('AWS_ACCESS_KEY_ID')
    expect(wanted).not.to.have.property('AWS_SECRET_ACCESS_KEY')
  })

  it('classifies each var: add, same, change, remove; unset vars that are absent are left out', () => {
    const plan = planConfigVars(
      {MODEL_S3_BUCKET: 'models', MODEL_S3_ENDPOINT: 'http://old', MODEL_S3_REGION: 'eu-west-1', OTHER: 'x'},
      wantedConfigVars(chain, MANIFEST),
    )
    expect(Object.fromEntries(plan.changes.map(c => [c.name, c.action]))).to.deep.equal({
      MODEL_S3_BUCKET: 'same',
      MODEL_S3_ENDPOINT: 'remove',
      MODEL_S3_MANIFEST: 'add',
      MODEL_S3_PREFIX: 'add',
      MODEL_S3_REGION: 'change',
    })
    expect(plan.conflicts.sort()).to.deep.equal(['MODEL_S3_ENDPOINT', 'MODEL_S3_REGION'])
  })

  it('refuses conflicts without --force, naming the vars and never their values', () => {
    const plan = planConfigVars({AWS_SECRET_ACCESS_KEY: 'old-secret-value', MODEL_S3_BUCKET: 'older'}, wantedConfigVars(chain, MANIFEST, {accessKeyId: 'AKIA1', secretAccessKey: SECRET}))
    const text = thrownMessage(() => checkConfigVarPlan(plan, false))
    expect(text).to.equal('These config vars already hold other values: MODEL_S3_BUCKET, AWS_SECRET_ACCESS_KEY. Run again with --force to replace them.')
    expect(text).not.to.include('older')
    expect(text).not.to.include('old-secret-value')
    expect(() => checkConfigVarPlan(plan, true)).not.to.throw()
  })

  it('never puts a secret value in the plan', () => {
    const plan = planConfigVars({}, wantedConfigVars(chain, MANIFEST, {accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET}))
    const json = JSON.stringify(plan)
    expect(json).not.to.include(SECRET)
    expect(json).not.to.include('AKIAEXAMPLE')
    expect(plan.changes.find(c => c.name === 'AWS_SECRET_ACCESS_KEY')).to.deep.equal({action: 'add', name: 'AWS_SECRET_ACCESS_KEY', secret: true})
  })

  it('checks the size of the whole config after the change against 32 kB', () => {
    const existing = {BIG: 'x'.repeat(32_700)}
    const plan = planConfigVars(existing, wantedConfigVars(chain, MANIFEST))
    expect(plan.sizeBefore).to.equal(32_703)
    expect(plan.sizeAfter).to.be.greaterThan(32_768)
    expect(thrownMessage(() => checkConfigVarPlan(plan, true))).to.match(/^The app's config vars would take 32\.\d kB, over Heroku's 32\.8 kB limit \(they take 32\.7 kB now\)\.$/)
    expect(() => checkConfigVarPlan(planConfigVars({BIG: 'x'.repeat(30_000)}, wantedConfigVars(chain, MANIFEST)), false)).not.to.throw()
  })

  it('patches only what changes, with null for what goes', () => {
    const wanted = wantedConfigVars(chain, MANIFEST, {accessKeyId: 'AKIA1', secretAccessKey: SECRET})
    const plan = planConfigVars({MODEL_S3_BUCKET: 'models', MODEL_S3_ENDPOINT: 'http://old'}, wanted)
    expect(configPatch(plan, wanted)).to.deep.equal({
      AWS_ACCESS_KEY_ID: 'AKIA1',
      AWS_SECRET_ACCESS_KEY: SECRET,
      MODEL_S3_ENDPOINT: null,
      MODEL_S3_MANIFEST: MANIFEST,
      MODEL_S3_PREFIX: 'example-app/models/',
      MODEL_S3_REGION: 'us-east-1',
    })
    const applied = Object.fromEntries(Object.entries(wanted).filter(([, v]) => v !== null)) as Record<string, string>
    expect(configPatch(planConfigVars(applied, wanted), wanted), 'nothing to change: no PATCH, no release').to.deep.equal({})
  })

  it('a re-run that points MODEL_S3_MANIFEST at a new manifest of its own is no conflict; someone else\'s value is', () => {
    const earlier = `example-app/models/manifests/${'cd'.repeat(32)}.json`
    const wanted = wantedConfigVars(chain, MANIFEST)
    expect(planConfigVars({MODEL_S3_MANIFEST: earlier}, wanted, ours).conflicts).to.deep.equal([])
    expect(planConfigVars({MODEL_S3_MANIFEST: 'example-app/models/manifest.json'}, wanted, ours).conflicts, 'the older single manifest').to.deep.equal([])
    expect(planConfigVars({MODEL_S3_MANIFEST: 'someone/else.json'}, wanted, ours).conflicts).to.deep.equal(['MODEL_S3_MANIFEST'])
    expect(planConfigVars({MODEL_S3_MANIFEST: `other-app/models/manifests/${'cd'.repeat(32)}.json`}, wanted, ours).conflicts).to.deep.equal(['MODEL_S3_MANIFEST'])
  })
})
