/**
 * What moving a model from its framework to ONNX Runtime changes in requirements.txt (slug:convert-models), and
 * the figures of the runtime that replaces it. Names are PyPI projects, normalized (PEP 503).
 */

/** The figures checked on this project's machine (design.md, "Inference without the framework (ONNX Runtime)"). */
export const ONNX_RUNTIME = {
  name: 'onnxruntime',
  version: '1.30.0',
  wheelBytes: 23.6e6,
  installedBytes: 68e6,
  /** its installed files' share of a gzip slug */
  compressedBytes: 25e6,
  /** the figures above: design.md, "Inference without the framework (ONNX Runtime)", measured on this project's machine */
  source: 'https://pypi.org/project/onnxruntime/1.30.0/',
}

/** Start-up of a 27M-parameter Keras MLP, measured here (design.md): what the framework costs a dyno at boot. */
export const BOOT_FIGURES = {
  framework: 'TensorFlow: 6-13 s and ~820 MB RSS to import and load the .h5 (over a Standard-1X dyno\'s 512 MB)',
  onnxruntime: 'ONNX Runtime: ready in ~1 s at 89 MB RSS (int8), 2.7-3.7 s at 157 MB (fp32)',
  source: 'design.md, "Inference without the framework (ONNX Runtime)": measured on this project\'s machine',
}

/**
 * Installed packages that exist only for a framework (its own distributions, and what only it requires): what an
 * app that only runs inference stops installing. Labels name the framework in the finding.
 */
export const FRAMEWORK_SLUG_PACKAGES: {label: string; packages: string[]; source: string}[] = [
  {
    label: 'TensorFlow',
    packages: ['tensorflow', 'tensorflow-cpu', 'tensorflow-intel', 'keras', 'tf-keras', 'tensorboard', 'tensorboard-data-server', 'tensorflow-io-gcs-filesystem', 'tensorflow-estimator', 'libclang'],
    source: 'tensorflow 2.21 Requires-Dist (https://pypi.org/project/tensorflow/); design.md: tensorflow-cpu 2.21 and companions 325 MB compressed',
  },
  {
    label: 'PyTorch',
    packages: ['torch', 'triton'],
    source: 'https://pypi.org/project/torch/ (Requires-Dist: triton and nvidia-* on Linux x86_64)',
  },
]

/** A framework as python/app_uses.py names it ("tensorflow", "keras", "torch"). */
export type Framework = 'keras' | 'tensorflow' | 'torch'

export interface FrameworkRequirement {
  name: string
  /** the frameworks whose code it is */
  frameworks: Framework[]
  source: string
}

/** Requirement lines that are the framework itself: they leave when the app only runs inference. */
export const FRAMEWORK_REQUIREMENTS: FrameworkRequirement[] = [
  {name: 'tensorflow', frameworks: ['tensorflow', 'keras'], source: 'https://pypi.org/project/tensorflow/'},
  {name: 'tensorflow-cpu', frameworks: ['tensorflow', 'keras'], source: 'https://pypi.org/project/tensorflow-cpu/'},
  {name: 'tensorflow-intel', frameworks: ['tensorflow', 'keras'], source: 'https://pypi.org/project/tensorflow-intel/'},
  {name: 'keras', frameworks: ['keras', 'tensorflow'], source: 'https://pypi.org/project/keras/ (tensorflow >= 2.16 requires keras 3)'},
  {name: 'tf-keras', frameworks: ['keras', 'tensorflow'], source: 'https://pypi.org/project/tf-keras/'},
  {name: 'torch', frameworks: ['torch'], source: 'https://pypi.org/project/torch/'},
]

export interface Companion {
  name: string
  /** the module an app would import it by */
  module: string
  /** the framework it comes with */
  of: Framework[]
  source: string
}

/**
 * Packages installed with a framework that an app may list itself: they leave with the framework only when the
 * app's code does not import them (app_uses.py's `imports`) and nothing that stays requires them.
 */
export const COMPANIONS: Companion[] = [
  {name: 'h5py', module: 'h5py', of: ['keras', 'tensorflow'], source: 'keras Requires-Dist (https://pypi.org/project/keras/)'},
  {name: 'tensorboard', module: 'tensorboard', of: ['tensorflow'], source: 'tensorflow Requires-Dist (https://pypi.org/project/tensorflow/)'},
  {name: 'tensorflow-io-gcs-filesystem', module: 'tensorflow_io_gcs_filesystem', of: ['tensorflow'], source: 'tensorflow Requires-Dist'},
  {name: 'tensorflow-estimator', module: 'tensorflow_estimator', of: ['tensorflow'], source: 'tensorflow < 2.16 Requires-Dist'},
  {name: 'libclang', module: 'clang', of: ['tensorflow'], source: 'tensorflow Requires-Dist'},
  {name: 'ml-dtypes', module: 'ml_dtypes', of: ['keras', 'tensorflow'], source: 'tensorflow and keras Requires-Dist'},
  {name: 'optree', module: 'optree', of: ['keras'], source: 'keras Requires-Dist'},
]

/**
 * Projects known to require a framework (their Requires-Dist on PyPI): while one of them stays in the
 * requirements, the framework cannot leave (pip would install it again).
 */
export const FRAMEWORK_DEPENDENTS: Record<string, string[]> = {
  keras: ['keras-cv', 'keras-hub', 'keras-nlp', 'tensorflow', 'tensorflow-cpu', 'tensorflow-intel'],
  tensorflow: ['tensorflow-decision-forests', 'tensorflow-text', 'tf-keras'],
  torch: ['accelerate', 'lightning', 'pytorch-lightning', 'sentence-transformers', 'timm', 'torchaudio', 'torchmetrics', 'torchtext', 'torchvision'],
}
