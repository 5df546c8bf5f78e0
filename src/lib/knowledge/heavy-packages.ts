/**
 * Python packages with a much lighter drop-in replacement on a dyno (no GPU, no display).
 *
 * Wheel sizes are the manylinux x86_64 / CPython 3.12 files listed on each project's PyPI "Download files"
 * page at the version named, rounded: they are the compressed bytes pip downloads, which is also roughly
 * what the installed files cost inside a gzip slug. They only scale estimates: when the package is installed
 * in a slug, its measured share is used and the table supplies the ratio between the two wheels.
 */
export interface HeavyPackage {
  /** PyPI project name, normalized (PEP 503) */
  name: string
  /** what to install instead */
  alternative: string
  /** the version the figures below describe */
  version: string
  wheelBytes: number
  alternativeWheelBytes: number
  /** GPU-only dependency wheels it pulls from PyPI (nvidia-*, triton), used when they are not listed themselves */
  gpuDependencyBytes?: number
  /**
   * Files of the installed package that exist only for GPUs (matched against the path inside the package):
   * when present, their measured share is the saving instead of the wheel ratio.
   */
  gpuFiles?: RegExp
  /** the replacement drops GPU support: not suggested when the app really runs on GPUs */
  gpuOnly: boolean
  /**
   * The distribution requirements.txt names instead, when it is another project (tensorflow -> tensorflow-cpu).
   * Then every installed package that requires `name` makes pip install `name` as well: the slug grows.
   * Unset when the lighter build keeps the project's name (torch's +cpu builds satisfy `torch` requirements).
   */
  swapTo?: string
  /**
   * Projects known to list `name` in their Requires-Dist, so a swap is refused even when the evidence has no
   * METADATA to read (a repo's requirements, a build log that does not say who required what).
   */
  knownDependents?: string[]
  remedy: string
  source: string
}

export const HEAVY_PACKAGES: HeavyPackage[] = [
  {
    name: 'tensorflow',
    alternative: 'tensorflow-cpu',
    version: '2.16.1',
    wheelBytes: 590e6,
    alternativeWheelBytes: 214e6,
    gpuOnly: true,
    // Requires-Dist: tensorflow on each project's PyPI page (tf-keras 2.18: tensorflow<2.19,>=2.18;
    // tensorflow-text 2.18: tensorflow<2.19,>=2.18; tensorflow-decision-forests 1.11: tensorflow==2.18.0)
    knownDependents: ['tensorflow-decision-forests', 'tensorflow-text', 'tf-keras'],
    swapTo: 'tensorflow-cpu',
    remedy:
      'Dynos have no GPU: replace `tensorflow` with `tensorflow-cpu` (same version, same API) in requirements.txt. '
      + 'If the app only runs inference on a .tflite model, `ai-edge-litert` (formerly `tflite-runtime`, a few MB) replaces TensorFlow entirely.',
    source: 'https://pypi.org/project/tensorflow-cpu/',
  },
  {
    name: 'torch',
    alternative: 'torch (CPU build)',
    version: '2.5.1',
    wheelBytes: 906e6,
    alternativeWheelBytes: 175e6,
    // nvidia-cublas/cudnn/cufft/curand/cusolver/cusparse/nccl/nvjitlink/cuda-nvrtc/cupti/cuda-runtime/nvtx cu12 + triton 3.1
    gpuDependencyBytes: 2090e6,
    gpuFiles: /(?:^|\/)lib\/lib(?:torch_cuda|c10_cuda|caffe2_nvrtc|cudnn|cublas|cufft|curand|cusparse|cusolver|nccl|nvrtc|nvToolsExt|nvJitLink|cudart|cupti)[^/]*\.so/,
    gpuOnly: true,
    remedy:
      'Dynos have no GPU: install the CPU build of PyTorch. Add `--extra-index-url https://download.pytorch.org/whl/cpu` to '
      + 'requirements.txt and pin `torch==<version>+cpu` (torchvision and torchaudio the same way); the CUDA libraries '
      + '(nvidia-* wheels, triton) are then not installed.',
    source: 'https://pytorch.org/get-started/locally/',
  },
  {
    name: 'opencv-python',
    alternative: 'opencv-python-headless',
    version: '4.10.0.84',
    wheelBytes: 62.5e6,
    alternativeWheelBytes: 49.9e6,
    gpuOnly: false,
    swapTo: 'opencv-python-headless',
    remedy:
      'Servers have no display: replace `opencv-python` with `opencv-python-headless` (same `cv2` API, without the Qt GUI libraries).',
    source: 'https://pypi.org/project/opencv-python-headless/',
  },
  {
    name: 'opencv-contrib-python',
    alternative: 'opencv-contrib-python-headless',
    version: '4.10.0.84',
    wheelBytes: 68.7e6,
    alternativeWheelBytes: 56e6,
    gpuOnly: false,
    swapTo: 'opencv-contrib-python-headless',
    remedy:
      'Servers have no display: replace `opencv-contrib-python` with `opencv-contrib-python-headless` (same `cv2` API, without the Qt GUI libraries).',
    source: 'https://pypi.org/project/opencv-contrib-python-headless/',
  },
  {
    name: 'onnxruntime-gpu',
    alternative: 'onnxruntime',
    version: '1.20.1',
    wheelBytes: 291e6,
    alternativeWheelBytes: 13.3e6,
    gpuOnly: true,
    swapTo: 'onnxruntime',
    remedy: 'Dynos have no GPU: replace `onnxruntime-gpu` with `onnxruntime` (same API, CPU execution provider).',
    source: 'https://onnxruntime.ai/docs/install/',
  },
]

/** Python distributions that only run on NVIDIA GPUs: dead weight on a dyno. */
export interface CudaPackage {
  pattern: RegExp
  what: string
  source: string
}

export const CUDA_PACKAGES: CudaPackage[] = [
  {pattern: /^nvidia-/, what: 'NVIDIA CUDA libraries', source: 'https://pypi.org/project/nvidia-cuda-runtime-cu12/'},
  {pattern: /^triton$/, what: 'GPU kernel compiler used by PyTorch', source: 'https://pypi.org/project/triton/'},
  {pattern: /^jax-cuda\d+-(?:plugin|pjrt)$/, what: 'JAX CUDA plugin', source: 'https://docs.jax.dev/en/latest/installation.html'},
  {pattern: /^cupy-cuda/, what: 'CuPy CUDA build', source: 'https://docs.cupy.dev/en/stable/install.html'},
]
