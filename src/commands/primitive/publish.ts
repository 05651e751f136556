import {Flags, type Interfaces} from '@oclif/core'
import {availableParallelism} from 'node:os'

import {cancelOnTerm} from '../../core/cancel-on-term.js'
import {AmeideCommand, declareHelp, REPO_ROOT_CODES} from '../../core/base-command.js'
import {loadConfig, type AmeideConfig} from '../../core/config.js'
import {resolveSigstore} from '../../core/sigstore.js'
import {SIGSTORE_SIGNING_FLAGS} from '../../core/sigstore-flags.js'
import {MONOREPO_ROOT, resolveRoot} from '../../effects/repo-root.js'
import type {PublishWiring} from '../../publish/compose.js'
import type {PublishInput} from '../../publish/input.js'
import type {PublishOptions} from '../../publish/publish.js'
import type {PublishReport} from '../../publish/report.js'
import {BUILDER_CHOICES, SBOM_CHOICES, type BuilderChoice, type SbomChoice} from '../../core/choices.js'

export default class PrimitivePublish extends AmeideCommand<PublishReport> {
  static {
    declareHelp(this, {
      summary: 'Build what changed, re-tag what did not, sign, attest, and report digest-pinned refs.',
      description:
        'Every component (primitives/<kind>/<name>/ with Dockerfile.main or Dockerfile) ends up as ' +
        '<registry>/primitive-<kind>-<name>:<full sha>. Changed components (git diff <base>...<sha> touches the folder ' +
        'or a shared build input) are built and pushed; unchanged ones are re-tagged from :main with the identical digest ' +
        '(no rebuild); an existing :<sha> is reused and never overwritten. Images are signed by digest with cosign and ' +
        'carry SBOM and SLSA v1 provenance attestations; only what is missing is added on a rerun. The report lists each ' +
        'image as <repository>:<sha>@<digest> (the value GitOps writes into image.ref). :main moves only with ' +
        '--update-main, and only to digests this run reported. Exit 1 when a component failed (the others complete); ' +
        'when every failure has the same exit code (e.g. 4: the registry kept failing), that code. ' +
        "Across a runner matrix: the dry run's `matrix` spreads the builds over at most --max-shards shards, " +
        '`--shard I/N` publishes one of them (owner chosen from the commit, base, change set and component list only), ' +
        'and `publish merge` combines the shard reports and moves :main.',
      errorCodes: {
        INVALID_SHA: '--sha is not 40 lowercase hex characters',
        SHA_NOT_FOUND: '--sha names no commit in the repository',
        INVALID_COMPONENT: '--component is not KIND/NAME',
        COMPONENT_NOT_FOUND: '--component names no folder with a Dockerfile',
        INVALID_REGISTRY: '--registry is not host[:port]/namespace',
        INVALID_PLATFORM: '--platform is not os/arch[/variant]',
        INVALID_BUILD_ARG: '--build-arg is not KEY=VALUE',
        BASE_NOT_FOUND: 'no base to compare with',
        SHALLOW_CLONE: 'the clone is too shallow to detect changes (fetch-depth: 0, or --base/--all)',
        SIGNING_NOT_CONFIGURED: 'no --key, not in GitHub Actions (keyless), and no --no-sign',
        OIDC_TOKEN_UNAVAILABLE: 'keyless signing without an OIDC token (add `permissions: id-token: write`)',
        COSIGN_NOT_USABLE: 'cosign is missing or does not run',
        BUILDER_NOT_FOUND: 'no usable builder (docker buildx, buildah, podman)',
        SBOM_TOOL_NOT_FOUND: 'neither syft nor cdxgen is installed (or --sbom none)',
        REGISTRY_UNAUTHORIZED:
          'exit 3: the registry refused the credentials (docker config, REGISTRY_AUTH_FILE, GITHUB_TOKEN)',
        REGISTRY_UNAVAILABLE: 'the registry kept failing (429/5xx/resets) after retries',
        RETAG_DIGEST_MISMATCH: 'the registry stored a re-tag under another digest',
        INVALID_SHARD: '--shard is not I/N with 1 ≤ I ≤ N ≤ 256, or --max-shards is out of range',
        UPDATE_MAIN_IN_SHARD: '--update-main with --shard: only `publish merge` moves :main',
        INVALID_KIND: 'a --component kind is not one of the six kinds',
        INVALID_NAME: 'a --component name is not kebab-case',
        INVALID_BUILDER: true,
        BUILDER_NOT_AVAILABLE: true,
        TOOL_NOT_FOUND: true,
        SKOPEO_NOT_FOUND: true,
        COSIGN_NOT_FOUND: true,
        COSIGN_FAILED: 'cosign could not run a verification (its words quoted); never read as unsigned',
        COSIGN_VERSION_UNSUPPORTED: '--signing-config / --trusted-root with cosign 2 (they need cosign 3)',
        KEYLESS_REQUIRES_TLOG: '--keyless --no-tlog without --timestamp-server-url and --timestamp-certificate-chain',
        INVALID_SIGSTORE_SETTING: 'a Sigstore URL is not http(s) or carries credentials',
        SIGSTORE_FILE_UNREADABLE:
          '--ca-roots, --rekor-public-key or --timestamp-certificate-chain names no readable file',
        OIDC_TOKEN_REFUSED: 'the OIDC token endpoint answered 401/403: add `permissions: id-token: write`',
        OIDC_TOKEN_ENDPOINT_FAILED: 'the OIDC token endpoint kept failing (5xx, 429, unreachable) after retries',
        FULCIO_REFUSED_TOKEN: 'Fulcio refused the OIDC token (per component, in failures[])',
        SIGNER_IDENTITY_MISMATCH:
          'the certificate is for another workflow or repository (per component, in failures[])',
        CERTIFICATE_CHAIN_UNTRUSTED: 'the certificate does not chain to --ca-roots (per component, in failures[])',
        KEYLESS_IDENTITY_MISSING:
          'keyless signing outside GitHub Actions without --certificate-identity-regexp/--certificate-oidc-issuer',
        SIGNING_KEY_MISSING: true,
        COSIGN_KEY_UNREADABLE: true,
        COSIGN_PASSWORD_MISSING: true,
        COSIGN_KEY_INVALID: true,
        NOT_A_DIGEST_REFERENCE: true,
        CONFIG_INVALID: 'ameide.yaml is invalid',
        ...REPO_ROOT_CODES,
        NO_COMMIT: true,
        GIT_DIFF_FAILED: true,
        REGISTRY_UNREACHABLE: true,
        REGISTRY_REQUEST_FAILED: true,
        REGISTRY_DIGEST_MISMATCH: true,
        PUSHED_IMAGE_NOT_FOUND: true,
        PUSH_FAILED: 'per component, in failures[]',
        SBOM_FAILED: 'per component, in failures[]',
        SIGNATURE_INVALID: 'per component, in failures[]',
        ATTESTATION_INVALID: 'per component, in failures[]',
        VERIFY_FAILED: 'per component, in failures[]',
        BUILD_REMOTE_FAILED: 'the builder kept failing to reach the registry (per component)',
        PUSH_REMOTE_FAILED: 'the registry kept failing during a push (per component)',
        SBOM_REMOTE_FAILED: 'the registry kept failing while the SBOM tool read the image (per component)',
        SIGN_REMOTE_FAILED: 'the registry, Fulcio, Rekor or the TSA kept failing while signing (per component)',
        ATTEST_REMOTE_FAILED: 'the registry kept failing while attesting (per component)',
        VERIFY_REMOTE_FAILED: 'the registry kept failing while verifying (per component)',
        BUILD_FAILED: 'per component, in failures[]',
        SIGN_FAILED: 'per component, in failures[]',
        ATTEST_FAILED: 'per component, in failures[]',
        CANCELLED: 'per component, in failures[]: cancelled (ameide mcp) before it started',
        FILE_NOT_WRITABLE: '--output cannot be written (the images are published; rerun with a writable --output)',
      },
      examples: [
        '<%= config.bin %> <%= command.id %> --dry-run',
        '<%= config.bin %> <%= command.id %> --key cosign.key --json --output publish.json',
        '<%= config.bin %> <%= command.id %> --registry 127.0.0.1:5000/demo --key cosign.key --no-tlog --builder buildah',
        '<%= config.bin %> <%= command.id %> --update-main   # CD after merge to main (keyless in GitHub Actions)',
        '<%= config.bin %> <%= command.id %> --dry-run --json --max-shards 4   # the plan, with .matrix for strategy.matrix',
        '<%= config.bin %> <%= command.id %> --shard 2/4 --sha SHA --base BASE --output shard-2.json',
      ],
    })
  }

  static override flags = {
    registry: Flags.string({
      description: 'Registry and namespace. Default: ameide.yaml `registry`, else ghcr.io/ameideio.',
      helpValue: 'REG',
    }),
    sha: Flags.string({
      description: 'Commit to publish (full 40-hex sha; default HEAD). Also the image tag.',
      helpValue: 'SHA',
    }),
    base: Flags.string({
      description:
        'Compare with this ref. Default: merge-base with origin/main (else main); on main itself, the first parent.',
      helpValue: 'REF',
    }),
    component: Flags.string({
      description: 'Publish only this component (repeatable).',
      helpValue: 'KIND/NAME',
      multiple: true,
    }),
    all: Flags.boolean({description: 'Build every component (no change detection).', default: false}),
    builder: Flags.string({
      description:
        'Image builder. Default: ameide.yaml publish.builder, else auto (docker buildx, else buildah, else podman).',
      options: [...BUILDER_CHOICES],
    }),
    platform: Flags.string({
      description: 'Platforms, comma-separated, e.g. linux/amd64,linux/arm64 (default: ameide.yaml, else native).',
      helpValue: 'LIST',
      multiple: true,
    }),
    'build-arg': Flags.string({
      description: 'Build argument KEY=VALUE (repeatable; over ameide.yaml publish.buildArgs).',
      helpValue: 'KEY=VALUE',
      multiple: true,
    }),
    key: Flags.string({
      description: 'cosign key: a file, env://VAR or a KMS URI. Its password comes from COSIGN_PASSWORD.',
      helpValue: 'KEYREF',
    }),
    keyless: Flags.boolean({
      description: 'Sign keyless (OIDC). The default inside GitHub Actions when --key is absent.',
      default: false,
    }),
    'certificate-identity-regexp': Flags.string({
      description:
        "Keyless: the signer identity `cosign verify` must see (default inside GitHub Actions: this repository's workflows).",
      helpValue: 'REGEXP',
    }),
    'certificate-oidc-issuer': Flags.string({
      description:
        'Keyless: the OIDC issuer `cosign verify` must see (default inside GitHub Actions: token.actions.githubusercontent.com).',
      helpValue: 'URL',
    }),
    sign: Flags.boolean({
      description: 'Sign and attest (default). --no-sign publishes unsigned images, recorded in the report.',
      allowNo: true,
      default: true,
    }),
    tlog: Flags.boolean({
      description:
        'Use the transparency log. --no-tlog: air-gapped (cosign --tlog-upload=false / --insecure-ignore-tlog); keyless only with a timestamp authority.',
      allowNo: true,
      default: true,
    }),
    ...SIGSTORE_SIGNING_FLAGS,
    sbom: Flags.string({
      description: 'SBOM generator. Default: ameide.yaml publish.sbom, else auto (syft, else cdxgen).',
      options: [...SBOM_CHOICES],
    }),
    provenance: Flags.boolean({
      description: 'Attach SLSA v1 provenance (default). --no-provenance opts out, recorded in the report.',
      allowNo: true,
      default: true,
    }),
    'update-main': Flags.boolean({
      description: 'Move :main to the digests this run reports (the CD step after a merge).',
      default: false,
    }),
    shard: Flags.string({
      description:
        "Publish only shard I of N of the plan (the dry run's matrix[].shard); write its report with --output, then `publish merge`.",
      helpValue: 'I/N',
    }),
    'max-shards': Flags.integer({
      description: "Dry run: spread the builds over at most N shards in the plan's `matrix` (default 1).",
      helpValue: 'N',
    }),
    jobs: Flags.integer({description: 'Components in parallel (default: CPU count).', min: 1, helpValue: 'N'}),
    'dry-run': Flags.boolean({
      description: 'Resolve :main digests and the change set, print the plan, write nothing to the registry.',
      default: false,
    }),
    output: Flags.string({description: 'Also write the report (JSON) to this file.', helpValue: 'FILE'}),
  }

  protected async execute(): Promise<PublishReport> {
    const {flags} = await this.parse(PrimitivePublish)
    // Input first: bad input is exit 2 everywhere, before looking for a repository.
    const {parsePublishInput} = await import('../../publish/input.js')
    const input = parsePublishInput(flags)

    const repoRoot = await resolveRoot(flags['repo-root'], MONOREPO_ROOT)
    const {config} = await loadConfig(repoRoot)
    const registry = input.registry ?? config.registry
    const env = process.env
    const [{composePublish}, {publish}, {formatPublishReport}, {deliverReport}] = await Promise.all([
      import('../../publish/compose.js'),
      import('../../publish/publish.js'),
      import('../../publish/format.js'),
      import('../../publish/deliver.js'),
    ])
    const builderChoice = (flags.builder ?? config.publish.builder) as BuilderChoice
    const {deps, insecureRegistry} = await composePublish(
      wiring(flags, {repoRoot, config, registry, builderChoice, env}),
    )
    const progress = await this.progress()
    const termination = stopOnTerm()
    const options = publishOptions(flags, input, config, {repoRoot, registry, insecureRegistry, builderChoice, env})
    const report = await publish(
      {...options, ameideVersion: this.config.version, ...termination.options},
      {...deps, progress},
    ).finally(termination.release)

    const exitCode = await deliverReport(report, flags.output, env)
    if (exitCode !== 0) this.setExitCode(exitCode)
    if (!this.jsonEnabled()) this.log(formatPublishReport(report, this.style))
    return report
  }
}

type PublishFlags = Interfaces.InferredFlags<typeof PrimitivePublish.flags>

/** What the command resolved before wiring: the repository, its config, the registry, the builder, the environment. */
interface Resolved {
  repoRoot: string
  config: AmeideConfig
  registry: string
  builderChoice: BuilderChoice
  env: NodeJS.ProcessEnv
}

/** The effects' wiring from the flags, each falling back on ameide.yaml: signing, the SBOM tool, the builder. */
function wiring(flags: PublishFlags, resolved: Resolved): PublishWiring {
  const {repoRoot, config} = resolved
  return {
    ...resolved,
    signing: {
      key: flags.key,
      keyless: flags.keyless,
      sign: flags.sign,
      tlog: flags.tlog,
      certificateIdentityRegexp: flags['certificate-identity-regexp'],
      certificateOidcIssuer: flags['certificate-oidc-issuer'],
      sigstore: resolveSigstore(flags, config.signing.sigstore, repoRoot),
    },
    sbomChoice: (flags.sbom ?? config.publish.sbom) as SbomChoice,
    provenance: flags.provenance && config.publish.provenance,
  }
}

/** The run's options: the parsed input and the flags over ameide.yaml's publish settings. */
function publishOptions(
  flags: PublishFlags,
  input: PublishInput,
  config: AmeideConfig,
  run: Omit<Resolved, 'config'> & {insecureRegistry: boolean},
): Omit<PublishOptions, 'ameideVersion'> {
  const {repoRoot, registry, insecureRegistry, builderChoice, env} = run
  return {
    repoRoot,
    registry,
    insecureRegistry,
    sha: input.sha,
    base: flags.base,
    baseBranch: config.publish.baseBranch,
    all: flags.all,
    components: input.selectors,
    sharedInputs: config.publish.sharedInputs,
    platforms: input.platforms.length > 0 ? input.platforms : config.publish.platforms,
    buildArgs: {...config.publish.buildArgs, ...input.buildArgs},
    updateMain: flags['update-main'],
    jobs: flags.jobs ?? Math.max(1, availableParallelism()),
    dryRun: flags['dry-run'],
    builderChoice,
    env,
    ...(input.shard ? {shard: input.shard} : {}),
    maxShards: input.maxShards,
  }
}

/**
 * Under `ameide mcp` a cancelled call is SIGTERM: before the first write the run stops at once (it only read); after
 * it, the images under way finish and no other starts. `release` stops listening once the run is over.
 */
function stopOnTerm(): {options: Pick<PublishOptions, 'signal' | 'onFirstWrite'>; release: () => void} {
  const {signal, writing, release} = cancelOnTerm()
  return {options: {signal, onFirstWrite: writing}, release}
}
