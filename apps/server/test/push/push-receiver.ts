/**
 * A push service on loopback for tests: it plays the browser vendor's endpoint and the
 * browser at once. It holds a subscription's keys (a P-256 key pair and an auth secret),
 * checks each push's VAPID signature (RFC 8292) against the hub's public key, and opens
 * the `aes128gcm` payload (RFC 8291) with the maintained `http_ece` package.
 */
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error http_ece ships no type declarations
import ece from 'http_ece';

export interface ReceivedPush {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The opened payload (text). */
  text: string;
  /** The VAPID JWT's claims, once its signature checked out against `k`. */
  vapid: { k: string; claims: { aud: string; exp: number; sub: string } };
}

export interface PushReceiver {
  readonly url: string;
  /** A browser subscription (`PushSubscription.toJSON()`) for a path on this receiver. */
  subscription(path?: string): { endpoint: string; keys: { p256dh: string; auth: string } };
  readonly received: ReceivedPush[];
  /** The status the next pushes are answered with (201 by default). */
  answer(status: number): void;
  close(): Promise<void>;
}

export async function startPushReceiver(): Promise<PushReceiver> {
  const ecdh: ECDH = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const received: ReceivedPush[] = [];
  let status = 201;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (status < 300) {
        const body = Buffer.concat(chunks);
        const vapid = checkVapid(String(req.headers['authorization'] ?? ''));
        const text = (
          ece.decrypt(body, {
            version: 'aes128gcm',
            privateKey: ecdh,
            authSecret: auth.toString('base64url'),
          }) as Buffer
        ).toString('utf8');
        received.push({ path: req.url ?? '', headers: req.headers, text, vapid });
      }
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    subscription: (path = '/push/device-1') => ({
      endpoint: `${url}${path}`,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    }),
    answer: (s) => void (status = s),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** `vapid t=<jwt>, k=<key>`: verifies the ES256 JWT with k; answers k and the claims. */
function checkVapid(header: string): ReceivedPush['vapid'] {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header);
  if (m === null) throw new Error(`not a VAPID authorization: ${header}`);
  const [h, p, s] = m[1]!.split('.') as [string, string, string];
  const k = m[2]!;
  const raw = Buffer.from(k, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  if (!ok) throw new Error('VAPID signature does not verify');
  const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string };
  if (head.alg !== 'ES256') throw new Error(`VAPID alg ${head.alg}`);
  return { k, claims: JSON.parse(Buffer.from(p, 'base64url').toString()) };
}
