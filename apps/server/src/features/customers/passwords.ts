/** Password hashing with argon2id (OWASP-recommended parameters). */
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { algorithm: 2 /* argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes and verifies passwords: argon2id in the hub; tests substitute one that counts calls. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies in constant time; false on any malformed hash. */
  verify(stored: string, password: string): Promise<boolean>;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** Verifies in constant time; false on any malformed hash. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** The hub's hasher: argon2id. */
export const argon2Passwords: PasswordHasher = { hash: hashPassword, verify: verifyPassword };

/** A valid hash of a random password: verified against for unknown users so timing does not reveal them. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(`dummy-${Math.random()}`);
  return dummy;
}
