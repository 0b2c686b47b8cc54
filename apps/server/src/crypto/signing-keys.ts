/**
 * The hub's JWS signing keys (ES256), for consent receipts and audit checkpoints. The first
 * start generates a key pair; the private JWK is stored wrapped by the KEK (crypto/kek.ts,
 * through the vault), the public JWK in the clear. A key is **trusted** only when its wrap
 * opens under the KEK (or a KEK_PREVIOUS key) and the private key inside matches the stored
 * public key and kid: a key pair inserted by someone who can edit the database, but does
 * not hold the KEK, is never used, published or accepted (docs/privacy.md §3). Every
 * trusted key ever used stays in the JWKS (`GET /.well-known/jwks.json`) so old receipts
 * keep verifying; the oldest unretired trusted key signs.
 */
import { createHash, createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { Logger } from 'pino';
import type { Storage } from '../storage/db.js';
import type { SigningKeysTable } from '../storage/schema.js';
import type { SecretBox } from './secret-box.js';

const ALG = 'ES256';
type PrivateKey = Awaited<ReturnType<typeof importJWK>>;

interface ActiveKey {
  kid: string;
  key: PrivateKey;
}

/** What the signing keys work with (a HubContext has all of it). */
export interface SigningKeysDeps {
  readonly storage: Storage;
  /** Opens keys stored before the KEK wrapped them (sealed with the service key). */
  readonly secrets: SecretBox;
  readonly log: Logger;
  readonly now: () => number;
}

/** What the KEK wrap of a key is bound to: its kid, the thumbprint of its public key. */
const wrapLabel = (kid: string) => `signing_keys/${kid}`;

export class SigningKeys {
  private readonly ctx: SigningKeysDeps;
  #active: ActiveKey | undefined;
  /** Trust decisions per stored row (kid, wrap and public key): rows never change in place but by rotation. */
  readonly #trust = new Map<string, JWK | null>();

  constructor(deps: SigningKeysDeps) {
    this.ctx = deps;
  }

  /** The one instance of a hub, which its context carries (hub.ts creates it). */
  static of(ctx: { readonly signingKeys: SigningKeys }): SigningKeys {
    return ctx.signingKeys;
  }

  /** Loads the signing key, generating and storing one on first start. Idempotent. */
  async ensure(): Promise<void> {
    if (this.#active !== undefined) return;
    await this.#rewrapLegacy();
    let row = await this.#oldestTrusted();
    if (row === undefined) {
      const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
      const publicJwk = { ...(await exportJWK(publicKey)), alg: ALG, use: 'sig' };
      const kid = await calculateJwkThumbprint(publicJwk);
      const privateJwk = await exportJWK(privateKey);
      const wrapped = this.ctx.storage.vault.wrapHubSecret(wrapLabel(kid), Buffer.from(JSON.stringify(privateJwk)));
      await this.ctx.storage.writes.run(({ db }) =>
        db
          .insertInto('signing_keys')
          .values({
            kid,
            alg: ALG,
            public_jwk: JSON.stringify({ ...publicJwk, kid }),
            private_jwk_enc: wrapped.material,
            kek_id: wrapped.kekId,
            created_at: this.ctx.now(),
            retired_at: null,
          })
          .execute(),
      );
      // Another process may have raced us: everyone signs with the oldest trusted key.
      row = await this.#oldestTrusted();
      if (row === undefined) throw new Error('signing key vanished after insert');
    }
    const privateJwk = this.#openPrivate(row);
    this.#active = { kid: row.kid, key: await importJWK(privateJwk, ALG) };
  }

  /** Whether `ensure()` has loaded the key (signing inside a write transaction needs it). */
  get isLoaded(): boolean {
    return this.#active !== undefined;
  }

  /**
   * Signs `claims` as a compact JWS (JWT serialisation) with the active key. Call
   * `ensure()` first, outside any write transaction: generating the key is itself a write.
   */
  async sign(claims: JWTPayload, type: string): Promise<string> {
    const active = this.#active;
    if (active === undefined) throw new Error('Signing key not loaded: call SigningKeys.ensure() at startup');
    return new SignJWT(claims).setProtectedHeader({ alg: ALG, kid: active.kid, typ: type }).sign(active.key);
  }

  /** The trusted public keys, for `/.well-known/jwks.json` and every verification by the hub. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.ctx.storage.db
      .selectFrom('signing_keys')
      .selectAll()
      .orderBy('created_at')
      .orderBy('kid')
      .execute();
    return { keys: rows.flatMap((r) => this.#trusted(r) ?? []) };
  }

  /** Kids of stored keys that are not trusted (inserted without the KEK, or wrapped by a KEK this hub lacks). */
  async untrustedKids(): Promise<string[]> {
    const rows = await this.ctx.storage.db.selectFrom('signing_keys').selectAll().orderBy('kid').execute();
    return rows.filter((r) => this.#trusted(r) === undefined).map((r) => r.kid);
  }

  /**
   * KEK rotation (`confide keys rotate`): re-wraps every trusted key wrapped by a previous
   * KEK under the current one. Returns how many were re-wrapped.
   */
  async rewrap(): Promise<number> {
    const vault = this.ctx.storage.vault;
    const rows = await this.ctx.storage.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('kek_id', '!=', vault.kekId)
      .execute();
    let n = 0;
    for (const row of rows) {
      if (this.#trusted(row) === undefined) continue;
      const raw = vault.unwrapHubSecret(wrapLabel(row.kid), row.kek_id as string, row.private_jwk_enc);
      const wrapped = vault.wrapHubSecret(wrapLabel(row.kid), raw);
      await this.ctx.storage.writes.run(({ db }) =>
        db
          .updateTable('signing_keys')
          .set({ private_jwk_enc: wrapped.material, kek_id: wrapped.kekId })
          .where('kid', '=', row.kid)
          .execute(),
      );
      n += 1;
    }
    return n;
  }

  /** The public JWK of a row whose KEK wrap opens and matches it; undefined otherwise. */
  #trusted(row: SigningKeysTable): JWK | undefined {
    const cacheKey = JSON.stringify([row.kid, row.kek_id, row.private_jwk_enc, row.public_jwk]);
    const known = this.#trust.get(cacheKey);
    if (known !== undefined) return known ?? undefined;
    let verdict: JWK | null = null;
    try {
      this.#openPrivate(row);
      verdict = JSON.parse(row.public_jwk) as JWK;
    } catch {
      verdict = null;
    }
    this.#trust.set(cacheKey, verdict);
    return verdict ?? undefined;
  }

  /**
   * Opens a row's private JWK and checks it against the row: the KEK wrap (bound to the kid)
   * must authenticate, the kid must be the public key's thumbprint, and the private key's
   * public half must be that public key.
   * @throws Error when any of these fails.
   */
  #openPrivate(row: SigningKeysTable): JWK {
    if (row.kek_id === null) throw new Error(`signing key ${row.kid} is not wrapped by the KEK`);
    const raw = this.ctx.storage.vault.unwrapHubSecret(wrapLabel(row.kid), row.kek_id, row.private_jwk_enc);
    const privateJwk = JSON.parse(raw.toString('utf8')) as JWK;
    assertPairMatches(row, privateJwk);
    return privateJwk;
  }

  async #oldestTrusted(): Promise<SigningKeysTable | undefined> {
    const rows = await this.ctx.storage.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('retired_at', 'is', null)
      .orderBy('created_at')
      .orderBy('kid')
      .execute();
    return rows.find((r) => this.#trusted(r) !== undefined);
  }

  /**
   * Rows from before migration 014 were sealed with the service key: each one that opens
   * with it, and matches its public key, is re-wrapped by the KEK (once; the service key is
   * not in the database either). Rows that do not open stay untrusted.
   */
  async #rewrapLegacy(): Promise<void> {
    const rows = await this.ctx.storage.db.selectFrom('signing_keys').selectAll().where('kek_id', 'is', null).execute();
    for (const row of rows) {
      let privateJwk: JWK;
      try {
        privateJwk = JSON.parse(this.ctx.secrets.open(row.private_jwk_enc, `signing-key:${row.kid}`)) as JWK;
        assertPairMatches(row, privateJwk);
      } catch {
        this.ctx.log.warn(
          { kid: row.kid },
          'a signing key that does not open with the service key is ignored (untrusted)',
        );
        continue;
      }
      const wrapped = this.ctx.storage.vault.wrapHubSecret(wrapLabel(row.kid), Buffer.from(JSON.stringify(privateJwk)));
      await this.ctx.storage.writes.run(({ db }) =>
        db
          .updateTable('signing_keys')
          .set({ private_jwk_enc: wrapped.material, kek_id: wrapped.kekId })
          .where('kid', '=', row.kid)
          .where('kek_id', 'is', null)
          .execute(),
      );
    }
  }
}

/** Checks that the private JWK belongs to the row's public JWK and that the kid is its thumbprint. */
function assertPairMatches(row: Pick<SigningKeysTable, 'kid' | 'public_jwk'>, privateJwk: JWK): void {
  const stored = JSON.parse(row.public_jwk) as JWK;
  const derived = createPublicKey(createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' })).export({
    format: 'jwk',
  });
  if (derived.crv !== stored.crv || derived.x !== stored.x || derived.y !== stored.y || stored.kid !== row.kid) {
    throw new Error(`signing key ${row.kid}: the private key does not match the public key`);
  }
  if (thumbprintOf(stored) !== row.kid)
    throw new Error(`signing key ${row.kid}: kid is not the public key's thumbprint`);
}

/** RFC 7638 thumbprint of an EC public JWK (what `calculateJwkThumbprint` computes), synchronously. */
function thumbprintOf(jwk: JWK): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}
