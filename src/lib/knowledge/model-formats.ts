/**
 * Files that hold trained models, by extension: the fallback when a file's first bytes do not tell
 * (content signatures are checked first, in analyze/models.ts). `savedmodel` is a folder: any file
 * under a directory holding `saved_model.pb` belongs to it.
 */
export interface ModelFormat {
  format: string
  label: string
  /** lowercase, with the dot */
  extensions: string[]
  source: string
}

export const MODEL_FORMATS: ModelFormat[] = [
  {format: 'keras-h5', label: 'Keras HDF5', extensions: ['.h5'], source: 'https://keras.io/api/models/model_saving_apis/'},
  {format: 'hdf5', label: 'HDF5 weights', extensions: ['.hdf5', '.he5'], source: 'https://docs.hdfgroup.org/hdf5/v1_14/_f_m_t3.html'},
  {format: 'keras-zip', label: 'Keras 3 (.keras)', extensions: ['.keras'], source: 'https://keras.io/guides/serialization_and_saving/'},
  {format: 'savedmodel', label: 'TensorFlow SavedModel', extensions: [], source: 'https://www.tensorflow.org/guide/saved_model'},
  {format: 'tf-checkpoint', label: 'TensorFlow checkpoint', extensions: ['.ckpt'], source: 'https://www.tensorflow.org/guide/checkpoint'},
  {format: 'tflite', label: 'TensorFlow Lite / LiteRT', extensions: ['.tflite'], source: 'https://ai.google.dev/edge/litert/models/convert'},
  {format: 'onnx', label: 'ONNX', extensions: ['.onnx'], source: 'https://onnx.ai/onnx/repo-docs/IR.html'},
  {format: 'safetensors', label: 'safetensors', extensions: ['.safetensors'], source: 'https://huggingface.co/docs/safetensors/index'},
  {format: 'pytorch', label: 'PyTorch (zip)', extensions: ['.pt', '.pth'], source: 'https://pytorch.org/docs/stable/notes/serialization.html'},
  {format: 'pytorch-legacy', label: 'PyTorch (legacy pickle)', extensions: [], source: 'https://pytorch.org/docs/stable/notes/serialization.html'},
  {format: 'pickle', label: 'Python pickle', extensions: ['.pkl', '.pickle'], source: 'https://docs.python.org/3/library/pickle.html'},
  {format: 'joblib', label: 'joblib', extensions: ['.joblib'], source: 'https://joblib.readthedocs.io/en/stable/persistence.html'},
  {format: 'gguf', label: 'GGUF (llama.cpp)', extensions: ['.gguf'], source: 'https://github.com/ggml-org/ggml/blob/master/docs/gguf.md'},
  {format: 'coreml', label: 'Core ML', extensions: ['.mlmodel'], source: 'https://apple.github.io/coremltools/docs-guides/source/mlmodel.html'},
  {format: 'xgboost', label: 'XGBoost (UBJSON)', extensions: ['.ubj'], source: 'https://xgboost.readthedocs.io/en/stable/tutorials/saving_model.html'},
  {format: 'catboost', label: 'CatBoost', extensions: ['.cbm'], source: 'https://catboost.ai/docs/en/concepts/python-reference_catboost_save_model'},
]

const BY_EXTENSION = new Map(MODEL_FORMATS.flatMap(f => f.extensions.map(e => [e, f] as const)))
const BY_FORMAT = new Map(MODEL_FORMATS.map(f => [f.format, f]))

export function modelFormatByExtension(extension: string): ModelFormat | undefined {
  return BY_EXTENSION.get(extension)
}

export function modelFormatInfo(format: string): ModelFormat | undefined {
  return BY_FORMAT.get(format)
}

/**
 * Extensions of files that are never a model, whatever their first bytes: source code, headers,
 * text, markup and shared libraries. Their content is not looked at. A model can hide behind any
 * other name (`weights.bin`, `model.dat`, no extension at all), so the list names what is known
 * not to be one rather than what is.
 */
const NEVER_A_MODEL = new Set([
  // Python, C and C++, CUDA, Fortran
  '.py .pyc .pyi .pyo .pxd .pxi .pyx .c .cc .cpp .cxx .h .hh .hpp .hxx .inc .cu .cuh .f90',
  // JavaScript, TypeScript, web, Ruby, Java, Go, Rust
  '.js .cjs .mjs .jsx .ts .cts .mts .tsx .map .css .scss .htm .html .rb .erb .java .go .rs',
  // text, markup and settings
  '.md .rst .txt .json .yaml .yml .toml .cfg .ini .xml .csv .tsv .svg',
  // shared and static libraries, objects
  '.so .dylib .dll .a .o',
].join(' ').split(' '))

/** Whether a file's first bytes could show it is a model (see NEVER_A_MODEL). */
export function mayBeModelByContent(path: string): boolean {
  const slash = path.lastIndexOf('/')
  const dot = path.lastIndexOf('.')
  return dot <= slash + 1 || !NEVER_A_MODEL.has(path.slice(dot).toLowerCase())
}
