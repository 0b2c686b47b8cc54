/**
 * The Alexa custom skill's answers, in short speech: launch, balance, recent transactions
 * and fraud alerts (mapped to the assistant tools, under the same grant), help, stop and
 * session end. Without a linked token, or with one the customer revoked, it answers with a
 * LinkAccount card (account linking goes through the hub's own OAuth server).
 */
import type { HubContext } from '../../context.js';
import { AssistantRefusal, type AssistantRelay } from '../assistant/relay.js';
import { InvalidTokenError, verifyAccessToken, type AssistantPrincipal } from '../oauth/tokens.js';
import type { AlexaRequestEnvelope } from './verify-request.js';

export interface AlexaResponse {
  version: '1.0';
  response: {
    outputSpeech?: { type: 'PlainText'; text: string };
    card?: { type: 'LinkAccount' } | { type: 'Simple'; title: string; content: string };
    shouldEndSession?: boolean;
  };
}

/** How long a voice answer waits for the bank (Alexa gives a skill about 8 s in all). */
const VOICE_WAIT_MS = 5_000;
const MAX_SPEECH = 600;

const say = (text: string, end = true): AlexaResponse => ({
  version: '1.0',
  response: { outputSpeech: { type: 'PlainText', text }, shouldEndSession: end },
});
const linkAccount = (): AlexaResponse => ({
  version: '1.0',
  response: {
    outputSpeech: { type: 'PlainText', text: 'To use Confide, link your Confide account in the Alexa app.' },
    card: { type: 'LinkAccount' },
    shouldEndSession: true,
  },
});

/** Speech from chat text: no bullets or line breaks, short. */
export function toSpeech(text: string): string {
  const flat = text
    .replace(/[•*_]/g, '')
    .replace(/[:;,]?\s*\n+\s*/g, '. ')
    .replace(/\.\s*\./g, '.')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return flat.length <= MAX_SPEECH
    ? flat
    : `${flat.slice(0, MAX_SPEECH - 20).replace(/\s+\S*$/, '')}. More in your chat.`;
}

export async function answerAlexa(
  ctx: HubContext,
  relay: AssistantRelay,
  envelope: AlexaRequestEnvelope,
): Promise<AlexaResponse | undefined> {
  const type = envelope.request?.type;
  if (type === 'SessionEndedRequest') return undefined;
  const token = envelope.context?.System?.user?.accessToken ?? envelope.session?.user?.accessToken;
  if (token === undefined || token === '') return linkAccount();
  let principal: AssistantPrincipal;
  try {
    principal = await verifyAccessToken(ctx, token);
  } catch (err) {
    if (err instanceof InvalidTokenError) return linkAccount();
    throw err;
  }
  if (type === 'LaunchRequest')
    return say('Confide here. Ask for your balance, your recent transactions, or your fraud alerts.', false);
  if (type !== 'IntentRequest') return say('Sorry, I cannot do that.');
  const intent = envelope.request?.intent?.name;
  try {
    switch (intent) {
      case 'BalanceIntent':
        return await askBank(relay, principal, 'balance');
      case 'RecentTransactionsIntent':
        return await askBank(relay, principal, 'recent transactions');
      case 'FraudAlertsIntent': {
        const [latest] = await relay.getUpdates(principal, { category: 'fraud_alerts', limit: 1 });
        if (latest === undefined) return say('You have no fraud alerts.');
        const open = latest.open_question === undefined ? '' : ' It is waiting for your answer in your chat.';
        return say(toSpeech(`${latest.business}: ${latest.text}${open}`));
      }
      case 'AMAZON.HelpIntent':
        return say(
          'You can ask: what is my balance, what are my recent transactions, or do I have fraud alerts.',
          false,
        );
      case 'AMAZON.StopIntent':
      case 'AMAZON.CancelIntent':
        return say('Goodbye.');
      default:
        return say('Sorry, I cannot do that yet.');
    }
  } catch (err) {
    if (err instanceof AssistantRefusal)
      return say(
        'You have not allowed Confide on Alexa to read that. You can change it in the Confide privacy center.',
      );
    throw err;
  }
}

/** Asks the first granted bank, like ask_business, and speaks its reply. */
async function askBank(relay: AssistantRelay, principal: AssistantPrincipal, question: string): Promise<AlexaResponse> {
  const businesses = await relay.listBusinesses(principal);
  const bank = businesses.find((b) => b.kind === 'bank');
  if (bank === undefined) return say('You have not allowed Confide on Alexa to talk to a bank.');
  const reply = await relay.ask(principal, { business: bank.id, question, waitMs: VOICE_WAIT_MS });
  if (reply.status === 'pending') return say(`${bank.name} has not answered yet. It will answer in your chat.`);
  return say(toSpeech(reply.replies.join('\n')));
}
