/**
 * Seeds the demo on a fresh database: a bank and a shop, and the customers alice and bob.
 * Idempotent: a second start finds them and only prints the logins again.
 */
import { listDeclarations } from './features/consent/declarations.js';
import type { Hub } from './hub.js';

export const DEMO_CUSTOMERS = [
  { username: 'alice', password: 'alice-demo-password' },
  { username: 'bob', password: 'bob-demo-password' },
] as const;

const DEMO_PAGES = [
  {
    name: 'Sandbox Bank',
    category: 'bank',
    description: 'The demo bank that ships with Confide: balances, transaction and fraud alerts.',
  },
  { name: 'Sandbox Shop', category: 'merchant', description: 'The demo shop: receipts and shipping updates.' },
] as const;

/** What each demo page declares it sends, and why (shown on the consent screen). */
const DEMO_DECLARATIONS: Record<string, Array<{ category: string; purpose: string }>> = {
  'Sandbox Bank': [
    { category: 'balances', purpose: 'Your balance after each payment in or out of your account.' },
    { category: 'transactions', purpose: 'A short note for each card payment and transfer, so you can spot mistakes.' },
    { category: 'fraud_alerts', purpose: 'An alert when a payment looks unusual, asking you to confirm it was you.' },
  ],
  'Sandbox Shop': [
    { category: 'receipts', purpose: 'A receipt for each order you place.' },
    { category: 'shipping', purpose: 'Updates when your order ships and when it is out for delivery.' },
  ],
};

export async function seedDemo(hub: Hub): Promise<string> {
  const lines: string[] = ['', 'Demo data:'];
  const existing = await hub.services.pages.searchPages(undefined, 100);
  for (const page of DEMO_PAGES) {
    const found = existing.find((p) => p.name === page.name);
    if (found !== undefined) {
      lines.push(`  page "${page.name}" already exists`);
      // Databases seeded before declarations existed get them once.
      if ((await listDeclarations(hub.ctx.storage.db, found.id)).length === 0)
        await declareDemo(hub, found.id, page.name);
      continue;
    }
    const created = await hub.services.pages.createPage({ ...page, privacyPolicyUrl: null });
    await declareDemo(hub, created.page_id, page.name);
    lines.push(
      `  page "${page.name}": page_id ${created.page_id}, app_id ${created.app_id}, page_access_token ${created.page_access_token}`,
    );
  }
  for (const c of DEMO_CUSTOMERS) {
    try {
      await hub.services.accounts.createCustomer(c);
    } catch {
      // Already there from an earlier start.
    }
    lines.push(`  customer login: ${c.username} / ${c.password}`);
  }
  return `${lines.join('\n')}\n`;
}

async function declareDemo(hub: Hub, pageId: string, name: string): Promise<void> {
  for (const d of DEMO_DECLARATIONS[name] ?? []) await hub.services.consents.declare(pageId, d.category, d.purpose);
}
