/** One YAML substrate for the image policy of `primitive verify` and the facts of `gitops verify|set-image|promote`. */
export {blockOffset, blockSpan, type BlockSpan} from './embedded.js'
export {
  looksLikeYamlMapping,
  MAX_ALIAS_COUNT,
  MAX_EMBED_DEPTH,
  parseYaml,
  type ParsedYaml,
  type YamlModule,
} from './parse.js'
