import {createHash, createHmac, type Hash, type Hmac} from 'node:crypto'
import {SignatureV4} from '@smithy/signature-v4'
import type {RetryPolicy} from '../../../../../core/retry.js'
import {redact} from '../../../../../core/secrets.js'
import {getJson, transportOf} from '../../../../../effects/http-json.js'

/**
 * AWS CodeCommit and the Resource Groups Tagging API (described by AWS's Smithy models, both awsJson1_1: `POST /` with
 * `X-Amz-Target: <service>.<Operation>` and a JSON body, signed with SigV4), the calls Argo CD's
 * `scmProvider.awsCodeCommit` makes through aws-sdk-go-v2 (codecommit v1.34.4, resourcegroupstaggingapi v1.33.3):
 * ListRepositories and GetResources (one page each call: the caller follows nextToken / PaginationToken, as
 * aws_codecommit.go loops), GetRepository, ListBranches and GetFolder. A member is sent only when it is set, as the
 * SDK serializes a nil pointer. A failure is the SDK's OperationError: `operation error <Service>: <Operation>, https
 * response error StatusCode: <n>, RequestID: <id>, <Code>: <message>` with the error code as the protocol carries it
 * (X-Amzn-ErrorType, else the body's `__type` or `code`, its namespace and `:…` suffix dropped).
 */
export const CODECOMMIT_SERVICE = {name: 'CodeCommit', target: 'CodeCommit_20150413', signing: 'codecommit'}
export const TAGGING_SERVICE = {
  name: 'Resource Groups Tagging API',
  target: 'ResourceGroupsTaggingAPI_20170126',
  signing: 'tagging',
}
type Service = typeof CODECOMMIT_SERVICE

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** One awsJson1_1 failure: the SDK's OperationError, its error code apart (GetFolder's not-found codes are read). */
export class AwsApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(redact(message))
    this.name = 'AwsApiError'
  }
}

export interface AwsCodeCommitClientOptions {
  /** The CodeCommit endpoint (https://codecommit.<region>.amazonaws.com). */
  codecommitUrl: string
  /** The tagging endpoint (https://tagging.<region>.amazonaws.com). */
  taggingUrl: string
  region: string
  credentials: AwsCredentials
  retryPolicy?: RetryPolicy
  timeoutMs?: number
  fetch?: typeof fetch
}

export type AwsCall = (service: Service, operation: string, input: Record<string, unknown>) => Promise<unknown>

/** The client: every call one signed request, its answer the decoded output (a failure an AwsApiError). */
export function createAwsCodeCommitClient(options: AwsCodeCommitClientOptions): AwsCall {
  const signers = new Map<string, SignatureV4>()
  const signer = (service: Service) => {
    let s = signers.get(service.signing)
    if (s === undefined) {
      s = new SignatureV4({
        credentials: options.credentials,
        region: options.region,
        service: service.signing,
        sha256: NodeSha256,
      })
      signers.set(service.signing, s)
    }
    return s
  }
  return async (service, operation, input) => {
    const url = new URL(service === CODECOMMIT_SERVICE ? options.codecommitUrl : options.taggingUrl)
    const body = JSON.stringify(input)
    const signed = await signer(service).sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? {port: Number(url.port)} : {}),
      path: url.pathname === '' ? '/' : url.pathname,
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${service.target}.${operation}`,
      },
      body,
    })
    const {host: _host, ...headers} = signed.headers as Record<string, string>
    const answer = await getJson(url.toString(), {
      headers,
      body,
      ...transportOf(options),
    })
    if (answer.status === 200) return answer.body ?? {}
    const code = errorCode(answer.headers.get('x-amzn-errortype'), answer.body)
    const b = (answer.body ?? {}) as Record<string, unknown>
    const message = String(b.message ?? b.Message ?? '')
    const requestId = answer.headers.get('x-amzn-requestid') ?? ''
    throw new AwsApiError(
      `operation error ${service.name}: ${operation}, https response error StatusCode: ${answer.status}, RequestID: ${requestId}, ${code}: ${message}`,
      code,
    )
  }
}

/** The awsJson1_1 error code: the header, else `__type` / `code`; `ns#Code:uri` read as `Code`. */
function errorCode(header: string | null, body: unknown): string {
  const b = (body ?? {}) as Record<string, unknown>
  const raw = header ?? (typeof b.__type === 'string' ? b.__type : typeof b.code === 'string' ? b.code : 'UnknownError')
  const noSuffix = raw.split(':')[0] ?? raw
  return noSuffix.slice(noSuffix.lastIndexOf('#') + 1)
}

type SourceData = string | ArrayBuffer | ArrayBufferView
const bytes = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data)

/** SHA-256 (an HMAC with a secret) over node:crypto, as the signer's hash constructor. */
export class NodeSha256 {
  private hash: Hash | Hmac
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh()
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data))
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest())
  }
  reset(): void {
    this.hash = this.fresh()
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret))
  }
}
