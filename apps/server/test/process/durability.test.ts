/**
 * A write the API acknowledged survives `kill -9` of the hub: real processes, a real
 * SQLite file in WAL mode with synchronous=FULL (written in process, and by the writer
 * thread), and PostgreSQL with its default write
 * transactions in flight (several customers write at once, so several are).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROCESS_VARIANTS } from '../helpers.js';
import { createSharedSchema, type SharedSchema } from '../scale/scale-helpers.js';
import { CLI, startHubProcess } from './hub-process.js';

async function api(
  url: string,
  method: string,
  body?: unknown,
  cookie?: string,
): Promise<{ status: number; json: any; cookie?: string }> {
  const res = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(cookie ? { cookie } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const setCookie = res.headers.get('set-cookie');
  const text = await res.text();
  return {
    status: res.status,
    json: text ? JSON.parse(text) : undefined,
    ...(setCookie ? { cookie: setCookie.split(';')[0] } : {}),
  };
}

/** Customers writing at once, each from 4 senders. */
const CUSTOMERS = 4;

for (const { name, dialect, env: variantEnv } of PROCESS_VARIANTS) {
  describe(`${name}: durability`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-durable-'));
    let schema: SharedSchema | undefined;
    afterAll(async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await schema?.drop();
    });

    it('keeps every acknowledged message after kill -9', async () => {
      const env: Record<string, string> = { ...variantEnv };
      const where = ['--data-dir', dataDir];
      if (dialect === 'postgres') {
        schema = await createSharedSchema();
        env['DATABASE_URL'] = schema.url;
        where.push('--database-url', schema.url);
      }
      let { child, url } = await startHubProcess(dataDir, env);
      // The page is created by the CLI, a second process on the same database.
      const pageRes = await new Promise<string>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          [CLI, 'page', 'create', '--name', 'Durable Bank', '--category', 'bank', '--json', ...where],
          { env: { ...process.env, NODE_ENV: 'test' } },
        );
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(out))));
      });
      const pageId = JSON.parse(pageRes).page_id as string;
      const customers: Array<{ username: string; conv: string; cookie: string }> = [];
      for (let c = 0; c < CUSTOMERS; c++) {
        const username = `durable${c}`;
        const signup = await api(`${url}/api/signup`, 'POST', { username, password: 'long enough secret' });
        expect(signup.status).toBe(201);
        const conv = await api(`${url}/api/conversations`, 'POST', { page_id: pageId }, signup.cookie);
        expect(conv.status).toBe(200);
        customers.push({ username, conv: conv.json.id, cookie: signup.cookie as string });
      }

      const acked: string[] = [];
      let stop = false;
      const senders = Array.from({ length: 4 * CUSTOMERS }, async (_, w) => {
        const { conv, cookie } = customers[w % CUSTOMERS] as (typeof customers)[number];
        for (let i = 0; !stop && i < 10_000; i++) {
          try {
            const res = await api(`${url}/api/conversations/${conv}/messages`, 'POST', { text: `w${w}-${i}` }, cookie);
            if (res.status === 201) acked.push(res.json.mid);
          } catch {
            // A request that failed (the process died mid-request) was never acknowledged.
            if (stop) return;
            await new Promise((r) => setTimeout(r, 10));
          }
        }
      });
      while (acked.length < 300) await new Promise((r) => setTimeout(r, 5));
      // Listen before killing: the exit event may fire while the senders wind down.
      const killed = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(senders);
      await killed;

      ({ child, url } = await startHubProcess(dataDir, env));
      const stored = new Set<string>();
      for (const { username, conv } of customers) {
        const login = await api(`${url}/api/login`, 'POST', { username, password: 'long enough secret' });
        let before: string | null = null;
        do {
          const page = await api(
            `${url}/api/conversations/${conv}/messages?limit=200${before ? `&before=${before}` : ''}`,
            'GET',
            undefined,
            login.cookie,
          );
          for (const m of page.json.data) stored.add(m.mid);
          before = page.json.next_cursor;
        } while (before !== null);
      }
      const stopped = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await stopped;
      const missing = acked.filter((mid) => !stored.has(mid));
      expect(acked.length).toBeGreaterThanOrEqual(300);
      expect(missing).toEqual([]);
    }, 90_000);
  });
}
