/**
 * The provider rules of code hosts, chat, cloud API keys, private keys, package registries and AI services (./rules.ts
 * joins them, in order).
 */
import {hasKeyBody, slackShaped, slackWebhookRandom, wellFormedJwt} from './validators.js'
import {B, E, rx, type SecretRule} from './rule-model.js'

export const INFRASTRUCTURE_RULES: readonly SecretRule[] = [
  // AWS: access key ids are 20 upper-case characters with a documented 4-character resource prefix.
  {
    id: 'aws-access-key-id',
    provider: 'AWS',
    what: 'an AWS access key id',
    keywords: ['akia', 'asia', 'abia', 'acca', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva', 'apka', 'a3t'],
    pattern: rx(`${B}((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|A3T[A-Z0-9])[A-Z0-9]{16})${E}`),
  },
  {
    id: 'aws-secret-access-key',
    provider: 'AWS',
    what: 'an AWS secret access key',
    keywords: ['aws'],
    pattern: rx(
      `aws.{0,20}?(?:secret|private)?.{0,20}?["']?\\s*(?:[:=]|:=|=>)\\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'i',
    ),
    body: 'whole',
  },
  {
    id: 'aws-bedrock-api-key',
    provider: 'AWS',
    what: 'an Amazon Bedrock API key',
    keywords: ['absk'],
    pattern: rx(`${B}(ABSK[A-Za-z0-9+/]{109,269}={0,2})(?![A-Za-z0-9+/=])`),
  },
  {
    // Short-lived keys: "bedrock-api-key-" + base64 of a presigned bedrock.amazonaws.com URL.
    id: 'aws-bedrock-api-key',
    provider: 'AWS',
    what: 'an Amazon Bedrock API key',
    keywords: ['bedrock-api-key-'],
    pattern: rx(`(bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%-]*)`),
    body: 'any',
  },
  // GitHub: ghp_ gho_ ghu_ ghs_ ghr_ + 36 base62 (30 random + a 6-character checksum); fine-grained PATs; the
  // installation tokens of GitHub Apps in their newer ghs_<id>_<JWT> form.
  {
    id: 'github-pat',
    provider: 'GitHub',
    what: 'a GitHub personal access token',
    keywords: ['ghp_'],
    pattern: rx(`${B}(ghp_[A-Za-z0-9]{36})${E}`),
  },
  {
    id: 'github-fine-grained-pat',
    provider: 'GitHub',
    what: 'a GitHub fine-grained personal access token',
    keywords: ['github_pat_'],
    pattern: rx(`${B}(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}|github_pat_[A-Za-z0-9_]{50,255})${E}`),
  },
  {
    id: 'github-oauth-token',
    provider: 'GitHub',
    what: 'a GitHub OAuth access token',
    keywords: ['gho_'],
    pattern: rx(`${B}(gho_[A-Za-z0-9]{36})${E}`),
  },
  {
    id: 'github-app-token',
    provider: 'GitHub',
    what: 'a GitHub App token',
    keywords: ['ghu_', 'ghs_'],
    pattern: rx(
      `${B}((?:ghu|ghs)_[A-Za-z0-9]{36}|ghs_[0-9]+_[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)(?![A-Za-z0-9_.-])`,
    ),
  },
  {
    id: 'github-refresh-token',
    provider: 'GitHub',
    what: 'a GitHub refresh token',
    keywords: ['ghr_'],
    pattern: rx(`${B}(ghr_[A-Za-z0-9]{36,76})${E}`),
  },
  // GitLab: glpat- and the other documented token prefixes, 20+ url-safe characters.
  {
    id: 'gitlab-token',
    provider: 'GitLab',
    what: 'a GitLab token',
    keywords: [
      'glpat-',
      'gldt-',
      'glptt-',
      'glrt-',
      'glcbt-',
      'glimt-',
      'glsoat-',
      'glffct-',
      'gloas-',
      'glagent-',
      'gr1348941',
    ],
    pattern: rx(
      `${B}((?:glpat|gldt|glrt|glcbt|glimt|glsoat|glffct|gloas|glagent)-[A-Za-z0-9_-]{20,}(?:\\.[0-9a-z]{2}\\.[0-9a-z]{9})?|glptt-[0-9a-f]{40}|GR1348941[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])`,
    ),
  },
  // Slack: xoxb- xoxp- xoxa- xoxr- xoxs- xoxe- (and xoxe.xoxp- config tokens), xapp- app-level tokens, webhooks.
  // Not xoxo- (a word in URLs).
  {
    id: 'slack-token',
    provider: 'Slack',
    what: 'a Slack token',
    keywords: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxe-', 'xoxe.', 'xapp-'],
    pattern: rx(
      `${B}((?:xox[abprs]-|xoxe\\.xox[bp]-|xoxe-)[0-9A-Za-z-]{10,}|xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+)(?![A-Za-z0-9-])`,
    ),
    body: 'any',
    validate: slackShaped,
  },
  {
    id: 'slack-webhook',
    provider: 'Slack',
    what: 'a Slack webhook URL',
    keywords: ['hooks.slack.com'],
    pattern: rx(`((?:https?://)?hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{40,})`),
    body: 'any',
    validate: slackWebhookRandom,
  },
  // Google: API keys are AIza + 35 url-safe characters.
  {
    id: 'google-api-key',
    provider: 'Google',
    what: 'a Google API key',
    keywords: ['aiza'],
    pattern: rx(`${B}(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'google-oauth-client-secret',
    provider: 'Google',
    what: 'a Google OAuth client secret',
    keywords: ['gocspx-'],
    pattern: rx(`${B}(GOCSPX-[A-Za-z0-9_-]{28})(?![A-Za-z0-9_-])`),
  },
  // Private keys: a PEM block with a body (a header alone is not a key), also inside a JSON string.
  {
    id: 'private-key',
    provider: 'PEM',
    what: 'a private key',
    keywords: ['private key'],
    pattern: rx(
      `(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]{0,10000}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:\\\\n|\\r?\\n)[A-Za-z0-9+/=\\\\\\r\\n]{64,})`,
    ),
    body: 'any',
    validate: hasKeyBody,
  },
  {
    id: 'age-secret-key',
    provider: 'age',
    what: 'an age secret key',
    keywords: ['age-secret-key-1'],
    pattern: rx(`${B}(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})${E}`),
  },
  {
    id: 'jwt',
    provider: 'JWT',
    what: 'a JSON Web Token',
    keywords: ['eyj'],
    pattern: rx(`${B}(eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}(?:\\.[A-Za-z0-9_-]*)?)(?![A-Za-z0-9_.-])`),
    validate: wellFormedJwt,
    body: 'any',
  },
  // Package registries.
  {
    id: 'npm-token',
    provider: 'npm',
    what: 'an npm access token',
    keywords: ['npm_'],
    pattern: rx(`${B}(npm_[A-Za-z0-9]{36})${E}`),
  },
  {
    id: 'pypi-token',
    provider: 'PyPI',
    what: 'a PyPI upload token',
    keywords: ['pypi-ageichlwas5vcmc'],
    pattern: rx(`${B}(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'rubygems-token',
    provider: 'RubyGems',
    what: 'a RubyGems API key',
    keywords: ['rubygems_'],
    pattern: rx(`${B}(rubygems_[a-f0-9]{48})${E}`),
  },
  {
    id: 'clojars-token',
    provider: 'Clojars',
    what: 'a Clojars deploy token',
    keywords: ['clojars_'],
    pattern: rx(`${B}(CLOJARS_[a-z0-9]{60})${E}`, 'i'),
  },
  {
    id: 'artifactory-token',
    provider: 'JFrog Artifactory',
    what: 'an Artifactory API key or reference token',
    keywords: ['akcp', 'cmvmdgtu'],
    pattern: rx(`${B}(AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56})${E}`),
  },
  // AI providers.
  {
    id: 'openai-api-key',
    provider: 'OpenAI',
    what: 'an OpenAI API key',
    keywords: ['t3blbkfj', 'sk-proj-', 'sk-svcacct-', 'sk-admin-'],
    pattern: rx(
      `${B}(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74}|sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{80,})(?![A-Za-z0-9_-])`,
    ),
  },
  {
    id: 'anthropic-api-key',
    provider: 'Anthropic',
    what: 'an Anthropic API key',
    keywords: ['sk-ant-'],
    pattern: rx(`${B}(sk-ant-(?:api|admin|sid)\\d\\d-[A-Za-z0-9_-]{80,100}AA)(?![A-Za-z0-9_-])`),
  },
  {
    id: 'huggingface-token',
    provider: 'Hugging Face',
    what: 'a Hugging Face access token',
    keywords: ['hf_', 'api_org_'],
    pattern: rx(`${B}((?:hf_|api_org_)[A-Za-z]{34})${E}`),
  },
  {
    id: 'groq-api-key',
    provider: 'Groq',
    what: 'a Groq API key',
    keywords: ['gsk_'],
    pattern: rx(`${B}(gsk_[A-Za-z0-9]{52})${E}`),
  },
  {
    id: 'perplexity-api-key',
    provider: 'Perplexity',
    what: 'a Perplexity API key',
    keywords: ['pplx-'],
    pattern: rx(`${B}(pplx-[A-Za-z0-9]{48})${E}`),
  },
]
