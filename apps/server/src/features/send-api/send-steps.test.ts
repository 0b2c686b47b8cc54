/**
 * The Send API's table and runner (send-steps.ts, run-send.ts): every row checks before it
 * writes, the message rows share one append step (the only append to the kernel), and
 * the runner runs request steps before the transaction, stops at the first refusal and
 * starts each run of a job from the request steps' state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlatformError } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import type { HubContext } from '../../context.js';
import type { GraphCall } from '../../http/graph-request.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { appendMessage } from './append-steps.js';
import type { SendEnv, SendState, SendStep } from './pipeline/send-state.js';
import { runRow } from './run-send.js';
import { SEND_TABLE, startState, variantOf, type SendRow } from './send-steps.js';

const names = (row: SendRow) => row.steps.map((step) => step.name);

describe('the Send API table', () => {
  it('declares each kind of send as a row of named steps, checks in the documented order', () => {
    const checks = ['recipient', 'thread owner', 'window and tag'];
    expect(names(SEND_TABLE.message)).toEqual([
      'reserved payloads',
      'authenticate',
      'warm keys',
      'upload file',
      'recipient',
      'references',
      ...checks.slice(1),
      'consent',
      'rate limit',
      'stage attachments',
      'append',
    ]);
    expect(names(SEND_TABLE.utility)).toEqual([
      'authenticate',
      'warm keys',
      'recipient',
      'template',
      ...checks.slice(1),
      'consent',
      'rate limit',
      'append',
    ]);
    expect(names(SEND_TABLE.typing)).toEqual(['authenticate', ...checks, 'rate limit', 'publish typing']);
    expect(names(SEND_TABLE.markSeen)).toEqual(['authenticate', ...checks, 'rate limit', 'append read receipt']);
  });

  it('runs every check of a row before its first effect, and ends each row with an effect', () => {
    const order = { request: 0, check: 1, effect: 2 } as const;
    for (const [variant, row] of Object.entries(SEND_TABLE)) {
      const phases = row.steps.map((step) => order[step.phase]);
      expect(phases, variant).toEqual([...phases].sort((a, b) => a - b));
      expect(row.steps.at(-1)?.phase, variant).toBe('effect');
    }
  });

  it('appends messages in one step, the only place the Send API appends to the timeline', () => {
    expect(SEND_TABLE.message.steps.at(-1)).toBe(appendMessage);
    expect(SEND_TABLE.utility.steps.at(-1)).toBe(appendMessage);
    const dir = path.dirname(fileURLToPath(import.meta.url));
    const sources = [...fs.readdirSync(dir), ...fs.readdirSync(path.join(dir, 'pipeline')).map((f) => `pipeline/${f}`)]
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => ({ f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
    const calls = sources.flatMap(({ f, text }) =>
      (text.match(/\b(appendToConversation|appendToTimeline|appendMessage)\(/g) ?? []).map(() => f),
    );
    expect(calls).toEqual(['append-steps.ts']);
  });

  it('picks the row from the parsed command', () => {
    const base = { psid: 'p', personaId: undefined };
    expect(variantOf({ ...base, kind: 'action', action: 'typing_on' })).toBe('typing');
    expect(variantOf({ ...base, kind: 'action', action: 'mark_seen' })).toBe('markSeen');
    expect(
      variantOf({ ...base, kind: 'utility', message: { template: { name: 't', language: { code: 'en' } } } }),
    ).toBe('utility');
  });
});

/** A hub context with just what the runner touches: a clock, a pool handle and a write queue that counts runs. */
function fakeEnv(runs: { count: number; times: number }): SendEnv {
  const tx = { db: 'tx-db', ahead: undefined, afterCommit: () => undefined } as unknown as WriteTx;
  const ctx = {
    now: () => 1000,
    storage: {
      db: 'pool-db',
      writes: {
        async run(fn: (tx: WriteTx) => Promise<unknown>) {
          let result: unknown;
          // Like a group commit that runs a job again: each run must start afresh.
          for (let i = 0; i < runs.times; i++) {
            runs.count += 1;
            result = await fn(tx);
          }
          return result;
        },
      },
    },
  } as unknown as HubContext;
  return {
    ctx,
    attachments: undefined,
    limiter: undefined,
    keys: { customerOf: () => undefined },
  } as unknown as SendEnv;
}

function state(env: SendEnv): SendState {
  const call = {
    params: {},
    path: {},
    file: undefined,
    principal: { pageId: 'pg', appId: 'a', tokenId: 't' },
    token: '',
  };
  const s = startState(
    call as GraphCall,
    { kind: 'action', psid: 'p', action: 'mark_seen', personaId: undefined },
    env.ctx,
  );
  s.principal = call.principal;
  return s;
}

function step(name: string, phase: SendStep['phase'], log: string[], run?: (s: SendState) => void): SendStep {
  return {
    name,
    phase,
    run: (s) => {
      log.push(`${name}@${String(s.db)}${s.tx === undefined ? '' : '+tx'}`);
      run?.(s);
    },
  };
}

describe('the runner', () => {
  it('runs request steps on the pool, then checks and effects in the transaction', async () => {
    const log: string[] = [];
    const env = fakeEnv({ count: 0, times: 1 });
    const row: SendRow = {
      steps: [
        step('parse', 'request', log),
        step('check', 'check', log),
        step('write', 'effect', log, (s) => (s.answer = { recipient_id: 'p' })),
      ],
      transaction: true,
      readAhead: false,
      counted: false,
    };
    expect(await runRow(env, row, state(env))).toEqual({ recipient_id: 'p' });
    expect(log).toEqual(['parse@pool-db', 'check@tx-db+tx', 'write@tx-db+tx']);
  });

  it('runs a row without a transaction on the pool', async () => {
    const log: string[] = [];
    const runs = { count: 0, times: 1 };
    const env = fakeEnv(runs);
    const row: SendRow = {
      steps: [step('check', 'check', log), step('publish', 'effect', log, (s) => (s.answer = { recipient_id: 'p' }))],
      transaction: false,
      readAhead: false,
      counted: false,
    };
    await runRow(env, row, state(env));
    expect(log).toEqual(['check@pool-db', 'publish@pool-db']);
    expect(runs.count).toBe(0);
  });

  it('stops at the first refusal: no later check, no effect', async () => {
    const log: string[] = [];
    const env = fakeEnv({ count: 0, times: 1 });
    const refuse = step('window', 'check', log, () => {
      throw new PlatformError('OUTSIDE_WINDOW');
    });
    const row: SendRow = {
      steps: [step('recipient', 'check', log), refuse, step('consent', 'check', log), step('append', 'effect', log)],
      transaction: true,
      readAhead: false,
      counted: false,
    };
    await expect(runRow(env, row, state(env))).rejects.toMatchObject({ key: 'OUTSIDE_WINDOW' });
    expect(log).toEqual(['recipient@tx-db+tx', 'window@tx-db+tx']);
  });

  it('starts every run of a job from the request steps state (a rerun sees nothing of the run before)', async () => {
    const seen: Array<string | undefined> = [];
    const runs = { count: 0, times: 2 };
    const env = fakeEnv(runs);
    const row: SendRow = {
      steps: [
        {
          name: 'recipient',
          phase: 'check',
          run: (s) => void (seen.push(s.conv?.id), (s.conv = { id: 'c' } as never)),
        },
        { name: 'append', phase: 'effect', run: (s) => void (s.answer = { recipient_id: 'p' }) },
      ],
      transaction: true,
      readAhead: false,
      counted: false,
    };
    await runRow(env, row, state(env));
    expect(runs.count).toBe(2);
    expect(seen).toEqual([undefined, undefined]);
  });

  it('refuses to answer when a row has no step that answers', async () => {
    const env = fakeEnv({ count: 0, times: 1 });
    const row: SendRow = { steps: [step('check', 'check', [])], transaction: true, readAhead: false, counted: false };
    await expect(runRow(env, row, state(env))).rejects.toThrow('answer is not known yet');
  });
});

describe('the steps of a plain text send', () => {
  const stepNamed = (name: string): SendStep => {
    const found = SEND_TABLE.message.steps.find((s) => s.name === name);
    if (found === undefined) throw new Error(`no step ${name}`);
    return found;
  };

  it('answer at once, without a promise, up to the append (recipient read ahead, nothing referred to, nothing to stage)', () => {
    const env = fakeEnv({ count: 0, times: 1 });
    const conv = { id: 'c', psid: 'p', blocked_reason: null };
    const tx = { db: 'tx-db', ahead: { row: conv }, afterCommit: () => undefined } as unknown as WriteTx;
    const principal = { pageId: 'pg', appId: 'a', tokenId: 't' };
    const s = startState(
      { principal, file: undefined },
      {
        kind: 'message',
        psid: 'p',
        message: { text: 'hello' },
        messagingType: 'RESPONSE',
        tag: undefined,
        personaId: undefined,
        replyTo: undefined,
        category: undefined,
      },
      env.ctx,
    );
    Object.assign(s, { principal, tx, db: tx.db });
    for (const name of ['upload file', 'recipient', 'references', 'stage attachments'])
      expect(stepNamed(name).run(s, env), name).toBeUndefined();
    expect(s.conv).toBe(conv);
    expect(s.refs?.size).toBe(0);
    expect(s.draft).toMatchObject({ body: { text: 'hello' }, messagingType: 'RESPONSE', linked: [] });
  });

  it('still refuse a recipient the read-ahead did not find, or one who blocked the business', () => {
    const env = fakeEnv({ count: 0, times: 1 });
    const principal = { pageId: 'pg', appId: 'a', tokenId: 't' };
    const cmd = { kind: 'action', psid: 'p', action: 'typing_on', personaId: undefined } as const;
    for (const [row, key] of [
      [undefined, 'NO_MATCHING_USER'],
      [{ id: 'c', blocked_reason: 'blocked' }, 'USER_UNAVAILABLE'],
    ] as const) {
      const s = startState({ principal, file: undefined }, cmd, env.ctx);
      Object.assign(s, { principal, tx: { ahead: { row } } });
      expect(() => stepNamed('recipient').run(s, env)).toThrow(expect.objectContaining({ key }));
    }
  });
});

describe('the runner with steps that wait', () => {
  it('waits for a step that returns a promise before the next one, and for nothing otherwise', async () => {
    const log: string[] = [];
    const env = fakeEnv({ count: 0, times: 1 });
    const later = (name: string): SendStep => ({
      name,
      phase: 'check',
      run: () => new Promise<void>((resolve) => setTimeout(() => resolve(void log.push(name)), 5)),
    });
    const row: SendRow = {
      steps: [
        step('a', 'check', log),
        later('b'),
        step('c', 'check', log),
        later('d'),
        step('e', 'effect', log, (s) => (s.answer = { recipient_id: 'p' })),
      ],
      transaction: true,
      readAhead: false,
      counted: false,
    };
    expect(await runRow(env, row, state(env))).toEqual({ recipient_id: 'p' });
    expect(log).toEqual(['a@tx-db+tx', 'b', 'c@tx-db+tx', 'd', 'e@tx-db+tx']);
  });
});
