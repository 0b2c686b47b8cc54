/**
 * A transport link that masks card-number-like strings in every outgoing `message`
 * (text, quick-reply titles, template fields) before it leaves the sandbox. The sandboxes
 * only ever hold the last four digits; this link makes a slip impossible to send.
 */
import type { Link } from '@confide/sdk';
import { findPanLike, maskPanLike } from './pan.js';

const maskDeep = (value: unknown, onMask: () => void): unknown => {
  if (typeof value === 'string') {
    if (findPanLike(value).length === 0) return value;
    onMask();
    return maskPanLike(value);
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, onMask));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, onMask)]));
  }
  return value;
};

/**
 * Masks PAN-like strings in `body.message`; the recipient (a PSID) is left alone.
 * @param onMask called once per masked request, to log the slip.
 */
export function panGuardLink(onMask: (path: string) => void = () => {}): Link {
  return (request, next) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || !('message' in body)) return next(request);
    let masked = false;
    const message = maskDeep((body as { message: unknown }).message, () => (masked = true));
    if (!masked) return next(request);
    onMask(request.path);
    return next({ ...request, body: { ...body, message } });
  };
}
