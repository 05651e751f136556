/**
 * What the registry (./registry.ts) knows of one provider, each provider's own (<provider>/index.ts): its id (the
 * generator's key), its part of `--scm-provider`'s help, its service over the run's API, its listing (loaded when
 * the run asks it) and its field rows. Its protocol P pairs the service's questions with the listing's answers.
 */
import type {Path} from '../errors.js'
import type {JsonObject} from '../merge.js'
import type {Rules} from '../../../fields/model.js'
import type {ScmBounds, ScmListingMaker, ScmRun} from './listing.js'
import {asksProvider, type Protocol} from './protocol.js'
import type {ScmProviderApi} from '../../../model/types.js'
import {ScmServiceContext, type ScmService, type ScmServiceFactory} from './service.js'

/** What `--scm-provider`'s help and the connection fields say of one provider (<provider>/about.ts), none of its code. */
export interface ScmProviderAbout {
  /** The generator's key (`scmProvider.<id>`), and `--scm-provider <id>`. */
  readonly id: string
  /** Its place among `--scm-provider`'s options: the order they were offered in, which oclif shows. */
  readonly option: number
  /** Its part of `--scm-provider`'s help: `<id> (the API URL …; the token …)`. */
  readonly flag: string
  /** Whether `--api-url` is required (the provider has no default API). */
  readonly apiUrlRequired: boolean
  /** Its fields of how Argo CD connects to the API (credentials, CA, TLS): nothing of what is rendered. */
  readonly connection: readonly string[]
}

interface ScmProviderDescription extends ScmProviderAbout {
  /** Its rows of the field table under `at` (`spec.generators[].scmProvider.<id>`). */
  fields(at: string): Rules
}

/** One provider, its protocol P known to its own parts. */
export interface ScmProviderParts<P extends Protocol> extends ScmProviderDescription {
  readonly service: ScmServiceFactory<P>
  readonly listing: () => Promise<ScmListingMaker<P>>
}

/** One provider as the registry lists it. */
export interface ScmProvider extends ScmProviderDescription {
  /** The provider's service over the run's API, which must be this provider's. */
  service(config: JsonObject, api: ScmProviderApi, path: Path): ScmService
  /** The provider's listing (`--scm-provider <id>`): the API URL checked, the token found. */
  listing(apiUrlFlag: string | undefined, env: NodeJS.ProcessEnv, bounds: ScmBounds): Promise<ScmRun>
}

export function scmProvider<P extends Protocol>(parts: ScmProviderParts<P>): ScmProvider {
  const {service, listing, ...description} = parts
  return {
    ...description,
    service(config, api, path) {
      if (!asksProvider<P>(api, parts.id)) throw new Error(`the run's API is ${api.provider}'s, not ${parts.id}'s`)
      return service(config, new ScmServiceContext(api, path))
    },
    async listing(apiUrlFlag, env, bounds) {
      return (await listing())(apiUrlFlag, env, bounds)
    },
  }
}
