import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {
  effectiveTag,
  floatingTagOf,
  formatImageReference,
  InvalidImageReference,
  isDigestPinned,
  parseImageReference,
  parseRepository,
  registryApiHost,
  sameRepository,
  tryParseImageReference,
} from '../../src/images/reference.js'

const HEX64 = 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
const D = `sha256:${HEX64}`

// Valid references and how they split, in the shape of distribution/reference's and go-containerregistry's
// `name` package tables (registry, path after Docker Hub normalisation, tag, digest).
const VALID: Array<[string, string, string, string | undefined, string | undefined]> = [
  ['test_com', 'docker.io', 'library/test_com', undefined, undefined],
  ['test.com:tag', 'docker.io', 'library/test.com', 'tag', undefined],
  ['test.com:5000', 'docker.io', 'library/test.com', '5000', undefined],
  ['test.com/repo:tag', 'test.com', 'repo', 'tag', undefined],
  ['test:5000/repo', 'test:5000', 'repo', undefined, undefined],
  ['test:5000/repo:tag', 'test:5000', 'repo', 'tag', undefined],
  [`test:5000/repo@${D}`, 'test:5000', 'repo', undefined, D],
  [`test:5000/repo:tag@${D}`, 'test:5000', 'repo', 'tag', D],
  ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase', undefined],
  ['foo_bar.com:8080', 'docker.io', 'library/foo_bar.com', '8080', undefined],
  ['foo/foo_bar.com:8080', 'docker.io', 'foo/foo_bar.com', '8080', undefined],
  ['192.168.1.1', 'docker.io', 'library/192.168.1.1', undefined, undefined],
  ['192.168.1.1:tag', 'docker.io', 'library/192.168.1.1', 'tag', undefined],
  ['192.168.1.1:5000', 'docker.io', 'library/192.168.1.1', '5000', undefined],
  ['192.168.1.1/repo', '192.168.1.1', 'repo', undefined, undefined],
  ['192.168.1.1:5000/repo', '192.168.1.1:5000', 'repo', undefined, undefined],
  ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000', 'repo', '5050', undefined],
  ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo', undefined, undefined],
  ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]', 'repo', 'tag', undefined],
  ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'repo', undefined, undefined],
  ['[::1]:5000/repo', '[::1]:5000', 'repo', undefined, undefined],
  ['localhost/testimage', 'localhost', 'testimage', undefined, undefined],
  ['localhost:5000/a/b/c:v1', 'localhost:5000', 'a/b/c', 'v1', undefined],
  ['Uppercase/lowercase:tag', 'Uppercase', 'lowercase', 'tag', undefined],
  ['gcr.io/google.com/project-id/hello-world', 'gcr.io', 'google.com/project-id/hello-world', undefined, undefined],
  ['example.com/a', 'example.com', 'a', undefined, undefined],
  ['a', 'docker.io', 'library/a', undefined, undefined],
  ['0', 'docker.io', 'library/0', undefined, undefined],
  ['namespace/pathcomponent/image', 'docker.io', 'namespace/pathcomponent/image', undefined, undefined],
  ['ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined],
  ['docker.io/ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined],
  ['index.docker.io/library/ubuntu', 'index.docker.io', 'library/ubuntu', undefined, undefined],
  ['a__b--c_d/e.f', 'docker.io', 'a__b--c_d/e.f', undefined, undefined],
  [
    `ghcr.io/ameideio/primitive-domain-orders:3f9c2a1@${D}`,
    'ghcr.io',
    'ameideio/primitive-domain-orders',
    '3f9c2a1',
    D,
  ],
  [`repo@sha512:${'a'.repeat(128)}`, 'docker.io', 'library/repo', undefined, `sha512:${'a'.repeat(128)}`],
]

// Invalid references and the reason given.
const INVALID: Array<[string, RegExp]> = [
  ['', /empty/],
  [':justtag', /name is missing/],
  [`@${D}`, /name is missing/],
  ['white space', /white space/],
  ['b@char/image', /digest is malformed/],
  ['repo@sha256:ffff', /digest is malformed/],
  [`repo@sha256:${'f'.repeat(40)}`, /64 lowercase hexadecimal/],
  ['a_b.c/d', /registry host is malformed/],
  [`repo@sha256:${HEX64.toUpperCase()}`, /64 lowercase hexadecimal/],
  [`validname@invalidalgo:${HEX64}`, /unsupported digest algorithm/],
  ['Uppercase:tag', /lowercase/],
  ['test:5000/Uppercase/lowercase:tag', /lowercase/],
  ['aa/asdf$$^/aa', /malformed/],
  ['repo:-tag', /tag is malformed/],
  [`repo:${'t'.repeat(129)}`, /tag is malformed/],
  [`a/${'a'.repeat(256)}`, /longer than 255/],
  [HEX64, /image id/],
  ['[2001:db8::1]', /malformed/],
  ['[fe80::1%eth0]:5000/repo', /malformed/],
  ['a//b', /malformed/],
  ['a/b/', /malformed/],
  ['-a/b', /malformed/],
  ['a-/b', /malformed/],
  ['https://ghcr.io/x', /malformed/],
]

describe('parseImageReference', () => {
  it.each(VALID)('%s', (input, registry, path, tag, digest) => {
    const ref = parseImageReference(input)
    expect({registry: ref.registry, path: ref.path, tag: ref.tag, digest: ref.digest}).toEqual({
      registry,
      path,
      tag,
      digest,
    })
  })

  it.each(INVALID)('rejects %j', (input, reason) => {
    expect(() => parseImageReference(input)).toThrow(InvalidImageReference)
    expect(() => parseImageReference(input)).toThrow(reason)
    expect(tryParseImageReference(input)).toBeUndefined()
  })

  it('names the same repository whatever the Docker Hub spelling, the tag or the digest', () => {
    const forms = ['busybox', 'library/busybox:1.36', 'docker.io/busybox', `index.docker.io/library/busybox@${D}`]
    const refs = forms.map(parseImageReference)
    expect(new Set(refs.map((r) => r.repository))).toEqual(new Set(['docker.io/library/busybox']))
    expect(sameRepository(parseImageReference('GHCR.io/a/b:1'), parseImageReference('ghcr.io/a/b'))).toBe(true)
    expect(sameRepository(parseImageReference('ghcr.io/a/b'), parseImageReference('ghcr.io/a/bc'))).toBe(false)
    expect(sameRepository(parseImageReference('ghcr.io:443/a/b'), parseImageReference('ghcr.io/a/b'))).toBe(false)
  })

  it('tells pinned, implicit latest and floating tags apart', () => {
    expect(isDigestPinned(parseImageReference(`x/y:1@${D}`))).toBe(true)
    expect(isDigestPinned(parseImageReference(`x/y@sha512:${'a'.repeat(128)}`))).toBe(false)
    expect(isDigestPinned(parseImageReference('x/y:1'))).toBe(false)
    expect(effectiveTag(parseImageReference('x/y'))).toBe('latest')
    expect(effectiveTag(parseImageReference(`x/y@${D}`))).toBeUndefined()
    expect(floatingTagOf(parseImageReference('x/y'))).toBe('latest')
    expect(floatingTagOf(parseImageReference('x/y:main'))).toBe('main')
    expect(floatingTagOf(parseImageReference(`x/y:dev@${D}`))).toBe('dev')
    expect(floatingTagOf(parseImageReference('x/y:1.2.3'))).toBeUndefined()
    expect(floatingTagOf(parseImageReference('x/y:dev-placeholder'), ['dev-placeholder'])).toBe('dev-placeholder')
  })

  it('parses repositories alone and maps Docker Hub to its API host', () => {
    expect(parseRepository('127.0.0.1:5000/demo/x')).toMatchObject({registry: '127.0.0.1:5000', path: 'demo/x'})
    expect(() => parseRepository('ghcr.io/a/b:1')).toThrow(/neither a tag nor a digest/)
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io')
    expect(registryApiHost('index.docker.io')).toBe('registry-1.docker.io')
    expect(registryApiHost('ghcr.io')).toBe('ghcr.io')
  })
})

// Generators from the grammar: every generated reference parses, and formatting is a fixed point.
const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789')
const alnum = fc.string({unit: lower, minLength: 1, maxLength: 6})
const separator = fc.constantFrom('.', '_', '__', '-', '--')
const component = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), {maxLength: 2}))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''))
const label = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?$/)
const host = fc.oneof(
  fc.tuple(label, label).map(([a, b]) => `${a}.${b}`),
  fc.constant('localhost'),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `10.0.${a}.${b}`),
  fc.constant('[::1]'),
)
const registry = fc.option(
  fc.tuple(host, fc.option(fc.integer({min: 1, max: 65535}), {nil: undefined})).map(([h, p]) => (p ? `${h}:${p}` : h)),
  {nil: undefined},
)
const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), {nil: undefined})
const digest = fc.option(
  fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
  {nil: undefined},
)
const reference = fc
  .tuple(registry, fc.array(component, {minLength: 1, maxLength: 3}), tag, digest)
  // Without a registry, a first component with a "." would itself be read as the registry host.
  .filter(([r, path]) => r !== undefined || path.length === 1 || (!path[0].includes('.') && path[0] !== 'localhost'))
  .map(([r, path, t, d]) => `${r ? `${r}/` : ''}${path.join('/')}${t ? `:${t}` : ''}${d ? `@${d}` : ''}`)
  .filter((s) => !/^[a-f0-9]{64}/.test(s))

describe('parseImageReference (properties)', () => {
  it('parses every reference the grammar generates, and its formatted form parses to the same reference', () => {
    fc.assert(
      fc.property(reference, (input) => {
        const ref = parseImageReference(input)
        const again = parseImageReference(formatImageReference(ref))
        expect(again).toEqual(ref)
        expect(formatImageReference(again)).toBe(formatImageReference(ref))
      }),
      {numRuns: 500},
    )
  })

  it('keeps the written tag and digest exactly', () => {
    fc.assert(
      fc.property(reference, (input) => {
        const ref = parseImageReference(input)
        const written = input.split('@')
        expect(ref.digest).toBe(written[1])
        expect(input.startsWith(ref.registry === 'docker.io' ? '' : ref.registry)).toBe(true)
      }),
      {numRuns: 300},
    )
  })

  it('either parses or throws InvalidImageReference on arbitrary text (never anything else)', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 80}), (input) => {
        try {
          const ref = parseImageReference(input)
          expect(parseImageReference(formatImageReference(ref)).repository).toBe(ref.repository)
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidImageReference)
        }
      }),
      {numRuns: 1000},
    )
  })
})
