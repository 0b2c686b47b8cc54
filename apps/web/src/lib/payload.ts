/**
 * Safe readers for the opaque attachment and template payloads businesses send: every
 * field is checked at runtime, and only http(s) or same-origin URLs are ever rendered.
 */

export type Json = Record<string, unknown>;

export const asObject = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
export const asObjects = (v: unknown): Json[] =>
  Array.isArray(v) ? v.map(asObject).filter((x): x is Json => x !== undefined) : [];
export const str = (o: Json | undefined, key: string): string | undefined => {
  const v = o?.[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
};
export const num = (o: Json | undefined, key: string): number | undefined => {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;
};

/** The URL if it is http(s) or a same-origin path; undefined for anything else (javascript:, data:…). */
export function safeUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const url = new URL(raw, location.origin);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.origin === location.origin ? url.pathname + url.search + url.hash : url.href;
  } catch {
    return undefined;
  }
}

/** Where an attachment's bytes are: its public URL, or the hub's attachment store. */
export function attachmentUrl(payload: Json): string | undefined {
  const id = str(payload, 'attachment_id');
  if (id !== undefined) return `/api/attachments/${encodeURIComponent(id)}`;
  return safeUrl(str(payload, 'url'));
}

/** Formats an amount in the template's currency, falling back to a plain number. */
export function money(amount: number | undefined, currency: string | undefined): string {
  if (amount === undefined) return '';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency ?? 'USD' }).format(amount);
  } catch {
    return amount.toFixed(2);
  }
}
