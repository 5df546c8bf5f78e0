import {expect} from 'chai'

import {redactUrlCredentials, redactUrlCredentialsDeep} from '../../../../src/lib/shared/redact.js'

describe('redactUrlCredentials', () => {
  it('masks the password of user:password@ and a lone token, keeping the rest of the URL', () => {
    expect(redactUrlCredentials('--extra-index-url https://user:SECRET@pypi.example.com/simple')).to.equal('--extra-index-url https://user:***@pypi.example.com/simple')
    expect(redactUrlCredentials('git+https://ghp_TOKEN@github.com/o/r.git#egg=r')).to.equal('git+https://***@github.com/o/r.git#egg=r')
    expect(redactUrlCredentials('a https://u:p@h/x and http://v:q@k')).to.equal('a https://u:***@h/x and http://v:***@k')
  })

  it('masks the whole password when it holds an unescaped @ or :, as pip and urllib read it (userinfo ends at the last @)', () => {
    expect(redactUrlCredentials('-i https://user:p@ss@host/simple')).to.equal('-i https://user:***@host/simple')
    expect(redactUrlCredentials('http://user:pass@host:pass2@host2/')).to.equal('http://user:***@host2/')
    expect(redactUrlCredentials('https://tok@en@[2001:db8::1]:8080/x')).to.equal('https://***@[2001:db8::1]:8080/x')
    expect(redactUrlCredentials('--find-links=https://u:p%40ss@h/x?q=a@b')).to.equal('--find-links=https://u:***@h/x?q=a@b')
  })

  it('leaves URLs without credentials, and an @ later in the path or query, alone', () => {
    for (const text of ['https://download.pytorch.org/whl/cpu', 'https://h/a@b', 'https://h?x=a@b', 'mailto:a@b', 'no url', 'x://']) {
      expect(redactUrlCredentials(text)).to.equal(text)
    }
  })

  it('is linear on a long line that looks like a URL but is not', () => {
    const long = `https://${'a'.repeat(2_000_000)}`
    const started = Date.now()
    expect(redactUrlCredentials(`${'://'.repeat(100_000)}${long}`)).to.have.length(300_000 + long.length)
    expect(Date.now() - started).to.be.lessThan(2000)
  })

  it('masks every string of a JSON value', () => {
    expect(redactUrlCredentialsDeep({a: ['https://u:p@h'], b: 1, c: {d: 'https://t@h/x'}, e: null})).to.deep.equal({a: ['https://u:***@h'], b: 1, c: {d: 'https://***@h/x'}, e: null})
  })
})
