import {floatingInText, judgeImage, literalImageRef, type ImageFinding} from './findings.js'

/**
 * Dockerfile rules: `FROM` with a floating tag or neither tag nor digest fails; `FROM` with a version tag
 * but no digest warns; `COPY --from=<image>` is judged like an image. Stage names, `scratch` and
 * ARG-substituted references whose ARG has no default are not judged. Comments are ignored.
 */
export function scanDockerfile(text: string): ImageFinding[] {
  const out: ImageFinding[] = []
  const stages = new Set<string>()
  const args = new Map<string, string>()
  const lines = text.split('\n')
  for (let k = 0; k < lines.length; k++) {
    const startLine = k + 1
    let instruction = lines[k].replace(/\r$/, '')
    if (/^\s*#/.test(instruction)) continue
    // Join continuation lines (a trailing backslash), skipping comment lines inside.
    while (/\\\s*$/.test(instruction) && k + 1 < lines.length) {
      k++
      const next = lines[k].replace(/\r$/, '')
      if (/^\s*#/.test(next)) continue
      instruction = instruction.replace(/\\\s*$/, ' ') + next
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(instruction)
    if (!m) continue
    const keyword = m[1].toUpperCase()
    const rest = m[2]
    const column = (offsetInLine: number) => ({line: startLine, column: offsetInLine + 1})
    if (keyword === 'ARG') {
      for (const decl of rest.trim().split(/\s+/)) {
        const [name, ...value] = decl.split('=')
        if (value.length > 0) args.set(name, value.join('=').replace(/^["']|["']$/g, ''))
      }
      continue
    }
    if (keyword === 'FROM') {
      const words = rest
        .trim()
        .split(/\s+/)
        .filter((w) => !w.startsWith('--'))
      const raw = words[0]
      if (!raw) continue
      if (words[1]?.toUpperCase() === 'AS' && words[2]) stages.add(words[2].toLowerCase())
      const image = substitute(raw, args)
      if (image === null || image === 'scratch' || stages.has(image.toLowerCase())) continue
      const at = column(instruction.indexOf(raw))
      const finding = judgeImage(image, at, 'in FROM')
      if (finding) {
        out.push(finding)
        continue
      }
      const ref = literalImageRef(image)
      if (ref && ref.tag && !ref.digest) {
        out.push({
          ...at,
          rule: 'unpinned-base-image',
          severity: 'warning',
          message: `Base image ${JSON.stringify(image)} has a version tag but no digest; a tag can be re-pushed.`,
          hint: `Pin it: FROM ${image}@sha256:<digest> (e.g. from \`docker buildx imagetools inspect ${image}\`).`,
        })
      }
      continue
    }
    if (keyword === 'COPY' || keyword === 'ADD' || keyword === 'RUN') {
      const from = /--from=(\S+)/.exec(rest)
      if (from && keyword !== 'RUN') {
        const image = substitute(from[1], args)
        if (image !== null && !stages.has(image.toLowerCase()) && !/^\d+$/.test(image)) {
          const finding = judgeImage(image, column(instruction.indexOf(from[1])), 'in COPY --from')
          if (finding) out.push(finding)
        }
      }
      for (const f of floatingInText(instruction, (c) => column(c - 1), `in ${keyword}`)) out.push(f)
    }
  }
  return out
}

/** Replaces $VAR / ${VAR} with ARG defaults; null when one has no default. */
function substitute(value: string, args: Map<string, string>): string | null {
  let unresolved = false
  const out = value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, a, dflt, b) => {
      const name = a ?? b
      const v = args.get(name) ?? dflt
      if (v === undefined) unresolved = true
      return v ?? ''
    },
  )
  return unresolved ? null : out
}
