import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {chmodSync, chownSync, mkdtempSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {predictRepoReport} from '../../../../../src/lib/predict/repo/report.js'
import {incompressible} from '../../../../helpers/slug-builder.js'
import {git} from './fixture.js'

const worktree = fileURLToPath(new URL('../../../../..', import.meta.url))
const NOBODY = 65_534

/** Notes and file paths of the repo's prediction, as a user who cannot read some of its files sees them. */
async function predictAsUser(repo: string): Promise<{notes: string[]; paths: string[]}> {
  if (process.getuid?.() !== 0) {
    const report = await predictRepoReport(repo, {depth: 2, top: 50})
    return {notes: report.notes, paths: report.files.map(f => f.path)}
  }

  // root reads every file whatever its mode: run the prediction as nobody, in a repo nobody owns.
  const chownAll = (path: string) => {
    chownSync(path, NOBODY, NOBODY)
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownAll(join(path, name))
  }

  chownAll(repo)
  for (const name of ['secret-model.h5', 'secret.py']) chownSync(join(repo, name), 0, 0)
  const script = join(repo, '..', 'predict.mts')
  writeFileSync(script, [
    `import {predictRepoReport} from ${JSON.stringify(join(worktree, 'src/lib/predict/repo/report.ts'))}`,
    `const report = await predictRepoReport(${JSON.stringify(repo)}, {depth: 2, top: 50})`,
    'console.log(JSON.stringify({notes: report.notes, paths: report.files.map(f => f.path)}))',
  ].join('\n'))
  chmodSync(join(repo, '..'), 0o755)
  const out = execFileSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '--import', 'tsx', script], {
    cwd: worktree,
    // nobody cannot write c8's coverage files: the child is not measured
    env: {...process.env, HOME: '/tmp', NODE_V8_COVERAGE: ''},
  })
  return JSON.parse(out.toString()) as {notes: string[]; paths: string[]}
}

describe('repo prediction with unreadable files', function () {
  this.timeout(30_000)

  it('skips tracked files it cannot read and lists them, instead of failing the run', async () => {
    const repo = join(mkdtempSync(join(tmpdir(), 'unreadable-')), 'repo')
    execFileSync('mkdir', [repo])
    writeFileSync(join(repo, 'Procfile'), 'web: python app.py\n')
    writeFileSync(join(repo, 'app.py'), 'print(1)\n')
    writeFileSync(join(repo, 'secret.py'), 'KEY = 1\n')
    writeFileSync(join(repo, 'secret-model.h5'), incompressible(50_000, 3))
    git(repo, 'init', '-q')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'app')
    chmodSync(join(repo, 'secret.py'), 0)
    chmodSync(join(repo, 'secret-model.h5'), 0)
    const {notes, paths} = await predictAsUser(repo)
    expect(paths).to.have.members(['Procfile', 'app.py'])
    expect(notes).to.include('2 tracked files could not be read (permission denied) and are not counted: secret-model.h5, secret.py.')
  })
})
