import {lstat} from 'node:fs/promises'
import path from 'node:path'

import {CANONICAL_LANGUAGE, type Kind, type Language, primitivePath} from '../primitives/kinds.js'
import {LAYOUTS, type LayoutFile, templatePath} from '../primitives/layout.js'
import type {BaseImages} from './base-images.js'
import {renderTemplateFile, templateVariables} from './render.js'

export type FileAction = 'create' | 'skip'

export interface PlannedFile {
  /** Repo-relative path, with forward slashes. */
  path: string
  action: FileAction
  role: LayoutFile['role']
  content: string
}

export interface ScaffoldPlan {
  kind: Kind
  name: string
  language: Language
  /** Repo-relative folder of the primitive. */
  path: string
  files: PlannedFile[]
  nextSteps: string[]
}

/**
 * Plans a scaffold: renders every file of the kind's layout and marks each `create`, or `skip`
 * when something (a file, a directory, a symlink) already stands at that path. Reads only.
 */
export async function planScaffold(
  repoRoot: string,
  kind: Kind,
  name: string,
  images?: BaseImages,
): Promise<ScaffoldPlan> {
  const variables = templateVariables(kind, name, images)
  const folder = primitivePath(kind, name)
  const files = await Promise.all(
    LAYOUTS[kind].map(async (file): Promise<PlannedFile> => {
      const repoPath = `${folder}/${file.path}`
      const exists = await lstat(path.join(repoRoot, repoPath)).then(
        () => true,
        () => false,
      )
      return {
        path: repoPath,
        action: exists ? 'skip' : 'create',
        role: file.role,
        content: await renderTemplateFile(templatePath(kind, file), variables),
      }
    }),
  )
  return {kind, name, language: CANONICAL_LANGUAGE[kind], path: folder, files, nextSteps: nextSteps(kind, name)}
}

function nextSteps(kind: Kind, name: string): string[] {
  const folder = primitivePath(kind, name)
  const language = CANONICAL_LANGUAGE[kind]
  const build: Record<Language, string[]> = {
    go: [`go work use ./${folder}`, `(cd ${folder} && go mod tidy && go test ./...)  # RED until implemented`],
    python: [`(cd ${folder} && python3 -m pip install -e '.[test]' && python3 -m pytest)  # RED until implemented`],
    typescript: [`(cd ${folder} && npm install && npm test)  # RED until implemented`],
  }
  return [
    ...build[language],
    `Implement the handlers until the tests pass, replacing every AMEIDE_SCAFFOLD marker with real assertions.`,
    `ameide primitive verify --kind ${kind} --name ${name}`,
    `ameide primitive gitops scaffold --kind ${kind} --name ${name} --version v0`,
  ]
}
