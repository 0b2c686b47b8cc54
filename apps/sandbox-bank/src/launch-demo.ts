#!/usr/bin/env node
/**
 * `npm start`: the whole demo on one machine. Starts the hub in this process, provisions
 * the Sandbox Bank and Sandbox Shop pages, runs each sandbox as its own process (own port
 * and SQLite database), subscribes their webhooks, seeds alice and bob, and prints how to
 * log in. Hub variables as for `confide start`; BANK_PORT / SHOP_PORT move the sandboxes.
 */
import { createHub, loadConfig } from '@confide/server';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BANK_DEMO_CUSTOMERS } from './bank/fixtures.js';
import {
  DEMO_AGENTS,
  HUB_DEMO_CUSTOMERS,
  SANDBOX_BANK_PAGE,
  SANDBOX_SHOP_PAGE,
  ensureAgent,
  ensureConsoleOrganisation,
  DEMO_CONSOLE_OWNER,
  ensureHubCustomers,
  ensurePage,
  subscribeWebhook,
  type PageCredentials,
} from './demo/provision.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Every sandbox process started, stopped when the launcher fails (e.g. a sandbox's template was rejected). */
const spawned: ChildProcess[] = [];

/** Hub settings the demo turns on unless the environment says otherwise: the satisfaction question after a resolve. */
const DEMO_DEFAULTS = { INBOX_CSAT: 'true' };

function runSandbox(name: string, script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(here, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => `[${name}] ${l}\n`)
      .join('');
  child.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  spawned.push(child);
  return child;
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${url} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

function sandboxEnv(
  prefix: string,
  hubUrl: string,
  page: PageCredentials,
  verifyToken: string,
  port: string,
  dataDir: string,
): Record<string, string> {
  return {
    [`${prefix}HUB_URL`]: hubUrl,
    [`${prefix}PAGE_TOKEN`]: page.pageToken,
    [`${prefix}APP_SECRET`]: page.appSecret,
    [`${prefix}VERIFY_TOKEN`]: verifyToken,
    [`${prefix}PORT`]: port,
    [`${prefix}DATA_DIR`]: dataDir,
  };
}

async function main(): Promise<void> {
  // One JSON line per request would scroll the logins away: the demo logs warnings only
  // unless LOG_LEVEL says otherwise (LOG_LEVEL=info shows every request).
  const config = loadConfig({ ...DEMO_DEFAULTS, ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' });
  const hub = await createHub(config);
  await hub.listen();
  const hubUrl = config.publicUrl;
  const bankPage = await ensurePage(hub, SANDBOX_BANK_PAGE);
  const shopPage = await ensurePage(hub, SANDBOX_SHOP_PAGE);
  await ensureHubCustomers(hub);
  for (const a of DEMO_AGENTS) await ensureAgent(hub, a.page === 'bank' ? bankPage.pageId : shopPage.pageId, a);
  await ensureConsoleOrganisation(hub, bankPage.pageId);

  const bankPort = process.env['BANK_PORT'] ?? '3100';
  const shopPort = process.env['SHOP_PORT'] ?? '3200';
  const bankUrl = `http://127.0.0.1:${bankPort}`;
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  const adminToken = randomBytes(18).toString('base64url');
  const bankVerify = randomBytes(18).toString('base64url');
  const shopVerify = randomBytes(18).toString('base64url');
  const children = [
    runSandbox('bank', 'bank/main.js', {
      ...sandboxEnv('BANK_', hubUrl, bankPage, bankVerify, bankPort, join(config.DATA_DIR, 'sandbox-bank')),
      BANK_ADMIN_TOKEN: process.env['BANK_ADMIN_TOKEN'] ?? adminToken,
    }),
    runSandbox(
      'shop',
      'shop/main.js',
      sandboxEnv('SHOP_', hubUrl, shopPage, shopVerify, shopPort, join(config.DATA_DIR, 'sandbox-shop')),
    ),
  ];
  const stop = async () => {
    for (const c of children) c.kill('SIGTERM');
    await hub.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  await waitHealthy(bankUrl, children[0] as ChildProcess);
  await waitHealthy(shopUrl, children[1] as ChildProcess);
  await subscribeWebhook(hub, bankPage.pageId, `${bankUrl}/webhook`, bankVerify, ['approvals']);
  await subscribeWebhook(hub, shopPage.pageId, `${shopUrl}/webhook`, shopVerify);

  const bankLogins = BANK_DEMO_CUSTOMERS.map((c) => `${c.username} / ${c.password}`).join(', ');
  const hubLogins = HUB_DEMO_CUSTOMERS.map((c) => `${c.username} / ${c.password}`).join(', ');
  const agentLogins = DEMO_AGENTS.map(
    (a) =>
      `${a.username} / ${a.password} (${a.page === 'bank' ? 'Sandbox Bank' : 'Sandbox Shop'}${'team' in a ? `, ${a.team} team${a.role === 'supervisor' ? ' supervisor' : ''}` : ''})`,
  ).join(', ');
  process.stdout.write(`
Confide demo is running.
  Hub (customer web app and Platform API): ${hubUrl}
  Sandbox Bank: ${bankUrl}   (page ${bankPage.pageId})
  Sandbox Shop: ${shopUrl}   (page ${shopPage.pageId})

How to try it:
  1. Log in to Confide at ${hubUrl} as one of: ${hubLogins}
  2. Open "Sandbox Bank", say "link", tap Log In, choose what the bank may send you,
     then sign in on the bank's own page with its credentials: ${bankLogins}
  3. Say "balance", "transactions", "lock card" or "agent". Card payments arrive as the simulator runs.
  4. Stage a fraud alert for alice:
     curl -X POST ${bankUrl}/admin/simulate -H 'authorization: Bearer ${process.env['BANK_ADMIN_TOKEN'] ?? adminToken}' \\
          -H 'content-type: application/json' -d '{"scenario":"amount_anomaly","customer":"alice"}'
     (scenarios: amount_anomaly, compromised_terminal, cnp_burst, new_country, risky_merchant)
  5. Open "Sandbox Shop", say "hi" for a one-time code, and order at ${shopUrl}
  6. Agent inbox: ${hubUrl}/inbox as ${agentLogins}; in the bank chat say "agent" to hand over.
  7. Your own assistant (MCP): add ${hubUrl}/mcp to any MCP client (Streamable HTTP; it signs in
     with OAuth: you choose on Confide's consent screen what it may read and whether it may act),
     or run the scripted one: npm run demo:assistant -- ${hubUrl}
  8. Reach a customer who is not looking: turn notifications on with the bell (Web Push), add a phone
     number in the privacy center, close the tab and stage a fraud alert; an unanswered alert is texted
     after 5 minutes to the fake SMS carrier at ${hubUrl}/dev/sms, where you can reply YES or NO.
  9. Business console: ${hubUrl}/console as ${DEMO_CONSOLE_OWNER.username} / ${DEMO_CONSOLE_OWNER.password}
     (the Sandbox Bank's owner: its page, app secret, tokens, webhook and delivery log; invite members)

Platform API (page access tokens, new at every start):
  Sandbox Bank: ${bankPage.pageToken}
  Sandbox Shop: ${shopPage.pageToken}
  curl '${hubUrl}/v25.0/me?access_token=${bankPage.pageToken}'
`);
}

main().catch((err: unknown) => {
  for (const child of spawned) child.kill('SIGTERM');
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
