import {imagesBranch} from '../effects/github/branch.js'
import type {Kind} from '../primitives/kinds.js'

/**
 * What `primitive status` will ask about one primitive, computed before any remote call: the image references, the
 * GitOps files, the pull-request branches and the Argo CD applications. Pure; the names follow the writers that
 * produce them (publish's tags, the scaffold workflow's files and branch, set-image's and promote's branches).
 */
export interface PrimitivePlan {
  kind: Kind
  name: string
  version: string
  component: string
  repository: string
  /** `<repository>:<sha>` and `<repository>:main`. */
  shaRef: string
  mainRef: string
  wiring: {files: string[]; branch: string}
  environments: Array<{
    env: string
    /** The environment overlay file of the component. */
    file: string
    /** set-image --open-pr's / update-images' branch for this commit. */
    imagesBranch: string
    /** The Argo CD Application, when --argocd-server is given. */
    application: string
  }>
}

export interface PlanInput {
  registry: string
  sha: string
  version: string
  environments: string[]
  /** gitops.branchPattern of ameide.yaml: `{kind}`, `{name}`, `{version}`. */
  branchPattern: string
}

export function planPrimitive(p: {kind: Kind; name: string}, input: PlanInput): PrimitivePlan {
  const component = `${p.kind}-${p.name}-${input.version}`
  const repository = `${input.registry.replace(/\/+$/, '')}/primitive-${p.kind}-${p.name}`
  return {
    kind: p.kind,
    name: p.name,
    version: input.version,
    component,
    repository,
    shaRef: `${repository}:${input.sha}`,
    mainRef: `${repository}:main`,
    wiring: {
      files: [
        `environments/_shared/components/apps/primitives/${component}/component.yaml`,
        `sources/values/_shared/apps/${component}.yaml`,
      ],
      branch: input.branchPattern
        .replaceAll('{kind}', p.kind)
        .replaceAll('{name}', p.name)
        .replaceAll('{version}', input.version),
    },
    environments: input.environments.map((env) => ({
      env,
      file: `sources/values/env/${env}/apps/${component}.yaml`,
      imagesBranch: imagesBranch(env, input.sha),
      application: `${env}-${component}`,
    })),
  }
}

/** promote's branch (`promoteBranch` of effects/github/branch.ts: `ameide/promote-<from>-to-<to>-<digest12>`) into `env`. */
export function isPromoteBranchInto(branch: string, env: string): boolean {
  return /^ameide\/promote-.+-to-(.+)-[0-9a-f]{12}$/.exec(branch)?.[1] === env
}
