/** One YAML substrate for the image policy of `primitive verify` and the facts of `gitops verify|set-image|promote`. */
export {blockOffset, blockSpan, type BlockSpan} from './embedded.js'
export {
  looksLikeYamlMapping,
  MAX_ALIAS_COUNT,
  MAX_EMBED_DEPTH,
  MAX_NESTING,
  parseYaml,
  type ParsedYaml,
  type YamlFailure,
  type YamlModule,
} from './parse.js'
export {KUBE_YAML, kubeDocuments, NotJson} from './kube.js'
