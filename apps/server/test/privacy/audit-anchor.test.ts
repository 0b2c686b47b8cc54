/**
 * Issue 13 #5: the audit log is anchored outside its database. Someone who can edit the
 * database (but holds neither the KEK nor the witness) rewrites it the three ways the
 * attack report found, and `audit verify` fails on each: (a) a recomputed chain with the
 * checkpoints deleted, (b) a chain re-signed with their own key inserted in signing_keys,
 * (c) a log truncated after its first checkpoint with the later ones dropped. A witness
 * that does not match fails too, and a customer's receipt catches a truncation on its own.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SigningKeys } from '../../src/crypto/signing-keys.js';
import { hashRecord } from '../../src/privacy/audit-log.js';
import { buildTestHub, DIALECTS, testClock, type TestHub } from '../helpers.js';
import { customerSays, scene, type Scene } from './fixtures.js';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`${dialect}: audit log anchored outside the database`, () => {
    let hub: TestHub;
    let dir: string;
    let witnessFile: string;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-anchor-'));
      witnessFile = path.join(dir, 'witness.jsonl');
      hub = await buildTestHub({
        dialect,
        clock: testClock(),
        env: { SERVICES: 'api,realtime', AUDIT_WITNESS: `file:${witnessFile}` },
      });
    });
    afterEach(async () => {
      await hub.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const db = () => hub.ctx.storage.db;
    const records = () => db().selectFrom('audit_log').selectAll().orderBy('seq').execute();
    const checkpoints = () => db().selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
    const witnessLines = () => fs.readFileSync(witnessFile, 'utf8').trim().split('\n');
    const verify = (options?: Parameters<typeof hub.services.privacy.verify>[0]) =>
      hub.services.privacy.verify(options);

    /** Activity, flushed and checkpointed; returns the checkpoint's seq. */
    async function activity(s: Scene, text: string): Promise<number> {
      // Source rows are followed by time, then id: move the clock so each round is new.
      hub.clock?.advance(1000);
      await customerSays(hub, s, text);
      const token = await hub.services.pages.issueToken(s.page.page_id);
      await hub.services.pages.revokeToken(s.page.page_id, token.token_id);
      await hub.services.privacy.flush();
      return hub.services.privacy.checkpoint();
    }

    /** Two checkpoints with records between them. */
    async function twoCheckpoints() {
      const s = await scene(hub);
      const first = await activity(s, 'one');
      await hub.services.consents.declare(s.page.page_id, 'fraud_alerts', 'Alerts about suspicious card payments');
      const second = await activity(s, 'two');
      expect(second).toBeGreaterThan(first);
      return { s, first, second };
    }

    /** What an attacker with the database does: edit record `seq` and recompute every later hash and the head. */
    async function rewriteFrom(seq: number): Promise<string> {
      const rows = await records();
      let prev = rows.find((r) => Number(r.seq) === seq - 1)?.hash ?? '0'.repeat(64);
      for (const r of rows.filter((x) => Number(x.seq) >= seq)) {
        const details = Number(r.seq) === seq ? '{"rewritten":true}' : r.details;
        const next = { ...r, seq: Number(r.seq), at: Number(r.at), prev_hash: prev, details };
        const hash = hashRecord(next);
        await db().updateTable('audit_log').set({ prev_hash: prev, details, hash }).where('seq', '=', r.seq).execute();
        prev = hash;
      }
      await sql`update audit_head set hash = ${prev} where id = 1`.execute(db());
      return prev;
    }

    it('an untouched log verifies, every checkpoint witnessed in the file (one fsync-ed JSON line each)', async () => {
      await twoCheckpoints();
      const result = await verify();
      expect(result).toMatchObject({ ok: true, checkpoints: 2, witnessed: 2, warnings: [] });
      const lines = witnessLines().map((l) => JSON.parse(l));
      expect(lines.map((l) => l.seq)).toEqual((await checkpoints()).map((c) => Number(c.seq)));
      // The hub's key is wrapped by the KEK, not stored usable.
      const key = await db().selectFrom('signing_keys').selectAll().executeTakeFirstOrThrow();
      expect(key.kek_id).toBe(hub.ctx.storage.vault.kekId);
      expect(key.private_jwk_enc).not.toContain('"d"');
    });

    it('(a) a recomputed chain with its checkpoints deleted fails, and the hub refuses to sign over it', async () => {
      await twoCheckpoints();
      await rewriteFrom(2);
      await db().deleteFrom('audit_checkpoints').execute();
      expect(await verify()).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/differs from the checkpoint in witness/),
      });
      // The writer notices too: no checkpoint is signed over the rewritten chain.
      await expect(hub.services.privacy.checkpoint()).rejects.toThrow(/refused/);
      expect(await checkpoints()).toEqual([]);
      expect(witnessLines()).toHaveLength(2);
    });

    it('(a) without the witness, records older than the checkpoint interval with no checkpoint fail', async () => {
      const s = await scene(hub);
      await customerSays(hub, s, 'hello');
      await hub.services.privacy.flush();
      expect(await checkpoints()).toEqual([]);
      expect(await verify()).toMatchObject({ ok: true });
      hub.clock?.advance(11 * MINUTE);
      expect(await verify()).toMatchObject({
        ok: false,
        brokenAt: 1,
        reason: expect.stringMatching(/no checkpoint covers it/),
      });
      // A running hub checkpoints a record waiting longer than a minute at its next flush.
      await hub.services.privacy.flush();
      expect(await verify()).toMatchObject({ ok: true, checkpoints: 1 });
      // Rewritten, checkpoints deleted, and the witness file emptied: the age of the records still fails it.
      await rewriteFrom(1);
      await db().deleteFrom('audit_checkpoints').execute();
      fs.writeFileSync(witnessFile, '');
      hub.clock?.advance(11 * MINUTE);
      expect(await verify()).toMatchObject({ ok: false, reason: expect.stringMatching(/no checkpoint covers it/) });
    });

    it("(b) a chain re-signed with the attacker's own key in signing_keys fails; the key is never published or used", async () => {
      await twoCheckpoints();
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const publicJwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
      const kid = await calculateJwkThumbprint(publicJwk);
      await db()
        .insertInto('signing_keys')
        .values({
          kid,
          alg: 'ES256',
          public_jwk: JSON.stringify({ ...publicJwk, kid }),
          // The attacker has no KEK: whatever they store here, it is not a KEK wrap.
          private_jwk_enc: Buffer.from(JSON.stringify(await exportJWK(privateKey))).toString('base64url'),
          kek_id: hub.ctx.storage.vault.kekId,
          created_at: 0,
          retired_at: null,
        })
        .execute();
      const head = await rewriteFrom(2);
      const seq = Number((await records()).at(-1)?.seq);
      await db().deleteFrom('audit_checkpoints').execute();
      const jws = await new SignJWT({ seq, hash: head })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'confide-audit-checkpoint+jwt' })
        .sign(privateKey);
      await db().insertInto('audit_checkpoints').values({ seq, hash: head, jws, created_at: 1 }).execute();

      expect(await verify()).toMatchObject({
        ok: false,
        brokenAt: seq,
        reason: expect.stringMatching(/no trusted key/),
      });
      const jwks = (await hub.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
      expect(jwks.keys.map((k: { kid: string }) => k.kid)).not.toContain(kid);
      expect(jwks.keys).toHaveLength(1);
      // A hub starting on this database signs with its own key, not the older forged one.
      const fresh = new SigningKeys(hub.ctx);
      await fresh.ensure();
      const signed = await fresh.sign({ x: 1 }, 'test+jwt');
      expect(JSON.parse(Buffer.from(signed.split('.')[0] ?? '', 'base64url').toString()).kid).not.toBe(kid);
      expect(await fresh.untrustedKids()).toEqual([kid]);
    });

    it('(c) a log truncated after its first checkpoint, later checkpoints dropped, fails; a receipt catches it even without the witness', async () => {
      const { s, first, second } = await twoCheckpoints();
      await hub.services.consents.set(s.customer.id, s.page.page_id, ['fraud_alerts'], 30);
      const receipt = await db()
        .selectFrom('consent_receipts')
        .select('jws')
        .where('customer_id', '=', s.customer.id)
        .executeTakeFirstOrThrow();
      const claims = JSON.parse(Buffer.from(receipt.jws.split('.')[1] ?? '', 'base64url').toString());
      expect(claims.audit_checkpoint).toEqual({ seq: second, hash: (await checkpoints()).at(-1)?.hash });
      expect(await verify({ receipts: [receipt.jws] })).toMatchObject({ ok: true, receipts: 1 });

      const kept = (await records()).find((r) => Number(r.seq) === first);
      await db().deleteFrom('audit_log').where('seq', '>', first).execute();
      await db().deleteFrom('audit_checkpoints').where('seq', '>', first).execute();
      await sql`update audit_head set seq = ${first}, hash = ${kept?.hash ?? ''} where id = 1`.execute(db());
      expect(await verify()).toMatchObject({
        ok: false,
        brokenAt: first + 1,
        reason: expect.stringMatching(/truncated: witness .* holds checkpoint/),
      });

      // The witness file is gone too (someone holding the whole data folder): the chain alone looks fine…
      fs.rmSync(witnessFile);
      expect(await verify()).toMatchObject({
        ok: true,
        warnings: [expect.stringMatching(/witness holds no checkpoint/)],
      });
      // …but the customer's receipt names a checkpoint the chain no longer has.
      expect(await verify({ receipts: [receipt.jws] })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/truncated: a receipt names checkpoint/),
      });
    });

    it('a key stored before the KEK anchor (sealed with the service key) is re-wrapped by the KEK at start; junk stays untrusted', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const publicJwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
      const kid = await calculateJwkThumbprint(publicJwk);
      const legacy = {
        kid,
        alg: 'ES256',
        public_jwk: JSON.stringify({ ...publicJwk, kid }),
        // What the hub stored before migration 014: sealed with the service key.
        private_jwk_enc: hub.ctx.secrets.seal(JSON.stringify(await exportJWK(privateKey)), `signing-key:${kid}`),
        kek_id: null,
        created_at: 0,
        retired_at: null,
      };
      const junk = {
        ...legacy,
        kid: 'junk',
        public_jwk: JSON.stringify({ ...publicJwk, kid: 'junk' }),
        private_jwk_enc: 'v1.AAAA.BBBB',
      };
      await db().insertInto('signing_keys').values([legacy, junk]).execute();
      const keys = new SigningKeys(hub.ctx);
      await keys.ensure();
      const row = await db().selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirstOrThrow();
      expect(row.kek_id).toBe(hub.ctx.storage.vault.kekId);
      // The oldest trusted key signs, and is published; the junk row is neither.
      const signed = await keys.sign({ x: 1 }, 'test+jwt');
      expect(JSON.parse(Buffer.from(signed.split('.')[0] ?? '', 'base64url').toString()).kid).toBe(kid);
      const published = (await keys.jwks()).keys.map((k) => k.kid);
      expect(published).toContain(kid);
      expect(published).not.toContain('junk');
      expect(await keys.untrustedKids()).toEqual(['junk']);
    });

    it('a witness that does not match the database fails: an altered entry, an unreadable line, another witness file', async () => {
      await twoCheckpoints();
      const original = fs.readFileSync(witnessFile, 'utf8');
      const lines = witnessLines().map((l) => JSON.parse(l));
      const other = (await records())[0]?.hash;
      fs.writeFileSync(witnessFile, `${JSON.stringify({ ...lines[0], hash: other })}\n${JSON.stringify(lines[1])}\n`);
      expect(await verify()).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/witness entry for checkpoint \d+ has a bad signature/),
      });
      fs.writeFileSync(witnessFile, `not json\n${JSON.stringify(lines[1])}\n`);
      expect(await verify()).toMatchObject({ ok: false, reason: expect.stringMatching(/line 1 is not JSON/) });
      // A torn last line (a crash while appending) is tolerated.
      fs.writeFileSync(witnessFile, `${original}{"seq":`);
      expect(await verify()).toMatchObject({ ok: true, witnessed: 2 });
      // Another host's witness, handed in with --witness: a checkpoint this database does not have.
      fs.writeFileSync(witnessFile, original);
      const elsewhere = path.join(dir, 'other-host.jsonl');
      const signed = await SigningKeys.of(hub.ctx).sign(
        { seq: lines[1].seq, hash: other },
        'confide-audit-checkpoint+jwt',
      );
      fs.writeFileSync(elsewhere, `${JSON.stringify({ seq: lines[1].seq, hash: other, jws: signed, at: 1 })}\n`);
      expect(await verify({ witnessFiles: [elsewhere] })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/differs from the checkpoint in witness .*other-host/),
      });
    });
  });
}

describe('KEK rotation and the signing keys', () => {
  it('keys rotate re-wraps the signing key: trusted under KEK_PREVIOUS during the rotation, then under the new KEK alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-anchor-rotate-'));
    const kekA = randomBytes(32).toString('base64');
    const kekB = randomBytes(32).toString('base64');
    const start = (env: Record<string, string>) =>
      buildTestHub({ dataDir: dir, env: { SERVICES: 'api,realtime', ...env } });
    try {
      const first = await start({ KEK: kekA });
      await first.services.privacy.record({ actor: 'admin', action: 'keys.rotated' });
      await first.services.privacy.checkpoint();
      const kid = (await SigningKeys.of(first.ctx).jwks()).keys[0]?.kid;
      await first.dispose();

      const rotating = await start({ KEK: kekB, KEK_PREVIOUS: kekA });
      expect((await SigningKeys.of(rotating.ctx).jwks()).keys.map((k) => k.kid)).toEqual([kid]);
      await rotating.ctx.storage.vault.rewrapAll();
      expect(await SigningKeys.of(rotating.ctx).rewrap()).toBe(1);
      await rotating.dispose();

      const after = await start({ KEK: kekB });
      expect((await SigningKeys.of(after.ctx).jwks()).keys.map((k) => k.kid)).toEqual([kid]);
      expect(await after.services.privacy.verify()).toMatchObject({ ok: true, checkpoints: 1, witnessed: 1 });
      await after.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
