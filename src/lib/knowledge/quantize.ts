/**
 * Post-training quantization of TensorFlow models to TensorFlow Lite. Dynamic-range quantization stores
 * weights as 8-bit integers: the model is about 4x smaller, activations stay in float, and the runtime
 * (`ai-edge-litert`, a few MB) replaces TensorFlow on the dyno.
 */
export interface QuantizeRecipe {
  /** model formats (analysis detectModelFormat) the TFLiteConverter reads */
  formats: string[]
  /** size of the quantized model against the float model */
  ratio: number
  label: string
  runtime: string
  source: string
}

export const DYNAMIC_RANGE_INT8: QuantizeRecipe = {
  formats: ['keras-h5', 'keras-zip', 'savedmodel'],
  label: 'TFLite dynamic-range int8',
  ratio: 0.25,
  runtime: 'ai-edge-litert',
  source: 'https://ai.google.dev/edge/litert/models/post_training_quant',
}
