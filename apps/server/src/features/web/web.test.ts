import Fastify, { type FastifyInstance } from 'fastify';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../http/errors.js';
import { webRoutes } from './routes.js';
import { WEB_CSP, webCspFor } from './security-headers.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const INDEX = '<!doctype html><title>app</title><script type="module" src="/assets/app-abc.js"></script>';

/** The hub's not-found answer: 404 on the customer API, the Graph envelope (HTTP 400) elsewhere. Never the app. */
function expectNotFound(res: { statusCode: number; body: string; headers: Record<string, unknown> }): void {
  expect([400, 404]).toContain(res.statusCode);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body).not.toBe(INDEX);
}

async function appWith(root: string): Promise<{ app: FastifyInstance; warnings: string[] }> {
  const warnings: string[] = [];
  const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => void warnings.push(line) } } });
  installErrorHandling(app);
  app.get('/api/me', async () => ({ ok: true }));
  await app.register(webRoutes({ root }));
  await app.ready();
  return { app, warnings };
}

describe('web app serving', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'confide-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), INDEX);
    await writeFile(join(dir, 'assets', 'app-abc.js'), 'console.log(1)');
    await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(dir, 'sw.js'), "self.addEventListener('fetch', () => {});");
    await writeFile(join(dir, 'manifest.webmanifest'), '{"name":"Confide"}');
    ({ app } = await appWith(dir));
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['/', '/privacy', '/inbox', '/inbox/new', '/c/c_123'])(
    'serves index.html with a strict CSP at %s',
    async (url) => {
      const res = await app.inject({ url, headers: HTML });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toBe(WEB_CSP);
      expect(WEB_CSP).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    },
  );

  it('lets the page load images and open connections on its own origin only (no tracking pixels)', () => {
    const directives = new Map(WEB_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(webCspFor('https://hub.bank.example')).toContain("connect-src 'self' wss://hub.bank.example;");
    expect(webCspFor('http://localhost:8080')).toContain("connect-src 'self' ws://localhost:8080;");
  });

  it('serves hashed assets as immutable files, and never index.html directly', async () => {
    const asset = await app.inject({ url: '/assets/app-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    expect((await app.inject({ url: '/favicon.svg' })).statusCode).toBe(200);
    expectNotFound(await app.inject({ url: '/index.html', headers: HTML }));
  });

  it('serves the service worker fresh, as JavaScript, with the whole app as its scope', async () => {
    const res = await app.inject({ url: '/sw.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['service-worker-allowed']).toBe('/');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the web app manifest, and the CSP allows the worker and manifest from its own origin only', async () => {
    const res = await app.inject({ url: '/manifest.webmanifest' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/manifest+json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const directives = new Map(WEB_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('worker-src')).toEqual(["'self'"]);
    expect(directives.get('manifest-src')).toEqual(["'self'"]);
  });

  it('falls back to index.html only for requests that accept HTML', async () => {
    const res = await app.inject({ url: '/c/c_123', headers: { accept: 'application/json' } });
    expectNotFound(res);
    expectNotFound(await app.inject({ method: 'POST', url: '/', headers: HTML }));
  });

  it.each([
    '/api/nope',
    '/docs/nothing',
    '/healthz/x',
    '/metrics/x',
    '/link/start',
    '/messenger_platform/x',
    '/.well-known/x',
    '/me/messages',
    '/v19.0/me/messages',
    '/1234567890',
    '/unknown',
  ])('never shadows %s', async (url) => {
    expectNotFound(await app.inject({ url, headers: HTML }));
  });

  it('leaves API routes alone', async () => {
    expect((await app.inject({ url: '/api/me', headers: HTML })).json()).toEqual({ ok: true });
  });
});

describe('web app not built', () => {
  it('warns and answers app routes with a 503 page under the same CSP family', async () => {
    const { app, warnings } = await appWith(join(tmpdir(), 'confide-web-missing-' + Date.now()));
    try {
      expect(warnings.join('\n')).toContain('web app is not built');
      const res = await app.inject({ url: '/', headers: HTML });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('npm run build');
      expect(res.headers['content-security-policy']).toMatch(
        /style-src 'self' 'sha256-[A-Za-z0-9+/=]+'; script-src 'self'/,
      );
      expect((await app.inject({ url: '/api/me' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
