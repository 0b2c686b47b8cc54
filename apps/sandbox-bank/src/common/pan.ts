/**
 * Detection of card-number-like strings (PCI DSS §8 of the reference): 13–19 digits,
 * optionally grouped by spaces or dashes, that pass the Luhn check. The sandboxes never
 * hold a PAN; this is the safety net that proves it and masks anything that slips in.
 */

const CANDIDATE = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;

/** The Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Every PAN-like substring of `text` (13–19 digits, Luhn-valid). */
export function findPanLike(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) found.push(match[0]);
  }
  return found;
}

/** Replaces PAN-like substrings with `•••• last4`. */
export function maskPanLike(text: string): string {
  return text.replace(CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? `•••• ${digits.slice(-4)}` : match;
  });
}

/** The display form of a card: `•••• 1234`. */
export function maskedCard(last4: string): string {
  return `•••• ${last4}`;
}
