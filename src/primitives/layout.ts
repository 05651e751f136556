import type {Kind} from './kinds.js'

/**
 * The files of each primitive kind: the single source of truth that `scaffold` generates from and
 * `verify`'s shape check reads. Each path is relative to `primitives/<kind>/<name>/`; its template is
 * `templates/<kind>/<path>.tmpl`.
 */
export type FileRole = 'runtime' | 'test' | 'build' | 'docs' | 'metadata' | 'migration' | 'fixture' | 'content'

export interface LayoutFile {
  path: string
  role: FileRole
  /** Must exist for `verify`'s shape check to pass. Optional files are generated but may be removed. */
  required: boolean
}

const common = (moduleFile: string): LayoutFile[] => [
  {path: 'README.md', role: 'docs', required: true},
  {path: 'catalog-info.yaml', role: 'metadata', required: true},
  {path: 'Dockerfile', role: 'build', required: true},
  {path: moduleFile, role: 'build', required: true},
]

const runtime = (path: string, required = true): LayoutFile => ({path, role: 'runtime', required})
const test = (path: string): LayoutFile => ({path, role: 'test', required: false})

export const LAYOUTS: Record<Kind, LayoutFile[]> = {
  domain: [
    ...common('go.mod'),
    runtime('cmd/main.go'),
    runtime('cmd/dispatcher/main.go'),
    runtime('internal/config/config.go'),
    runtime('internal/handlers/handlers.go'),
    runtime('internal/ports/outbox.go'),
    runtime('internal/ports/outbound.go'),
    runtime('internal/adapters/postgres/outbox.go'),
    runtime('internal/adapters/sdk/clients.go', false),
    runtime('internal/dispatcher/dispatcher.go'),
    {path: 'migrations/V1__domain_outbox.sql', role: 'migration', required: true},
    {path: 'migrations/Dockerfile', role: 'build', required: true},
    test('internal/handlers/handlers_test.go'),
    test('internal/dispatcher/dispatcher_test.go'),
  ],
  process: [
    ...common('go.mod'),
    {path: 'bpmn/process.bpmn', role: 'fixture', required: true},
    runtime('cmd/worker/main.go'),
    runtime('cmd/ingress/main.go'),
    runtime('internal/config/config.go'),
    runtime('internal/worker/registry.go'),
    runtime('internal/handlers/handlers.go'),
    runtime('internal/ingress/router.go'),
    runtime('internal/process/state.go'),
    test('internal/worker/registry_test.go'),
    test('internal/ingress/router_test.go'),
  ],
  projection: [
    ...common('go.mod'),
    runtime('cmd/main.go'),
    runtime('internal/config/config.go'),
    runtime('internal/handlers/handlers.go'),
    runtime('internal/ingest/ingest.go'),
    runtime('internal/ingest/checkpoint.go'),
    test('internal/tests/handlers_test.go'),
    test('internal/tests/checkpoint_test.go'),
  ],
  integration: [
    ...common('go.mod'),
    runtime('cmd/main.go'),
    runtime('internal/config/config.go'),
    runtime('internal/ports/ports.go'),
    runtime('internal/adapters/http/client.go'),
    runtime('internal/handlers/handlers.go'),
    test('internal/tests/handlers_test.go'),
    test('internal/tests/port_test.go'),
  ],
  agent: [
    ...common('pyproject.toml'),
    runtime('src/__init__.py'),
    runtime('src/config.py'),
    runtime('src/main.py'),
    runtime('src/agent.py'),
    {path: 'src/prompts/default.md', role: 'content', required: true},
    runtime('src/tools/__init__.py'),
    test('tests/__init__.py'),
    test('tests/test_agent.py'),
    test('tests/test_main.py'),
  ],
  uisurface: [
    ...common('package.json'),
    {path: 'tsconfig.json', role: 'build', required: true},
    runtime('src/config.ts'),
    runtime('src/server/server.ts'),
    runtime('src/server/routes/index.ts'),
    runtime('src/proto/index.ts'),
    test('tests/server.test.ts'),
  ],
}

/** Template file (relative to `templates/`) for a layout entry. */
export function templatePath(kind: Kind, file: LayoutFile): string {
  return `${kind}/${file.path}.tmpl`
}
