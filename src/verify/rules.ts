import {SECRET_RULES} from './secrets/rules.js'
import {GENERIC_RULE} from './secrets/scan.js'
import type {CheckId, Severity} from './types.js'

/**
 * Every rule `primitive verify`'s checks report, per check, with a title and the general hint: what SARIF
 * (src/verify/sarif.ts) and the docs' rule table (docs/commands/verify.md#rules) show. A finding's own hint may
 * be more precise (the file to regenerate, the verb to use). test/sarif/sarif.test.ts fails when a check reports a
 * rule that is not listed here.
 */
export interface VerifyRule {
  title: string
  severity: Severity
  help: string
}

const SECRET_HELP =
  'Remove it and rotate it if it was ever real; read it at run time from the environment (the platform injects secrets). A reviewed false positive: add ameide:allow-secret(<reason>) on the line.'
const PIN_HELP =
  'Pin the image by digest, e.g. ghcr.io/org/app:1.4.2@sha256:<digest> (the tag is for readers, the digest is what runs).'
const BUF_INSTALL_HELP =
  'Install the project dependencies (npm ci provides @bufbuild/buf in node_modules/.bin), or put buf on PATH.'

const secret = (what: string): VerifyRule => ({title: `Hard-coded ${what}`, severity: 'error', help: SECRET_HELP})

export const VERIFY_RULES: Record<CheckId, Record<string, VerifyRule>> = {
  shape: {
    'missing-file': {
      title: 'A file the kind requires is missing',
      severity: 'error',
      help: 'Restore it: ameide primitive scaffold --kind <kind> --name <name> writes only missing files and never overwrites.',
    },
  },
  'scaffold-markers': {
    'scaffold-marker': {
      title: 'The AMEIDE_SCAFFOLD placeholder marker is still in a file',
      severity: 'error',
      help: 'Replace the placeholder with the real content (in a test: real assertions on behaviour), then remove the marker.',
    },
  },
  tests: {
    'no-tests': {
      title: "No test file in the primitive's language",
      severity: 'error',
      help: "Add a test next to the code it covers; the scaffold's tests are a starting point.",
    },
  },
  imports: {
    'sdk-only': {
      title: 'Runtime code imports core protos or generated code instead of the SDK',
      severity: 'error',
      help: 'Use the SDK instead: Go github.com/ameideio/ameide-sdk-go/..., TypeScript @ameideio/ameide-sdk-ts (proto via its proto.js barrel), Python ameide_sdk.',
    },
    'sdk-internal': {
      title: "Deep import of the SDK's internal generated code",
      severity: 'error',
      help: "Import the SDK's public surface (e.g. @ameideio/ameide-sdk-ts/proto.js, ameide-sdk-go/proto/..., ameide_sdk), never its generated internals.",
    },
    'cross-primitive': {
      title: "Runtime code imports another primitive's code",
      severity: 'error',
      help: 'Call the other primitive through its SDK client (an outbound port and adapter), never import its code.',
    },
    'handler-broker': {
      title: 'A domain handler imports a message broker',
      severity: 'error',
      help: 'Handlers append events through the outbox port (internal/ports/outbox.go); only the dispatcher talks to the broker.',
    },
    unparsable: {
      title: 'A TS/JS file naming a forbidden path could not be parsed, so its imports were not checked',
      severity: 'error',
      help: 'Split or simplify the file (the parser ran out of stack on its nesting), or move generated code out of the runtime sources.',
    },
  },
  codegen: {
    'codegen-drift': {
      title: 'Generated code differs from what buf generate produces',
      severity: 'error',
      help: 'Regenerate with buf generate --template <the template>, then commit the result. Never edit generated files by hand.',
    },
    'codegen-out-path': {
      title: 'A buf.gen template writes outside the generated-only roots',
      severity: 'error',
      help: 'Point out: at a generated-only root (internal/gen, build/generated, the SDK _proto folders).',
    },
    'codegen-no-template': {
      title: 'internal/gen/ exists but no buf.gen template targets the primitive',
      severity: 'error',
      help: 'Add a buf.gen template whose out is under the primitive internal/gen, or remove the stale folder.',
    },
    'codegen-failed': {
      title: 'buf generate failed',
      severity: 'error',
      help: 'Run buf generate as the message says and fix what it reports.',
    },
    'tool-missing': {title: 'buf or a buf plugin is not installed', severity: 'error', help: BUF_INSTALL_HELP},
  },
  // One entry per provider rule of the table (src/verify/secrets/rules.ts), plus the generic rule.
  secrets: Object.fromEntries([...SECRET_RULES, GENERIC_RULE].map((r) => [r.id, secret(r.what.replace(/^an? /, ''))])),
  'image-policy': {
    'floating-tag': {title: 'Floating image tag (:dev, :main, :latest)', severity: 'error', help: PIN_HELP},
    'untagged-image': {
      title: 'Image with neither a tag nor a digest (means :latest)',
      severity: 'error',
      help: PIN_HELP,
    },
    'pull-policy-always': {
      title: 'pullPolicy / imagePullPolicy Always',
      severity: 'error',
      help: 'Set IfNotPresent and pin the image by digest; a rollout comes from a new digest, not from a forced pull.',
    },
    'unpinned-base-image': {
      title: 'Dockerfile base image with a version tag but no digest',
      severity: 'warning',
      help: 'Pin it: FROM <image>:<tag>@sha256:<digest> (e.g. from docker buildx imagetools inspect <image>:<tag>).',
    },
  },
  naming: {
    'crud-verb': {
      title: 'RPC or handler named with a CRUD verb (Update, Set, Patch, Modify, Change)',
      severity: 'warning',
      help: 'Name the intent with a business verb (Approve, Assign, Submit, Complete, Archive, …).',
    },
  },
  'process-bpmn': {
    'bpmn-invalid': {
      title: 'A BPMN file does not parse',
      severity: 'error',
      help: 'Fix the file (open it in the Camunda Modeler, or check the reported line).',
    },
    'unhandled-job-type': {
      title: 'A BPMN service task job type has no registered worker handler',
      severity: 'error',
      help: 'Register a handler for the job type in internal/worker/registry.go (a constant for the type and an entry in NewRegistry).',
    },
    'unused-handler': {
      title: 'A registered worker handler serves no BPMN service task',
      severity: 'warning',
      help: 'Remove the handler, or add the service task that uses it to the BPMN.',
    },
  },
  'buf-lint': {
    'buf-lint': {
      title: 'buf lint reports a violation of the module rules',
      severity: 'error',
      help: 'Fix the proto as buf lint says, or change the rule set in the module buf.yaml (lint: use: …) on purpose.',
    },
    'buf-failed': {
      title: 'buf lint failed to run',
      severity: 'error',
      help: 'Run buf lint in the module and fix what it reports.',
    },
    'tool-missing': {title: 'buf is not installed', severity: 'error', help: BUF_INSTALL_HELP},
  },
  'buf-breaking': {
    'buf-breaking': {
      title: 'buf breaking reports a wire-incompatible change against the base',
      severity: 'error',
      help: 'Keep the wire contract: add a new field or RPC instead of removing, renaming or retyping one (buf.yaml breaking: use: [FILE]).',
    },
    'buf-failed': {
      title: 'buf breaking failed to run',
      severity: 'error',
      help: 'Run buf breaking in the module and fix what it reports.',
    },
    'tool-missing': {title: 'buf is not installed', severity: 'error', help: BUF_INSTALL_HELP},
  },
}

/** The SARIF rule id of a finding: `<check>/<rule>`, or the check id alone when the rule is named like its check. */
export function verifyRuleId(check: CheckId, rule: string): string {
  return rule === check ? check : `${check}/${rule}`
}

/** The docs anchor of a rule (docs/commands/verify.md, table "Rules"). */
export function verifyRuleAnchor(check: CheckId, rule: string): string {
  return `rule-${verifyRuleId(check, rule).replace(/\//g, '-')}`
}
