import type {Node, Scalar, YAMLMap, YAMLSeq} from 'yaml'

import {templateExpressions, type TemplateExpression} from './expressions.js'
import {
  HEAD_SHA_PARAMS,
  PR_PROVIDERS,
  PREVIEW_SEVERITY,
  type PreviewPolicy,
  type PreviewRuleId,
  type PrProvider,
} from './rules.js'
import {previewGenerators, type PrGenerator} from './generators.js'
import {contentStart, keyOf, mapAt, pairAt, q, scalarValue} from './nodes.js'
import {countBefore, describe, isImageTag, lineKey, namespaceProblem, prParams} from './pr-data.js'
import {sameRepository} from './repositories.js'

export {isPreviewApplicationSet} from './generators.js'
export {namespaceProblem} from './pr-data.js'
export {normalizeRepository, sameRepository} from './repositories.js'

/**
 * The preview rules on one parsed YAML document: pure (no file system, no layout), so the same code serves files,
 * YAML embedded in block strings, and tests. The caller passes the document's root node, the text its offsets refer
 * to, and how an offset of that text maps to a 1-based line and column of the outer file.
 */
export interface PreviewInput {
  yaml: typeof import('yaml')
  root: Node | null
  text: string
  position: (offset: number) => {line: number; column: number}
  policy: PreviewPolicy
}

export interface PreviewFinding {
  rule: PreviewRuleId
  severity: 'error' | 'warning'
  line: number
  column: number
  message: string
}

/** Keys whose value selects manifests: the head sha there means PR-chosen manifests (seed 001 E). */
const MANIFEST_KEYS = new Set(['repoURL', 'targetRevision', 'path', 'chart', 'valueFiles', 'revision'])
const FINALIZER = 'resources-finalizer.argocd.argoproj.io'

export function checkPreviewApplicationSet(input: PreviewInput): PreviewFinding[] {
  const {yaml: y, root} = input
  const prs = previewGenerators(y, root)
  if (prs.length === 0) return []
  const c = new Checker(input, root as YAMLMap)
  for (const pr of prs) c.generator(pr)
  c.templates(prs)
  c.strict()
  const seen = new Set<string>()
  return c.out.filter((f) => {
    const k = `${f.rule}\0${f.line}\0${f.column}\0${f.message}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

class Checker {
  readonly out: PreviewFinding[] = []
  private readonly y: typeof import('yaml')
  private readonly spec: YAMLMap
  private readonly specKey: Scalar

  constructor(
    private readonly input: PreviewInput,
    root: YAMLMap,
  ) {
    this.y = input.yaml
    this.spec = root.get('spec', true) as unknown as YAMLMap
    this.specKey = root.items.find((p) => keyOf(this.y, p)?.value === 'spec')!.key as Scalar
  }

  private add(rule: PreviewRuleId, node: Node | null | undefined, message: string, offset?: number): void {
    const at = this.input.position(offset ?? contentStart(node ?? this.specKey))
    this.out.push({rule, severity: PREVIEW_SEVERITY[rule], line: at.line, column: at.column, message})
  }

  /** preview-untrusted, preview-refresh: the generator itself. */
  generator(pr: PrGenerator): void {
    const y = this.y
    const providers = pr.node.items.filter((p) => {
      const k = keyOf(y, p)?.value
      return typeof k === 'string' && k in PR_PROVIDERS
    })
    if (providers.length === 0) {
      this.add('preview-untrusted', pr.key, 'The pullRequest generator names no SCM provider with a trusted filter.')
    }
    for (const p of providers) {
      const name = keyOf(y, p)!.value as PrProvider
      const block = p.value as Node | null
      if (!PR_PROVIDERS[name].labels) {
        this.add(
          'preview-untrusted',
          p.key as Scalar,
          `pullRequest.${name} cannot filter by labels in Argo CD (branch and title filters are chosen by the PR author): every pull request, forks included, would deploy.`,
        )
        continue
      }
      const labels = block && y.isMap(block) ? block.get('labels', true) : undefined
      const values =
        labels && y.isSeq(labels)
          ? labels.items.map((i) => scalarValue(y, i as Node)).filter((v) => typeof v === 'string' && v.trim() !== '')
          : []
      if (values.length === 0 || values.some((v) => templateExpressions(String(v)).length > 0)) {
        this.add(
          'preview-untrusted',
          (labels as Node | undefined) ?? (p.key as Scalar),
          `pullRequest.${name} has no labels filter${pr.node.has('filters') ? ' (branch and title filters are chosen by the PR author)' : ''}: every pull request, forks included, would create a preview environment.`,
        )
      }
    }
    const requeue = pr.node.items.find((p) => keyOf(y, p)?.value === 'requeueAfterSeconds')
    const seconds = requeue ? scalarValue(y, requeue.value as Node) : undefined
    if (!this.input.policy.webhook && !(typeof seconds === 'number' && seconds <= 300)) {
      const how =
        seconds === undefined
          ? 'sets no requeueAfterSeconds (Argo CD polls every 30 minutes)'
          : `polls every ${String(seconds)} seconds`
      this.add(
        'preview-refresh',
        (requeue?.value as Node | undefined) ?? pr.key,
        `The pullRequest generator ${how} and gitopsPolicy.preview.webhook is not true: PR updates reach the preview late.`,
      )
    }
  }

  /** preview-template-strict: strict Go templates. */
  strict(): void {
    const y = this.y
    const goPair = this.spec.items.find((p) => keyOf(y, p)?.value === 'goTemplate')
    const optPair = this.spec.items.find((p) => keyOf(y, p)?.value === 'goTemplateOptions')
    if (!goPair || scalarValue(y, goPair.value as Node) !== true) {
      this.add(
        'preview-template-strict',
        (goPair?.value as Node | undefined) ?? this.specKey,
        goPair
          ? 'spec.goTemplate is not true.'
          : 'spec.goTemplate is not set: fasttemplate leaves unknown keys in place.',
      )
      return
    }
    const options = optPair?.value as Node | null | undefined
    const strict =
      options && y.isSeq(options) && options.items.some((i) => scalarValue(y, i as Node) === 'missingkey=error')
    if (!strict) {
      this.add(
        'preview-template-strict',
        (options as Node | undefined) ?? (goPair.key as Scalar),
        'spec.goTemplateOptions lacks "missingkey=error": a missing key renders as "<no value>" instead of failing.',
      )
    }
  }

  /** The rules on the generated Application: project, namespace, cleanup, PR inputs. */
  templates(prs: PrGenerator[]): void {
    const y = this.y
    const specTemplate = mapAt(y, this.spec, 'template')
    for (const pr of prs) {
      // Argo CD merges a generator's own template over spec.template; the innermost wins.
      const layers = [
        mapAt(y, pr.node, 'template'),
        ...[...pr.chain].reverse().map((m) => mapAt(y, m, 'template')),
        specTemplate,
      ].filter((m): m is YAMLMap => m !== undefined)
      this.project(layers)
      this.namespace(layers)
      this.cleanup(layers)
      for (const layer of layers) this.sources(layer)
    }
    // PR data anywhere in the templates, the generators next to a PR generator, their values, and templatePatch.
    if (specTemplate) this.scan(specTemplate, ['template'])
    for (const top of new Set(prs.map((p) => p.top))) this.scan(top, ['generators'])
    const patch = this.spec.get('templatePatch', true)
    if (patch && y.isScalar(patch) && typeof patch.value === 'string') this.scalar(patch, ['templatePatch'])
  }

  private lookup(layers: YAMLMap[], path: string[]): {node: Node | null; key: Scalar} | undefined {
    for (const layer of layers) {
      const found = pairAt(this.y, layer, path)
      if (found) return {node: found.value as Node | null, key: found.key as Scalar}
    }
    return undefined
  }

  /** The deepest existing map along `path` in the outermost template, for findings about a missing field. */
  private missingAt(layers: YAMLMap[], path: string[]): Node {
    const y = this.y
    for (let n = path.length - 1; n > 0; n--) {
      const found = this.lookup(layers, path.slice(0, n))
      if (found) return found.key
    }
    const template = this.spec.items.find((p) => keyOf(y, p)?.value === 'template')
    return (template?.key as Scalar | undefined) ?? this.specKey
  }

  private project(layers: YAMLMap[]): void {
    const found = this.lookup(layers, ['spec', 'project'])
    const value = found ? scalarValue(this.y, found.node) : undefined
    if (!found || typeof value !== 'string' || value.trim() === '') {
      this.add(
        'preview-project',
        found?.node ?? this.missingAt(layers, ['spec', 'project']),
        'template.spec.project is not set.',
      )
      return
    }
    const {projects} = this.input.policy
    if (templateExpressions(value).length > 0) {
      this.add('preview-project', found.node, `template.spec.project ${q(value)} is a template expression.`)
    } else if (projects.length > 0 && !projects.includes(value)) {
      this.add(
        'preview-project',
        found.node,
        `template.spec.project ${q(value)} is not one of gitopsPolicy.preview.projects (${projects.join(', ')}).`,
      )
    } else if (projects.length === 0 && value === 'default') {
      this.add('preview-project', found.node, 'template.spec.project is "default", which may deploy anything anywhere.')
    }
  }

  private namespace(layers: YAMLMap[]): void {
    const found = this.lookup(layers, ['spec', 'destination', 'namespace'])
    const value = found ? scalarValue(this.y, found.node) : undefined
    if (!found || typeof value !== 'string' || value.trim() === '') {
      this.add(
        'preview-namespace',
        found?.node ?? this.missingAt(layers, ['spec', 'destination', 'namespace']),
        'template.spec.destination.namespace is not set.',
      )
    } else {
      const problem = namespaceProblem(value)
      if (problem)
        this.add('preview-namespace', found.node, `template.spec.destination.namespace ${q(value)} ${problem}.`)
    }
    for (const field of ['server', 'name']) {
      const dest = this.lookup(layers, ['spec', 'destination', field])
      const v = dest ? scalarValue(this.y, dest.node) : undefined
      if (!dest || typeof v !== 'string') continue
      for (const e of templateExpressions(v)) {
        const pr = prParams(e)
        if (pr.length > 0 || e.wholeContext) {
          this.add(
            'preview-namespace',
            dest.node,
            `template.spec.destination.${field} is templated from PR data (${describe(e)}).`,
            this.exprOffset(dest.node as Scalar, v, e),
          )
        }
      }
    }
  }

  private cleanup(layers: YAMLMap[]): void {
    const y = this.y
    const prune = this.lookup(layers, ['spec', 'syncPolicy', 'automated', 'prune'])
    if (!prune || scalarValue(y, prune.node) !== true) {
      this.add(
        'preview-cleanup',
        prune?.node ?? this.missingAt(layers, ['spec', 'syncPolicy', 'automated', 'prune']),
        'template.spec.syncPolicy.automated.prune is not true: resources removed from Git stay in the preview.',
      )
    }
    const finalizers = this.lookup(layers, ['metadata', 'finalizers'])
    const has =
      finalizers?.node &&
      y.isSeq(finalizers.node) &&
      (finalizers.node as YAMLSeq).items.some((i) => {
        const v = scalarValue(y, i as Node)
        return typeof v === 'string' && (v === FINALIZER || v.startsWith(`${FINALIZER}/`))
      })
    if (!has) {
      this.add(
        'preview-cleanup',
        finalizers?.node ?? this.missingAt(layers, ['metadata', 'finalizers']),
        `template.metadata.finalizers lacks ${FINALIZER}: deleting the Application would leave its resources behind.`,
      )
    }
    const options = this.lookup(layers, ['spec', 'syncPolicy', 'syncOptions'])
    if (options?.node && y.isSeq(options.node)) {
      for (const item of (options.node as YAMLSeq).items) {
        const v = scalarValue(y, item as Node)
        if (typeof v === 'string' && /^CreateNamespace\s*=\s*true$/i.test(v.trim())) {
          this.add(
            'preview-cleanup',
            item as Node,
            'syncOptions CreateNamespace=true lets Argo CD own the preview namespace; a GitOps lane creates it (seed 001 D).',
          )
        }
      }
    }
    const preserve = pairAt(y, this.spec, ['syncPolicy', 'preserveResourcesOnDeletion'])
    if (preserve && scalarValue(y, preserve.value as Node) === true) {
      this.add(
        'preview-cleanup',
        preserve.value as Node,
        'spec.syncPolicy.preserveResourcesOnDeletion: true keeps the resources of closed PRs.',
      )
    }
  }

  /** preview-pr-input: every source's repoURL is one of the allowed repositories, written out. */
  private sources(template: YAMLMap): void {
    const y = this.y
    const spec = mapAt(y, template, 'spec')
    if (!spec) return
    const list: YAMLMap[] = []
    const one = mapAt(y, spec, 'source')
    if (one) list.push(one)
    const many = spec.get('sources', true)
    if (many && y.isSeq(many)) for (const s of many.items) if (s && y.isMap(s)) list.push(s as YAMLMap)
    const allowed = this.input.policy.repositories
    for (const source of list) {
      const pair = source.items.find((p) => keyOf(y, p)?.value === 'repoURL')
      const url = pair ? scalarValue(y, pair.value as Node) : undefined
      if (!pair || typeof url !== 'string') continue
      const node = pair.value as Node
      const expressions = templateExpressions(url)
      if (expressions.length > 0) {
        // PR parameters there are reported by the scan; any other template is still not a fixed repository.
        if (!expressions.some((e) => prParams(e).length > 0 || e.wholeContext)) {
          this.add(
            'preview-pr-input',
            node,
            `repoURL ${q(url)} is a template: manifests must come from a fixed repository.`,
          )
        }
      } else if (allowed.length === 0) {
        this.add(
          'preview-pr-input',
          node,
          `repoURL ${q(url)} cannot be checked: the GitOps repository has no origin remote and gitopsPolicy.preview.repositories is empty.`,
        )
      } else if (!allowed.some((a) => sameRepository(a, url))) {
        this.add(
          'preview-pr-input',
          node,
          `repoURL ${q(url)} is not one of gitopsPolicy.preview.repositories (${allowed.join(', ')}): manifests must come from the GitOps repository.`,
        )
      }
    }
  }

  /** Walks a subtree for strings with template expressions. */
  private scan(node: Node | null, path: string[], depth = 0, parent?: YAMLMap): void {
    const y = this.y
    if (!node || depth > 64) return
    if (y.isMap(node)) {
      for (const pair of node.items) {
        const key = keyOf(y, pair)
        if (key) this.scan(pair.value as Node | null, [...path, String(key.value)], depth + 1, node as YAMLMap)
      }
    } else if (y.isSeq(node)) {
      node.items.forEach((item, i) => this.scan(item as Node | null, [...path, String(i)], depth + 1))
    } else if (y.isScalar(node) && typeof node.value === 'string') {
      // The `name` of a Helm parameter whose `value` this is (…helm.parameters.N.value).
      const n = path.length
      const helm =
        n >= 3 && path[n - 1] === 'value' && path[n - 3] === 'parameters' && parent
          ? scalarValue(y, parent.get('name', true))
          : undefined
      this.scalar(node, path, typeof helm === 'string' ? helm : undefined)
    }
  }

  private scalar(node: Scalar, path: string[], helmName?: string): void {
    const text = String(node.value)
    for (const e of templateExpressions(text)) {
      const offset = this.exprOffset(node, text, e)
      const pr = prParams(e)
      const where = path.join('.')
      const other = pr.filter((p) => !HEAD_SHA_PARAMS.has(p) && p !== 'number')
      if (e.wholeContext) {
        this.add(
          'preview-pr-input',
          node,
          `${where} hands the whole parameter set to ${q(e.body)}, PR title and branch included.`,
          offset,
        )
      } else if (other.length > 0) {
        this.add(
          'preview-pr-input',
          node,
          `${where} uses PR data ${other.join(', ')} (${q(`{{${e.body}}}`)}); only the PR number and head sha may reach a preview.`,
          offset,
        )
      }
      const sha = pr.filter((p) => HEAD_SHA_PARAMS.has(p))
      if (sha.length === 0) continue
      const key = lineKey(text, e.start) ?? path[path.length - 1]
      const manifestKey = [key, ...path].find((k) => MANIFEST_KEYS.has(k))
      if (manifestKey) {
        this.add(
          'preview-pr-input',
          node,
          `${where} uses the head sha as ${manifestKey}: the PR would choose the manifests; the head sha only selects images (seed 001 F).`,
          offset,
        )
      } else if (!isImageTag(text, e, key, helmName)) {
        this.add(
          'preview-pr-input',
          node,
          `${where} uses the head sha other than as an image tag (${q(`{{${e.body}}}`)}).`,
          offset,
        )
      }
    }
  }

  /** Offset of expression `e` of `value` in the source: the matching `{{` of the scalar's source text. */
  private exprOffset(node: Scalar, value: string, e: TemplateExpression): number {
    const [start, end] = node.range ?? [0, 0]
    const source = this.input.text.slice(start, end)
    const index = countBefore(value, e.start)
    let at = -1
    for (let i = 0; i <= index; i++) {
      at = source.indexOf('{{', at + 1)
      if (at === -1) return contentStart(node)
    }
    return start + at
  }
}
