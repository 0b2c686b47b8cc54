/**
 * `npm start`'s launcher (apps/sandbox-bank/dist/launch-demo.js) as a newcomer runs it: the
 * banner prints every login — customers, agents — and the page tokens, and each of them works;
 * no request log lines scroll the banner away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers.js';

const LAUNCHER = fileURLToPath(new URL('../../apps/sandbox-bank/dist/launch-demo.js', import.meta.url));

describe('the demo banner', () => {
  let child: ChildProcess;
  let out = '';
  let hubUrl = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'confide-demo-'));

  beforeAll(async () => {
    const [port, bankPort, shopPort] = [await freePort(), await freePort(), await freePort()];
    hubUrl = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: hubUrl,
      BANK_PORT: String(bankPort),
      SHOP_PORT: String(shopPort),
    };
    delete env['LOG_LEVEL'];
    child = spawn(process.execPath, [LAUNCHER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const until = Date.now() + 25_000;
    while (!/Sandbox Shop: EA\S+/.test(out) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  }, 30_000);

  afterAll(async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says how to connect an MCP client, and that endpoint asks for OAuth as MCP clients expect', async () => {
    expect(out).toContain(`add ${hubUrl}/mcp to any MCP client`);
    expect(out).toContain(`npm run demo:assistant -- ${hubUrl}`);
    const mcp = await fetch(`${hubUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(mcp.status).toBe(401);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(mcp.headers.get('www-authenticate') ?? '')?.[1] ?? '';
    expect(await (await fetch(metadataUrl)).json()).toMatchObject({
      resource: `${hubUrl}/mcp`,
      authorization_servers: [hubUrl],
    });
  });

  it('prints customer and agent logins and page tokens that work', async () => {
    expect(out).toContain('alice / alice-demo-password');
    const agent = /Agent inbox: \S+ as (\S+) \/ (\S+) \(Sandbox Bank, Fraud team\)/.exec(out);
    expect(agent, out).not.toBeNull();
    // The Fraud team's supervisor too.
    const supervisor = /(\S+) \/ (\S+) \(Sandbox Bank, Fraud team supervisor\)/.exec(out);
    expect(supervisor, out).not.toBeNull();
    for (const match of [agent, supervisor]) {
      const [, username, password] = match ?? [];
      const login = await fetch(`${hubUrl}/inbox/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: hubUrl },
        body: JSON.stringify({ username, password }),
      });
      expect(login.status).toBe(200);
      expect((await login.json()).agent).toMatchObject({ team: { name: 'Fraud' } });
    }
    const token = /Sandbox Bank: (EA\S+)/.exec(out)?.[1];
    const me = await fetch(`${hubUrl}/v25.0/me?access_token=${token}`);
    expect(await me.json()).toMatchObject({ name: 'Sandbox Bank' });
  });

  it('logs no line per request by default', async () => {
    for (let i = 0; i < 5; i++) await fetch(`${hubUrl}/healthz`);
    await new Promise((r) => setTimeout(r, 300));
    expect(out).not.toMatch(/"url":"\/healthz"|request completed|incoming request/);
  });
});
