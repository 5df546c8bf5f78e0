/**
 * A file with Windows line endings keeps them when the plugin rewrites it: rewriters work on `\n` lines,
 * and this puts `\r\n` back on every line when the file had them before (a new file, or one with plain
 * `\n` endings, is left as it is).
 */
export function keepLineEndings(before: string | undefined, after: string): string {
  if (before === undefined || !before.includes('\r\n')) return after
  return after.replaceAll('\r\n', '\n').replaceAll('\n', '\r\n')
}
