/** The model formats slug:convert-models converts (analyze/models.ts names them by content). */
export const CONVERTIBLE_FORMATS = new Set(['keras-h5', 'keras-zip', 'pytorch', 'pytorch-legacy', 'savedmodel'])

export interface OutputNames {
  /** the fp32 ONNX model, repo-relative */
  onnx: string
  /** the int8 model, when --quantize int8 keeps it */
  int8: string
}

function split(path: string): {dir: string; ext: string; stem: string} {
  const slash = path.lastIndexOf('/')
  const dir = path.slice(0, slash + 1)
  const name = path.slice(slash + 1)
  const dot = name.lastIndexOf('.')
  return dot <= 0 ? {dir, ext: '', stem: name} : {dir, ext: name.slice(dot + 1), stem: name.slice(0, dot)}
}

/**
 * Models slug:convert-models converted: an ONNX file of theirs (fp32 or int8, with or without the extension in its
 * name, as the naming rule gives one or the other) is in the repo beside them. The .slugignore rules it wrote for
 * them stay when slug:diet rewrites its block.
 */
export function convertedOriginals(models: ReadonlyArray<{format: string; path: string}>, paths: readonly string[]): string[] {
  const present = new Set(paths)
  return models.filter(m => CONVERTIBLE_FORMATS.has(m.format) && m.format !== 'savedmodel').map(m => m.path).filter(path => {
    const {dir, ext, stem} = split(path)
    const bases = [dir + stem, ...(ext === '' ? [] : [`${dir}${stem}-${ext}`])]
    return bases.some(b => present.has(`${b}.onnx`) || present.has(`${b}.int8.onnx`))
  }).sort()
}

/**
 * The ONNX names of the models (the contract's naming rule): `models/classifier.h5` -> `models/classifier.onnx`
 * beside the original, and when two originals of one folder share a stem (`classifier.h5` + `classifier.keras`)
 * each keeps its extension in the name: `classifier-h5.onnx`, `classifier-keras.onnx`. int8: `.int8.onnx`.
 */
export function outputNames(paths: readonly string[]): Map<string, OutputNames> {
  const parts = new Map(paths.map(p => [p, split(p)]))
  const count = new Map<string, number>()
  for (const {dir, stem} of parts.values()) count.set(dir + stem, (count.get(dir + stem) ?? 0) + 1)
  const names = new Map<string, OutputNames>()
  // Names still meet (`classifier-keras.pt` beside `classifier.keras` and `classifier.h5`; `classifier.int8.h5`
  // beside `classifier.h5`): a later one, in path order, takes `-2`, `-3`... so that no output replaces another.
  const taken = new Set<string>()
  for (const path of [...parts.keys()].sort()) {
    const {dir, ext, stem} = parts.get(path)!
    const wanted = dir + ((count.get(dir + stem) ?? 0) > 1 && ext !== '' ? `${stem}-${ext}` : stem)
    let base = wanted
    for (let n = 2; taken.has(`${base}.onnx`) || taken.has(`${base}.int8.onnx`); n++) base = `${wanted}-${n}`
    const name = {int8: `${base}.int8.onnx`, onnx: `${base}.onnx`}
    taken.add(name.onnx).add(name.int8)
    names.set(path, name)
  }

  return new Map(paths.map(p => [p, names.get(p)!]))
}
