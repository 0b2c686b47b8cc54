/**
 * Two real hub processes (`confide start`) on one PostgreSQL schema and one NATS server:
 * a message written through one process reaches the customer's socket on the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  NATS_URL,
  StreamClient,
  createSharedSchema,
  uniquePrefix,
  until,
  witnessFileFor,
  type SharedSchema,
} from './scale-helpers.js';
import { describeWithNats } from '../nats.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

interface HubProcess {
  child: ChildProcess;
  url: string;
}

function run(args: string[], env: Record<string, string>): ChildProcess {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -b\` first`);
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function startHub(env: Record<string, string>): Promise<HubProcess> {
  const child = run(['start', '--port', '0'], env);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const collect = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`hub exited with ${code}: ${out}`)));
  });
  // Live fan-out needs the bus: wait until this process reports its NATS connection.
  await until(async () => /^confide_bus_connected 1$/m.test(await (await fetch(`${url}/metrics`)).text()));
  return { child, url };
}

async function stop(p: HubProcess): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

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

describeWithNats('two hub processes on PostgreSQL + NATS', () => {
  let schema: SharedSchema;
  let env: Record<string, string>;
  const procs: HubProcess[] = [];
  const clients: StreamClient[] = [];
  beforeAll(async () => {
    schema = await createSharedSchema();
    env = {
      DATABASE_URL: schema.url,
      NATS_URL,
      NATS_SUBJECT_PREFIX: uniquePrefix(),
      AUDIT_WITNESS: `file:${witnessFileFor(schema.url)}`,
    };
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    for (const p of procs) await stop(p);
    await schema.drop();
  });

  it('delivers a message written through one process to a socket on the other, both ways', async () => {
    // One after the other: the first applies the migrations.
    const a = await startHub(env);
    procs.push(a);
    const b = await startHub(env);
    procs.push(b);

    const signup = await api(`${a.url}/api/signup`, 'POST', { username: 'scaled', password: 'long enough secret' });
    expect(signup.status).toBe(201);
    const cookie = signup.cookie as string;
    const created = await new Promise<string>((resolve, reject) => {
      const p = run(['page', 'create', '--name', 'Scaled Bank', '--category', 'bank', '--json'], env);
      let out = '';
      p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      p.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(out))));
    });
    const pageId = JSON.parse(created.trim().split('\n').at(-1) as string).page_id as string;
    const conv = await api(`${b.url}/api/conversations`, 'POST', { page_id: pageId }, cookie);
    expect(conv.status).toBe(200);

    const onA = new StreamClient(a.url, cookie);
    const onB = new StreamClient(b.url, cookie);
    clients.push(onA, onB);
    await Promise.all([onA.ready(), onB.ready()]);

    const viaB = await api(
      `${b.url}/api/conversations/${conv.json.id}/messages`,
      'POST',
      { text: 'written on B' },
      cookie,
    );
    expect(viaB.status).toBe(201);
    await onA.messages(1);
    const viaA = await api(
      `${a.url}/api/conversations/${conv.json.id}/messages`,
      'POST',
      { text: 'written on A' },
      cookie,
    );
    expect(viaA.status).toBe(201);
    await Promise.all([onA.messages(2), onB.messages(2)]);

    expect(onA.texts()).toEqual(['written on B', 'written on A']);
    expect(onB.texts()).toEqual(['written on B', 'written on A']);
  }, 60_000);
});
