export {type DeclaredDependencies, readDeclaredDependencies, readRequirementsFile} from './declared.js'
export {type DistRequirement, findSitePackages, type InstalledDistribution, readDistributions, readInstalledPackages, recordPaths, requiredClosure} from './installed.js'
export {normalizePackageName, parseRequirements, type RequirementKind, type RequirementLine} from './requirements.js'
export {readTomlTables, type TomlTable, type TomlValue} from './toml.js'
