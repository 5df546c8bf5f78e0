import {modelFormatByExtension} from '../knowledge/model-formats.js'
import {baseName, dirName, extensionOf} from './paths.js'
import type {FileRow} from './rows.js'

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])
const ZIP_LOCAL_HEADER = 0x04034b50
/** First entries of a Keras 3 `.keras` zip. */
const KERAS_ZIP_ENTRIES = new Set(['config.json', 'metadata.json', 'model.weights.h5'])
/** First entry of a torch.save / TorchScript zip: `<name>/data.pkl`, `archive/...`, `<name>/version`... */
const TORCH_ZIP_ENTRY = /^[^/]+\/(?:data\.pkl|\.format_version|byteorder|version|constants\.pkl|code\/|data\/)/
const PICKLE_FORMATS: Record<string, string> = {
  '.bin': 'pytorch-legacy',
  '.ckpt': 'pytorch-legacy',
  '.joblib': 'joblib',
  '.pickle': 'pickle',
  '.pkl': 'pickle',
  '.pt': 'pytorch-legacy',
  '.pth': 'pytorch-legacy',
  '.sav': 'pickle',
}
/** ONNX ModelProto producers seen in the wild (producer_name, field 2). */
const ONNX_PRODUCERS = /^(?:pytorch|tf2onnx|keras2onnx|skl2onnx|onnxmltools|onnx|CNTK|OnnxMLTools|paddle2onnx|optimum)/i
const SAVED_MODEL_FILES = new Set(['saved_model.pb', 'saved_model.pbtxt'])

function zipFirstEntry(peek: Buffer): string | undefined {
  if (peek.length < 30 || peek.readUInt32LE(0) !== ZIP_LOCAL_HEADER) return undefined
  const nameLength = peek.readUInt16LE(26)
  return peek.toString('utf8', 30, Math.min(peek.length, 30 + nameLength))
}

function isSafetensors(peek: Buffer): boolean {
  if (peek.length < 10) return false
  const headerLength = peek.readBigUInt64LE(0)
  return headerLength > 1n && headerLength < 100_000_000n && peek[8] === 0x7b && peek[9] === 0x22
}

/** protobuf: field 1 (ir_version, varint) then field 2 (producer_name, string) naming a known exporter. */
function isOnnxByContent(peek: Buffer): boolean {
  if (peek.length < 6 || peek[0] !== 0x08 || peek[1] === 0 || peek[1] > 0x20 || peek[2] !== 0x12) return false
  const length = peek[3]
  return length > 0 && length < 0x80 && ONNX_PRODUCERS.test(peek.toString('latin1', 4, 4 + length))
}

function byContent(extension: string, peek: Buffer): string | undefined {
  if (peek.length >= 8 && peek.subarray(0, 8).equals(HDF5_SIGNATURE)) {
    return extension === '.h5' || extension === '.keras' ? 'keras-h5' : 'hdf5'
  }

  const entry = zipFirstEntry(peek)
  if (entry !== undefined) {
    if (KERAS_ZIP_ENTRIES.has(entry) || extension === '.keras') return 'keras-zip'
    if (TORCH_ZIP_ENTRY.test(entry) || extension === '.pt' || extension === '.pth') return 'pytorch'
    return undefined
  }

  if (peek.length >= 8 && peek.toString('latin1', 4, 8) === 'TFL3') return 'tflite'
  if (peek.length >= 4 && peek.toString('latin1', 0, 4) === 'GGUF') return 'gguf'
  if (isSafetensors(peek)) return 'safetensors'
  if (peek.length >= 2 && peek[0] === 0x80 && peek[1] >= 2 && peek[1] <= 5) return PICKLE_FORMATS[extension]
  if (isOnnxByContent(peek)) return 'onnx'
  return undefined
}

/**
 * The model format of a file: by its first bytes when they are known (files under 1 KiB have no peek),
 * then by extension. `saved_model.pb(txt)` marks a SavedModel; the rest of its folder is recognised
 * by `classifyFiles` through `savedModelRoots`.
 */
export function detectModelFormat(path: string, peek?: Buffer): string | undefined {
  const name = baseName(path)
  if (SAVED_MODEL_FILES.has(name)) return 'savedmodel'
  const extension = extensionOf(name)
  const found = peek ? byContent(extension, peek) : undefined
  return found ?? modelFormatByExtension(extension)?.format
}

/** Folders holding a SavedModel (a `saved_model.pb` or `saved_model.pbtxt`), sorted. */
export function savedModelRootsOf(paths: Iterable<string>): string[] {
  const roots = new Set<string>()
  for (const path of paths) if (SAVED_MODEL_FILES.has(baseName(path))) roots.add(dirName(path))
  return [...roots].sort()
}

export function savedModelRoots(files: FileRow[]): string[] {
  return savedModelRootsOf(files.map(f => f.path))
}
