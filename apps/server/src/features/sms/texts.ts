/**
 * The texts the hub sends, following issuers' conventions: one sender, no links, at most
 * 160 characters, a case reference, and never an amount, merchant or card digits.
 */
import { createHash } from 'node:crypto';

export const MAX_SMS = 160;

/** A short, unguessable-enough reference of a question for the customer to recognise (6 characters). */
export function caseRef(mid: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = createHash('sha256').update(mid).digest();
  let ref = '';
  for (let i = 0; i < 6; i++) ref += alphabet[bytes[i]! % alphabet.length];
  return ref;
}

/** Business names in texts: plain, short, no link-like parts. */
export function senderName(name: string): string {
  const plain = name
    .replace(/[^\p{L}\p{N} &'-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return (plain.length > 30 ? plain.slice(0, 30).trim() : plain) || 'Your bank';
}

const fit = (text: string) => (text.length <= MAX_SMS ? text : text.slice(0, MAX_SMS));

/** The alert; `byText` when the question declares its YES and NO (answer-roles.ts), else it waits in the app. */
export const alertText = (page: string, ref: string, byText = true) =>
  fit(
    byText
      ? `${senderName(page)} security alert, case ${ref}: a payment needs your answer. Reply YES if it was you, NO if not.`
      : `${senderName(page)} security alert, case ${ref}: a payment needs your answer. Open the Confide app to answer.`,
  );
/** A YES/NO to a question that does not say which of its buttons those mean: nothing is answered. */
export const notByTextText = (page: string, ref: string) =>
  fit(
    `${senderName(page)} case ${ref} cannot be answered by text: nothing was changed. Open the Confide app to answer.`,
  );
export const codeText = (code: string) =>
  fit(`Your Confide verification code is ${code}. It expires in 10 minutes. Never share it.`);
export const stopText = () =>
  fit('Confide: you will get no more texts from this number. Reply START to turn them back on.');
export const startText = () => fit('Confide: texts are on again. Reply STOP to stop, HELP for help.');
export const helpText = (page: string | null) =>
  fit(
    page === null
      ? 'Confide security texts. Open the Confide app to reach your bank. Reply STOP to stop.'
      : `Confide texts for ${senderName(page)}. To reach ${senderName(page)}, open your chat with them in the Confide app. Reply STOP to stop.`,
  );
export const answeredText = (page: string, ref: string, yes: boolean) =>
  fit(
    `${senderName(page)} has your answer for case ${ref}: ${yes ? 'it was you' : 'it was not you'}. Open Confide for what happens next.`,
  );
export const noQuestionText = () =>
  fit('Confide: nothing is waiting for your answer. Open the Confide app for your messages.');
export const unclearText = () => fit('Confide: reply YES if it was you, NO if not. HELP for help, STOP to stop texts.');
