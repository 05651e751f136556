/**
 * The provider rules of payment, commerce, messaging and email services (./rules.ts joins them, in order).
 */
import {B, E, rx, type SecretRule} from './rule-model.js'

export const SERVICE_RULES: readonly SecretRule[] = [
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
]
