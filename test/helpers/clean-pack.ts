import {copyFile, mkdir, symlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {runChecked} from './bounded-run.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** prepack compiles TypeScript and writes the manifest: about 30 s on a shared 2-core machine. */
const PACK_TIMEOUT_MS = 300_000

/**
 * A clean tree of the plugin in `dir`, as a fresh clone has it: the files git knows of in the checkout (tracked,
 * and new ones not ignored, so work in progress is packed too), without any dist/, oclif.manifest.json or cache
 * a build left there. node_modules is linked from the checkout (the tree `npm ci` installs): `npm pack` runs the
 * package's own prepack from it.
 */
export async function cleanTree(dir: string): Promise<void> {
  const {stdout} = await runChecked('git', ['-C', ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate'], {timeoutMs: 30_000})
  await mkdir(dir, {recursive: true})
  for (const path of stdout.split('\0').filter(Boolean)) {
    await mkdir(dirname(join(dir, path)), {recursive: true})
    // a tracked file deleted in the working tree is not part of it
    await copyFile(join(ROOT, path), join(dir, path)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error
    })
  }

  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
}

export interface Packed {
  tarball: string
  version: string
  /** the files in the tarball, relative to its package/ folder */
  files: string[]
  /** what npm printed: prepack's and postpack's output, and npm's own warnings */
  output: string
}

/** `npm pack` in `tree` (which runs prepack and postpack), the tarball written to `destination`. */
export async function pack(tree: string, destination: string): Promise<Packed> {
  const {stderr, stdout} = await runChecked('npm', ['pack', '--json', '--pack-destination', destination, '--update-notifier=false'], {cwd: tree, timeoutMs: PACK_TIMEOUT_MS})
  // prepack's own output comes first on stdout: npm's JSON report is the last thing printed
  const report = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[\n') + 1)) as {filename: string; files: {path: string}[]; version: string}[]
  return {
    files: report[0].files.map(f => f.path).sort(),
    output: stdout + stderr,
    tarball: join(destination, report[0].filename),
    version: report[0].version,
  }
}
