/** An app's webhook signing secrets, sealed in its row (`apps.secret_enc`, `std_webhook_secret_enc`). */
import type { SecretBox } from '../../crypto/secret-box.js';

/** The secrets that sign an app's webhooks: its app secret and, when turned on, its Standard Webhooks secret. */
export interface WebhookSecrets {
  appSecret: string;
  standardSecret: string | null;
}

/** The sealed columns as read with the app's row (the delivery worker's claim reads them with its lock). */
export interface SealedWebhookSecrets {
  secret_enc: string;
  std_webhook_secret_enc: string | null;
}

/** Opens an app's sealed webhook secrets. */
export function openWebhookSecrets(secrets: SecretBox, appId: string, sealed: SealedWebhookSecrets): WebhookSecrets {
  return {
    appSecret: secrets.open(sealed.secret_enc, `app-secret:${appId}`),
    standardSecret:
      sealed.std_webhook_secret_enc === null
        ? null
        : secrets.open(sealed.std_webhook_secret_enc, `std-webhook-secret:${appId}`),
  };
}
