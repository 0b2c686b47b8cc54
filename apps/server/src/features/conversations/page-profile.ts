/**
 * A page's public Messenger Profile as the customer's app shows it: Get Started, the
 * greeting, ice breakers and the persistent menu, in the customer's locale (else the
 * page's `default`). Stored values were validated on write; nested menus are checked
 * here, and anything a customer cannot use is left out.
 */
import type { IceBreakerItem, PageProfile, ProfileMenuItem } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

const MAX_MENU_DEPTH = 3;
const MAX_MENU_ITEMS = 20;

type Localised = { locale?: unknown; [key: string]: unknown };

export async function readPageProfile(
  db: Kysely<Database>,
  pageId: string,
  opts: { locale?: string | undefined; customerName: string },
): Promise<PageProfile> {
  const rows = await db
    .selectFrom('messenger_profile')
    .select(['field', 'value'])
    .where('page_id', '=', pageId)
    .where('field', 'in', ['get_started', 'greeting', 'ice_breakers', 'persistent_menu'])
    .execute();
  const stored = new Map(rows.map((r) => [r.field, JSON.parse(r.value) as unknown]));
  const pick = <T extends Localised>(list: unknown): T | undefined => pickLocale<T>(list, opts.locale);

  const getStarted = stored.get('get_started') as { payload?: unknown } | undefined;
  const greeting = pick<{ text?: unknown }>(stored.get('greeting'))?.text;
  const menu = pick<{ composer_input_disabled?: unknown; call_to_actions?: unknown }>(stored.get('persistent_menu'));
  return {
    page_id: pageId,
    get_started: typeof getStarted?.payload === 'string' ? { payload: getStarted.payload } : null,
    greeting: typeof greeting === 'string' ? fillGreeting(greeting, opts.customerName) : null,
    ice_breakers: iceBreakers(stored.get('ice_breakers'), opts.locale),
    persistent_menu:
      menu === undefined
        ? null
        : { composer_input_disabled: menu.composer_input_disabled === true, items: menuItems(menu.call_to_actions, 1) },
  };
}

/** The entry for `locale` (`en_US`, then any `en_*`), else `default`, else the first. */
export function pickLocale<T extends Localised>(list: unknown, locale: string | undefined): T | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const entries = list.filter((e): e is T => typeof e === 'object' && e !== null);
  const lang = locale?.split('_')[0];
  return (
    entries.find((e) => e.locale === locale) ??
    entries.find((e) => lang !== undefined && typeof e.locale === 'string' && e.locale.split('_')[0] === lang) ??
    entries.find((e) => e.locale === 'default') ??
    entries[0]
  );
}

/** Messenger's greeting placeholders; the hub knows the customer by their username only. */
function fillGreeting(text: string, name: string): string {
  return text
    .replace(/\{\{user_(first|full)_name\}\}/g, name)
    .replace(/\s*\{\{user_last_name\}\}/g, '')
    .trim();
}

/** Ice breakers: a plain list, or per-locale lists. */
function iceBreakers(value: unknown, locale: string | undefined): IceBreakerItem[] {
  if (!Array.isArray(value)) return [];
  const first = value[0] as { call_to_actions?: unknown } | undefined;
  const list =
    first !== undefined && 'call_to_actions' in first
      ? pickLocale<{ call_to_actions?: unknown }>(value, locale)?.call_to_actions
      : value;
  if (!Array.isArray(list)) return [];
  return list.flatMap((q: { question?: unknown; payload?: unknown }) =>
    typeof q.question === 'string' && typeof q.payload === 'string'
      ? [{ question: q.question, payload: q.payload }]
      : [],
  );
}

function menuItems(value: unknown, depth: number): ProfileMenuItem[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, MAX_MENU_ITEMS).flatMap((item: Record<string, unknown>): ProfileMenuItem[] => {
    const title = typeof item['title'] === 'string' ? item['title'] : undefined;
    if (title === undefined) return [];
    if (item['type'] === 'postback' && typeof item['payload'] === 'string')
      return [{ type: 'postback', title, payload: item['payload'] }];
    if (item['type'] === 'web_url' && typeof item['url'] === 'string' && /^https?:\/\//i.test(item['url']))
      return [{ type: 'web_url', title, url: item['url'] }];
    if (item['type'] === 'nested' && depth < MAX_MENU_DEPTH) {
      const items = menuItems(item['call_to_actions'], depth + 1);
      return items.length === 0 ? [] : [{ type: 'nested', title, items }];
    }
    return [];
  });
}
