/**
 * Issue 13 #5 against the real `confide` command on a real data folder: `audit verify`
 * passes on an untouched log and exits 1 on each rewrite someone with the database file
 * can make — (a) recomputed chain, checkpoints deleted; (b) their own key in signing_keys
 * and a re-signed checkpoint; (c) truncated after the first checkpoint — and on a witness
 * that does not match. Each attack runs on its own copy of the folder.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashRecord } from '../../src/privacy/audit-log.js';
import type { AuditLogTable } from '../../src/storage/schema.js';
import { CLI } from '../process/hub-process.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-audit-cli-'));
const original = path.join(root, 'original');
const run = (dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
  });

/** A copy of the untouched data folder (database, keystore and witness), to attack. */
function copy(name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(original, dir, { recursive: true });
  return dir;
}

/** Edits record `seq` and recomputes every later hash and the head, as someone with the file can. */
function rewriteFrom(db: SQLite.Database, seq: number): { seq: number; hash: string } {
  const rows = db.prepare('select * from audit_log order by seq').all() as AuditLogTable[];
  let prev = rows.find((r) => r.seq === seq - 1)?.hash ?? '0'.repeat(64);
  for (const r of rows.filter((x) => x.seq >= seq)) {
    const details = r.seq === seq ? '{"rewritten":true}' : r.details;
    const hash = hashRecord({ ...r, prev_hash: prev, details });
    db.prepare('update audit_log set prev_hash = ?, details = ?, hash = ? where seq = ?').run(
      prev,
      details,
      hash,
      r.seq,
    );
    prev = hash;
  }
  db.prepare('update audit_head set hash = ? where id = 1').run(prev);
  return { seq: rows.at(-1)?.seq ?? 0, hash: prev };
}

function verify(dataDir: string) {
  const res = run(dataDir, 'audit', 'verify', '--json');
  return {
    status: res.status,
    stderr: res.stderr,
    result: res.stdout.trim() === '' ? undefined : JSON.parse(res.stdout),
  };
}

describe('confide audit verify against rewrites of the database file', () => {
  beforeAll(() => {
    expect(run(original, 'customer', 'create', '--username', 'alice', '--password', 'long enough secret').status).toBe(
      0,
    );
    // Each command appends a record and, stopping, signs and witnesses the head.
    for (let i = 0; i < 3; i++) expect(run(original, 'export', '--customer', 'alice').status).toBe(0);
  }, 60_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('passes on the untouched log, every checkpoint in the witness file of the data folder', () => {
    const { status, result, stderr } = verify(original);
    expect(status, stderr).toBe(0);
    expect(result).toMatchObject({ ok: true, records: 3, checkpoints: 3, witnessed: 3 });
    expect(fs.readFileSync(path.join(original, 'audit-witness.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
  }, 30_000);

  it('(a) fails on a recomputed chain whose checkpoints were deleted', () => {
    const dir = copy('a');
    const db = new SQLite(path.join(dir, 'confide.db'));
    rewriteFrom(db, 1);
    db.prepare('delete from audit_checkpoints').run();
    db.close();
    const { status, stderr } = verify(dir);
    expect(status).toBe(1);
    expect(stderr).toMatch(/broken at record 1: record 1 differs from the checkpoint in witness/);
  }, 30_000);

  it("(b) fails on a chain re-signed with the attacker's own key inserted in signing_keys", async () => {
    const dir = copy('b');
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
    const kid = await calculateJwkThumbprint(publicJwk);
    const db = new SQLite(path.join(dir, 'confide.db'));
    const kekId = (db.prepare('select kek_id from signing_keys').get() as { kek_id: string }).kek_id;
    db.prepare(
      'insert into signing_keys (kid, alg, public_jwk, private_jwk_enc, kek_id, created_at) values (?, ?, ?, ?, ?, 0)',
    ).run(
      kid,
      'ES256',
      JSON.stringify({ ...publicJwk, kid }),
      Buffer.from(JSON.stringify(await exportJWK(privateKey))).toString('base64url'),
      kekId,
    );
    const head = rewriteFrom(db, 2);
    db.prepare('delete from audit_checkpoints').run();
    const jws = await new SignJWT({ seq: head.seq, hash: head.hash })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'confide-audit-checkpoint+jwt' })
      .sign(privateKey);
    db.prepare('insert into audit_checkpoints (seq, hash, jws, created_at) values (?, ?, ?, 1)').run(
      head.seq,
      head.hash,
      jws,
    );
    db.close();
    const { status, stderr } = verify(dir);
    expect(status).toBe(1);
    expect(stderr).toMatch(/checkpoint at 3 has a bad signature or no trusted key/);
  }, 30_000);

  it('(c) fails on a log truncated after its first checkpoint, the later checkpoints dropped', () => {
    const dir = copy('c');
    const db = new SQLite(path.join(dir, 'confide.db'));
    const first = db.prepare('select seq, hash from audit_checkpoints order by seq limit 1').get() as {
      seq: number;
      hash: string;
    };
    db.prepare('delete from audit_log where seq > ?').run(first.seq);
    db.prepare('delete from audit_checkpoints where seq > ?').run(first.seq);
    db.prepare('update audit_head set seq = ?, hash = ? where id = 1').run(first.seq, first.hash);
    db.close();
    const { status, stderr } = verify(dir);
    expect(status).toBe(1);
    expect(stderr).toMatch(/the log was truncated: witness .* holds checkpoint 2, the chain ends at 1/);
  }, 30_000);

  it('fails when the witness does not match: an entry the database lacks, or a witness from elsewhere', () => {
    const dir = copy('w');
    const db = new SQLite(path.join(dir, 'confide.db'));
    db.prepare('delete from audit_checkpoints where seq = 2').run();
    db.close();
    const { status, stderr } = verify(dir);
    expect(status).toBe(1);
    expect(stderr).toMatch(/checkpoint 2 is in witness .* but missing from the database/);
    // --witness FILE: another host's witness is checked too; one that is right adds its entries…
    const hostB = path.join(root, 'host-b.jsonl');
    fs.copyFileSync(path.join(original, 'audit-witness.jsonl'), hostB);
    const extra = run(original, 'audit', 'verify', '--witness', hostB, '--json');
    expect(extra.status, extra.stderr).toBe(0);
    expect(JSON.parse(extra.stdout)).toMatchObject({ ok: true, witnessed: 6 });
    // …one whose entry was altered fails.
    const lines = fs.readFileSync(hostB, 'utf8').trim().split('\n');
    const entry = JSON.parse(lines[1] ?? '{}');
    fs.writeFileSync(hostB, `${[lines[0], JSON.stringify({ ...entry, hash: 'f'.repeat(64) }), lines[2]].join('\n')}\n`);
    const altered = run(original, 'audit', 'verify', '--witness', hostB);
    expect(altered.status).toBe(1);
    expect(altered.stderr).toMatch(/witness entry for checkpoint 2 has a bad signature/);
  }, 30_000);
});
