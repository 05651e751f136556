/**
 * The secrets check's provider rules: one row per token format, written from the provider's documented format
 * (prefix, length, alphabet). Adding a provider is adding a row here, its examples to
 * test/verify/secrets-rules.test.ts and its id to docs/commands/verify.md's rule table.
 *
 * - `keywords`: lower-case literals one of which every match contains; the scanner's one prefilter
 *   (./scan.ts) runs a rule only on a text holding one of them.
 * - `pattern`: capture group 1 is the secret (what is redacted and located).
 * - `body`: how much of the secret must look random (./random.ts) for a finding: `after-prefix` (default: the
 *   part after the rule's first keyword), `whole`, or `any` (the format alone is decisive, e.g. a PEM body).
 * - `validate`: a whole-secret test a regex cannot say, by name from ./validators.ts.
 *
 * Pure data: the rows, and the two token boundaries their patterns share.
 */
import {
  basicPasswordRandom,
  hasKeyBody,
  slackShaped,
  slackWebhookRandom,
  twitterBearerRandom,
  urlPasswordLiteral,
  wellFormedJwt,
} from './validators.js'

export interface SecretRule {
  id: string
  provider: string
  /** "a GitHub personal access token": what the finding's message calls it. */
  what: string
  keywords: string[]
  pattern: RegExp
  body?: 'after-prefix' | 'whole' | 'any'
  /** An extra whole-secret test (structure a regex cannot say, e.g. a JWT's decodable header). */
  validate?: (secret: string) => boolean
}

// Token boundaries: a token starts after, and ends before, a character that cannot continue it.
const B = '(?<![A-Za-z0-9_])'
const E = '(?![A-Za-z0-9_])'
const rx = (source: string, flags = ''): RegExp => new RegExp(source, 'gd' + flags)

export const SECRET_RULES: readonly SecretRule[] = [
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
  // Payments and commerce.
  {
    id: 'stripe-secret-key',
    provider: 'Stripe',
    what: 'a Stripe secret or restricted key',
    keywords: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'sk_prod_', 'rk_prod_'],
    pattern: rx(`${B}((?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247})${E}`),
  },
  {
    id: 'stripe-webhook-secret',
    provider: 'Stripe',
    what: 'a Stripe webhook signing secret',
    keywords: ['whsec_'],
    pattern: rx(`${B}(whsec_[A-Za-z0-9]{32,})${E}`),
  },
  {
    id: 'square-token',
    provider: 'Square',
    what: 'a Square access token or secret',
    keywords: ['sq0atp-', 'sq0csp-', 'eaaa'],
    pattern: rx(`${B}(sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_-]{60})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'shopify-token',
    provider: 'Shopify',
    what: 'a Shopify access token or shared secret',
    keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    pattern: rx(`${B}(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})${E}`),
  },
  {
    id: 'shippo-token',
    provider: 'Shippo',
    what: 'a Shippo API token',
    keywords: ['shippo_'],
    pattern: rx(`${B}(shippo_(?:live|test)_[a-fA-F0-9]{40})${E}`),
  },
  {
    id: 'easypost-api-key',
    provider: 'EasyPost',
    what: 'an EasyPost API key',
    keywords: ['ezak', 'eztk'],
    pattern: rx(`${B}((?:EZAK|EZTK)[A-Za-z0-9]{54})${E}`),
  },
  {
    id: 'duffel-token',
    provider: 'Duffel',
    what: 'a Duffel API token',
    keywords: ['duffel_'],
    pattern: rx(`${B}(duffel_(?:test|live)_[A-Za-z0-9_=-]{43})(?![A-Za-z0-9_=-])`),
  },
  // Messaging and email.
  {
    id: 'sendgrid-api-key',
    provider: 'SendGrid',
    what: 'a SendGrid API key',
    keywords: ['sg.'],
    pattern: rx(`${B}(SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'brevo-api-key',
    provider: 'Brevo (Sendinblue)',
    what: 'a Brevo API key',
    keywords: ['xkeysib-', 'xsmtpsib-'],
    pattern: rx(`${B}((?:xkeysib|xsmtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16})${E}`),
  },
  {
    id: 'mailgun-api-key',
    provider: 'Mailgun',
    what: 'a Mailgun API key',
    keywords: ['key-'],
    pattern: rx(`${B}((?:key|pubkey)-[a-f0-9]{32})${E}`),
  },
  {
    id: 'mailchimp-api-key',
    provider: 'Mailchimp',
    what: 'a Mailchimp API key',
    keywords: ['-us'],
    // Found from its literal `-us`, the key checked behind it.
    pattern: rx(`-us[0-9]{1,2}(?<=(?<![A-Za-z0-9_])([a-f0-9]{32})-us[0-9]{1,2})${E}`),
  },
  {
    id: 'twilio-api-key',
    provider: 'Twilio',
    what: 'a Twilio API key',
    keywords: ['sk'],
    pattern: rx(`${B}(SK[0-9a-fA-F]{32})${E}`),
  },
  {
    id: 'telegram-bot-token',
    provider: 'Telegram',
    what: 'a Telegram bot token',
    keywords: [':aa'],
    pattern: rx(`${B}([0-9]{5,16}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'discord-bot-token',
    provider: 'Discord',
    what: 'a Discord bot token',
    keywords: ['discord'],
    pattern: rx(
      `discord[\\s\\S]{0,80}?${B}([MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9_-])`,
      'i',
    ),
  },
  {
    id: 'postman-api-key',
    provider: 'Postman',
    what: 'a Postman API key',
    keywords: ['pmak-'],
    pattern: rx(`${B}(PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34})${E}`),
  },
  // Cloud and infrastructure.
  {
    id: 'azure-storage-key',
    provider: 'Azure',
    what: 'an Azure storage account key',
    keywords: ['accountkey='],
    pattern: rx(`AccountKey=([A-Za-z0-9+/]{86}==)`),
  },
  {
    id: 'azure-ad-client-secret',
    provider: 'Azure',
    what: 'an Azure AD (Entra ID) client secret',
    keywords: ['q~'],
    pattern: rx(`${B}([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])`),
  },
  {
    id: 'digitalocean-token',
    provider: 'DigitalOcean',
    what: 'a DigitalOcean token',
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: rx(`${B}(do[por]_v1_[a-f0-9]{64})${E}`),
  },
  {
    id: 'databricks-token',
    provider: 'Databricks',
    what: 'a Databricks access token',
    keywords: ['dapi'],
    pattern: rx(`${B}(dapi[a-f0-9]{32}(?:-\\d)?)${E}`),
  },
  {
    id: 'hashicorp-vault-token',
    provider: 'HashiCorp Vault',
    what: 'a Vault token',
    keywords: ['hvs.', 'hvb.'],
    pattern: rx(`${B}((?:hvs|hvb)\\.[A-Za-z0-9_-]{90,300})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'terraform-cloud-token',
    provider: 'HashiCorp Terraform',
    what: 'a Terraform Cloud API token',
    keywords: ['.atlasv1.'],
    pattern: rx(`${B}([A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70})(?![A-Za-z0-9_=-])`),
  },
  {
    id: 'pulumi-token',
    provider: 'Pulumi',
    what: 'a Pulumi access token',
    keywords: ['pul-'],
    pattern: rx(`${B}(pul-[a-f0-9]{40})${E}`),
  },
  {
    id: 'doppler-token',
    provider: 'Doppler',
    what: 'a Doppler token',
    keywords: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'],
    pattern: rx(`${B}(dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9_.-]{40,})(?![A-Za-z0-9_-])`, 'i'),
  },
  {
    id: 'flyio-token',
    provider: 'Fly.io',
    what: 'a Fly.io token',
    keywords: ['fo1_', 'fm1', 'fm2_'],
    pattern: rx(`${B}(fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})(?![A-Za-z0-9_+/=-])`),
  },
  {
    id: 'supabase-token',
    provider: 'Supabase',
    what: 'a Supabase access token',
    keywords: ['sbp_', 'sb_secret_'],
    pattern: rx(`${B}(sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{31,})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'planetscale-token',
    provider: 'PlanetScale',
    what: 'a PlanetScale token or password',
    keywords: ['pscale_'],
    pattern: rx(`${B}(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9=._-]{32,64})(?![A-Za-z0-9=._-])`),
  },
  {
    id: 'alibaba-access-key-id',
    provider: 'Alibaba Cloud',
    what: 'an Alibaba Cloud AccessKey id',
    keywords: ['ltai'],
    pattern: rx(`${B}(LTAI[A-Za-z0-9]{20})${E}`),
  },
  {
    id: 'yandex-cloud-token',
    provider: 'Yandex Cloud',
    what: 'a Yandex Cloud key or token',
    keywords: ['yc', 't1.', 'aqvn'],
    pattern: rx(
      `${B}(YC[A-Za-z0-9_-]{38}|t1\\.[A-Z0-9a-z_-]+={0,2}\\.[A-Z0-9a-z_-]{86}={0,2}|AQVN[A-Za-z0-9_-]{35,38})(?![A-Za-z0-9_=-])`,
    ),
  },
  {
    id: 'openshift-token',
    provider: 'OpenShift',
    what: 'an OpenShift user token',
    keywords: ['sha256~'],
    pattern: rx(`(sha256~[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])`),
  },
  // Monitoring and developer platforms.
  {
    id: 'sentry-token',
    provider: 'Sentry',
    what: 'a Sentry auth token',
    keywords: ['sntrys_', 'sntryu_'],
    pattern: rx(`${B}(sntrys_eyJ[A-Za-z0-9+/=_-]{60,}|sntryu_[a-f0-9]{64})(?![A-Za-z0-9+/=_-])`),
  },
  {
    id: 'grafana-token',
    provider: 'Grafana',
    what: 'a Grafana token',
    keywords: ['glc_', 'glsa_', 'eyjrijoi'],
    pattern: rx(
      `${B}(glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9]{70,400}={0,2})(?![A-Za-z0-9+/=_])`,
    ),
  },
  {
    id: 'new-relic-key',
    provider: 'New Relic',
    what: 'a New Relic API key',
    keywords: ['nrak-', 'nrii-', 'nrjs-'],
    pattern: rx(`${B}(NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'dynatrace-token',
    provider: 'Dynatrace',
    what: 'a Dynatrace API token',
    keywords: ['dt0c01.'],
    pattern: rx(`${B}(dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64})${E}`),
  },
  {
    id: 'linear-api-key',
    provider: 'Linear',
    what: 'a Linear API key',
    keywords: ['lin_api_'],
    pattern: rx(`${B}(lin_api_[A-Za-z0-9]{40})${E}`),
  },
  {
    id: 'atlassian-api-token',
    provider: 'Atlassian',
    what: 'an Atlassian API token',
    keywords: ['atatt3', 'atctt3'],
    pattern: rx(`${B}((?:ATATT|ATCTT)3[A-Za-z0-9_=-]{186})(?![A-Za-z0-9_=-])`),
  },
  {
    id: 'notion-token',
    provider: 'Notion',
    what: 'a Notion integration token',
    keywords: ['ntn_', 'secret_'],
    pattern: rx(`${B}(ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})${E}`),
  },
  {
    id: 'figma-token',
    provider: 'Figma',
    what: 'a Figma personal access token',
    keywords: ['figd_'],
    pattern: rx(`${B}(figd_[A-Za-z0-9_-]{40})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'heroku-api-key',
    provider: 'Heroku',
    what: 'a Heroku API key',
    keywords: ['hrku-'],
    pattern: rx(`${B}(HRKU-AA[0-9A-Za-z_-]{58})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'prefect-api-key',
    provider: 'Prefect',
    what: 'a Prefect API key',
    keywords: ['pnu_'],
    pattern: rx(`${B}(pnu_[A-Za-z0-9]{36})${E}`),
  },
  {
    id: 'readme-api-key',
    provider: 'ReadMe',
    what: 'a ReadMe API key',
    keywords: ['rdme_'],
    pattern: rx(`${B}(rdme_[a-z0-9]{70})${E}`),
  },
  {
    id: 'scalingo-token',
    provider: 'Scalingo',
    what: 'a Scalingo API token',
    keywords: ['tk-us-'],
    pattern: rx(`${B}(tk-us-[A-Za-z0-9_-]{48})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'typeform-token',
    provider: 'Typeform',
    what: 'a Typeform token',
    keywords: ['tfp_'],
    pattern: rx(`${B}(tfp_[A-Za-z0-9_.=-]{59})(?![A-Za-z0-9_.=-])`),
  },
  {
    id: 'frameio-token',
    provider: 'Frame.io',
    what: 'a Frame.io API token',
    keywords: ['fio-u-'],
    pattern: rx(`${B}(fio-u-[A-Za-z0-9_=-]{64})(?![A-Za-z0-9_=-])`),
  },
  {
    id: 'adobe-client-secret',
    provider: 'Adobe',
    what: 'an Adobe client secret',
    keywords: ['p8e-'],
    pattern: rx(`${B}(p8e-[A-Za-z0-9]{32})${E}`, 'i'),
  },
  {
    id: '1password-service-account-token',
    provider: '1Password',
    what: 'a 1Password service account token',
    keywords: ['ops_eyj'],
    pattern: rx(`${B}(ops_eyJ[A-Za-z0-9+/]{250,}={0,3})(?![A-Za-z0-9+/=])`),
  },
  {
    id: '1password-secret-key',
    provider: '1Password',
    what: 'a 1Password account secret key',
    keywords: ['a3-'],
    pattern: rx(
      `${B}(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})${E}`,
    ),
  },
  {
    id: 'tailscale-key',
    provider: 'Tailscale',
    what: 'a Tailscale API or auth key',
    keywords: ['tskey-'],
    pattern: rx(`${B}(tskey-(?:api|auth|client|webhook|scim)-[A-Za-z0-9]{8,}-[A-Za-z0-9]{16,})${E}`),
  },
  {
    id: 'sourcegraph-token',
    provider: 'Sourcegraph',
    what: 'a Sourcegraph access token',
    keywords: ['sgp_'],
    pattern: rx(`${B}(sgp_(?:[a-fA-F0-9]{16}_)?[a-fA-F0-9]{40})${E}`),
  },
  {
    id: 'docker-hub-token',
    provider: 'Docker',
    what: 'a Docker Hub personal access token',
    keywords: ['dckr_pat_', 'dckr_oat_'],
    pattern: rx(`${B}(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,})(?![A-Za-z0-9_-])`),
  },
  {
    id: 'sonarqube-token',
    provider: 'SonarQube',
    what: 'a SonarQube token',
    keywords: ['squ_', 'sqp_', 'sqa_'],
    pattern: rx(`${B}(sq[upa]_[a-f0-9]{40})${E}`),
  },
  {
    // App-only bearer tokens begin with a run of A's (a zero-padded id), then URL-encoded base64.
    id: 'twitter-bearer-token',
    provider: 'X (Twitter)',
    what: 'an X (Twitter) bearer token',
    keywords: ['aaaaaaaaaaaaaaaaaaaaa'],
    pattern: rx(`${B}(A{20,24}[A-Za-z0-9%]{30,150})(?![A-Za-z0-9%])`),
    body: 'any',
    validate: twitterBearerRandom,
  },
  // Credentials in HTTP: an Authorization header's value, curl's -u user:password.
  {
    id: 'authorization-header',
    provider: 'HTTP',
    what: 'a credential in an Authorization header',
    keywords: ['authorization'],
    pattern: rx(
      `authorization["']?\\s*[:=]\\s*["']?(?:bearer|basic|token|apikey)\\s+([A-Za-z0-9._~+/-]{12,}={0,2})`,
      'i',
    ),
    body: 'whole',
    validate: basicPasswordRandom,
  },
  {
    id: 'curl-user-password',
    provider: 'HTTP',
    what: 'a password passed to curl -u',
    keywords: ['curl'],
    pattern: rx(`curl\\b[^\\n]*?\\s(?:-u|--user)[\\s=]+["']?[^\\s:"']+:([^\\s"']{3,})`),
    body: 'whole',
  },
  // Credentials inside URLs and connection strings: scheme://user:password@host.
  {
    id: 'url-credentials',
    provider: 'URL',
    what: 'a password in a URL or connection string',
    keywords: ['://'],
    // The scheme is checked behind `://`, so the scan stops only at `://`, not at every letter.
    pattern: rx(`://(?<=[A-Za-z][A-Za-z0-9+.-]{0,30}://)[^\\s:@/"'\`]{1,100}:([^\\s:@/"'\`]{3,200})@[A-Za-z0-9.-]+`),
    body: 'whole',
    validate: urlPasswordLiteral,
  },
]

/** The rule table's fingerprint input: the ids and patterns, in order (a cache keyed on it is invalidated by any change). */
export const SECRET_RULES_SIGNATURE = SECRET_RULES.map((r) => `${r.id}=${r.pattern.source}`).join('\n')
