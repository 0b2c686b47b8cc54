/**
 * When a business's update is refused for lack of consent, the customer learns of it: the
 * hub posts a quiet notice in the thread ("Sandbox Shop tried to send you a receipt;
 * receipts are off for Sandbox Shop — Allow"), at most once per category per day. Its Allow
 * is a consent request of the hub's own (`origin = refused_update`), answered through the
 * same sheet and endpoint as a business's request (consent-requests.ts).
 */
import type { HubContext } from '../../context.js';
import { newId } from '../../crypto/tokens.js';
import { DAY_MS, normalizeCategories } from './categories.js';
import { CATEGORY_WORDS, categoriesInWords } from './consent-requests.js';
import { listDeclarations } from './declarations.js';
import { postHubMessage } from './hub-message.js';

/** One update of each category, in words: "a receipt". */
const ONE_UPDATE: Readonly<Record<string, string>> = {
  balances: 'a balance update',
  transactions: 'a transaction notice',
  fraud_alerts: 'a fraud alert',
  receipts: 'a receipt',
  shipping: 'a shipping update',
  events: 'an event update',
};

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Posts the notice for the refused categories the customer was not told about today (none
 * when all were, or when the page no longer declares them). Never throws for the caller's sake:
 * the refusal itself is what the business gets.
 */
export async function noteRefusedUpdate(
  ctx: HubContext,
  input: { pageId: string; psid: string; categories: readonly string[] },
): Promise<void> {
  const now = ctx.now();
  try {
    await ctx.storage.writes.run(async (tx) => {
      const conv = await tx.db
        .selectFrom('conversations as c')
        .innerJoin('pages as p', 'p.id', 'c.page_id')
        .select(['c.id', 'c.customer_id', 'p.name'])
        .where('c.page_id', '=', input.pageId)
        .where('c.psid', '=', input.psid)
        .executeTakeFirst();
      if (conv === undefined) return;
      const declared = (await listDeclarations(tx.db, input.pageId)).map((d) => d.category as string);
      const today = await tx.db
        .selectFrom('consent_requests')
        .select('categories')
        .where('customer_id', '=', conv.customer_id)
        .where('page_id', '=', input.pageId)
        .where('origin', '=', 'refused_update')
        .where('created_at', '>', now - DAY_MS)
        .execute();
      const told = new Set(today.flatMap((r) => JSON.parse(r.categories) as string[]));
      const fresh = normalizeCategories(input.categories.filter((c) => declared.includes(c) && !told.has(c)));
      const first = fresh[0];
      if (first === undefined) return;
      const id = newId('cr', 16);
      await tx.db
        .insertInto('consent_requests')
        .values({
          id,
          customer_id: conv.customer_id,
          page_id: input.pageId,
          conversation_id: conv.id,
          categories: JSON.stringify(fresh),
          origin: 'refused_update',
          created_at: now,
          answered_at: null,
          answer: null,
        })
        .execute();
      const what = fresh.length === 1 ? (ONE_UPDATE[first] ?? 'an update') : 'updates';
      const off = categoriesInWords(fresh);
      await postHubMessage(tx, ctx.bus, {
        conversation: { id: conv.id, customer_id: conv.customer_id },
        direction: 'out',
        body: {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'consent_notice',
              request_id: id,
              text: `${conv.name} tried to send you ${what}.`,
              detail: `${capitalised(off)} ${fresh.length === 1 && !(CATEGORY_WORDS[first] ?? '').endsWith('s') ? 'is' : 'are'} off for ${conv.name}.`,
              categories: fresh,
            },
          },
        },
        now,
      });
    });
  } catch (err) {
    ctx.log.warn({ err, pageId: input.pageId }, 'could not post the refused-update notice');
  }
}
