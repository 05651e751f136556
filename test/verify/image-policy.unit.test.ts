import {afterAll, describe, expect, it} from 'vitest'

import {runCleanups} from '../support/tmp.js'
import {primitiveWith, runCheck, where} from './helpers.js'

afterAll(runCleanups)

const P = 'primitives/domain/orders'
const DIGEST = `sha256:${'a'.repeat(64)}`

describe('image-policy', () => {
  it('Dockerfile: floating and untagged FROM fail, version tag without digest warns, stages/scratch/comments/ARG defaults handled', async () => {
    const repo = await primitiveWith('domain', 'orders', {
      Dockerfile: [
        '# FROM golang:latest in a comment is ignored',
        'ARG BASE=debian:main',
        'FROM golang:1.24 AS build',
        'FROM --platform=linux/amd64 ghcr.io/org/tool:dev AS tool',
        'FROM ${BASE}',
        'FROM alpine',
        `FROM gcr.io/distroless/static:nonroot@${DIGEST}`,
        'FROM build',
        'FROM scratch',
        'COPY --from=build /out /out',
        'COPY --from=nginx:latest /etc/nginx /etc/nginx',
      ].join('\n'),
    })
    const check = await runCheck(repo, 'domain', 'orders', 'image-policy')
    expect(check.status).toBe('fail')
    expect(where(check, P)).toEqual([
      'unpinned-base-image@Dockerfile:3',
      'floating-tag@Dockerfile:4',
      'floating-tag@Dockerfile:5',
      'untagged-image@Dockerfile:6',
      'floating-tag@Dockerfile:11',
    ])
    expect(check.findings[0].severity).toBe('warning')
  })

  it('a Dockerfile whose images all carry digests passes; one with only version tags warns', async () => {
    const pinned = await primitiveWith('domain', 'orders', {
      Dockerfile: `FROM golang:1.24@${DIGEST} AS build\nFROM scratch\n`,
    })
    expect((await runCheck(pinned, 'domain', 'orders', 'image-policy')).status).toBe('pass')
    const tagged = await primitiveWith('domain', 'orders', {Dockerfile: 'FROM golang:1.24\n'})
    expect((await runCheck(tagged, 'domain', 'orders', 'image-policy')).status).toBe('warn')
  })

  it('YAML: image values, tag: dev, pullPolicy Always fail; floating tags inside `manifests: |-` are reported at their line in the file', async () => {
    const repo = await primitiveWith('domain', 'orders', {
      'deploy/values.yaml': [
        'image:', //                                       1
        '  repository: ghcr.io/ameideio/orders', //         2
        '  tag: dev', //                                    3
        'sidecar:', //                                      4
        `  image: ghcr.io/ameideio/sidecar:1.2.3@${DIGEST}`, // 5
        'runner:', //                                       6
        '  image: "ghcr.io/ameideio/grpcurl-runner"', //    7
        '  imagePullPolicy: Always', //                     8
        'raw:', //                                          9
        '  manifests: |-', //                               10
        '    apiVersion: batch/v1', //                      11
        '    kind: Job', //                                 12
        '    spec:', //                                     13
        '      template:', //                               14
        '        spec:', //                                 15
        '          containers:', //                         16
        '            - name: smoke', //                     17
        '              image: ghcr.io/ameideio/grpcurl-runner:main', // 18
        '              pullPolicy: Always', //              19
        'notes: "run ghcr.io/x/y:latest by hand"', //        20
      ].join('\n'),
    })
    const check = await runCheck(repo, 'domain', 'orders', 'image-policy')
    expect(where(check, P)).toEqual([
      'floating-tag@deploy/values.yaml:3',
      'untagged-image@deploy/values.yaml:7',
      'pull-policy-always@deploy/values.yaml:8',
      'floating-tag@deploy/values.yaml:18',
      'pull-policy-always@deploy/values.yaml:19',
      'floating-tag@deploy/values.yaml:20',
    ])
    const embedded = check.findings.find((f) => f.line === 18)!
    expect(embedded.column).toBe(22)
    expect(embedded.message).toContain('grpcurl-runner:main')
  })

  it('YAML: block scalars nested twice, multi-document streams and JSON are parsed; a YAML bomb does not hang', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'image: bomb:latest',
    ].join('\n')
    const repo = await primitiveWith('domain', 'orders', {
      'a.yaml': [
        'outer: |',
        '  inner: |',
        '    image: nested:latest',
        '---',
        `image: ok:1@${DIGEST}`,
        '---',
        'image: second-doc:dev',
      ].join('\n'),
      'b.json': '{\n  "containers": [\n    {"image": "docker.io/library/nginx:latest"}\n  ]\n}\n',
      'bomb.yaml': bomb,
    })
    const check = await runCheck(repo, 'domain', 'orders', 'image-policy')
    expect(where(check, P)).toEqual([
      'floating-tag@a.yaml:3',
      'floating-tag@a.yaml:7',
      'floating-tag@b.json:3',
      'floating-tag@bomb.yaml:6',
    ])
  })

  it('string literals in source: manifests in Go raw strings and floating refs in TS/Python strings fail; comments do not', async () => {
    const repo = await primitiveWith('domain', 'orders', {
      'internal/job.go': [
        'package x',
        '',
        '// image: commented:latest',
        'const job = `',
        'spec:',
        '  image: busybox:latest',
        '`',
        'var fmt = "%s:latest"',
        '',
      ].join('\n'),
      'src/a.ts': "// 'node:latest'\nconst img = 'ghcr.io/ameideio/app:main'\n",
      'src/a.py': '# \'python:dev\'\nIMAGE = "python:dev"\n',
      'run.sh': 'docker run --rm redis:latest\n',
      'README.md': 'docker run nginx:latest\n',
    })
    const check = await runCheck(repo, 'domain', 'orders', 'image-policy')
    expect(where(check, P)).toEqual([
      'floating-tag@internal/job.go:6',
      'floating-tag@run.sh:1',
      'floating-tag@src/a.py:2',
      'floating-tag@src/a.ts:2',
    ])
  })

  it('a YAML file with digest-pinned images and IfNotPresent passes; Helm templates are scanned line by line', async () => {
    const ok = await primitiveWith('domain', 'orders', {
      'values.yaml': `image:\n  ref: ghcr.io/ameideio/orders:4f2a@${DIGEST}\nimagePullPolicy: IfNotPresent\ntag: v1.2.3\n`,
    })
    expect((await runCheck(ok, 'domain', 'orders', 'image-policy')).status).toBe('pass')
    const helm = await primitiveWith('domain', 'orders', {
      'templates/job.yaml':
        '{{- if .Values.enabled }}\nimage: {{ .Values.image }}\nother: {{ .Values.x }}:latest\nimage2Image: nginx:latest\n{{- end }}\n',
    })
    expect(where(await runCheck(helm, 'domain', 'orders', 'image-policy'), P)).toEqual([
      'floating-tag@templates/job.yaml:3',
      'floating-tag@templates/job.yaml:4',
    ])
  })
})

describe('naming', () => {
  it('warns (never fails) on CRUD verbs in domain handlers and proto RPCs, with a business-verb suggestion', async () => {
    const repo = await primitiveWith('domain', 'orders', {
      'internal/handlers/handlers.go':
        'package h\n\nfunc (h *Handlers) UpdateOrder(ctx context.Context) error { return nil }\nfunc (h *Handlers) PlaceOrder() {}\nfunc (h *Handlers) Settle() {}\nfunc helper() {}\n',
      'internal/handlers/handlers_test.go': 'package h\n\nfunc (s *suite) SetUp() {}\n',
      'proto/orders.proto':
        'service Orders {\n  rpc SetPrice(SetPriceRequest) returns (SetPriceResponse);\n  rpc Approve(A) returns (B);\n}\n',
    })
    const check = await runCheck(repo, 'domain', 'orders', 'naming')
    expect(check.status).toBe('warn')
    expect(where(check, P)).toEqual(['crud-verb@internal/handlers/handlers.go:3', 'crud-verb@proto/orders.proto:2'])
    expect(check.findings[0].hint).toContain('ReviseOrder')
    expect(check.findings.every((f) => f.severity === 'warning')).toBe(true)
  })

  it('reads the exported functions of handlers in any file under internal/handlers/, not only methods', async () => {
    const repo = await primitiveWith('process', 'billing', {
      'internal/handlers/billing/invoices.go':
        'package billing\n\nfunc ChangeInvoiceOwner(ctx context.Context) error { return nil }\nfunc Modify[T any](x T) {}\nfunc Changes() {}\nfunc updateCache() {}\nfunc SubmitInvoice() {}\n',
    })
    const check = await runCheck(repo, 'process', 'billing', 'naming')
    expect(where(check, 'primitives/process/billing')).toEqual([
      'crud-verb@internal/handlers/billing/invoices.go:3',
      'crud-verb@internal/handlers/billing/invoices.go:4',
    ])
    expect(check.findings[0].message).toContain('Handler ChangeInvoiceOwner starts with Change')
    expect(check.findings[0].hint).toContain('ReassignInvoiceOwner')
  })

  it('is skipped, with a reason, for kinds other than domain and process', async () => {
    const repo = await primitiveWith('agent', 'triage', {'src/a.py': ''})
    const check = await runCheck(repo, 'agent', 'triage', 'naming')
    expect(check.status).toBe('skip')
    expect(check.note).toContain('domain and process')
  })
})
