/**
 * The README's generated blocks: the text between `<!-- demo:NAME -->` and `<!-- /demo:NAME -->`, each a code
 * fence that `npm run readme:demo` rewrites whole. Everything outside the markers is the README's own prose.
 */

/** `readme` with block NAME's fence replaced by one holding `body` (a text ending in a newline); undefined if the markers are missing. */
export function replaceBlock(readme: string, name: string, body: string): string | undefined {
  const begin = `<!-- demo:${name} -->\n`
  const end = `<!-- /demo:${name} -->`
  const from = readme.indexOf(begin)
  const to = from === -1 ? -1 : readme.indexOf(end, from)
  if (to === -1) return undefined
  return `${readme.slice(0, from + begin.length)}\`\`\`\n${body}\`\`\`\n${readme.slice(to)}`
}
