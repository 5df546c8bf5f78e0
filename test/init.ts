import nock from 'nock'

// Tests never reach the network and never trigger a browser login.
nock.disableNetConnect()
nock.enableNetConnect('127.0.0.1')
process.env.HEROKU_API_KEY = 'test-api-key'
process.env.COLUMNS = '160'
process.env.NO_COLOR = '1'
delete process.env.HEROKU_APP
