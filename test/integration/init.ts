// Integration tests talk to real servers on 127.0.0.1 (moto_server, a Platform API stub) and never to
// the internet. No nock here: its interceptors would sit between the AWS SDK and the S3 server.
process.env.HEROKU_API_KEY = 'test-api-key'
process.env.COLUMNS = '160'
process.env.NO_COLOR = '1'
// Only the keys the tests set count: no profile, no shared files, no EC2 metadata lookups.
process.env.AWS_EC2_METADATA_DISABLED = 'true'
process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config'
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials'
delete process.env.AWS_PROFILE
delete process.env.HEROKU_APP
// The AWS SDK warns about Node 20 support ending in 2027; the plugin silences it the same way.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
