/**
 * A page's consent in the console: what it declares it sends (the purpose customers read
 * on the consent screen, per category) and live statistics — how many grants are active,
 * revoked or expired, how many active grants cover each category, and the sends refused
 * for missing consent by category. Counts only: no customer, PSID or conversation appears.
 */
import type { Metrics } from '../../http/metrics.js';
import { sql } from 'kysely';
import type { HubContext } from '../../context.js';
import type { Privacy } from '../../privacy/privacy.js';
import { CONSENT_CATEGORIES } from '../consent/categories.js';
import type { Consents } from '../consent/consents.js';
import { listDeclarations, type Declaration } from '../consent/declarations.js';
import { assertCan } from './access.js';
import type { ConsolePages } from './console-pages.js';
import type { Member } from './members.js';

export interface ConsentStats {
  /** Customers whose grant is active and unexpired / revoked / expired (lapsed grants count as expired). */
  granted: number;
  revoked: number;
  expired: number;
  by_category: { category: string; granted: number; refused_sends: number }[];
  /** Refused sends since this hub process started (the `confide_consent_refusals_total` counter). */
  refused_sends: number;
  refusals_since: string;
}

const STARTED_AT = new Date().toISOString();

export class ConsoleConsent {
  readonly #ctx: HubContext;
  readonly #pages: ConsolePages;
  readonly #consents: Consents;
  readonly #privacy: Privacy;

  constructor(ctx: HubContext, pages: ConsolePages, consents: Consents, privacy: Privacy) {
    this.#ctx = ctx;
    this.#pages = pages;
    this.#consents = consents;
    this.#privacy = privacy;
  }

  async declarations(member: Member, pageId: string): Promise<Declaration[]> {
    const page = await this.#pages.get(member, pageId);
    return listDeclarations(this.#ctx.storage.db, page.id);
  }

  /** Declares or re-words a category (the purpose text customers read when asked for consent). */
  async declare(member: Member, pageId: string, category: string, purpose: string): Promise<Declaration[]> {
    assertCan(member.role, 'declarations.manage');
    const page = await this.#pages.get(member, pageId);
    await this.#consents.declare(page.id, category, purpose);
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'console.declared',
      target: page.id,
      details: { category },
    });
    return listDeclarations(this.#ctx.storage.db, page.id);
  }

  async stats(member: Member, pageId: string): Promise<ConsentStats> {
    const page = await this.#pages.get(member, pageId);
    const now = this.#ctx.now();
    // A literal (a number from the clock), so the select and GROUP BY carry the same expression on PostgreSQL.
    const lapsed = sql<number>`case when expires_at is not null and expires_at <= ${sql.lit(Math.trunc(now))} then 1 else 0 end`;
    // Grouped in the database: one row per (status, category set, lapsed), never per customer.
    const groups = await this.#ctx.storage.db
      .selectFrom('consent_state')
      .select((eb) => ['status', 'categories', lapsed.as('lapsed'), eb.fn.countAll<number | string>().as('n')])
      .where('page_id', '=', page.id)
      .groupBy(['status', 'categories', lapsed])
      .execute();
    const totals = { granted: 0, revoked: 0, expired: 0 };
    const perCategory = new Map<string, number>();
    for (const g of groups) {
      const n = Number(g.n);
      const kind =
        g.status === 'revoked' ? 'revoked' : g.status === 'expired' || Number(g.lapsed) === 1 ? 'expired' : 'granted';
      totals[kind] += n;
      if (kind === 'granted')
        for (const c of JSON.parse(g.categories) as string[]) perCategory.set(c, (perCategory.get(c) ?? 0) + n);
    }
    const refusals = await refusalsOf(this.#ctx.metrics, page.id);
    // Declared categories first (in the canonical order), then any other seen in grants or refusals.
    const declared = (await listDeclarations(this.#ctx.storage.db, page.id)).map((d) => d.category as string);
    const seen = [...perCategory.keys(), ...refusals.keys()].sort((a, b) => rank(a) - rank(b));
    const shown = [...new Set([...declared, ...seen])];
    return {
      ...totals,
      by_category: shown.map((category) => ({
        category,
        granted: perCategory.get(category) ?? 0,
        refused_sends: refusals.get(category) ?? 0,
      })),
      refused_sends: [...refusals.values()].reduce((a, b) => a + b, 0),
      refusals_since: STARTED_AT,
    };
  }
}

const rank = (category: string) => {
  const i = (CONSENT_CATEGORIES as readonly string[]).indexOf(category);
  return i === -1 ? CONSENT_CATEGORIES.length : i;
};

/** Refused sends of one page by category, from the metrics counter. */
async function refusalsOf(metrics: Metrics, pageId: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await metrics.consentRefusals.get()).values) {
    if (v.labels.page_id !== pageId) continue;
    const category = String(v.labels.category);
    out.set(category, (out.get(category) ?? 0) + v.value);
  }
  return out;
}
