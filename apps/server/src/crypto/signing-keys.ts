/**
 * The hub's JWS signing keys (ES256), for consent receipts. The first start generates a
 * key pair; the private JWK is stored sealed with the service key, the public JWK in the
 * clear. Every key ever used stays in the JWKS (`GET /.well-known/jwks.json`) so old
 * receipts keep verifying; the oldest unretired key signs.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { HubContext } from '../context.js';

const ALG = 'ES256';
type PrivateKey = Awaited<ReturnType<typeof importJWK>>;

interface ActiveKey {
  kid: string;
  key: PrivateKey;
}

const instances = new WeakMap<HubContext, SigningKeys>();

export class SigningKeys {
  private readonly ctx: HubContext;
  #active: ActiveKey | undefined;

  constructor(ctx: HubContext) {
    this.ctx = ctx;
  }

  /** The one instance for a hub (features share it without threading it through every constructor). */
  static of(ctx: HubContext): SigningKeys {
    let keys = instances.get(ctx);
    if (keys === undefined) {
      keys = new SigningKeys(ctx);
      instances.set(ctx, keys);
    }
    return keys;
  }

  /** Loads the signing key, generating and storing one on first start. Idempotent. */
  async ensure(): Promise<void> {
    if (this.#active !== undefined) return;
    let row = await this.#oldestActive();
    if (row === undefined) {
      const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
      const publicJwk = { ...(await exportJWK(publicKey)), alg: ALG, use: 'sig' };
      const kid = await calculateJwkThumbprint(publicJwk);
      const privateJwk = await exportJWK(privateKey);
      await this.ctx.storage.writes.run(({ db }) =>
        db
          .insertInto('signing_keys')
          .values({
            kid,
            alg: ALG,
            public_jwk: JSON.stringify({ ...publicJwk, kid }),
            private_jwk_enc: this.ctx.secrets.seal(JSON.stringify(privateJwk), `signing-key:${kid}`),
            created_at: this.ctx.now(),
            retired_at: null,
          })
          .execute(),
      );
      // Another process may have raced us: everyone signs with the oldest key.
      row = await this.#oldestActive();
      if (row === undefined) throw new Error('signing key vanished after insert');
    }
    const privateJwk = JSON.parse(this.ctx.secrets.open(row.private_jwk_enc, `signing-key:${row.kid}`)) as JWK;
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

  /** The public keys, for `/.well-known/jwks.json`. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.ctx.storage.db.selectFrom('signing_keys').select('public_jwk').orderBy('created_at').orderBy('kid').execute();
    return { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
  }

  #oldestActive() {
    return this.ctx.storage.db
      .selectFrom('signing_keys')
      .select(['kid', 'private_jwk_enc'])
      .where('retired_at', 'is', null)
      .orderBy('created_at')
      .orderBy('kid')
      .limit(1)
      .executeTakeFirst();
  }
}
