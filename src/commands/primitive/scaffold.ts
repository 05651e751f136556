import {Flags} from '@oclif/core'

import {AmeideCommand, declareHelp} from '../../core/base-command.js'
import {MONOREPO_ROOT, resolveRoot} from '../../effects/repo-root.js'
import {KINDS} from '../../primitives/kinds.js'
import {formatScaffold} from '../../scaffold/format.js'
import {parseScaffoldInput, scaffoldPrimitive, type ScaffoldResult} from '../../scaffold/scaffold.js'
import {testTimings} from '../../core/test-timings.js'

export default class PrimitiveScaffold extends AmeideCommand<ScaffoldResult> {
  static {
    declareHelp(this, {
      summary: 'Generate the code skeleton of a primitive, with RED tests.',
      description:
        "Writes only under primitives/<kind>/<name>/, in the kind's one language: domain, process, projection and " +
        'integration in Go, agent in Python, uisurface in TypeScript. Existing files are never overwritten: they are ' +
        'reported as skipped, so a re-run only fills in what is missing. Tests fail with AMEIDE_SCAFFOLD until the ' +
        'primitive is implemented. No Kubernetes, Helm or GitOps files and no floating image tags are generated: ' +
        "base images are pinned by digest from ameide's table (ameide.yaml scaffold.baseImages replaces entries); " +
        'GitOps wiring comes from `ameide primitive gitops scaffold`.',
      errorCodes: {
        INVALID_KIND: '--kind is not one of the six kinds',
        REPO_ROOT_NOT_FOUND: '--repo-root is not a directory',
        INVALID_NAME: '--name is not kebab-case or longer than 33 characters',
        UNSUPPORTED_LANGUAGE: "--lang is not the kind's canonical language",
        PATH_OUTSIDE_REPOSITORY: 'primitives/<kind>/<name> resolves outside the repository',
        NOT_A_GIT_REPOSITORY: 'no --repo-root and the current directory is not in a git repository',
        CONFIG_INVALID: 'ameide.yaml is invalid (e.g. a scaffold.baseImages entry not pinned by digest)',
      },
      examples: [
        '<%= config.bin %> <%= command.id %> --kind domain --name orders',
        '<%= config.bin %> <%= command.id %> --kind agent --name support-triage --dry-run',
        '<%= config.bin %> <%= command.id %> --kind uisurface --name portal --json',
      ],
    })
  }

  static override flags = {
    kind: Flags.string({description: `Primitive kind: ${KINDS.join(', ')}.`, required: true, helpValue: 'KIND'}),
    name: Flags.string({
      description: 'Primitive name, kebab-case, at most 33 characters.',
      required: true,
      helpValue: 'NAME',
    }),
    lang: Flags.string({
      description: "Language; only the kind's canonical one is accepted (go, python, typescript).",
      helpValue: 'LANG',
    }),
    'dry-run': Flags.boolean({description: 'Print the plan and write nothing.', default: false}),
  }

  protected async execute(): Promise<ScaffoldResult> {
    const {flags} = await this.parse(PrimitiveScaffold)
    const input = parseScaffoldInput(flags)
    const repoRoot = await resolveRoot(flags['repo-root'], MONOREPO_ROOT)
    const {slowWriteMs} = testTimings()
    const result = await scaffoldPrimitive({...input, repoRoot, dryRun: flags['dry-run'], slowWriteMs})
    if (!this.jsonEnabled()) this.log(formatScaffold(result, this.style))
    return result
  }
}
