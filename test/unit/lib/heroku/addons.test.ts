import type * as Heroku from '@heroku-cli/schema'
import {expect} from 'chai'
import nock from 'nock'

import {listAddons, storageAddons} from '../../../../src/lib/heroku/addons.js'
import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {rejection} from '../../../helpers/rejection.js'

const bucketeer = {
  addon_service: {name: 'bucketeer'},
  config_vars: ['BUCKETEER_AWS_ACCESS_KEY_ID', 'BUCKETEER_AWS_REGION', 'BUCKETEER_AWS_SECRET_ACCESS_KEY', 'BUCKETEER_BUCKET_NAME'],
  name: 'bucketeer-rigid-12345',
}
const cloudcube = {
  addon_service: {name: 'cloudcube'},
  config_vars: ['CLOUDCUBE_ACCESS_KEY_ID', 'CLOUDCUBE_SECRET_ACCESS_KEY', 'CLOUDCUBE_URL'],
  name: 'cloudcube-curved-777',
}
const postgres = {addon_service: {name: 'heroku-postgresql'}, config_vars: ['DATABASE_URL'], name: 'postgresql-cubed-1'}

describe('heroku/addons', () => {
  afterEach(() => nock.cleanAll())

  it('reads the app\'s add-ons from GET /apps/{app}/addons', async () => {
    const api = nock('https://api.heroku.com').get('/apps/example-app/addons').reply(200, [bucketeer, postgres])
    const heroku = new APIClient(await Config.load(process.cwd()))
    const addons = await listAddons(heroku, 'example-app')
    expect(addons.map(a => a.name)).to.deep.equal(['bucketeer-rigid-12345', 'postgresql-cubed-1'])
    api.done()
  })

  it('maps an unknown app to a one-line error', async () => {
    nock('https://api.heroku.com').get('/apps/nope/addons').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.'})
    const heroku = new APIClient(await Config.load(process.cwd()))
    const {message} = await rejection(listAddons(heroku, 'nope'))
    expect(message).to.equal('Couldn\'t find that app (the add-ons of nope).')
  })

  it('recognises Bucketeer by its service and takes the var names from its config_vars', () => {
    expect(storageAddons([bucketeer, postgres] as unknown as Heroku.AddOn[])).to.deep.equal([{
      name: 'bucketeer-rigid-12345',
      service: 'bucketeer',
      vars: {
        accessKeyId: 'BUCKETEER_AWS_ACCESS_KEY_ID', bucket: 'BUCKETEER_BUCKET_NAME', region: 'BUCKETEER_AWS_REGION', secretAccessKey: 'BUCKETEER_AWS_SECRET_ACCESS_KEY',
      },
    }])
  })

  it('follows a renamed attachment: the prefix is whatever the add-on\'s config_vars say', () => {
    const renamed = {...bucketeer, config_vars: ['MODELS_AWS_ACCESS_KEY_ID', 'MODELS_AWS_SECRET_ACCESS_KEY', 'MODELS_BUCKET_NAME']}
    const [found] = storageAddons([renamed] as unknown as Heroku.AddOn[])
    expect(found.vars).to.deep.equal({accessKeyId: 'MODELS_AWS_ACCESS_KEY_ID', bucket: 'MODELS_BUCKET_NAME', secretAccessKey: 'MODELS_AWS_SECRET_ACCESS_KEY'})
  })

  it('recognises Cloudcube, with its URL var', () => {
    const [found] = storageAddons([cloudcube] as unknown as Heroku.AddOn[])
    expect(found).to.deep.equal({
      name: 'cloudcube-curved-777',
      service: 'cloudcube',
      vars: {accessKeyId: 'CLOUDCUBE_ACCESS_KEY_ID', secretAccessKey: 'CLOUDCUBE_SECRET_ACCESS_KEY', url: 'CLOUDCUBE_URL'},
    })
  })

  it('finds none when the app has no storage add-on, and both when it has two', () => {
    expect(storageAddons([postgres] as unknown as Heroku.AddOn[])).to.deep.equal([])
    expect(storageAddons([bucketeer, cloudcube] as unknown as Heroku.AddOn[]).map(a => a.service)).to.deep.equal(['bucketeer', 'cloudcube'])
  })
})
