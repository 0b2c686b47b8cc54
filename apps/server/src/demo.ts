/**
 * Seeds the demo on a fresh database: a bank and a shop, and the customers alice and bob.
 * Idempotent: a second start finds them and only prints the logins again.
 */
import type { Hub } from './hub.js';

export const DEMO_CUSTOMERS = [
  { username: 'alice', password: 'alice-demo-password' },
  { username: 'bob', password: 'bob-demo-password' },
] as const;

const DEMO_PAGES = [
  { name: 'Sandbox Bank', category: 'bank', description: 'The demo bank that ships with Confide: balances, transaction and fraud alerts.' },
  { name: 'Sandbox Shop', category: 'merchant', description: 'The demo shop: receipts and shipping updates.' },
] as const;

export async function seedDemo(hub: Hub): Promise<string> {
  const lines: string[] = ['', 'Demo data:'];
  const existing = await hub.services.pages.searchPages(undefined, 100);
  for (const page of DEMO_PAGES) {
    if (existing.some((p) => p.name === page.name)) {
      lines.push(`  page "${page.name}" already exists`);
      continue;
    }
    const created = await hub.services.pages.createPage({ ...page, privacyPolicyUrl: null });
    lines.push(`  page "${page.name}": page_id ${created.page_id}, app_id ${created.app_id}, page_access_token ${created.page_access_token}`);
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
