// CSI sequences (colours, erase-line \x1b[K), OSC sequences (titles, links), and two-byte escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[@-Z\\-_]/g
/** `git push` prefixes every line the server sends; CI systems prefix timestamps. */
const PREFIXES = [/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/, /^remote:(?: |$)/]

function stripPrefixes(segment: string): string {
  let text = segment
  for (const prefix of PREFIXES) text = text.replace(prefix, '')
  return text
}

/**
 * The lines of a build output as a terminal would have shown them: colour codes removed, `remote: `
 * prefixes removed, and for lines redrawn with carriage returns (progress bars) only the last drawing.
 */
export function cleanLogLines(text: string): string[] {
  const plain = text.replaceAll(ANSI, '').replaceAll('\r\n', '\n')
  const lines = plain.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines.map(line => {
    const segments = line.split('\r').map(s => stripPrefixes(s).trimEnd())
    for (let i = segments.length - 1; i >= 0; i--) {
      if (segments[i].trim() !== '') return segments[i]
    }

    return ''
  })
}
