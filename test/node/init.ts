import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

// The test:node suite installs real packages from the registry npm is configured with (test/helpers/node-slug.ts)
// and starts the apps it builds on 127.0.0.1. No Heroku API is reached: the slugs are read from files.
process.env.HEROKU_API_KEY = 'test-api-key'
process.env.COLUMNS = '160'
process.env.NO_COLOR = '1'
delete process.env.HEROKU_APP
process.env.HEROKU_SLUG_DIET_CACHE_SIZE = '0'
process.env.HEROKU_CACHE_DIR = mkdtempSync(join(tmpdir(), 'slug-diet-node-cache-'))
