import {execa} from 'execa'
import {mkdir, readFile, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {getManifest, writeDockerConfig, type Registry} from './registry.js'
import {requireTool, toolEnv} from './toolchain.js'

/**
 * A private, throwaway buildah setup under `tmp`: vfs storage (no mounts left behind), chroot isolation (no runc),
 * and a registries.conf that marks the given registries insecure (plain HTTP) and has no search registries.
 * `env` alone is enough (containers/storage honours CONTAINERS_STORAGE_CONF; buildah honours BUILDAH_ISOLATION and
 * CONTAINERS_REGISTRIES_CONF), so pass it to the CLI under test too; `globalArgs` repeats it as flags.
 */
export interface BuildahEnv {
  root: string
  runroot: string
  storageConf: string
  registriesConf: string
  env: Record<string, string>
  globalArgs: string[]
}

export async function buildahEnv(tmp: string, options: {insecureRegistries?: string[]} = {}): Promise<BuildahEnv> {
  const dir = path.join(tmp, 'buildah')
  const root = path.join(dir, 'storage')
  const runroot = path.join(dir, 'run')
  const storageConf = path.join(dir, 'storage.conf')
  const registriesConf = path.join(dir, 'registries.conf')
  await mkdir(path.join(dir, 'tmp'), {recursive: true})
  await writeFile(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${root}"\nrunroot = "${runroot}"\n`)
  const insecure = (options.insecureRegistries ?? [])
    .map((host) => `[[registry]]\nlocation = "${host}"\ninsecure = true\n`)
    .join('\n')
  await writeFile(registriesConf, `unqualified-search-registries = []\n\n${insecure}`)
  return {
    root,
    runroot,
    storageConf,
    registriesConf,
    env: toolEnv({
      CONTAINERS_STORAGE_CONF: storageConf,
      CONTAINERS_REGISTRIES_CONF: registriesConf,
      BUILDAH_ISOLATION: 'chroot',
      TMPDIR: path.join(dir, 'tmp'), // buildah's big temp files stay in the test's dir
    }),
    globalArgs: ['--root', root, '--runroot', runroot, '--storage-driver', 'vfs'],
  }
}

/** Runs buildah with the private storage; returns trimmed stdout. */
export async function buildah(env: BuildahEnv, args: string[]): Promise<string> {
  const {stdout} = await execa(requireTool('buildah'), [...env.globalArgs, ...args], {
    env: env.env,
    extendEnv: false,
    timeout: 120_000,
  })
  return stdout.trim()
}

/** Busybox applets linked in the base image (all a Dockerfile RUN step in tests usually needs). */
const APPLETS = ['sh', 'ls', 'cat', 'echo', 'mkdir', 'rm', 'cp', 'mv', 'ln', 'env', 'sha256sum', 'true', 'test']

/**
 * Commits a local image `localhost/<name>` from scratch + Debian's static /bin/busybox (+ applet symlinks),
 * reproducibly (--timestamp 0). `files` adds extra files (path in image -> content); `arch` sets the config's
 * architecture (the binary stays amd64: fine for registry tests, not for running).
 */
export async function commitBusyboxImage(
  env: BuildahEnv,
  name: string,
  options: {arch?: string; files?: Record<string, string>} = {},
): Promise<string> {
  const busybox = requireTool('busybox')
  const container = await buildah(env, ['from', 'scratch'])
  try {
    await buildah(env, ['copy', '--quiet', container, busybox, '/bin/busybox'])
    const mountpoint = await buildah(env, ['mount', container]) // vfs: a plain directory, nothing is mounted
    try {
      for (const applet of APPLETS) await symlink('busybox', path.join(mountpoint, 'bin', applet))
      for (const [file, content] of Object.entries(options.files ?? {})) {
        await mkdir(path.dirname(path.join(mountpoint, file)), {recursive: true})
        await writeFile(path.join(mountpoint, file), content)
      }
    } finally {
      await buildah(env, ['umount', container])
    }
    const config = ['config', '--cmd', '["/bin/sh"]', '--env', 'PATH=/usr/local/bin:/usr/bin:/bin', '--os', 'linux']
    if (options.arch) config.push('--arch', options.arch)
    await buildah(env, [...config, container])
    const image = `localhost/${name}`
    await buildah(env, ['commit', '--quiet', '--rm', '--timestamp', '0', container, image])
    return image
  } catch (error) {
    await buildah(env, ['rm', container]).catch(() => undefined)
    throw error
  }
}

export interface PushedImage {
  /** `host/repo@sha256:…` */
  ref: string
  /** `host/repo:tag` */
  tagRef: string
  repo: string
  tag: string
  digest: string
}

/** Push flags; credentials go through an auth file, never argv (execa puts argv into error messages). */
async function pushArgs(registry: Registry, env: BuildahEnv, digestFile: string): Promise<string[]> {
  const args = ['--tls-verify=false', '--digestfile', digestFile]
  if (registry.credentials) {
    args.push('--authfile', await writeDockerConfig(registry, path.join(env.runroot, 'auth', registry.host)))
  }
  return args
}

/**
 * Builds the busybox base image and pushes it to `registry` as `<repo>:<tag>` (OCI manifest);
 * returns the digest-pinned ref. Use it as `FROM <ref>` in test Dockerfiles.
 */
export async function pushBaseImage(
  registry: Registry,
  env: BuildahEnv,
  options: {repo?: string; tag?: string} = {},
): Promise<PushedImage> {
  const repo = options.repo ?? 'base/busybox'
  const tag = options.tag ?? '1'
  const image = await commitBusyboxImage(env, `${repo.replaceAll('/', '-')}:${tag}`)
  const digestFile = path.join(env.runroot, `${repo.replaceAll('/', '-')}-${tag}.digest`)
  const tagRef = `${registry.host}/${repo}:${tag}`
  await buildah(env, ['push', '--quiet', ...(await pushArgs(registry, env, digestFile)), image, `docker://${tagRef}`])
  const digest = (await readFile(digestFile, 'utf8')).trim()
  return {ref: `${registry.host}/${repo}@${digest}`, tagRef, repo, tag, digest}
}

export interface PushedIndex extends PushedImage {
  /** Child manifests by platform, e.g. {'linux/amd64': 'sha256:…'} as listed in the pushed index. */
  manifests: Record<string, string>
}

/**
 * Pushes a 2-platform OCI image index (linux/amd64 + linux/arm64 by default) as `<repo>:<tag>`:
 * one busybox image per platform (differing in /etc/platform), `buildah manifest create/add`,
 * `manifest push --all --format oci`. Returns the index digest.
 */
export async function pushMultiArchIndex(
  registry: Registry,
  env: BuildahEnv,
  options: {repo?: string; tag?: string; arches?: [string, string]} = {},
): Promise<PushedIndex> {
  const repo = options.repo ?? 'multi/app'
  const tag = options.tag ?? 'main'
  const arches = options.arches ?? ['amd64', 'arm64']
  const slug = repo.replaceAll('/', '-')
  const list = `localhost/${slug}-index:${tag}`
  await buildah(env, ['manifest', 'create', list])
  for (const arch of arches) {
    const image = await commitBusyboxImage(env, `${slug}-${arch}:${tag}`, {
      arch,
      files: {'/etc/platform': `linux/${arch}\n`},
    })
    await buildah(env, ['manifest', 'add', '--os', 'linux', '--arch', arch, list, `containers-storage:${image}`])
  }
  const digestFile = path.join(env.runroot, `${slug}-${tag}.index.digest`)
  const tagRef = `${registry.host}/${repo}:${tag}`
  await buildah(env, [
    'manifest',
    'push',
    '--all',
    '--quiet',
    '--format',
    'oci',
    ...(await pushArgs(registry, env, digestFile)),
    list,
    `docker://${tagRef}`,
  ])
  const digest = (await readFile(digestFile, 'utf8')).trim()
  // Read the children back from the registry: the local list holds pre-conversion (non-OCI) digests.
  const pushed = await getManifest(registry, repo, digest)
  const index = pushed.json<{manifests: {digest: string; platform: {os: string; architecture: string}}[]}>()
  const manifests = Object.fromEntries(
    index.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]),
  )
  return {ref: `${registry.host}/${repo}@${digest}`, tagRef, repo, tag, digest, manifests}
}
