/**
 * A Messenger bot written the way Meta's reference bots are (its sample apps and the code
 * widely copied from them): plain Node `http`, `crypto` and `fetch`, no SDK. It sets itself
 * up from code: the webhook with the app access token (`POST /{app-id}/subscriptions` with
 * every parameter in the query and no body), the page subscription and NLP with query
 * parameters and an empty JSON body, and a Messenger Profile with Get Started, a greeting and
 * a persistent menu in 18 locales with titles up to 30 characters. Its sends carry no
 * `messaging_type`. Only the Graph origin differs from a bot talking to Meta.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReferenceBotConfig {
  /** Where Graph is: `https://graph.facebook.com` for Meta, the hub for Confide. */
  graphOrigin: string;
  appId: string;
  appSecret: string;
  pageAccessToken: string;
  verifyToken: string;
}

/** Menu titles per locale: each at most 30 characters, most longer than 20. */
export const MENU_TITLES: Record<string, { balance: string; help: string }> = {
  default: { balance: 'See my balance and statements', help: 'Talk to someone from our team' },
  de_DE: { balance: 'Kontostand und Umsätze ansehen', help: 'Mit einem Berater sprechen' },
  fr_FR: { balance: 'Voir mon solde et mes relevés', help: 'Parler à un conseiller' },
  es_ES: { balance: 'Ver mi saldo y movimientos', help: 'Hablar con un asesor humano' },
  pl_PL: { balance: 'Sprawdź saldo i historię konta', help: 'Porozmawiaj z konsultantem' },
  ru_RU: { balance: 'Посмотреть баланс и выписки', help: 'Связаться с консультантом' },
  it_IT: { balance: 'Vedi saldo e movimenti conto', help: 'Parla con un nostro consulente' },
  pt_BR: { balance: 'Ver meu saldo e extratos', help: 'Falar com um atendente agora' },
  nl_NL: { balance: 'Saldo en afschriften bekijken', help: 'Praat met een medewerker' },
  sv_SE: { balance: 'Visa saldo och kontoutdrag', help: 'Prata med en rådgivare' },
  tr_TR: { balance: 'Bakiye ve hesap dökümü görün', help: 'Bir danışmanla görüşün' },
  cs_CZ: { balance: 'Zobrazit zůstatek a výpisy', help: 'Mluvit s poradcem banky' },
  ro_RO: { balance: 'Vezi soldul și extrasele tale', help: 'Vorbește cu un consultant' },
  hu_HU: { balance: 'Egyenleg és számlakivonatok', help: 'Beszélgetés egy tanácsadóval' },
  uk_UA: { balance: 'Переглянути баланс і виписки', help: 'Звʼязатися з консультантом' },
  el_GR: { balance: 'Δείτε υπόλοιπο και κινήσεις', help: 'Μιλήστε με έναν σύμβουλο' },
  fi_FI: { balance: 'Näytä saldo ja tiliotteet', help: 'Keskustele neuvojan kanssa' },
  da_DK: { balance: 'Se saldo og kontoudtog her', help: 'Tal med en af vores rådgivere' },
};

export interface ReferenceBot {
  /** The callback URL the webhook is subscribed at. */
  callbackUrl: string;
  /** Replies the bot sent, with Graph's answers. */
  sent: Array<{ request: unknown; status: number; answer: unknown }>;
  /** Webhook POSTs whose X-Hub-Signature-256 did not verify (must stay 0). */
  badSignatures: number;
  setUp(): Promise<void>;
  close(): Promise<void>;
}

export async function startReferenceBot(config: ReferenceBotConfig): Promise<ReferenceBot> {
  const graph = `${config.graphOrigin}/v25.0`;
  const bot: ReferenceBot = { callbackUrl: '', sent: [], badSignatures: 0, setUp, close };

  async function callSendApi(requestBody: Record<string, unknown>): Promise<void> {
    const url = new URL(`${graph}/me/messages`);
    url.search = new URLSearchParams({ access_token: config.pageAccessToken }).toString();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(requestBody),
    });
    bot.sent.push({ request: requestBody, status: response.status, answer: await response.json() });
  }

  async function handleMessage(
    senderPsid: string,
    message: { text?: string; quick_reply?: { payload: string } },
  ): Promise<void> {
    await callSendApi({ recipient: { id: senderPsid }, sender_action: 'mark_seen' });
    const payload = message.quick_reply?.payload;
    const text = payload === 'YES' ? 'Great, here is your balance: 1,234.56 EUR' : `You said: "${message.text ?? ''}"`;
    await callSendApi({ recipient: { id: senderPsid }, message: { text } });
  }

  async function handlePostback(senderPsid: string, postback: { payload: string }): Promise<void> {
    if (postback.payload === 'GET_STARTED') {
      await callSendApi({
        recipient: { id: senderPsid },
        message: {
          text: 'Welcome! Shall I show your balance?',
          quick_replies: [{ content_type: 'text', title: 'Yes please', payload: 'YES' }],
        },
      });
    } else {
      await callSendApi({ recipient: { id: senderPsid }, message: { text: `Menu: ${postback.payload}` } });
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bot');
    if (req.method === 'GET' && url.pathname === '/webhook') {
      const ok =
        url.searchParams.get('hub.mode') === 'subscribe' &&
        url.searchParams.get('hub.verify_token') === config.verifyToken;
      res.writeHead(ok ? 200 : 403);
      res.end(ok ? url.searchParams.get('hub.challenge') : undefined);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const [, signature] = String(req.headers['x-hub-signature-256'] ?? '').split('=');
      const expected = createHmac('sha256', config.appSecret).update(raw).digest('hex');
      if (
        signature === undefined ||
        signature.length !== expected.length ||
        !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
      ) {
        bot.badSignatures += 1;
        res.writeHead(403).end();
        return;
      }
      const body = JSON.parse(raw.toString('utf8')) as {
        object: string;
        entry: Array<{
          messaging?: Array<{
            sender: { id: string };
            message?: { text?: string; quick_reply?: { payload: string }; is_echo?: boolean };
            postback?: { payload: string };
          }>;
        }>;
      };
      // Answer at once, as Meta asks (within 5 seconds), then work.
      res.writeHead(200).end('EVENT_RECEIVED');
      if (body.object !== 'page') return;
      for (const entry of body.entry) {
        for (const event of entry.messaging ?? []) {
          if (event.message !== undefined && event.message.is_echo !== true)
            void handleMessage(event.sender.id, event.message);
          else if (event.postback !== undefined) void handlePostback(event.sender.id, event.postback);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  bot.callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;

  /** What Meta's sample apps do at start: webhook, page subscription, NLP, profile. */
  async function setUp(): Promise<void> {
    const subscriptions = new URL(`${graph}/${config.appId}/subscriptions`);
    subscriptions.search = new URLSearchParams({
      access_token: `${config.appId}|${config.appSecret}`,
      object: 'page',
      callback_url: bot.callbackUrl,
      verify_token: config.verifyToken,
      fields: 'messages, messaging_postbacks, messaging_optins, message_deliveries, messaging_referrals',
      include_values: 'true',
    }).toString();
    await expectSuccess(await fetch(subscriptions, { method: 'POST' }), 'subscriptions');

    const subscribedApps = new URL(`${graph}/me/subscribed_apps`);
    subscribedApps.search = new URLSearchParams({
      access_token: config.pageAccessToken,
      subscribed_fields: 'messages,messaging_postbacks,messaging_optins,message_deliveries,messaging_referrals',
    }).toString();
    await expectSuccess(
      await fetch(subscribedApps, { method: 'POST', headers: { 'Content-Type': 'application/json' } }),
      'subscribed_apps',
    );

    const nlp = new URL(`${graph}/me/nlp_configs`);
    nlp.search = new URLSearchParams({ access_token: config.pageAccessToken, nlp_enabled: 'true' }).toString();
    await expectSuccess(
      await fetch(nlp, { method: 'POST', headers: { 'Content-Type': 'application/json' } }),
      'nlp_configs',
    );

    const profile = new URL(`${graph}/me/messenger_profile`);
    profile.search = new URLSearchParams({ access_token: config.pageAccessToken }).toString();
    const locales = Object.entries(MENU_TITLES);
    const body = {
      get_started: { payload: 'GET_STARTED' },
      greeting: locales.map(([locale, t]) => ({ locale, text: `Hi {{user_first_name}}! ${t.balance}?` })),
      persistent_menu: locales.map(([locale, t]) => ({
        locale,
        composer_input_disabled: false,
        call_to_actions: [
          { type: 'postback', title: t.balance, payload: 'BALANCE' },
          { type: 'postback', title: t.help, payload: 'HELP' },
        ],
      })),
      whitelisted_domains: ['https://bank.example'],
    };
    await expectSuccess(
      await fetch(profile, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }),
      'messenger_profile',
    );
  }

  async function close(): Promise<void> {
    await new Promise((resolve) => server.close(resolve));
  }
  return bot;
}

async function expectSuccess(response: Response, what: string): Promise<void> {
  const answer = (await response.json()) as { success?: boolean; result?: string };
  if (response.status !== 200 || (answer.success !== true && answer.result !== 'success')) {
    throw new Error(`${what} set-up failed: ${response.status} ${JSON.stringify(answer)}`);
  }
}
