/** Moved: src/gitops/repositories.ts (shared by the preview rules and the deployables). */
export {normalizeRepository, sameRepository} from '../../repositories.js'
