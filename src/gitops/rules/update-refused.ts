/**
 * `update-refused` (`gitops diff`): a change updates a field of a deployed object that the Kubernetes API server
 * refuses to update ("field is immutable": a workload's selector, a StatefulSet's volume claim templates, a Job's pod
 * template, a Service's cluster IP, a PersistentVolumeClaim's spec, an immutable ConfigMap's data…; the table:
 * src/gitops/diff/immutable.ts), and nothing marks the object to be replaced by its controller. Always an error: the
 * sync fails until the object is replaced or recreated.
 */
import type {DiffRule} from './rule.js'

export const updateRefused: DiffRule<'update-refused'> = {
  id: 'update-refused',
  kind: 'diff',
  title: 'A change updates a field the Kubernetes API server refuses to update (field is immutable)',
  source: 'backlog/671 GitOps Gate',
  hint: "Let the controller replace the object — Argo CD: the sync option Replace=true (annotation argocd.argoproj.io/sync-options: Replace=true on the object, or the Application's spec.syncPolicy.syncOptions); Flux: spec.force: true on the Kustomization, or the annotation kustomize.toolkit.fluxcd.io/force: enabled on the object — or delete and recreate the object (a new name), or leave the field as it is.",
}
