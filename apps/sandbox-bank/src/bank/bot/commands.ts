/**
 * Chat commands: free text, menu postbacks (`CMD:<name>`) and quick replies, parsed into
 * one {@link Command}. Unknown text becomes `help`, so the bot never stays silent.
 */
import { parseMoney } from '../../common/money.js';
import { parseAnswerPayload, type CaseAnswer } from '../fraud/case-ref.js';

export type Command =
  | { type: 'balance' }
  | { type: 'transactions'; offset?: number }
  | { type: 'cards' }
  | { type: 'lock'; cardId?: string }
  | { type: 'unlock'; cardId?: string }
  /** `minor` undefined: ask; null: turn the alert off. */
  | { type: 'threshold'; minor?: number | null }
  | { type: 'agent' }
  | { type: 'link' }
  | { type: 'unlink' }
  | { type: 'link_menu' }
  | { type: 'get_started' }
  /** An answer to a fraud case: from a button (`ref` and `proof`) or typed (neither); `malformed` for a broken payload. */
  | { type: 'fraud_answer'; answer: CaseAnswer; ref?: string; proof?: string; malformed?: boolean }
  | { type: 'help'; unknown: boolean };

const SIMPLE: Readonly<Record<string, Command>> = {
  balance: { type: 'balance' },
  transactions: { type: 'transactions' },
  cards: { type: 'cards' },
  lock: { type: 'lock' },
  unlock: { type: 'unlock' },
  threshold: { type: 'threshold' },
  agent: { type: 'agent' },
  link: { type: 'link' },
  unlink: { type: 'unlink' },
  link_menu: { type: 'link_menu' },
  help: { type: 'help', unknown: false },
};

/** Parses a postback or quick-reply payload. */
export function parsePayload(payload: string): Command {
  if (payload === 'GET_STARTED') return { type: 'get_started' };
  const [kind, arg] = payload.split(':');
  if (kind === 'CMD' && arg !== undefined) return SIMPLE[arg] ?? { type: 'help', unknown: true };
  const answer = parseAnswerPayload(payload);
  if (answer === 'malformed') return { type: 'fraud_answer', answer: 'no', malformed: true };
  if (answer !== undefined)
    return {
      type: 'fraud_answer',
      answer: answer.answer,
      ref: answer.ref,
      ...(answer.proof === undefined ? {} : { proof: answer.proof }),
    };
  if (kind === 'LOCK' && arg) return { type: 'lock', cardId: arg };
  if (kind === 'UNLOCK' && arg) return { type: 'unlock', cardId: arg };
  // "More" under a transaction list: the next page, from this many rows in.
  if (kind === 'TXNS' && arg !== undefined && /^\d{1,5}$/.test(arg))
    return { type: 'transactions', offset: Number(arg) };
  if (kind === 'THRESHOLD' && arg) return { type: 'threshold', minor: arg === 'off' ? null : Number.parseInt(arg, 10) };
  return { type: 'help', unknown: true };
}

/** Parses what a customer typed. */
export function parseText(input: string): Command {
  const text = input.trim().toLowerCase();
  if (/^(yes|yes,? it was me|it was me)[.!]?$/.test(text)) return { type: 'fraud_answer', answer: 'yes' };
  if (/^(no|no,? not me|not me)[.!]?$/.test(text)) return { type: 'fraud_answer', answer: 'no' };
  if (/\b(agent|human|person|someone|representative)\b/.test(text)) return { type: 'agent' };
  if (/\b(unlink|log ?out|disconnect)\b/.test(text)) return { type: 'unlink' };
  if (/\b(link|log ?in|connect)\b/.test(text)) return { type: 'link' };
  if (/\b(unlock|unfreeze|unblock)\b/.test(text)) return { type: 'unlock' };
  if (/\b(lock|freeze|block)\b/.test(text)) return { type: 'lock' };
  if (/\b(alert|threshold)\b/.test(text)) {
    if (/\b(off|stop|disable|none)\b/.test(text)) return { type: 'threshold', minor: null };
    const amount = /[€$£]?\s?\d[\d,]*(?:\.\d{1,2})?/.exec(text);
    const minor = amount === null ? undefined : parseMoney(amount[0]);
    return minor === undefined ? { type: 'threshold' } : { type: 'threshold', minor };
  }
  if (/\b(balances?|how much)\b/.test(text)) return { type: 'balance' };
  if (/\b(transactions?|recent|history|statement|spending|payments)\b/.test(text)) return { type: 'transactions' };
  if (/\bcards?\b/.test(text)) return { type: 'cards' };
  if (/^(help|menu|\?|hi|hello|hey|start)[.!]?$/.test(text)) return { type: 'help', unknown: false };
  return { type: 'help', unknown: true };
}
