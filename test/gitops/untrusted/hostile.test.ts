// gitops verify on hostile input, through the built CLI: every input ends in a finding (or a listed Helm template),
// never a pass of what was not read, never INTERNAL_ERROR, never a hang. docs/reliability.md ("Hostile input")
// points at each case here.
import {execa} from 'execa'
import {randomBytes} from 'node:crypto'
import {chmod, mkdir, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CLI, runCli} from '../../support/cli.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'

type Finding = {rule: string; file: string; line: number; column: number; message: string}
type Result = {
  summary: string
  findings: Finding[]
  counts: Record<string, number>
  files: {checked: number; skipped: Array<{file: string; reason: string}>}
}

const ENV = 'sources/values/env/staging'
const DIGEST = 'a'.repeat(64)

/** The alias bomb of the issue: nine levels of nine aliases (9^9 nodes once expanded). */
const aliasBomb = () => {
  const lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    )
  return `${lines.join('\n')}\n`
}

/** Files (path → bytes) written into a fresh git repository; not committed (the gate reads the work tree). */
async function treeOf(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await makeTempDir('ameide-gitops-hostile-')
  await initGitRepo(dir)
  for (const [file, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), {recursive: true})
    await writeFile(path.join(dir, file), bytes)
  }
  return dir
}

const verify = async (root: string, extra: string[] = []) => {
  const run = await runCli(['gitops', 'verify', '--json', '--root', root, ...extra], {timeoutMs: 60_000})
  const result = run.json<Result>()
  assertMatchesSchema('gitops-verify.schema.json', result)
  return {run, result}
}
const rulesAt = (r: Result, file: string) => r.findings.filter((f) => f.file === file).map((f) => f.rule)
const messageAt = (r: Result, file: string) => r.findings.find((f) => f.file === file)?.message ?? ''

afterAll(runCleanups)

describe('gitops verify fails closed on hostile files in an overlay', () => {
  let root: string
  let run: Awaited<ReturnType<typeof verify>>['run']
  let result: Result
  beforeAll(async () => {
    root = await treeOf({
      [`${ENV}/bomb.yaml`]: aliasBomb(),
      [`${ENV}/deep-flow.yaml`]: `x: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
      [`${ENV}/deep-block.yaml`]: `image: nginx:1.0\n${Array.from({length: 1000}, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} x\n`,
      [`${ENV}/random.yaml`]: Buffer.concat([Buffer.from('key: [\n'), randomBytes(4096)]),
      [`${ENV}/nul.yaml`]: Buffer.from('image: nginx:1.0\u0000\n'),
      [`${ENV}/bad-utf8.yaml`]: Buffer.concat([
        Buffer.from('image: reg.io/ngi'),
        Buffer.from([0xff]),
        Buffer.from('nx:1.0\n'),
      ]),
      [`${ENV}/bom.yaml`]: Buffer.from('\ufeffimage: nginx:1.0\n'),
      [`${ENV}/crlf.yaml`]: 'a: 1\r\nimage: nginx:1.0\r\n',
      [`${ENV}/next-line.yaml`]: 'image:\n  nginx:1.0\n',
      [`${ENV}/long-line.yaml`]: `image: "${'a'.repeat(3 * 1024 * 1024)}"\n`,
      [`${ENV}/dir.yaml/inner.yaml`]: `image: reg.io/app:1.0@sha256:${DIGEST}\n`,
      // Helm templates stay skipped and listed: under templates/, or holding a template action.
      [`${ENV}/chart/templates/deployment.yaml`]: '{{- if .Values.enabled }}\nkind: ConfigMap\n{{- end }}\n',
      [`${ENV}/apps/templated.yaml`]: 'image: nginx:1.0\n{{- with .Values.extra }}\nextra: {{ . }}\n{{- end }}\n',
      // A template action only in a comment does not make random text a template.
      [`${ENV}/comment-template.yaml`]: '# {{ .Values.x }}\nkey: [unclosed\n',
    })
    await mkdir(path.join(root, `${ENV}/fifo-dir`))
    await execa('mkfifo', [path.join(root, `${ENV}/fifo.yaml`)])
    await symlink('loop-b.yaml', path.join(root, `${ENV}/loop-a.yaml`))
    await symlink('loop-a.yaml', path.join(root, `${ENV}/loop-b.yaml`))
    // A link to a folder where checked files could be; a link to a file that is no YAML is nothing the gate reads.
    await symlink('dir.yaml', path.join(root, `${ENV}/linked`))
    await symlink('dir.yaml/inner.yaml', path.join(root, `${ENV}/notes.txt`))
    ;({run, result} = await verify(root))
  }, 120_000)

  it('exits 1 with a fail summary and no INTERNAL_ERROR', () => {
    expect(run.exitCode, run.stderr).toBe(1)
    expect(result.summary).toBe('fail')
    expect(run.stdout).not.toContain('INTERNAL_ERROR')
  })

  it.each([
    ['bomb.yaml', /aliases expand too far/],
    ['deep-flow.yaml', /nested deeper than 256 levels/],
    ['deep-block.yaml', /nested deeper than 256 levels/],
    ['random.yaml', /not valid YAML/],
    ['comment-template.yaml', /not valid YAML/],
    ['fifo.yaml', /a FIFO/],
    ['loop-a.yaml', /a symbolic link/],
    ['loop-b.yaml', /a symbolic link/],
    ['linked/', /a symbolic link to a folder/],
  ])('%s: unreadable-file, with the reason', (file, reason) => {
    expect(rulesAt(result, `${ENV}/${file}`)).toEqual(['unreadable-file'])
    expect(messageAt(result, `${ENV}/${file}`)).toMatch(reason)
  })

  it.each([
    ['nul.yaml', /a control character/],
    ['bad-utf8.yaml', /bytes that are not UTF-8/],
    ['long-line.yaml', /longer than 255 characters/],
  ])('%s: invalid-image-reference, with the reason', (file, reason) => {
    expect(rulesAt(result, `${ENV}/${file}`)).toEqual(['invalid-image-reference'])
    expect(messageAt(result, `${ENV}/${file}`)).toMatch(reason)
    // A huge value is cut in the message.
    expect(messageAt(result, `${ENV}/${file}`).length).toBeLessThan(400)
  })

  it('a BOM, CRLF and a value on the next line hide no reference from the prefilter', () => {
    const at = (file: string) =>
      result.findings.filter((f) => f.file === `${ENV}/${file}`).map((f) => `${f.line}:${f.column} ${f.rule}`)
    // The BOM is not a column.
    expect(at('bom.yaml')).toEqual(['1:8 image-not-pinned'])
    expect(at('crlf.yaml')).toEqual(['2:8 image-not-pinned'])
    expect(at('next-line.yaml')).toEqual(['2:3 image-not-pinned'])
  })

  it('a folder named x.yaml is walked (its pinned file passes); Helm templates are skipped and listed', () => {
    expect(rulesAt(result, `${ENV}/dir.yaml/inner.yaml`)).toEqual([])
    expect(rulesAt(result, `${ENV}/notes.txt`)).toEqual([])
    expect(result.files.skipped).toEqual([
      {file: `${ENV}/apps/templated.yaml`, reason: expect.stringMatching(/^Helm template, not valid YAML/)},
      {file: `${ENV}/chart/templates/deployment.yaml`, reason: expect.stringMatching(/^Helm template, not valid YAML/)},
    ])
  })

  it('human mode says the same, and the same tree gives byte-identical JSON', async () => {
    const human = await runCli(['gitops', 'verify', '--root', root], {timeoutMs: 60_000})
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toMatch(/Not checked: it is a FIFO.*\[unreadable-file\]/)
    expect((await verify(root)).run.stdout).toBe(run.stdout)
  })
})

describe('gitops verify: size limit and permissions', () => {
  it('a 15 MB values file with 300,000 references fails closed past gitopsPolicy.maxFileBytes, fast', async () => {
    const lines = ['images:']
    for (let i = 0; i < 300_000; i++) lines.push(`  - image: registry.example.com/svc-${i}:v1.${i}`)
    const root = await treeOf({[`${ENV}/big.yaml`]: `${lines.join('\n')}\n`})
    const {run, result} = await verify(root)
    expect(run.exitCode).toBe(1)
    expect(result.counts).toEqual({'unreadable-file': 1})
    expect(result.findings[0].message).toMatch(
      /^Not checked: it is \d+ bytes, over gitopsPolicy.maxFileBytes \(4194304\)/,
    )
  })

  it('gitopsPolicy.maxFileBytes is configurable: a lower limit refuses a file the default reads', async () => {
    const root = await treeOf({
      [`${ENV}/app.yaml`]: `# ${'x'.repeat(2000)}\nimage: reg.io/app:1.0@sha256:${DIGEST}\n`,
    })
    expect((await verify(root)).run.exitCode).toBe(0)
    await writeFile(path.join(root, 'ameide.yaml'), 'gitopsPolicy:\n  maxFileBytes: 1024\n')
    const {run, result} = await verify(root)
    expect(run.exitCode).toBe(1)
    expect(result.findings.map((f) => f.rule)).toEqual(['unreadable-file'])
  })

  it('a file and a folder the user may not read are findings, not a pass (run as an unprivileged user)', async () => {
    const root = await treeOf({
      [`${ENV}/secret.yaml`]: 'image: nginx:1.0\n',
      [`${ENV}/locked/app.yaml`]: 'image: nginx:1.0\n',
      [`${ENV}/ok.yaml`]: `image: reg.io/app:1.0@sha256:${DIGEST}\n`,
    })
    await chmod(path.dirname(root), 0o755)
    await execa('chmod', ['-R', 'a+rX', root])
    await chmod(path.join(root, `${ENV}/secret.yaml`), 0o000)
    await chmod(path.join(root, `${ENV}/locked`), 0o000)
    // Root reads anything: drop to nobody, as a CI runner's user would be (setpriv is part of util-linux).
    const cmd = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []
    const args = [...cmd, process.execPath, CLI, 'gitops', 'verify', '--json', '--root', root]
    const run = await execa(args[0], args.slice(1), {
      reject: false,
      env: {HOME: root, NO_COLOR: '1', CI: 'true'},
      timeout: 60_000,
    })
    await chmod(path.join(root, `${ENV}/locked`), 0o755)
    expect(run.exitCode, run.stderr).toBe(1)
    const result = JSON.parse(run.stdout) as Result
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.findings.map((f) => `${f.file} ${f.rule} ${f.message}`)).toEqual([
      `${ENV}/locked/ unreadable-file Not checked: the folder could not be listed (EACCES).`,
      `${ENV}/secret.yaml unreadable-file Not checked: it could not be opened (permission denied).`,
    ])
  })
})

describe('gitops verify: a hostile ameide.yaml is exit 3 CONFIG_INVALID', () => {
  it.each([
    ['an alias bomb', aliasBomb(), /not valid YAML: Excessive alias count/],
    ['20,000-deep nesting', `x: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, /not valid YAML: Maximum call stack/],
    ['random bytes', Buffer.concat([Buffer.from('a: [\n'), randomBytes(1024)]), /not valid YAML/],
    ['a FIFO (never read, no hang)', null, /is not a regular file/],
  ])('%s', async (_, bytes, message) => {
    const root = await treeOf(bytes === null ? {} : {'ameide.yaml': bytes})
    if (bytes === null) await execa('mkfifo', [path.join(root, 'ameide.yaml')])
    const run = await runCli(['gitops', 'verify', '--json', '--root', root], {timeoutMs: 30_000})
    expect(run.exitCode).toBe(3)
    const doc = run.json()
    assertMatchesSchema('error.schema.json', doc)
    expect(doc.error.code).toBe('CONFIG_INVALID')
    expect(doc.error.message).toMatch(message)
  })
})
