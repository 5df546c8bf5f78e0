/**
 * What a terminal renderer printed: hux writes headers and tables straight to stdout, the renderer's other lines
 * go through `print`; both end up in one text, in order.
 */
export function printedBy(render: (print: (line: string) => void) => void): string {
  const out: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string) => {
    out.push(String(chunk))
    return true
  }) as typeof process.stdout.write
  try {
    render(line => out.push(`${line}\n`))
  } finally {
    process.stdout.write = write
  }

  return out.join('')
}
