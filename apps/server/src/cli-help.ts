/** The `confide` command's help text (`confide help`). */
import { WEBHOOK_HELP } from './features/webhooks/cli-commands.js';

export const HELP = `confide — the Confide hub

Usage:
  confide start [--port 8080] [--host 127.0.0.1] [--data-dir ./data] [--database-url postgres://…] [--demo]
      Run the hub. --demo seeds the demo businesses and customers and prints their logins.
  confide migrate
      Apply pending database migrations and exit.
  confide page create --name NAME --category bank|merchant [--description TEXT]
                      [--privacy-policy-url URL] [--webhook-url URL --verify-token TOKEN] [--json]
      Create a business page with its app; prints page_id, app_id, app_secret, page_access_token.
  confide page token create --page ID [--json]      Issue another page access token (rotation).
  confide page token revoke --page ID --token-id ID Revoke one token.
  confide page declare --page ID --category C --purpose TEXT [--json]
      Declare a category of proactive update the page sends (balances, transactions, fraud_alerts,
      receipts, shipping, events) and why; customers read the purpose when asked for consent.
${WEBHOOK_HELP}  confide customer create --username U --password P [--json]
      Create a customer account.
  confide agent create --page ID --username U --password P [--display-name N] [--team NAME] [--role agent|supervisor] [--capacity N] [--oidc-subject SUB] [--json]
      Create a human agent of a page (agent inbox at /inbox) and the persona they reply under (--oidc-subject: their sub at OIDC_AGENTS_ISSUER, for single sign-on).
  confide org create --name NAME --username U --password P [--oidc-subject SUB] [--json]
      Create an organisation of the business console (/console) and its owner, who signs in there,
      invites members and creates pages (CONSOLE_SIGNUP=true lets businesses sign up themselves; --oidc-subject: the owner's sub at OIDC_CONSOLE_ISSUER).
  confide team create --page ID --name NAME [--no-auto-assign] [--hours JSON] [--json]
      Create a team of a page's inbox; hand-overs name it in their metadata ({"team": "NAME", "reason": "…"}).
      --hours '{"tz":"Europe/London","open":"09:00","close":"17:00","days":[1,2,3,4,5]}': outside them
      the customer is told when someone will answer.
  confide customer delete --username U [--json]
      Erase a customer: their data key is destroyed (crypto-shredding) and their rows deleted.
  confide export --customer U
      Print everything the hub holds about a customer as JSON (the customer's own export).
  confide audit verify [--witness FILE]... [--receipt JWS|@FILE]... [--json]
      Check the audit log: hash chain, checkpoints signed by a key wrapped by the KEK, a checkpoint
      for every record older than 10 minutes, the witness (AUDIT_WITNESS, plus any --witness file,
      e.g. another host's), and the checkpoint head named by each customer's consent receipt.
      Names the first broken record; exits 1 when broken.
  confide audit checkpoint [--json]
      Sign the audit log's current head with the hub's key and append it to the witness.
  confide keys rotate [--json]
      Re-wrap every customer data key and the hub's signing keys under KEK (those wrapped by a
      KEK_PREVIOUS key); data is untouched.
  confide keys rekey-attachments [--json]
      Re-seal attachment files stored before per-file keys, and seal file names stored in clear
      (run once every hub runs this version); then destroys the old hub-wide attachment key.
  confide vapid generate [--json]
      Print a new VAPID key pair for Web Push (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY; required in production).
  confide help
      This text.

Common options (also environment variables):
  --port N            PORT          HTTP port (default 8080)
  --host ADDR         HOST          listen address (default 127.0.0.1)
  --data-dir DIR      DATA_DIR      folder of the embedded SQLite database (default ./data)
  --database-url URL  DATABASE_URL  use PostgreSQL instead of SQLite
See .env.example for every variable.
`;
