/**
 * The bank's chat bot on the SDK's `Bot` router: commands, fraud answers, account
 * linking confirmation, and handover to the human-agent inbox.
 */
import { Bot, type Platform, type QuickReply } from '@confide/sdk';
import type { Logger } from 'pino';
import { formatMoney } from '../../common/money.js';
import { maskedCard } from '../../common/pan.js';
import { FRAUD_LOCKS, isFraudLock, type FraudCases } from '../fraud/cases.js';
import type { StepUps } from '../fraud/step-up.js';
import type { Ledger } from '../ledger.js';
import type { Links } from '../linking/links.js';
import { HELP_TEXT, TRANSACTIONS_PAGE, balancesText, helpQuickReplies, transactionsText } from '../messages.js';
import { parsePayload, parseText, type Command } from './commands.js';
import { applyAgentApproval, applyApprovalDecision } from './agent-approval.js';
import { answerFromChat } from './fraud-answer.js';

/** Dependencies of {@link createBankBot}. */
export interface BankBotDeps {
  platform: Platform;
  ledger: Ledger;
  links: Links;
  cases: FraudCases;
  stepUps: StepUps;
  log: Logger;
  now: () => number;
  /** The bank's log-in page for account_link buttons. */
  linkUrl: string;
  /** Work to run after the webhook is acknowledged (greetings after linking). */
  defer: (task: () => Promise<unknown>) => void;
}

/** Typed commands that change something: refused when the customer's assistant types them. */
const ACTS_IN_TEXT: ReadonlySet<Command['type']> = new Set(['fraud_answer', 'lock', 'unlock', 'unlink', 'threshold']);
export const ASSISTANT_TEXT_REFUSAL =
  'Your assistant can ask me questions. To act, use the buttons here in the chat, or your assistant’s actions if you allowed it to act.';

const NEEDS_LINK: ReadonlySet<Command['type']> = new Set([
  'balance',
  'transactions',
  'cards',
  'lock',
  'unlock',
  'threshold',
]);

/** Builds the bank bot; `dispatch` it from a webhook adapter. */
export function createBankBot(deps: BankBotDeps): Bot {
  const { platform, links, log } = deps;
  const run = (psid: string, command: Command) => runCommand(deps, psid, command);
  // No onError: a failing handler answers 500, so the hub redelivers and an unverifiable account_linking aborts
  // the link (reference §6.1 step 6). Copies of a message or postback already handled are skipped by the Bot's
  // duplicate filter (on by default); alert and card state checks guard repeats it cannot see (after a restart).
  return new Bot({ platform })
    .onMessage(async (event) => {
      const text = event.message.text;
      const command: Command = text === undefined ? { type: 'help', unknown: true } : parseText(text);
      // The customer's assistant (surface: assistant) may ask, never act in free text: actions
      // come as the postbacks the bank declared (buttons, menu), which the hub lets only an
      // assistant the customer allowed to act send.
      if (
        event.message.surface === 'assistant' &&
        ACTS_IN_TEXT.has(command.type) &&
        !(command.type === 'threshold' && command.minor === undefined)
      ) {
        await platform.messages.sendText(event.sender.id, ASSISTANT_TEXT_REFUSAL);
        return;
      }
      await run(event.sender.id, command);
    })
    .onQuickReply((event) => run(event.sender.id, parsePayload(event.message.quick_reply.payload)))
    .onPostback((event) => run(event.sender.id, parsePayload(event.postback.payload ?? '')))
    .onAccountLinked(async (event) => {
      const psid = event.sender.id;
      const { authorization_code: code, consent } = event.account_linking as {
        authorization_code?: string;
        consent?: { categories?: string[]; expires_at?: number };
      };
      const customerId =
        code === undefined
          ? undefined
          : await links.confirm(
              code,
              psid,
              deps.now(),
              consent === undefined
                ? undefined
                : { categories: consent.categories ?? [], expiresAt: consent.expires_at ?? 0 },
            );
      // Throwing answers 500, which makes the hub abort a link it cannot vouch for.
      if (customerId === undefined)
        throw new Error('account_linking with an unknown, used or expired authorization_code');
      const customer = await deps.ledger.customer(customerId);
      log.info({ psid, customer: customerId, consent: consent?.categories }, 'account linked');
      deps.defer(() =>
        platform.messages.sendQuickReplies(
          psid,
          `Hi ${customer?.display_name ?? 'there'}, your Sandbox Bank account is linked. I'll tell you about card payments and anything suspicious, as far as you allowed it.`,
          helpQuickReplies(),
        ),
      );
    })
    .onAccountUnlinked(async (event) => {
      await links.unlink(event.sender.id);
      log.info({ psid: event.sender.id }, 'account unlinked');
    })
    .onHandover(async (event) => {
      log.info(
        { psid: event.sender.id, event: Object.keys(event).filter((k) => k.endsWith('_control') || k === 'app_roles') },
        'handover event',
      );
      await applyAgentApproval(deps, event);
    })
    .onApproval((event) => applyApprovalDecision(deps, event));
}

async function runCommand(deps: BankBotDeps, psid: string, command: Command): Promise<void> {
  const { platform, ledger, links } = deps;
  const send = (text: string, quickReplies?: QuickReply[]) =>
    quickReplies === undefined
      ? platform.messages.sendText(psid, text)
      : platform.messages.sendQuickReplies(psid, text, quickReplies);
  const linkButton = (text: string) =>
    platform.messages.sendButtonTemplate(psid, text, [{ type: 'account_link', url: deps.linkUrl }]);

  if (command.type === 'fraud_answer') {
    await answerFromChat(deps, psid, command);
    return;
  }
  const customerId = await links.customerOf(psid);
  if (NEEDS_LINK.has(command.type) && customerId === undefined) {
    await linkButton(
      "To see your accounts here, link your Sandbox Bank account first. You sign in on the bank's own page.",
    );
    return;
  }
  switch (command.type) {
    case 'get_started':
      if (customerId === undefined)
        await linkButton(
          'Welcome to Sandbox Bank! Link your account to get balances, payment alerts and fraud checks in this chat.',
        );
      else await send(`Welcome back! ${HELP_TEXT}`, helpQuickReplies());
      return;
    case 'balance':
      await send(balancesText(await ledger.accounts(customerId as string)), helpQuickReplies());
      return;
    case 'transactions': {
      // One row more than a page tells whether there is a next one ("More").
      const offset = command.offset ?? 0;
      const rows = await ledger.recentTransactions(customerId as string, TRANSACTIONS_PAGE + 1, offset);
      const page = transactionsText(rows.slice(0, TRANSACTIONS_PAGE), offset);
      if (rows.length > TRANSACTIONS_PAGE)
        await send(page, [{ content_type: 'text', title: 'More', payload: `TXNS:${offset + TRANSACTIONS_PAGE}` }]);
      else await send(page);
      return;
    }
    case 'cards':
    case 'lock':
    case 'unlock':
      await cardCommand(deps, psid, customerId as string, command);
      return;
    case 'threshold':
      await thresholdCommand(deps, psid, customerId as string, command.minor);
      return;
    case 'agent':
      await send('Connecting you with a member of our team. They will reply here.');
      await platform.handover.passToInbox(psid, 'customer asked for an agent');
      return;
    case 'link':
      if (customerId !== undefined) await send('Your account is already linked. Say "unlink" to disconnect it.');
      else
        await linkButton(
          "Tap Log In to link your Sandbox Bank account. You sign in on the bank's page; we never see your password here.",
        );
      return;
    case 'unlink':
    case 'link_menu':
      if (customerId === undefined) await linkButton('Your account is not linked. Tap Log In to link it.');
      else
        await platform.messages.sendButtonTemplate(
          psid,
          'Tap Log Out to unlink your Sandbox Bank account from this chat.',
          [{ type: 'account_unlink' }],
        );
      return;
    case 'help':
      await send(command.unknown ? `Sorry, I didn't get that. ${HELP_TEXT}` : HELP_TEXT, helpQuickReplies());
      return;
  }
}

async function cardCommand(
  deps: BankBotDeps,
  psid: string,
  customerId: string,
  command: Extract<Command, { type: 'cards' | 'lock' | 'unlock' }>,
): Promise<void> {
  const { platform, ledger } = deps;
  const cards = await ledger.cards(customerId);
  const target = command.type === 'cards' ? undefined : command.cardId;
  if (target !== undefined) {
    const card = cards.find((c) => c.id === target);
    if (card === undefined) {
      await platform.messages.sendText(psid, "That card isn't one of yours.");
      return;
    }
    if (command.type === 'unlock' && isFraudLock(card.lock_reason)) {
      await refuseFraudUnlock(deps, psid, card);
      return;
    }
    if (command.type === 'lock') await ledger.lockCard(card.id, 'customer', deps.now());
    else await ledger.unlockCard(card.id);
    await platform.messages.sendText(
      psid,
      `Card ${maskedCard(card.last4)} is ${command.type === 'lock' ? 'locked' : 'unlocked'}.`,
    );
    return;
  }
  const wanted =
    command.type === 'cards'
      ? cards
      : cards.filter((c) => (command.type === 'lock' ? c.status === 'active' : c.status === 'locked'));
  if (wanted.length === 0) {
    await platform.messages.sendText(
      psid,
      command.type === 'lock' ? 'All your cards are already locked.' : 'None of your cards is locked.',
    );
    return;
  }
  if (wanted.length === 1 && command.type !== 'cards') {
    await cardCommand(deps, psid, customerId, { ...command, cardId: (wanted[0] as (typeof wanted)[number]).id });
    return;
  }
  const lines = wanted.map((c) => `• ${c.network} ${maskedCard(c.last4)}: ${c.status}`);
  const replies: QuickReply[] = wanted.map((c) =>
    c.status === 'active'
      ? { content_type: 'text', title: `Lock ${maskedCard(c.last4)}`, payload: `LOCK:${c.id}` }
      : { content_type: 'text', title: `Unlock ${maskedCard(c.last4)}`, payload: `UNLOCK:${c.id}` },
  );
  await platform.messages.sendQuickReplies(psid, ['Your cards:', ...lines].join('\n'), replies);
}

async function thresholdCommand(
  deps: BankBotDeps,
  psid: string,
  customerId: string,
  minor: number | null | undefined,
): Promise<void> {
  const { platform, ledger } = deps;
  const checking = (await ledger.accounts(customerId)).find((a) => a.kind === 'checking');
  if (checking === undefined) {
    await platform.messages.sendText(psid, 'Low-balance alerts work on checking accounts, and you have none.');
    return;
  }
  if (minor === undefined || Number.isNaN(minor)) {
    const current =
      checking.lowBalanceThresholdMinor === null
        ? 'off'
        : formatMoney(checking.lowBalanceThresholdMinor, checking.currency);
    await platform.messages.sendQuickReplies(
      psid,
      `Your low-balance alert for ${checking.name} is ${current}. Pick a new one, or type e.g. "alert 150".`,
      [
        { content_type: 'text', title: formatMoney(5_000, checking.currency), payload: 'THRESHOLD:5000' },
        { content_type: 'text', title: formatMoney(10_000, checking.currency), payload: 'THRESHOLD:10000' },
        { content_type: 'text', title: formatMoney(25_000, checking.currency), payload: 'THRESHOLD:25000' },
        { content_type: 'text', title: 'Off', payload: 'THRESHOLD:off' },
      ],
    );
    return;
  }
  await ledger.setLowBalanceThreshold(checking.id, minor);
  await platform.messages.sendText(
    psid,
    minor === null
      ? `Low-balance alerts for ${checking.name} are off.`
      : `Done: I'll message you when ${checking.name} drops below ${formatMoney(minor, checking.currency)}.`,
  );
}

/** A card locked for fraud is not unlocked from chat alone: answer the open check, or step up at the bank. */
async function refuseFraudUnlock(
  deps: BankBotDeps,
  psid: string,
  card: Awaited<ReturnType<Ledger['cards']>>[number],
): Promise<void> {
  const { platform, cases } = deps;
  const fc = await cases.latestCaseOf(card.id);
  if (card.lock_reason === FRAUD_LOCKS.review) {
    if (fc !== undefined) await cases.note(fc.id, `customer:chat:${psid}`, 'unlock refused: the case is still open');
    await platform.messages.sendText(
      psid,
      `Card ${maskedCard(card.last4)} is blocked while security check ${fc?.ref ?? ''} waits for your answer. Answer it with the buttons on the check: "Yes, it was me" unblocks the card at once.`,
    );
    return;
  }
  const url = await deps.stepUps.link(card, psid);
  await platform.messages.sendButtonTemplate(
    psid,
    `Card ${maskedCard(card.last4)} was locked because of suspected fraud${fc?.ref ? ` (security check ${fc.ref})` : ''}, so I can't unlock it from chat alone. ` +
      `Confirm it's you at the Sandbox Bank log-in page (the link works once, for 10 minutes), or say "agent" and our team can approve it.`,
    [{ type: 'web_url', url, title: 'Confirm at the bank' }],
  );
}
