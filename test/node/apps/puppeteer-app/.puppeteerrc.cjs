const {join} = require('path')

/** Heroku builds with HOME=/app: the default ~/.cache/puppeteer would be left outside the slug. */
module.exports = {cacheDirectory: join(__dirname, '.cache', 'puppeteer')}
