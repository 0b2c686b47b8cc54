/**
 * The Alexa endpoint with a local CA: signed fixtures (launch, balance with and without a
 * token, fraud alerts, session end) pass; each rule of the Alexa Skills Kit's request
 * verification is broken once and refused with 400.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createSign, webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAssistant } from '../../../test/assistant.js';
import { buildGraphFixture, type GraphFixture } from '../../../test/contract/graph-fixtures.js';
import { buildTestHub, createPage, DIALECTS, testClock, type TestHub } from '../../../test/helpers.js';
import { declareCategory } from '../consent/declarations.js';
import { certUrlProblem } from './verify-request.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const SKILL = 'amzn1.ask.skill.00000000-test-skill';
const CHAIN_URL = 'https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem';
const ALG = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const START = Date.UTC(2026, 10, 23, 12, 0, 0);
const DAY = 86_400_000;

interface Issued {
  pem: string;
  keys: CryptoKeyPair;
}

async function keys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}
async function root(name: string): Promise<Issued & { cert: x509.X509Certificate }> {
  const k = await keys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(START - 30 * DAY),
    notAfter: new Date(START + 365 * DAY),
    signingAlgorithm: ALG,
    keys: k,
    extensions: [
      new x509.BasicConstraintsExtension(true, 2, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  return { pem: cert.toString('pem'), keys: k, cert };
}
async function issue(
  issuer: { cert: x509.X509Certificate; keys: CryptoKeyPair },
  o: { san: string; ca?: boolean; notAfter?: number; serial: string },
): Promise<Issued & { cert: x509.X509Certificate }> {
  const k = await keys();
  const extensions: x509.Extension[] = o.ca
    ? [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      ]
    : [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: o.san }])];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: o.serial,
    subject: `CN=${o.san}`,
    issuer: issuer.cert.subject,
    notBefore: new Date(START - DAY),
    notAfter: new Date(o.notAfter ?? START + 90 * DAY),
    signingAlgorithm: ALG,
    publicKey: k.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions,
  });
  return { pem: cert.toString('pem'), keys: k, cert };
}
async function signer(leaf: Issued) {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leaf.keys.privateKey));
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return (raw: string) => createSign('RSA-SHA256').update(raw).sign(key, 'base64');
}

let ca: Awaited<ReturnType<typeof root>>;
let chains: Record<string, string>;
let sign: (raw: string) => string;
let foreignSign: (raw: string) => string;

beforeAll(async () => {
  ca = await root('Local Test Root');
  const intermediate = await issue(ca, { san: 'Local Test Intermediate', ca: true, serial: '02' });
  const leaf = await issue(intermediate, { san: 'echo-api.amazon.com', serial: '03' });
  const wrongHost = await issue(intermediate, { san: 'echo-api.example.com', serial: '04' });
  const expired = await issue(intermediate, { san: 'echo-api.amazon.com', serial: '05', notAfter: START - 60_000 });
  const stranger = await root('Someone Else');
  const strangerLeaf = await issue(stranger, { san: 'echo-api.amazon.com', serial: '06' });
  chains = {
    [CHAIN_URL]: leaf.pem + intermediate.pem,
    'https://s3.amazonaws.com/echo.api/wrong-host.pem': wrongHost.pem + intermediate.pem,
    'https://s3.amazonaws.com/echo.api/expired.pem': expired.pem + intermediate.pem,
    'https://s3.amazonaws.com/echo.api/untrusted.pem': strangerLeaf.pem + stranger.pem,
  };
  sign = await signer(leaf);
  foreignSign = await signer(strangerLeaf);
}, 60_000);

describe('Alexa certificate URL rules', () => {
  it('accepts Amazon’s bucket only', () => {
    for (const ok of [
      CHAIN_URL,
      'https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem',
      'https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem',
      'HTTPS://s3.AmazonAWS.com/echo.api/c.pem',
    ]) {
      expect(certUrlProblem(ok), ok).toBeUndefined();
    }
    for (const bad of [
      'http://s3.amazonaws.com/echo.api/echo-api-cert.pem',
      'https://notamazon.com/echo.api/echo-api-cert.pem',
      'https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem',
      'https://s3.amazonaws.com/invalid.path/echo-api-cert.pem',
      'https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem',
      'https://s3.amazonaws.com/echo.api/../evil/cert.pem',
    ]) {
      expect(certUrlProblem(bad), bad).toBeDefined();
    }
  });
});

for (const dialect of DIALECTS) {
  describe(`POST /alexa (${dialect})`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    const clock = testClock(START);
    const fetched: string[] = [];
    beforeAll(async () => {
      hub = await buildTestHub({
        dialect,
        clock,
        env: { ALEXA_SKILL_ID: SKILL },
        alexa: {
          trustedRoots: [ca.pem],
          fetchChain: async (url) => {
            fetched.push(url);
            const pem = chains[url];
            if (pem === undefined) throw new Error('404');
            return pem;
          },
        },
      });
      fx = await buildGraphFixture(hub, {
        silent: true,
        page: await createPage(hub, { name: 'Harbour Bank', webhookUrl: 'https://bank.invalid/webhook' }),
      });
      await declareCategory(hub.ctx, { pageId: fx.page.page_id, category: 'fraud_alerts', purpose: 'Fraud alerts' });
      await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['fraud_alerts']);
    });
    afterAll(async () => hub.dispose());

    const envelope = (request: Record<string, unknown>, token?: string, at = clock.now(), skill = SKILL) => ({
      version: '1.0',
      session: {
        new: true,
        sessionId: 'amzn1.echo-api.session.1',
        application: { applicationId: skill },
        user: { userId: 'amzn1.ask.account.X', ...(token ? { accessToken: token } : {}) },
      },
      context: {
        System: {
          application: { applicationId: skill },
          user: { userId: 'amzn1.ask.account.X', ...(token ? { accessToken: token } : {}) },
        },
      },
      request: {
        requestId: 'amzn1.echo-api.request.1',
        timestamp: new Date(at).toISOString(),
        locale: 'en-GB',
        ...request,
      },
    });
    const post = (
      body: unknown,
      o: {
        url?: string;
        signWith?: (raw: string) => string;
        tamper?: (raw: string) => string;
        signature?: string;
      } = {},
    ) => {
      const raw = JSON.stringify(body);
      const signature = o.signature ?? (o.signWith ?? sign)(raw);
      return hub.app.inject({
        method: 'POST',
        url: '/alexa',
        headers: {
          'content-type': 'application/json',
          signaturecertchainurl: o.url ?? CHAIN_URL,
          'signature-256': signature,
        },
        payload: o.tamper ? o.tamper(raw) : raw,
      });
    };
    const speech = (res: { json(): { response: { outputSpeech?: { text: string } } } }) =>
      res.json().response.outputSpeech?.text ?? '';

    it('signed fixtures: launch, balance without a token (LinkAccount), balance and fraud alerts with one, session end', async () => {
      const launchNoToken = await post(envelope({ type: 'LaunchRequest' }));
      expect(launchNoToken.statusCode).toBe(200);
      expect(launchNoToken.json().response.card).toEqual({ type: 'LinkAccount' });

      const unlinked = await post(envelope({ type: 'IntentRequest', intent: { name: 'BalanceIntent' } }));
      expect(unlinked.json()).toMatchObject({
        version: '1.0',
        response: { card: { type: 'LinkAccount' }, shouldEndSession: true },
      });

      const { tokens } = await connectAssistant(
        hub,
        fx.customer.cookie,
        { pages: [fx.page.page_id], categories: ['fraud_alerts'] },
        'read',
      );
      const launch = await post(envelope({ type: 'LaunchRequest' }, tokens.access_token));
      expect(speech(launch)).toContain('Ask for your balance');
      expect(launch.json().response.shouldEndSession).toBe(false);

      // The bank answers the question the skill asked for the customer.
      const reply = (async () => {
        for (let i = 0; i < 100; i++) {
          const asked = await hub.ctx.storage.db
            .selectFrom('messages')
            .select('id')
            .where('conversation_id', '=', fx.conversationId)
            .where('direction', '=', 'in')
            .executeTakeFirst();
          if (asked !== undefined) {
            await hub.app.inject({
              method: 'POST',
              url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
              payload: {
                recipient: { id: fx.psid },
                messaging_type: 'RESPONSE',
                message: { text: 'Your balances:\n• Checking (••1234): €1,234.56 available' },
              },
            });
            return;
          }
          await new Promise((r) => setTimeout(r, 30));
        }
      })();
      const balance = await post(
        envelope({ type: 'IntentRequest', intent: { name: 'BalanceIntent' } }, tokens.access_token),
      );
      await reply;
      expect(speech(balance)).toBe('Your balances. Checking (1234): €1,234.56 available');
      const question = await hub.ctx.storage.db
        .selectFrom('messages')
        .select('body')
        .where('conversation_id', '=', fx.conversationId)
        .where('direction', '=', 'in')
        .executeTakeFirstOrThrow();
      expect(
        await hub.ctx.storage.vault.openMessage(
          { purpose: 'assistant_relay', actor: 'test' },
          fx.customer.id,
          question.body,
        ),
      ).toEqual({ text: 'balance', surface: 'assistant' });

      const none = await post(
        envelope({ type: 'IntentRequest', intent: { name: 'FraudAlertsIntent' } }, tokens.access_token),
      );
      expect(speech(none)).toBe('You have no fraud alerts.');
      await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
        payload: {
          recipient: { id: fx.psid },
          messaging_type: 'MESSAGE_TAG',
          tag: 'ACCOUNT_UPDATE',
          notification_category: 'fraud_alerts',
          message: {
            attachment: {
              type: 'template',
              payload: {
                template_type: 'button',
                text: 'Was this you? €950.00 at ACME',
                buttons: [{ type: 'postback', title: 'Yes', payload: 'Y' }],
              },
            },
          },
        },
      });
      const alert = await post(
        envelope({ type: 'IntentRequest', intent: { name: 'FraudAlertsIntent' } }, tokens.access_token),
      );
      expect(speech(alert)).toBe(
        'Harbour Bank: Was this you? €950.00 at ACME It is waiting for your answer in your chat.',
      );

      const ended = await post(
        envelope({ type: 'SessionEndedRequest', reason: 'USER_INITIATED' }, tokens.access_token),
      );
      expect(ended.statusCode).toBe(200);
      expect(ended.json()).toEqual({ version: '1.0', response: {} });
      // The chain was fetched once and cached.
      expect(fetched.filter((u) => u === CHAIN_URL)).toHaveLength(1);

      // A revoked grant: back to the LinkAccount card.
      const [grant] = (
        await hub.app.inject({ method: 'GET', url: '/api/privacy/assistants', headers: { cookie: fx.customer.cookie } })
      ).json().data;
      await hub.app.inject({
        method: 'DELETE',
        url: `/api/privacy/assistants/${grant.id}`,
        headers: { cookie: fx.customer.cookie },
      });
      expect((await post(envelope({ type: 'LaunchRequest' }, tokens.access_token))).json().response.card).toEqual({
        type: 'LinkAccount',
      });
    });

    it('refuses with 400: bad signature, tampered body, stale timestamp, wrong certificate host, expired or untrusted chain, bad URL, other skill', async () => {
      const launch = () => envelope({ type: 'LaunchRequest' });
      const refused = async (
        res: Promise<{ statusCode: number; json(): { error_description: string } }>,
        reason: string,
      ) => {
        const r = await res;
        expect(r.statusCode, reason).toBe(400);
        expect(r.json().error_description).toContain(reason);
      };
      await refused(post(launch(), { signature: Buffer.alloc(256, 7).toString('base64') }), 'signature does not match');
      await refused(
        post(launch(), { tamper: (raw) => raw.replace('LaunchRequest', 'IntentRequest') }),
        'signature does not match',
      );
      await refused(post(launch(), { signWith: foreignSign }), 'signature does not match');
      await refused(post(envelope({ type: 'LaunchRequest' }, undefined, clock.now() - 151_000)), 'timestamp');
      await refused(post(envelope({ type: 'LaunchRequest' }, undefined, clock.now() + 151_000)), 'timestamp');
      await refused(
        post(launch(), { url: 'https://s3.amazonaws.com/echo.api/wrong-host.pem' }),
        'not for echo-api.amazon.com',
      );
      await refused(post(launch(), { url: 'https://s3.amazonaws.com/echo.api/expired.pem' }), 'expired');
      await refused(
        post(launch(), { url: 'https://s3.amazonaws.com/echo.api/untrusted.pem', signWith: foreignSign }),
        'trusted root',
      );
      await refused(post(launch(), { url: 'http://s3.amazonaws.com/echo.api/echo-api-cert-12.pem' }), 'not https');
      await refused(post(launch(), { url: 'https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-12.pem' }), '/echo.api/');
      await refused(
        post(envelope({ type: 'LaunchRequest' }, undefined, clock.now(), 'amzn1.ask.skill.other')),
        'another skill',
      );
      const unsigned = await hub.app.inject({
        method: 'POST',
        url: '/alexa',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(launch()),
      });
      expect(unsigned.statusCode).toBe(400);
      // Nothing was written for any of them.
      expect(
        await hub.ctx.storage.db
          .selectFrom('messages')
          .select('id')
          .where('conversation_id', '=', fx.conversationId)
          .where('direction', '=', 'in')
          .execute(),
      ).toHaveLength(1);
    });
  });
}

describe('POST /alexa without ALEXA_SKILL_ID', () => {
  it('is not served: answers like any unknown path', async () => {
    const hub = await buildTestHub();
    const alexa = await hub.app.inject({ method: 'POST', url: '/alexa', payload: {} });
    const unknown = await hub.app.inject({ method: 'POST', url: '/no-such-endpoint', payload: {} });
    expect(alexa.statusCode).toBe(unknown.statusCode);
    expect(alexa.json().error.code).toBe(unknown.json().error.code);
    await hub.dispose();
  });
});
