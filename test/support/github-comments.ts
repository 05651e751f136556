/**
 * Pull-request comments for the fake GitHub (./github-server.ts): list (paginated), create, update, delete, each
 * answered as GitHub answers it and checked by the server against the OpenAPI description; a job's token
 * permissions (`permissions:` of a workflow job) decide what it may do, as GitHub's GITHUB_TOKEN does: reading needs
 * `pull-requests` or `issues` read, writing needs write; a token edits or deletes only its own comments.
 */
import type {GitHubSpec} from './github-openapi.js'

type Json = Record<string, any>

export type JobPermissions = Partial<Record<'contents' | 'pull-requests' | 'issues' | 'actions', 'read' | 'write'>>

export interface CommentRecord {
  id: number
  issue: number
  body: string
  login: string
}

interface Answer {
  status: number
  body?: unknown
}

const denied: Answer = {
  status: 403,
  body: {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest/issues/comments',
    status: '403',
  },
}

export class FakeComments {
  readonly comments: CommentRecord[] = []
  private nextId = 5_000_001

  constructor(
    private readonly spec: GitHubSpec,
    private readonly login: string,
    private readonly permissions?: JobPermissions,
  ) {}

  /** A comment someone else wrote (a reviewer, another bot). */
  seed(issue: number, body: string, login: string): CommentRecord {
    const c = {id: this.nextId++, issue, body, login}
    this.comments.push(c)
    return c
  }

  private may(level: 'read' | 'write'): boolean {
    if (!this.permissions) return true
    const ok = (p: 'read' | 'write' | undefined) => p === 'write' || (p === 'read' && level === 'read')
    return ok(this.permissions['pull-requests']) || ok(this.permissions.issues)
  }

  /** The answer to a comments operation, or undefined for any other operation. */
  answer(operationId: string, params: Record<string, string>, query: Record<string, string>, body: Json, base: string) {
    const json = (c: CommentRecord) => this.json(c, base, params)
    switch (operationId) {
      case 'issues/list-comments': {
        if (!this.may('read')) return denied
        const perPage = Math.min(Number(query.per_page ?? 30), 100)
        const page = Number(query.page ?? 1)
        const list = this.comments.filter((c) => c.issue === Number(params.issue_number))
        return {status: 200, body: list.slice((page - 1) * perPage, page * perPage).map(json)}
      }
      case 'issues/create-comment': {
        if (!this.may('write')) return denied
        const c = this.seed(Number(params.issue_number), String(body.body), this.login)
        return {status: 201, body: json(c)}
      }
      case 'issues/update-comment':
      case 'issues/delete-comment': {
        const c = this.comments.find((x) => x.id === Number(params.comment_id))
        if (!c) return {status: 404, body: {message: 'Not Found', documentation_url: 'https://docs.github.com/rest'}}
        if (!this.may('write') || c.login !== this.login) return denied
        if (operationId === 'issues/delete-comment') {
          this.comments.splice(this.comments.indexOf(c), 1)
          return {status: 204}
        }
        c.body = String(body.body)
        return {status: 200, body: json(c)}
      }
      default:
        return undefined
    }
  }

  private json(c: CommentRecord, base: string, params: Record<string, string>): Json {
    const ex = this.spec.example('issue-comment') as Json
    const repo = `${base}/repos/${params.owner}/${params.repo}`
    return {
      ...ex,
      id: c.id,
      node_id: Buffer.from(`comment:${c.id}`).toString('base64'),
      url: `${repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${params.owner}/${params.repo}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${repo}/issues/${c.issue}`,
      body: c.body,
      user: {...ex.user, login: c.login, type: c.login.endsWith('[bot]') ? 'Bot' : 'User'},
    }
  }
}
