import {expect} from 'chai'

import {apiError} from '../../../../src/lib/heroku/errors.js'

/** The shape of @heroku-cli/command's HerokuAPIError: the response as `http`. */
function httpError(statusCode: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`HTTP ${statusCode}`), {body: {id: 'rate_limit', message: 'Your account reached the API rate limit'}, http: {headers, statusCode}})
}

describe('apiError', () => {
  it('a 429 says when to run the command again when the API sends Retry-After', () => {
    const limited = apiError(httpError(429, {'retry-after': '120'}), 'the releases of app')
    expect(limited.message).to.match(/^The Heroku API rate limit is exhausted \(HTTP 429\)\. Run the command again in 2 min \(at \d\d:\d\d UTC\)\.$/)
    expect(apiError(httpError(429), 'the releases of app').message).to.equal('The Heroku API rate limit is exhausted (HTTP 429). Wait a minute and run the command again.')
  })
})
