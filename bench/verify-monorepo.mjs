// Generates a synthetic monorepo for bench/verify: `count` primitives spread over the six kinds, each
// scaffolded from the real templates (dist/) plus synthetic source, YAML and docs up to ~100 files,
// with a few planted findings. Returns the number of files and bytes written.
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

const {KINDS, primitivePath} = await import('../dist/primitives/kinds.js')
const {LAYOUTS, templatePath} = await import('../dist/primitives/layout.js')
const {renderTemplateFile, templateVariables} = await import('../dist/scaffold/render.js')

const FILES_PER_PRIMITIVE = 100

const goFile = (pkg, i, module) =>
  `// Package ${pkg} holds synthetic code number ${i}.
package ${pkg}

import (
\t"context"
\t"fmt"
\t"strings"

\t"${module}/internal/ports"
)

// Handler${i} handles command ${i}. A comment mentioning "buf.build/gen/go" is not an import.
func Handler${i}(ctx context.Context, p ports.Outbound, in string) (string, error) {
\tif strings.TrimSpace(in) == "" {
\t\treturn "", fmt.Errorf("handler ${i}: empty input")
\t}
\tmsg := fmt.Sprintf("handled %s by ${i}", in)
\tfor j := 0; j < 3; j++ {
\t\tmsg += fmt.Sprint(j)
\t}
\treturn msg, nil
}
`
    .repeat(2)
    .replace(/\npackage [\s\S]*?\n\)\n/g, (m, off) => (off === 0 ? m : '\n'))

const tsFile = (i) =>
  `import {readFile} from 'node:fs/promises'
import type {Config} from '../config.js'

// import '@ameide/core-proto' in a comment is not an import
export async function route${i}(config: Config, file: string): Promise<string> {
  const text = await readFile(file, 'utf8')
  const re = /import\\('x'\\)/
  return \`\${config.surfaceName}:\${text.length}:\${re.source}\`
}
`
    .repeat(2)
    .replace(/\nimport [^\n]*\n/g, (m, off) => (off < 5 ? m : '\n'))

const pyFile = (i) =>
  `"""Synthetic module ${i}: from primitives.domain.x import y is only text."""

from __future__ import annotations

import json
from collections.abc import Mapping


def handle_${i}(payload: Mapping[str, str]) -> str:
    # import ameide_core_proto  (a comment)
    data = {key: value.strip() for key, value in payload.items()}
    return json.dumps(data, sort_keys=True)
`.repeat(2)

const yamlFile = (i, kind, name) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${kind}-${name}-${i}
data:
  key: value-${i}
  manifests: |-
    apiVersion: batch/v1
    kind: Job
    spec:
      template:
        spec:
          containers:
            - name: smoke
              image: ghcr.io/ameideio/runner:1.${i}.0@sha256:${'b'.repeat(64)}
              imagePullPolicy: IfNotPresent
`

export async function generateMonorepo(root, count) {
  let files = 0
  let bytes = 0
  const write = async (rel, content) => {
    const target = path.join(root, rel)
    await mkdir(path.dirname(target), {recursive: true})
    await writeFile(target, content)
    files++
    bytes += Buffer.byteLength(content)
  }
  for (let n = 0; n < count; n++) {
    const kind = KINDS[n % KINDS.length]
    const name = `p${String(n).padStart(3, '0')}`
    const dir = primitivePath(kind, name)
    const vars = templateVariables(kind, name)
    let written = 0
    for (const file of LAYOUTS[kind]) {
      await write(`${dir}/${file.path}`, await renderTemplateFile(templatePath(kind, file), vars))
      written++
    }
    for (let i = 0; written < FILES_PER_PRIMITIVE; i++, written++) {
      const slot = i % 5
      if (slot === 0) await write(`${dir}/deploy/config-${i}.yaml`, yamlFile(i, kind, name))
      else if (slot === 1)
        await write(
          `${dir}/docs/note-${i}.md`,
          `# Note ${i}\n\nSee the README. Image tags are pinned by digest.\n`.repeat(10),
        )
      else if (kind === 'agent') await write(`${dir}/src/gen_${i}.py`, pyFile(i))
      else if (kind === 'uisurface') await write(`${dir}/src/routes/r${i}.ts`, tsFile(i))
      else await write(`${dir}/internal/synthetic/s${i}.go`, goFile('synthetic', i, vars.goModule))
    }
    if (n % 50 === 7) await write(`${dir}/deploy/floating.yaml`, 'image: ghcr.io/ameideio/app:latest\n')
  }
  return {files, bytes}
}
