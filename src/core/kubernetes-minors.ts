/**
 * The Kubernetes minors of the clusters a GitOps repository deploys to (`gitopsPolicy.render.kubernetesVersion`, per
 * environment `kubernetesVersions`): what the render gate validates rendered objects for and what Helm renders with.
 */
import {prerequisiteError} from './errors.js'

/** What of `gitopsPolicy.render` names the minors (config.ts's GitopsRenderPolicy). */
interface RenderMinors {
  render: {kubernetesVersion: string; kubernetesVersions: Record<string, string>}
}

/** The default Kubernetes minor: what the gate validates for and Helm renders with when the base's policy names none. */
export const RENDER_KUBERNETES_VERSION = '1.34'

/** The minors a cluster may be given (`gitopsPolicy.render.kubernetesVersion(s)`): what the API table says of each. */
export const KUBERNETES_MINORS = ['1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36', '1.37'] as const

/** The minor of the cluster an environment deploys to (null: no environment). */
export function kubernetesMinorOf(policy: RenderMinors, environment: string | null): string {
  const render = policy.render
  return (
    (environment !== null && Object.hasOwn(render.kubernetesVersions, environment)
      ? render.kubernetesVersions[environment]
      : undefined) ?? render.kubernetesVersion
  )
}

/** Every minor `gitopsPolicy.render` names must be one of {@link KUBERNETES_MINORS}: else CONFIG_INVALID. */
export function requireRenderKubernetesVersion(policy: RenderMinors): void {
  const named = [
    ['kubernetesVersion', policy.render.kubernetesVersion],
    ...Object.entries(policy.render.kubernetesVersions).map(([env, v]) => [`kubernetesVersions.${env}`, v]),
  ]
  for (const [key, version] of named) {
    if ((KUBERNETES_MINORS as readonly string[]).includes(version!)) continue
    throw prerequisiteError(
      'CONFIG_INVALID',
      `gitopsPolicy.render.${key} ${JSON.stringify(version)} is outside the Kubernetes minors this build validates for (${KUBERNETES_MINORS[0]}–${KUBERNETES_MINORS.at(-1)}).`,
      [`Set gitopsPolicy.render.${key} to the cluster's minor, one of ${KUBERNETES_MINORS.join(', ')}.`],
    )
  }
}
