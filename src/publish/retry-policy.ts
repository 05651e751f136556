/**
 * The one retry policy of a publish run (registry, builder, cosign and SBOM calls), with the AMEIDE_TEST_TIMINGS
 * knob applied, and the registry client built with it: shared by `primitive publish` (compose.ts) and
 * `primitive publish merge`.
 */
import type {AmeideConfig} from '../core/config.js'
import {DEFAULT_RETRY_POLICY, type RetryPolicy} from '../core/retry.js'
import {retryPolicyWithTimings, testTimings} from '../core/test-timings.js'
import type {RegistryClient} from '../effects/registry/client.js'

/** The retry policy of every registry, builder and cosign call of a publish run (tests shorten it via the knob). */
export function publishRetryPolicy(env: NodeJS.ProcessEnv): RetryPolicy {
  return retryPolicyWithTimings(DEFAULT_RETRY_POLICY, testTimings(env))
}

/** The registry client with the repository's insecureRegistries and the shared retry policy. */
export async function registryClient(config: AmeideConfig, env: NodeJS.ProcessEnv): Promise<RegistryClient> {
  const {RegistryClient} = await import('../effects/registry/client.js')
  return new RegistryClient({insecureHosts: config.insecureRegistries, retryPolicy: publishRetryPolicy(env)})
}
