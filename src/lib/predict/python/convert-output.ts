import * as v from 'valibot'

/**
 * What python/convert_models.py and python/app_uses.py print: the contract between the TypeScript and the Python
 * sides of slug:convert-models (/work/notes/convert-contract.md), checked at the border.
 */

const TensorSpec = v.object({
  dtype: v.string(),
  name: v.string(),
  shape: v.array(v.nullable(v.union([v.number(), v.string()]))),
})

const Fp32Check = v.object({
  maxAbsDiff: v.number(),
  maxRelDiff: v.number(),
  ok: v.boolean(),
  top1Agreement: v.number(),
})

/** The figures are null when quantization itself failed (kept is then false, and reason says why). */
const Int8Check = v.object({
  bytes: v.nullish(v.number()),
  kept: v.boolean(),
  maxAbsDiff: v.nullish(v.number()),
  path: v.string(),
  reason: v.nullish(v.string()),
  top1Agreement: v.nullish(v.number()),
})

export const ConvertedModelSchema = v.object({
  error: v.nullish(v.string()),
  format: v.string(),
  fp32: v.nullish(Fp32Check),
  inputs: v.optional(v.array(TensorSpec), []),
  int8: v.nullish(Int8Check),
  ok: v.boolean(),
  onnx: v.nullish(v.object({bytes: v.number(), path: v.string()})),
  outputs: v.optional(v.array(TensorSpec), []),
  path: v.string(),
  seconds: v.optional(v.number(), 0),
})

export const ConversionSchema = v.object({
  missing: v.optional(v.array(v.string()), []),
  models: v.array(ConvertedModelSchema),
  python: v.optional(v.string()),
  versions: v.optional(v.record(v.string(), v.nullable(v.string())), {}),
})

export type ConvertedModel = v.InferOutput<typeof ConvertedModelSchema>
export type Conversion = v.InferOutput<typeof ConversionSchema>

const Place = {file: v.string(), line: v.number()}

const FrameworkUse = v.object({
  imported: v.boolean(),
  inferenceOnly: v.boolean(),
  loads: v.optional(v.array(v.object({...Place, model: v.nullish(v.string())})), []),
  otherUses: v.optional(v.array(v.object({...Place, code: v.string()})), []),
})

export const AppUsesSchema = v.object({
  addImport: v.optional(v.array(v.object({...Place, text: v.string()})), []),
  edits: v.optional(v.array(v.object({...Place, certain: v.boolean(), new: v.string(), old: v.string()})), []),
  frameworks: v.record(v.string(), FrameworkUse),
  /** top-level modules the app's code imports, when app_uses.py says (companions it imports stay) */
  imports: v.optional(v.array(v.string())),
  removeImports: v.optional(v.array(v.object({...Place, old: v.string()})), []),
})

export type FrameworkUse = v.InferOutput<typeof FrameworkUse>
export type AppUses = v.InferOutput<typeof AppUsesSchema>

/** The request convert_models.py reads on stdin. */
export interface ConversionRequest {
  /** `inputs`: a torch model's input shapes (it does not record them); the first dimension is the batch */
  models: {inputs?: {dtype: string; shape: (null | number)[]}[]; out: string; path: string}[]
  quantize: 'int8' | null
  minAgreement: number
  tolerance: number
  seed: number
  samples: number
  /** the app's folder, put on Python's import path: a pickled torch module names its class by the app's module */
  root: string
}
