import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import nock from 'nock'

// Tests never reach the network and never trigger a browser login.
nock.disableNetConnect()
nock.enableNetConnect('127.0.0.1')
process.env.HEROKU_API_KEY = 'test-api-key'
process.env.COLUMNS = '160'
process.env.NO_COLOR = '1'
delete process.env.HEROKU_APP
// A --dir prediction would run the machine's pip against its configured indexes: unit tests stay offline
// (the resolver's own tests name the Python and a local index explicitly).
process.env.HEROKU_SLUG_DIET_PYTHON = 'none'
// A developer's proxy settings must not route the tests' local servers (blob downloads read HTTPS_PROXY).
for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[name]
// The scan cache is off unless a test turns it on, and then it lives in a folder of this run, never the user's.
process.env.HEROKU_SLUG_DIET_CACHE_SIZE = '0'
process.env.HEROKU_CACHE_DIR = mkdtempSync(join(tmpdir(), 'slug-diet-test-cache-'))
