/**
 * What a change does to an object beyond its diff: an update of a field the API server refuses (./immutable.ts),
 * refused or replaced as its controller is marked (./controller.ts); a removal, deleted by its controller or not. The
 * refused updates are the gate's `update-refused` findings, shown first.
 */
import type {Doc} from '../kubernetes/objects.js'
import {RULES} from '../rules/index.js'
import {needs, pruneOf, replacedBy, type Controller} from './controller.js'
import {refusedFields} from './immutable.js'
import type {DeployableDiff, ObjectChange, ObjectDiff, UpdateRefusal, VerdictFinding} from './types.js'

/** An object's update refused or replaced (`update`), or its removal pruned or not (`prune`): nothing else. */
export function objectFate(
  change: ObjectChange,
  before: Doc | undefined,
  after: Doc | undefined,
  controller: Controller,
  deployableRemoved: boolean,
): Pick<ObjectDiff, 'update' | 'prune'> {
  if (change === 'removed' && before) return {prune: pruneOf(before, controller, deployableRemoved)}
  if (change !== 'changed' || !before || !after) return {}
  const fields = refusedFields(before, after)
  if (fields.length === 0) return {}
  const marker = replacedBy(after, controller)
  const update: UpdateRefusal = marker
    ? {outcome: 'replaced', fields, replacedBy: marker}
    : {outcome: 'refused', fields, needs: needs(controller)}
  return {update}
}

/** The `update-refused` findings of the deployables' objects, in the deployables' order. */
export function refusedFindings(deployables: readonly DeployableDiff[]): VerdictFinding[] {
  const rule = RULES['update-refused']
  const out: VerdictFinding[] = []
  for (const d of deployables) {
    for (const o of d.objects) {
      if (o.update?.outcome !== 'refused') continue
      const name = objectName(o)
      const fields = o.update.fields.map((f) => `${f.field} (${f.why})`).join('; ')
      out.push({
        rule: rule.id,
        severity: 'error',
        file: d.declaredIn,
        line: 0,
        message:
          `${name}: the API server refuses this update, the field is immutable: ${fields}. ${o.update.needs ?? ''}`.trim(),
        ...(d.environment !== null ? {environment: d.environment} : {}),
        ...(d.application !== undefined ? {application: d.application} : {}),
        object: {kind: o.kind, ...(o.namespace ? {namespace: o.namespace} : {}), name: o.name},
      })
    }
  }
  return out
}

type Row = {deployable: DeployableDiff; object: ObjectDiff}

/** Every object whose update changes what may not change (refused first, then replaced), for the outputs. */
export function immutableChanges(deployables: readonly DeployableDiff[]): Row[] {
  const rows = deployables.flatMap((deployable) =>
    deployable.objects.filter((o) => o.update).map((object) => ({deployable, object})),
  )
  return [
    ...rows.filter((r) => r.object.update?.outcome === 'refused'),
    ...rows.filter((r) => r.object.update?.outcome === 'replaced'),
  ]
}

/** Every removed object its controller leaves in the cluster (`pruned: false`), for the outputs. */
export function keptObjects(deployables: readonly DeployableDiff[]): Row[] {
  return deployables.flatMap((deployable) =>
    deployable.objects.filter((o) => o.prune?.pruned === false).map((object) => ({deployable, object})),
  )
}

/** An object's name as the outputs write it: `Kind namespace/name`. */
export const objectName = (o: Pick<ObjectDiff, 'kind' | 'namespace' | 'name'>) =>
  `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`
