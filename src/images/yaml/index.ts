/** One YAML substrate for the image policy of `primitive verify` and the facts of `gitops verify|set-image|promote`. */
export {blockOffset, blockSpan} from './embedded.js'
export {looksLikeYamlMapping, MAX_EMBED_DEPTH, parseYaml, type YamlFailure, type YamlModule} from './parse.js'
