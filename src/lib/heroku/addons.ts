import type {HerokuApi} from './client.js'
import type * as Heroku from '@heroku-cli/schema'

import {api} from './errors.js'

/** The parts of an S3 storage add-on's config that the offload needs, named by their role. */
export type StorageRole = 'accessKeyId' | 'bucket' | 'region' | 'secretAccessKey' | 'url'

interface StorageService {
  service: string
  /** How each role's config var name ends; the prefix is the attachment's and is never assumed. */
  suffixes: Partial<Record<StorageRole, string>>
  source: string
}

/** Heroku add-ons that hand an app an S3 bucket and keys. */
export const STORAGE_SERVICES: StorageService[] = [
  {
    service: 'bucketeer',
    source: 'https://devcenter.heroku.com/articles/bucketeer',
    suffixes: {
      accessKeyId: '_AWS_ACCESS_KEY_ID', bucket: '_BUCKET_NAME', region: '_AWS_REGION', secretAccessKey: '_AWS_SECRET_ACCESS_KEY',
    },
  },
  {
    service: 'cloudcube',
    source: 'https://devcenter.heroku.com/articles/cloudcube',
    suffixes: {accessKeyId: '_ACCESS_KEY_ID', secretAccessKey: '_SECRET_ACCESS_KEY', url: '_URL'},
  },
]

export interface StorageAddon {
  /** the add-on's globally unique name, e.g. bucketeer-rigid-12345 */
  name: string
  service: string
  /** config var name per role, taken from the add-on's own `config_vars` */
  vars: Partial<Record<StorageRole, string>>
}

export async function listAddons(heroku: HerokuApi, app: string): Promise<Heroku.AddOn[]> {
  return api(heroku.get<Heroku.AddOn[]>(`/apps/${encodeURIComponent(app)}/addons`), `the add-ons of ${app}`)
}

/** The app's S3 storage add-ons, each with the names of its config vars by role. */
export function storageAddons(addons: Heroku.AddOn[]): StorageAddon[] {
  const found: StorageAddon[] = []
  for (const addon of addons) {
    const known = STORAGE_SERVICES.find(s => s.service === addon.addon_service?.name)
    if (!known) continue
    const names = (addon.config_vars ?? []) as string[]
    const vars: Partial<Record<StorageRole, string>> = {}
    for (const [role, suffix] of Object.entries(known.suffixes) as [StorageRole, string][]) {
      const name = names.find(n => n.endsWith(suffix))
      if (name) vars[role] = name
    }

    found.push({name: addon.name, service: known.service, vars})
  }

  return found
}
