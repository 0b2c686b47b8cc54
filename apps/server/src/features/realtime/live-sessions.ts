/**
 * Ends open sockets when their session ends, on every hub process. Each socket is watched
 * under the session its upgrade request was authenticated with. A `session.revoked` fact on
 * the bus (published after the commit that deleted sessions: logout, password change,
 * erasure) makes every process re-check the sockets of that owner against the database and
 * end the dead ones. Every open socket's session is also re-checked on a timer
 * (`SESSION_RECHECK_MS`) and when a cross-process bus reconnects, so a missed event or an
 * expiry still ends them. Checks are batched: one query per kind and 500 sessions.
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyRequest } from 'fastify';
import { SESSION_REVOKED_TOPIC, type Unsubscribe } from '../../bus/bus.js';
import type { SessionKind } from '../../bus/events.js';
import type { HubContext } from '../../context.js';

/** The session a socket was opened with, set by the route's auth hook on the upgrade request. */
export interface LiveSession {
  kind: SessionKind;
  /** The customer or agent id. */
  ownerId: string;
  /** The session's stored id (the hash of its cookie secret). */
  idHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    liveSession?: LiveSession;
  }
}

/** Which of `idHashes` are sessions that still exist and have not expired. */
export type SessionCheck = (idHashes: string[]) => Promise<Set<string>>;

/** Watches one socket's session: `end` runs once it has ended; the returned function stops watching. */
export interface SessionWatch {
  watch(end: () => void): Unsubscribe;
}

interface Entry {
  session: LiveSession;
  end: () => void;
}

const CHECK_BATCH = 500;
/** How long a revocation is remembered for sockets whose upgrade raced it. */
const RECENT_MS = 10_000;

export class LiveSessions {
  readonly #ctx: HubContext;
  readonly #checks: Record<SessionKind, SessionCheck>;
  readonly #byOwner = new Map<string, Set<Entry>>();
  /** Owner → when its last revocation arrived. */
  readonly #recent = new Map<string, number>();
  readonly #releases: Unsubscribe[] = [];
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(ctx: HubContext, checks: Record<SessionKind, SessionCheck>, everyMs: number) {
    this.#ctx = ctx;
    this.#checks = checks;
    this.#releases.push(
      ctx.bus.subscribe(SESSION_REVOKED_TOPIC, (event) => {
        if (event.name === 'session.revoked') this.#revoked(ownerKey(event.kind, event.ownerId));
      }),
    );
    const release = ctx.bus.onReconnect?.(() => void this.checkAll());
    if (release !== undefined) this.#releases.push(release);
    this.#timer = setInterval(() => void this.checkAll(), everyMs);
    this.#timer.unref();
  }

  /**
   * The watch of the session `request` was authenticated with.
   * @throws PlatformError `UNAUTHENTICATED` when the route's auth hook set none.
   */
  of(request: FastifyRequest): SessionWatch {
    const session = request.liveSession;
    if (session === undefined) throw new PlatformError('UNAUTHENTICATED');
    return { watch: (end) => this.#add({ session, end }) };
  }

  /** Number of sockets watched (tests and metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.#byOwner.values()) n += set.size;
    return n;
  }

  /** Whether this process holds an open socket of the owner (features/push asks before waking a phone). */
  hasOpen(kind: SessionKind, ownerId: string): boolean {
    return (this.#byOwner.get(ownerKey(kind, ownerId))?.size ?? 0) > 0;
  }

  /** Re-checks every watched session now; ends the sockets of those gone. */
  async checkAll(): Promise<void> {
    const cutoff = Date.now() - RECENT_MS;
    for (const [key, at] of this.#recent) if (at < cutoff) this.#recent.delete(key);
    await this.#check([...this.#byOwner.values()].flatMap((set) => [...set]));
  }

  close(): void {
    clearInterval(this.#timer);
    for (const release of this.#releases.splice(0)) release();
    this.#byOwner.clear();
  }

  #add(entry: Entry): Unsubscribe {
    const key = ownerKey(entry.session.kind, entry.session.ownerId);
    let set = this.#byOwner.get(key);
    if (set === undefined) {
      set = new Set();
      this.#byOwner.set(key, set);
    }
    set.add(entry);
    // A revocation that arrived between this socket's authentication and now.
    if (this.#recent.has(key)) void this.#check([entry]);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.#byOwner.get(key) === set) this.#byOwner.delete(key);
    };
  }

  #revoked(key: string): void {
    this.#recent.set(key, Date.now());
    const set = this.#byOwner.get(key);
    if (set !== undefined) void this.#check([...set]);
  }

  async #check(entries: Entry[]): Promise<void> {
    for (const kind of ['customer', 'agent'] as const) {
      const ofKind = entries.filter((e) => e.session.kind === kind);
      for (let i = 0; i < ofKind.length; i += CHECK_BATCH) {
        const batch = ofKind.slice(i, i + CHECK_BATCH);
        let alive: Set<string>;
        try {
          alive = await this.#checks[kind]([...new Set(batch.map((e) => e.session.idHash))]);
        } catch (err) {
          // The database is unreachable: keep the sockets; the next check decides.
          this.#ctx.log.warn({ err }, 'session re-check failed');
          continue;
        }
        for (const e of batch) if (!alive.has(e.session.idHash)) e.end();
      }
    }
  }
}

function ownerKey(kind: SessionKind, ownerId: string): string {
  return `${kind}:${ownerId}`;
}
