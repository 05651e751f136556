import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

import type {BuildRequest} from '../../../src/effects/builders/builder.js'

/** Writes a build context `<tmp>/<name>/` holding `files` (name → content); returns its path. */
export async function writeContext(tmp: string, name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(tmp, name)
  await mkdir(dir, {recursive: true})
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(dir, file), content)
  return dir
}

/** A BuildRequest for `<contextDir>/Dockerfile`, pushed to `<registryHost>/<repo>:<tag>` over plain HTTP. */
export function buildRequest(
  registryHost: string,
  contextDir: string,
  repo: string,
  tag: string,
  extra: Partial<BuildRequest> = {},
): BuildRequest {
  return {
    contextDir,
    dockerfile: path.join(contextDir, 'Dockerfile'),
    imageRef: `${registryHost}/${repo}:${tag}`,
    platforms: [],
    buildArgs: {},
    labels: {},
    insecureRegistry: true,
    ...extra,
  }
}
