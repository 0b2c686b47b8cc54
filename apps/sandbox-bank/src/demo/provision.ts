/**
 * Provisioning the sandboxes on an in-process hub (the demo launcher and the e2e tests):
 * create or reuse their pages and apps, declare what they send, issue fresh page tokens,
 * subscribe their webhooks, and make sure the demo customers exist. This is the only code
 * of the workspace that touches the hub's internals; the bank and shop use the SDK only.
 */
import type { Hub } from '@confide/server';

/** What a sandbox needs to talk to its page. */
export interface PageCredentials {
  pageId: string;
  appId: string;
  appSecret: string;
  pageToken: string;
}

export interface PageSpec {
  name: string;
  category: 'bank' | 'merchant';
  description: string;
  declarations: readonly { category: string; purpose: string }[];
}

export const SANDBOX_BANK_PAGE: PageSpec = {
  name: 'Sandbox Bank',
  category: 'bank',
  description: 'The demo bank that ships with Confide: balances, transaction and fraud alerts.',
  declarations: [
    { category: 'balances', purpose: 'Your balance after each payment in or out of your account.' },
    { category: 'transactions', purpose: 'A short note for each card payment and transfer, so you can spot mistakes.' },
    { category: 'fraud_alerts', purpose: 'An alert when a payment looks unusual, asking you to confirm it was you.' },
  ],
};

export const SANDBOX_SHOP_PAGE: PageSpec = {
  name: 'Sandbox Shop',
  category: 'merchant',
  description: 'The demo shop: receipts and shipping updates.',
  declarations: [
    { category: 'receipts', purpose: 'A receipt for each order you place.' },
    { category: 'shipping', purpose: 'Updates when your order ships and when it is out for delivery.' },
  ],
};

/** The hub's demo customers (Confide logins, not bank logins). */
export const HUB_DEMO_CUSTOMERS = [
  { username: 'alice', password: 'alice-demo-password' },
  { username: 'bob', password: 'bob-demo-password' },
] as const;

/** Finds the page by name or creates it; declares its categories; issues a new page token. */
export async function ensurePage(hub: Hub, spec: PageSpec): Promise<PageCredentials> {
  const { pages, consents } = hub.services;
  const existing = (await pages.searchPages(spec.name, 100)).find((p) => p.name === spec.name);
  let credentials: PageCredentials;
  if (existing === undefined) {
    const created = await pages.createPage({
      name: spec.name,
      category: spec.category,
      description: spec.description,
      privacyPolicyUrl: null,
    });
    credentials = {
      pageId: created.page_id,
      appId: created.app_id,
      appSecret: created.app_secret,
      pageToken: created.page_access_token,
    };
  } else {
    const app = await hub.ctx.storage.db
      .selectFrom('apps')
      .select('id')
      .where('page_id', '=', existing.id)
      .executeTakeFirstOrThrow();
    const token = await pages.issueToken(existing.id);
    credentials = {
      pageId: existing.id,
      appId: app.id,
      appSecret: await pages.appSecret(app.id),
      pageToken: token.page_access_token,
    };
  }
  for (const d of spec.declarations) await consents.declare(credentials.pageId, d.category, d.purpose);
  return credentials;
}

/**
 * Points the page's app at a sandbox's webhook (the hub runs the GET handshake first), with
 * its fields plus `message_template_status_update` (the sandbox hears its templates' reviews)
 * and `extraFields` (the bank adds `approvals`: supervisors' four-eyes decisions).
 */
export async function subscribeWebhook(
  hub: Hub,
  pageId: string,
  url: string,
  verifyToken: string,
  extraFields: readonly string[] = [],
): Promise<void> {
  const app = await hub.ctx.storage.db
    .selectFrom('apps')
    .select('subscribed_fields')
    .where('page_id', '=', pageId)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const current = JSON.parse(app.subscribed_fields) as string[];
  const fields = [...new Set([...current, 'message_template_status_update', ...extraFields])];
  await hub.services.webhooks.subscribe({ pageId, url, verifyToken, fields });
}

/**
 * The demo's agents (agent inbox at /inbox): the bank's Fraud team (Dana, and Rosa, its
 * supervisor; fraud cases are handed to it) and the shop's Sam.
 */
export const DEMO_AGENTS = [
  {
    page: 'bank',
    username: 'dana.bank',
    password: 'dana-demo-password',
    displayName: 'Dana',
    team: 'Fraud',
    role: 'agent',
  },
  {
    page: 'bank',
    username: 'rosa.bank',
    password: 'rosa-demo-password',
    displayName: 'Rosa',
    team: 'Fraud',
    role: 'supervisor',
  },
  { page: 'shop', username: 'sam.shop', password: 'sam-demo-password', displayName: 'Sam' },
] as const;

/** Creates an agent of the page unless the username exists (and their team first, when they have one). */
export async function ensureAgent(
  hub: Hub,
  pageId: string,
  agent: { username: string; password: string; displayName: string; team?: string; role?: 'agent' | 'supervisor' },
): Promise<void> {
  const found = await hub.ctx.storage.db
    .selectFrom('agents')
    .select('id')
    .where('username', '=', agent.username)
    .executeTakeFirst();
  if (found !== undefined) return;
  if (agent.team !== undefined) {
    const team = await hub.ctx.storage.db
      .selectFrom('inbox_teams')
      .select('id')
      .where('page_id', '=', pageId)
      .where('name', '=', agent.team)
      .executeTakeFirst();
    if (team === undefined) await hub.services.inbox.createTeam({ pageId, name: agent.team });
  }
  await hub.services.agents.create({
    pageId,
    username: agent.username,
    password: agent.password,
    displayName: agent.displayName,
    team: agent.team,
    role: agent.role,
  });
}

/** Creates the demo customers at the hub unless they exist. */
export async function ensureHubCustomers(hub: Hub): Promise<void> {
  for (const c of HUB_DEMO_CUSTOMERS) {
    const found = await hub.ctx.storage.db
      .selectFrom('customers')
      .select('id')
      .where('username', '=', c.username)
      .executeTakeFirst();
    if (found === undefined) await hub.services.accounts.createCustomer(c);
  }
}

/** The Sandbox Bank's organisation in the business console (/console) and its owner's login. */
export const DEMO_CONSOLE_OWNER = {
  organisation: 'Sandbox Bank',
  username: 'sandbox-bank-owner',
  password: 'owner-demo-password',
} as const;

/** Creates the bank's console organisation and owner unless they exist, and gives it the bank's page. */
export async function ensureConsoleOrganisation(hub: Hub, bankPageId: string): Promise<void> {
  const { members, pages } = hub.services.console;
  const o = DEMO_CONSOLE_OWNER;
  const found = await hub.ctx.storage.db
    .selectFrom('org_members')
    .select('org_id')
    .where('username', '=', o.username)
    .executeTakeFirst();
  const orgId =
    found?.org_id ??
    (await members.createOrganisation({ name: o.organisation, username: o.username, password: o.password }, 'demo'))
      .org_id;
  await pages.adopt(orgId, bankPageId, 'demo');
}
