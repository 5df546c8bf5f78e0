import type {ConfigVarPlan} from './config-plan.js'
import type {Destination} from './destination.js'
import type {ModelUnit} from './find.js'
import type {LoaderKind, LocalFileChange} from './local-files.js'
import type {ObjectToUpload} from './objects.js'

/** What the offload will do; holds no secret, so it is what --dry-run shows and --json returns. */
export interface OffloadPlan {
  app: string
  root: string
  destination: Destination
  models: ModelUnit[]
  objects: ObjectToUpload[]
  /** the manifest of this set of models, named by its own sha256; MODEL_S3_MANIFEST names it */
  manifestKey: string
  configVars: ConfigVarPlan
  files: LocalFileChange[]
  loader: LoaderKind
  notes: string[]
}
