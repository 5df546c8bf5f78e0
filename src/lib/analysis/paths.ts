/** Small path helpers for slug paths (POSIX, relative to /app, no trailing slash). */

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/')
  return i === -1 ? '' : path.slice(0, i)
}

/** Lowercase extension with its dot ('.h5'), '' when the name has none. */
export function extensionOf(path: string): string {
  const name = baseName(path)
  const i = name.lastIndexOf('.')
  return i <= 0 ? '' : name.slice(i).toLowerCase()
}

/** A `site-packages/` (or Debian's `dist-packages/`) folder anywhere in a path: where pip installs. */
export const SITE_PACKAGES = /(?:^|\/)(?:site|dist)-packages\//

/** The Python buildpack's site-packages in a slug, and the path below it. */
export const BUILDPACK_SITE_PACKAGES = /^(\.heroku\/python\/lib\/python[^/]+\/site-packages)\/(.+)$/
