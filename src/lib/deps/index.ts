export {type DeclaredDependencies, readDeclaredDependencies, readRequirementsFile} from './declared.js'
export {findSitePackages, readInstalledPackages, recordPaths} from './installed.js'
export {normalizePackageName, parseRequirements, type RequirementKind, type RequirementLine} from './requirements.js'
export {readTomlTables, type TomlTable, type TomlValue} from './toml.js'
