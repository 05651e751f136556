/**
 * publish's composition root: the effects a publish run is wired with (the registry client, signing, the SBOM
 * generator, the builder) and the one retry policy they share, the AMEIDE_TEST_TIMINGS knob applied. The commands
 * `primitive publish` only parses flags and calls this; `publish merge` needs only the client (retry-policy.ts).
 */
import type {AmeideConfig} from '../core/config.js'
import type {BuilderChoice, SbomChoice} from '../core/choices.js'
import type {PublishDeps} from './publish.js'
import {publishRetryPolicy} from './retry-policy.js'
import type {SigningFlags} from './signing.js'

export interface PublishWiring {
  repoRoot: string
  config: AmeideConfig
  registry: string
  signing: SigningFlags
  sbomChoice: SbomChoice
  builderChoice: BuilderChoice
  provenance: boolean
  env: NodeJS.ProcessEnv
}

/** Everything `publish` needs besides its options and progress: client, builder selector, supply chain. */
export async function composePublish(
  wiring: PublishWiring,
): Promise<{deps: Omit<PublishDeps, 'progress'>; insecureRegistry: boolean}> {
  const {repoRoot, config, env, sbomChoice, builderChoice} = wiring
  const retryPolicy = publishRetryPolicy(env)
  const [
    {RegistryClient},
    {parseRepository, registryApiHost},
    {isPlainHttp},
    {chooseSigning, cosignSigner, supplyChainFor},
  ] = await Promise.all([
    import('../effects/registry/client.js'),
    import('../images/reference.js'),
    import('../effects/registry/hosts.js'),
    import('./signing.js'),
  ])
  const host = registryApiHost(parseRepository(`${wiring.registry}/x`).registry)
  const insecureRegistry = isPlainHttp(host, config.insecureRegistries)
  const client = new RegistryClient({insecureHosts: config.insecureRegistries, retryPolicy})
  const signing = chooseSigning(wiring.signing, env)
  const supplyChain = await supplyChainFor(signing, {
    sbomChoice,
    selectSbom: async () =>
      (await import('../effects/sbom.js')).selectSbomGenerator(sbomChoice, {
        repoRoot,
        env,
        insecureRegistry,
        retryPolicy,
      }),
    provenance: wiring.provenance,
    signer: (choice) => cosignSigner(choice, {env, insecureRegistry, retryPolicy}),
  })
  return {
    deps: {
      client,
      selectBuilder: async () =>
        (await import('../effects/builders/select.js')).selectBuilder({choice: builderChoice, env, retryPolicy}),
      supplyChain,
    },
    insecureRegistry,
  }
}
