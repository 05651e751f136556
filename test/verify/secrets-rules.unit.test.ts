import {describe, expect, it} from 'vitest'

import {isSecretName} from '../../src/verify/secrets/generic.js'
import {isPlaceholder} from '../../src/verify/secrets/placeholders.js'
import {SECRET_RULES} from '../../src/verify/secrets/rules.js'
import {GENERIC_RULE, scanSecrets} from '../../src/verify/secrets/scan.js'

// Every token below is generated at run time from a seeded generator, so the file holds no secret-shaped
// literal and every run tests the same values.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = prng(20260101)
const LOWER = 'abcdefghijklmnopqrstuvwxyz'
const UPPER = LOWER.toUpperCase()
const DIGITS = '0123456789'
const ALNUM = LOWER + UPPER + DIGITS
const HEX = DIGITS + 'abcdef'
const B64 = ALNUM + '+/'
const URLSAFE = ALNUM + '_-'
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'
const r = (alphabet: string, n: number): string =>
  Array.from({length: n}, () => alphabet[Math.floor(rand() * alphabet.length)]).join('')
const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Each rule: values it must find (in a line of code) and values it must not. */
const EXAMPLES: Record<string, {found: string[]; notFound: string[]}> = {
  'aws-access-key-id': {
    found: ['AKIA' + r(UPPER + DIGITS, 16), 'ASIA' + r(UPPER + DIGITS, 16), 'A3TX' + r(UPPER + DIGITS, 16)],
    notFound: ['AKIA' + 'IOSFODNN7EXAMPLE', 'AKIA' + 'X'.repeat(16), 'AKIA' + r(UPPER, 15)],
  },
  'aws-secret-access-key': {
    found: [`aws_secret_access_key = "${r(B64, 40)}"`],
    notFound: [
      'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY' + 'EXAMPLEKEY"',
      `aws_region = "${r(LOWER, 9)}"`,
    ],
  },
  'aws-bedrock-api-key': {
    found: ['ABSK' + r(B64, 120), 'bedrock-api-key-' + 'YmVkcm9jay5hbWF6b25hd3MuY29t' + r(B64, 40)],
    notFound: ['ABSK' + r(B64, 20)],
  },
  'github-pat': {found: ['ghp_' + r(ALNUM, 36)], notFound: ['ghp_' + 'x'.repeat(36), 'ghp_' + r(ALNUM, 20)]},
  'github-fine-grained-pat': {
    found: ['github_pat_' + r(ALNUM, 22) + '_' + r(ALNUM, 59)],
    notFound: ['github_pat_' + 'x'.repeat(22) + '_' + 'x'.repeat(59)],
  },
  'github-oauth-token': {found: ['gho_' + r(ALNUM, 36)], notFound: ['gho_' + 'x'.repeat(36)]},
  'github-app-token': {
    found: [
      'ghs_' + r(ALNUM, 36),
      'ghu_' + r(ALNUM, 36),
      `ghs_${r(DIGITS, 8)}_${b64url({alg: 'RS256'})}.${b64url({iss: 1})}.${r(URLSAFE, 40)}`,
    ],
    notFound: ['ghs_' + 'x'.repeat(36)],
  },
  'github-refresh-token': {found: ['ghr_' + r(ALNUM, 76)], notFound: ['ghr_' + 'x'.repeat(36)]},
  'gitlab-token': {found: ['glpat-' + r(URLSAFE, 20), 'glrt-' + r(URLSAFE, 20)], notFound: ['glpat-' + 'x'.repeat(20)]},
  'slack-token': {
    found: [
      `xoxb-${r(DIGITS, 12)}-${r(DIGITS, 13)}-${r(ALNUM, 24)}`,
      `xoxp-${r(DIGITS, 12)}-${r(DIGITS, 12)}-${r(DIGITS, 12)}-${r(HEX, 32)}`,
    ],
    notFound: [
      'xoxb-' + '12345-abcd234',
      'xoxo-' + r(DIGITS, 6) + '-' + r(HEX, 20),
      'xoxe.xoxp-1-' + 'RANDOMSTRINGHERE',
    ],
  },
  'slack-webhook': {
    found: [`https://hooks.slack.com/services/T${r(UPPER + DIGITS, 10)}/B${r(UPPER + DIGITS, 10)}/${r(ALNUM, 24)}`],
    notFound: ['https://hooks.slack.com/services/' + 'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
  },
  'google-api-key': {found: ['AIza' + r(URLSAFE, 35)], notFound: ['AIza' + 'a'.repeat(35), 'AIza' + r(URLSAFE, 30)]},
  'google-oauth-client-secret': {found: ['GOCSPX-' + r(URLSAFE, 28)], notFound: ['GOCSPX-' + 'x'.repeat(28)]},
  'private-key': {
    found: [
      `-----BEGIN RSA PRIVATE KEY-----\n${r(B64, 64)}\n${r(B64, 64)}\n-----END RSA PRIVATE KEY-----`,
      `"private_key": "-----BEGIN PRIVATE KEY-----\\n${r(B64, 64)}\\n${r(B64, 40)}\\n-----END PRIVATE KEY-----\\n"`,
    ],
    notFound: [
      '-----BEGIN ' + 'PRIVATE KEY-----',
      '-----BEGIN ' + 'PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----',
    ],
  },
  'age-secret-key': {found: ['AGE-SECRET-KEY-1' + r(BECH32, 58)], notFound: ['AGE-SECRET-KEY-1' + 'Q'.repeat(58)]},
  jwt: {
    found: [`${b64url({alg: 'HS256', typ: 'JWT'})}.${b64url({sub: r(DIGITS, 10)})}.${r(URLSAFE, 43)}`],
    notFound: [
      `${b64url({typ: 'JWT'})}.${b64url({sub: '1'})}.${r(URLSAFE, 43)}`,
      `eyJ${r(ALNUM, 20)}.eyJ${r(ALNUM, 20)}.${r(URLSAFE, 20)}`,
    ],
  },
  'npm-token': {found: ['npm_' + r(ALNUM, 36)], notFound: ['npm_' + 'x'.repeat(36)]},
  'pypi-token': {found: ['pypi-AgEIcHlwaS5vcmc' + r(URLSAFE, 60)], notFound: ['pypi-' + r(URLSAFE, 60)]},
  'rubygems-token': {found: ['rubygems_' + r(HEX, 48)], notFound: ['rubygems_' + '0'.repeat(48)]},
  'clojars-token': {found: ['CLOJARS_' + r(LOWER + DIGITS, 60)], notFound: ['CLOJARS_' + 'x'.repeat(60)]},
  'artifactory-token': {found: ['AKCp' + r(ALNUM, 69)], notFound: ['AKCp' + 'x'.repeat(69)]},
  'openai-api-key': {
    found: [
      'sk-proj-' + r(URLSAFE, 40) + 'T3BlbkFJ' + r(URLSAFE, 40),
      'sk-' + r(ALNUM, 20) + 'T3BlbkFJ' + r(ALNUM, 20),
    ],
    notFound: ['sk-proj-' + 'x'.repeat(100)],
  },
  'anthropic-api-key': {
    found: ['sk-ant-api03-' + r(URLSAFE, 93) + 'AA'],
    notFound: ['sk-ant-api03-' + 'x'.repeat(93) + 'AA'],
  },
  'huggingface-token': {found: ['hf_' + r(LOWER + UPPER, 34)], notFound: ['hf_' + 'x'.repeat(34)]},
  'groq-api-key': {found: ['gsk_' + r(ALNUM, 52)], notFound: ['gsk_' + 'x'.repeat(52)]},
  'perplexity-api-key': {found: ['pplx-' + r(ALNUM, 48)], notFound: ['pplx-' + 'x'.repeat(48)]},
  'stripe-secret-key': {
    found: ['sk_live_' + r(ALNUM, 24), 'rk_test_' + r(ALNUM, 99)],
    notFound: ['sk_live_' + 'x'.repeat(24), 'pk_live_' + r(ALNUM, 24)],
  },
  'stripe-webhook-secret': {found: ['whsec_' + r(ALNUM, 32)], notFound: ['whsec_' + 'x'.repeat(32)]},
  'square-token': {
    found: ['sq0atp-' + r(URLSAFE, 22), 'EAAA' + r(URLSAFE, 60)],
    notFound: ['sq0atp-' + 'x'.repeat(22)],
  },
  'shopify-token': {found: ['shpat_' + r(HEX, 32), 'shpss_' + r(HEX, 32)], notFound: ['shpat_' + '0'.repeat(32)]},
  'shippo-token': {found: ['shippo_live_' + r(HEX, 40)], notFound: ['shippo_live_' + 'f'.repeat(40)]},
  'easypost-api-key': {found: ['EZAK' + r(ALNUM, 54)], notFound: ['EZAK' + 'x'.repeat(54)]},
  'duffel-token': {found: ['duffel_live_' + r(URLSAFE, 43)], notFound: ['duffel_live_' + 'x'.repeat(43)]},
  'sendgrid-api-key': {
    found: [`SG.${r(URLSAFE, 22)}.${r(URLSAFE, 43)}`],
    notFound: [`SG.${'x'.repeat(22)}.${'x'.repeat(43)}`],
  },
  'brevo-api-key': {
    found: [`xkeysib-${r(HEX, 64)}-${r(ALNUM, 16)}`],
    notFound: [`xkeysib-${'0'.repeat(64)}-${'x'.repeat(16)}`],
  },
  'mailgun-api-key': {found: ['key-' + r(HEX, 32)], notFound: ['key-' + '0'.repeat(32)]},
  'mailchimp-api-key': {found: [r(HEX, 32) + '-us12'], notFound: ['0'.repeat(32) + '-us12']},
  'twilio-api-key': {found: ['SK' + r(HEX, 32)], notFound: ['SK' + '0'.repeat(32)]},
  'telegram-bot-token': {
    found: [`${r(DIGITS, 10)}:AA${r(URLSAFE, 33)}`],
    notFound: [`${r(DIGITS, 10)}:AA${'x'.repeat(33)}`],
  },
  'discord-bot-token': {
    found: [`discord_bot = "M${r(URLSAFE, 23)}.${r(URLSAFE, 6)}.${r(URLSAFE, 27)}"`],
    notFound: [`discord_bot = "M${'x'.repeat(23)}.${'x'.repeat(6)}.${'x'.repeat(27)}"`],
  },
  'postman-api-key': {
    found: [`PMAK-${r(HEX, 24)}-${r(HEX, 34)}`],
    notFound: [`PMAK-${'0'.repeat(24)}-${'0'.repeat(34)}`],
  },
  'azure-storage-key': {found: [`AccountKey=${r(B64, 86)}==`], notFound: [`AccountKey=${'x'.repeat(86)}==`]},
  'azure-ad-client-secret': {found: [`${r(ALNUM, 3)}7Q~${r(URLSAFE, 31)}`], notFound: [`abc7Q~${'x'.repeat(31)}`]},
  'digitalocean-token': {found: ['dop_v1_' + r(HEX, 64)], notFound: ['dop_v1_' + '0'.repeat(64)]},
  'databricks-token': {found: ['dapi' + r(HEX, 32)], notFound: ['dapi' + '0'.repeat(32)]},
  'hashicorp-vault-token': {found: ['hvs.' + r(URLSAFE, 95)], notFound: ['hvs.' + 'x'.repeat(95)]},
  'terraform-cloud-token': {
    found: [`${r(ALNUM, 14)}.atlasv1.${r(URLSAFE, 67)}`],
    notFound: [`${'x'.repeat(14)}.atlasv1.${'x'.repeat(67)}`],
  },
  'pulumi-token': {found: ['pul-' + r(HEX, 40)], notFound: ['pul-' + '0'.repeat(40)]},
  'doppler-token': {found: ['dp.pt.' + r(ALNUM, 43)], notFound: ['dp.pt.' + 'x'.repeat(43)]},
  'flyio-token': {found: ['fo1_' + r(URLSAFE, 43)], notFound: ['fo1_' + 'x'.repeat(43)]},
  'supabase-token': {found: ['sbp_' + r(HEX, 40)], notFound: ['sbp_' + '0'.repeat(40)]},
  'planetscale-token': {found: ['pscale_tkn_' + r(ALNUM, 43)], notFound: ['pscale_tkn_' + 'x'.repeat(43)]},
  'alibaba-access-key-id': {found: ['LTAI' + r(ALNUM, 20)], notFound: ['LTAI' + 'x'.repeat(20)]},
  'yandex-cloud-token': {found: ['YC' + r(URLSAFE, 38)], notFound: ['YC' + 'x'.repeat(38)]},
  'openshift-token': {found: ['sha256~' + r(URLSAFE, 43)], notFound: ['sha256~' + 'x'.repeat(43)]},
  'sentry-token': {found: ['sntryu_' + r(HEX, 64)], notFound: ['sntryu_' + '0'.repeat(64)]},
  'grafana-token': {
    found: ['glc_' + r(ALNUM, 40), `glsa_${r(ALNUM, 32)}_${r(HEX, 8)}`],
    notFound: ['glc_' + 'x'.repeat(40)],
  },
  'new-relic-key': {found: ['NRAK-' + r(UPPER + DIGITS, 27)], notFound: ['NRAK-' + 'X'.repeat(27)]},
  'dynatrace-token': {
    found: [`dt0c01.${r(UPPER + DIGITS, 24)}.${r(UPPER + DIGITS, 64)}`],
    notFound: [`dt0c01.${'X'.repeat(24)}.${'X'.repeat(64)}`],
  },
  'linear-api-key': {found: ['lin_api_' + r(ALNUM, 40)], notFound: ['lin_api_' + 'x'.repeat(40)]},
  'atlassian-api-token': {found: ['ATATT3' + r(URLSAFE, 186)], notFound: ['ATATT3' + 'x'.repeat(186)]},
  'notion-token': {
    found: [`ntn_${r(DIGITS, 11)}${r(ALNUM, 35)}`],
    notFound: [`ntn_${'0'.repeat(11)}${'x'.repeat(35)}`],
  },
  'figma-token': {found: ['figd_' + r(URLSAFE, 40)], notFound: ['figd_' + 'x'.repeat(40)]},
  'heroku-api-key': {found: ['HRKU-AA' + r(URLSAFE, 58)], notFound: ['HRKU-AA' + 'x'.repeat(58)]},
  'prefect-api-key': {found: ['pnu_' + r(ALNUM, 36)], notFound: ['pnu_' + 'x'.repeat(36)]},
  'readme-api-key': {found: ['rdme_' + r(LOWER + DIGITS, 70)], notFound: ['rdme_' + 'x'.repeat(70)]},
  'scalingo-token': {found: ['tk-us-' + r(URLSAFE, 48)], notFound: ['tk-us-' + 'x'.repeat(48)]},
  'typeform-token': {found: ['tfp_' + r(URLSAFE, 59)], notFound: ['tfp_' + 'x'.repeat(59)]},
  'frameio-token': {found: ['fio-u-' + r(URLSAFE, 64)], notFound: ['fio-u-' + 'x'.repeat(64)]},
  'adobe-client-secret': {found: ['p8e-' + r(ALNUM, 32)], notFound: ['p8e-' + 'x'.repeat(32)]},
  '1password-service-account-token': {found: ['ops_eyJ' + r(B64, 300)], notFound: ['ops_eyJ' + 'x'.repeat(300)]},
  '1password-secret-key': {
    found: [
      `A3-${r(UPPER + DIGITS, 6)}-${r(UPPER + DIGITS, 11)}-${r(UPPER + DIGITS, 5)}-${r(UPPER + DIGITS, 5)}-${r(UPPER + DIGITS, 5)}`,
    ],
    notFound: ['A3-XXXXXX-XXXXXXXXXXX-XXXXX-XXXXX-XXXXX'],
  },
  'tailscale-key': {
    found: [`tskey-auth-${r(ALNUM, 12)}-${r(ALNUM, 24)}`],
    notFound: [`tskey-auth-${'A'.repeat(12)}-${'B'.repeat(24)}`],
  },
  'sourcegraph-token': {found: ['sgp_' + r(HEX, 40)], notFound: ['sgp_' + '0'.repeat(40)]},
  'docker-hub-token': {found: ['dckr_pat_' + r(URLSAFE, 27)], notFound: ['dckr_pat_' + 'x'.repeat(27)]},
  'sonarqube-token': {found: ['squ_' + r(HEX, 40)], notFound: ['squ_' + '0'.repeat(40)]},
  'twitter-bearer-token': {
    found: ['A'.repeat(22) + r(ALNUM, 20) + '%2B' + r(ALNUM, 40)],
    notFound: ['A'.repeat(60)],
  },
  'authorization-header': {
    found: [`curl -H "Authorization: Bearer ${r(URLSAFE, 32)}"`],
    notFound: ['curl -H "Authorization: Bearer ${TOKEN}"', 'Authorization: Bearer <token>'],
  },
  'curl-user-password': {
    found: [`curl -u admin:${r(ALNUM, 14)} https://api.internal`],
    notFound: ['curl -u admin:$PASSWORD https://x'],
  },
  'url-credentials': {
    found: [`postgres://orders:${r(ALNUM, 20)}@db.internal:5432/orders`],
    notFound: [
      'postgres://orders:password@localhost/orders',
      'https://user:pass@example.com',
      'postgres://orders:${DB_PASSWORD}@db/orders',
    ],
  },
}

const rulesOf = (line: string): string[] => scanSecrets(line).map((m) => m.rule)

describe('provider rules', () => {
  it('every rule in the table has examples here, and every example names a rule in the table', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual([...new Set(SECRET_RULES.map((r) => r.id))].sort())
  })

  for (const [id, {found, notFound}] of Object.entries(EXAMPLES)) {
    it(`${id}: finds its tokens at their exact offset and passes over its look-alikes`, () => {
      for (const token of found) {
        const line = token.includes(' ') ? token : `  value: "${token}"`
        const matches = scanSecrets(line)
        expect(
          matches.map((m) => m.rule),
          token.slice(0, 12),
        ).toContain(id)
        const match = matches.find((m) => m.rule === id)!
        expect(line.slice(match.offset, match.offset + match.value.length)).toBe(match.value)
      }
      for (const token of notFound) {
        const line = token.includes(' ') ? token : `  value: "${token}"`
        expect(rulesOf(line), token.slice(0, 24)).toEqual([])
      }
    })
  }
})

describe('the generic rule', () => {
  const ALPHABETS: Record<string, string> = {letters: LOWER + UPPER, alphanumeric: ALNUM, base64: B64, hex: HEX}
  const FORMS: Record<string, (name: string, value: string) => string> = {
    go: (n, v) => `var ${n} string = "${v}"`,
    goShort: (n, v) => `\t${n} := "${v}"`,
    python: (n, v) => `client = Client(${n}="${v}")`,
    ts: (n, v) => `const ${n}: string = '${v}'`,
    yaml: (n, v) => `  ${n}: ${v}`,
    env: (n, v) => `${n.toUpperCase()}=${v}`,
  }
  const NAMES = ['apiKey', 'stripeToken', 'db_password', 'clientSecret', 'accessKey', 'authToken', 'secret']

  it('finds 1,000 random values of each alphabet, 16 to 64 characters, assigned in Go, Python, TS, YAML and .env', () => {
    const missed: string[] = []
    for (const [alphabet, chars] of Object.entries(ALPHABETS)) {
      for (let i = 0; i < 1000; i++) {
        const value = r(chars, 16 + Math.floor(rand() * 49))
        const forms = Object.values(FORMS)
        const line = forms[i % forms.length](NAMES[i % NAMES.length], value)
        const matches = scanSecrets(line)
        if (!matches.some((m) => m.value === value)) missed.push(`${alphabet}: ${line}`)
      }
    }
    expect(missed).toEqual([])
  })

  it('passes over 1,000 placeholders and references', () => {
    const shapes = [
      () => 'x'.repeat(16 + Math.floor(rand() * 40)),
      () => '*'.repeat(8 + Math.floor(rand() * 20)),
      () => `<${r(LOWER, 4 + Math.floor(rand() * 10))}-${r(LOWER, 3)}>`,
      () => `\${${r(UPPER, 4 + Math.floor(rand() * 10))}_${r(UPPER, 3)}}`,
      () => `{{ .Values.${r(LOWER, 6)} }}`,
      () => `changeme${r(DIGITS, 2)}`,
      () => `your-api-key-${r(LOWER, 5)}`,
      () => `${r(LOWER, 6)}-example-${r(HEX, 8)}`,
      () => r('A', 1).repeat(24),
      () => `${r(LOWER, 3)}${r(LOWER, 3)}`.repeat(5),
    ]
    const flagged: string[] = []
    for (let i = 0; i < 1000; i++) {
      const value = shapes[i % shapes.length]()
      const forms = Object.values(FORMS)
      const line = forms[i % forms.length](NAMES[i % NAMES.length], value)
      if (scanSecrets(line).length > 0) flagged.push(line)
    }
    expect(flagged).toEqual([])
  })

  it('recognises secret-like names by their words, not by substrings', () => {
    for (const name of [
      'apiKey',
      'API_KEY',
      'db-password',
      'stripeToken',
      'password_super_secure',
      'token2',
      'AWS_SECRET_ACCESS_KEY',
      'user_auth',
    ])
      expect(isSecretName(name), name).toBe(true)
    for (const name of [
      'tokenURL',
      'secretName',
      'password_hint',
      'jsonwebtoken',
      'tokenizer',
      'io.jsonwebtoken',
      'primaryKey',
      'publicToken',
      'csrf-token',
      'keyId',
    ])
      expect(isSecretName(name), name).toBe(false)
  })

  it('judges placeholders by the whole value, never by a prefix', () => {
    for (const value of [
      'xxxxxxxxxxxxxxxx',
      'changeme',
      '<your-token>',
      '${DB_PASSWORD}',
      'AKIA' + 'IOSFODNN7EXAMPLE',
      'abcabcabcabc',
    ])
      expect(isPlaceholder(value), value).toBe(true)
    // Values that merely start like a placeholder are still judged as values.
    for (const value of ['x' + r(ALNUM, 31), 'test' + r(ALNUM, 28), 'none' + r(ALNUM, 28), 'secret' + r(ALNUM, 26)]) {
      expect(isPlaceholder(value), value).toBe(false)
      expect(rulesOf(`api_key = "${value}"`), value).toEqual([GENERIC_RULE.id])
    }
  })

  it('in source code counts only quoted values; in config a bare value counts too', () => {
    const value = r(ALNUM, 32)
    expect(scanSecrets(`apiKey = ${value}`, true)).toEqual([])
    expect(scanSecrets(`apiKey = "${value}"`, true).map((m) => m.rule)).toEqual([GENERIC_RULE.id])
    expect(scanSecrets(`API_KEY=${value}`, false).map((m) => m.rule)).toEqual([GENERIC_RULE.id])
    // Two arguments are not an assignment; two quoted strings are (setProperty("NAME", "value")).
    expect(scanSecrets(`client.prompt("Password", hide_input=True, x="${value}")`, true)).toEqual([])
    expect(scanSecrets(`System.setProperty("API_TOKEN", "${value}")`, true).map((m) => m.rule)).toEqual([
      GENERIC_RULE.id,
    ])
    const xml = `<settings>\n  <apiToken>\n    ${value}\n  </apiToken>\n</settings>`
    const [match] = scanSecrets(xml)
    expect(xml.slice(match.offset, match.offset + value.length)).toBe(value)
  })

  it('does not take comparisons, calls, expressions or words for assignments of secrets', () => {
    for (const line of [
      `if token == "${r(ALNUM, 32)}" {`,
      'password := os.Getenv("DB_PASSWORD")',
      'token = self.password_hash',
      'secretName := "orders-v1-credentials"',
      'api_key = "value with quotes and spaces"',
      'tokenURL := "https://oauth2.example.com/token"',
    ])
      expect(rulesOf(line), line).toEqual([])
  })
})
