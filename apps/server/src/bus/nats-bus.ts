/**
 * The bus across hub processes, over core NATS pub/sub. Events are notifications of
 * changes already committed to the database, so at-most-once delivery is enough: a
 * subscriber that missed one reads it back by cursor. While NATS is unreachable,
 * `publish` drops the remote copy (counted in `confide_bus_dropped_total`), local
 * subscribers still get every event, and the bus reconnects forever with exponential
 * backoff; each (re)connection calls the `onReconnect` handlers so streams re-sync.
 */
import { connect, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { retryDelayMs } from '../backoff.js';
import { BusEventSchema } from './event-schema.js';
import { topicOf, type Bus, type BusSettings, type Unsubscribe } from './bus.js';
import type { BusEvent } from './events.js';
import { MemoryBus } from './memory-bus.js';

/** Subject prefixes and topic tokens: NATS subject tokens without wildcards or spaces. */
export const SUBJECT_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export interface NatsBusOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** First token(s) of every subject, so several hubs can share one NATS server. */
  prefix?: string;
  /** Connection name shown by the NATS server's monitoring. */
  name?: string;
  log?: Logger;
  /** Registry for the bus metrics (a private one when omitted). */
  registry?: Registry;
  /** First reconnect delay; doubles per failed attempt, with jitter. */
  reconnectBaseMs?: number;
  /** Longest reconnect delay. */
  reconnectMaxMs?: number;
  /** TCP + handshake timeout of one connection attempt. */
  connectTimeoutMs?: number;
  /** Ping interval: a silent server is declared lost after two unanswered pings. */
  pingIntervalMs?: number;
}

type Handler = (event: BusEvent) => void;

export class NatsBus implements Bus {
  readonly #servers: string | string[];
  readonly #prefix: string;
  readonly #name: string;
  readonly #log: Logger | undefined;
  readonly #base: number;
  readonly #max: number;
  readonly #timeout: number;
  readonly #ping: number;
  readonly #local = new MemoryBus();
  readonly #topics = new Map<string, number>();
  readonly #subs = new Map<string, Subscription>();
  readonly #reconnectHandlers = new Set<() => void>();
  readonly #metrics: { dropped: Counter; rejected: Counter; connects: Counter; connected: Gauge };
  #nc: NatsConnection | null = null;
  #closed = false;
  #wake: (() => void) | null = null;
  #dialing: Promise<void> | null = null;
  /** Counts since construction, for tests and logs. */
  readonly stats = { published: 0, dropped: 0, rejected: 0, connects: 0 };

  constructor(options: NatsBusOptions) {
    const prefix = options.prefix ?? 'confide';
    if (!SUBJECT_PREFIX_PATTERN.test(prefix)) throw new Error(`invalid NATS subject prefix: ${prefix}`);
    this.#servers = options.servers;
    this.#prefix = prefix;
    this.#name = options.name ?? 'confide-hub';
    this.#log = options.log;
    this.#base = options.reconnectBaseMs ?? 250;
    this.#max = options.reconnectMaxMs ?? 10_000;
    this.#timeout = options.connectTimeoutMs ?? 5_000;
    this.#ping = options.pingIntervalMs ?? 10_000;
    const registers = [options.registry ?? new Registry()];
    this.#metrics = {
      dropped: new Counter({
        name: 'confide_bus_dropped_total',
        help: 'Bus events not sent to NATS because it was unreachable',
        registers,
      }),
      rejected: new Counter({
        name: 'confide_bus_rejected_total',
        help: 'Malformed bus messages received from NATS',
        registers,
      }),
      connects: new Counter({ name: 'confide_bus_connects_total', help: 'Successful NATS (re)connections', registers }),
      connected: new Gauge({ name: 'confide_bus_connected', help: '1 while the NATS connection is up', registers }),
    };
    this.#dialing = this.#dial();
  }

  /** True while connected to NATS. */
  get connected(): boolean {
    return this.#nc !== null;
  }

  publish(event: BusEvent): void {
    this.#local.publish(event);
    const nc = this.#nc;
    if (nc === null) return this.#drop();
    try {
      nc.publish(this.#subject(topicOf(event)), JSON.stringify(event));
      this.stats.published++;
    } catch {
      this.#drop();
    }
  }

  subscribe(topic: string, handler: Handler): Unsubscribe {
    const unsubscribeLocal = this.#local.subscribe(topic, handler);
    const count = this.#topics.get(topic) ?? 0;
    this.#topics.set(topic, count + 1);
    if (count === 0) this.#subscribeRemote(topic);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribeLocal();
      const left = (this.#topics.get(topic) ?? 1) - 1;
      if (left > 0) return void this.#topics.set(topic, left);
      this.#topics.delete(topic);
      try {
        this.#subs.get(topic)?.unsubscribe();
      } catch {
        // The connection is already gone, and its subscriptions with it.
      }
      this.#subs.delete(topic);
    };
  }

  async flush(): Promise<void> {
    const nc = this.#nc;
    if (nc === null) return;
    // A connection lost mid-flush ends it too: the reconnect re-sync covers the rest.
    await Promise.race([nc.flush(), nc.closed()]).catch(() => undefined);
  }

  onReconnect(handler: () => void): Unsubscribe {
    this.#reconnectHandlers.add(handler);
    return () => void this.#reconnectHandlers.delete(handler);
  }

  /** Resolves when connected (tests and startup logs); never rejects. */
  async connectedOnce(): Promise<void> {
    while (!this.#closed && this.#nc === null) await this.#dialing;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    const nc = this.#nc;
    this.#nc = null;
    this.#metrics.connected.set(0);
    await this.#dialing;
    if (nc !== null) {
      // drain() waits for a PONG that a dead connection never sends; its close ends it too.
      await Promise.race([nc.drain(), nc.closed()]).catch(() => undefined);
      if (!nc.isClosed()) await nc.close();
    }
    this.#reconnectHandlers.clear();
    await this.#local.close();
  }

  #subject(topic: string): string {
    return `${this.#prefix}.${topic}`;
  }

  #drop(): void {
    this.stats.dropped++;
    this.#metrics.dropped.inc();
  }

  #subscribeRemote(topic: string): void {
    const nc = this.#nc;
    if (nc === null || this.#subs.has(topic)) return;
    const subject = this.#subject(topic);
    const sub = nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err !== null) return;
        this.#receive(topic, msg.string());
      },
    });
    this.#subs.set(topic, sub);
  }

  #receive(topic: string, text: string): void {
    let parsed;
    try {
      parsed = BusEventSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !parsed.success || topicOf(parsed.data) !== topic) {
      this.stats.rejected++;
      this.#metrics.rejected.inc();
      return;
    }
    // Only this process's subscribers: the local bus fans out without republishing.
    this.#local.publish(parsed.data);
  }

  /** Connects, retrying forever with backoff, then watches the connection for loss. */
  async #dial(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt++) {
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers: this.#servers,
          name: this.#name,
          // Reconnection is ours: a fresh connection, re-subscribed, then a re-sync.
          reconnect: false,
          // Local subscribers are served directly by `publish`.
          noEcho: true,
          timeout: this.#timeout,
          pingInterval: this.#ping,
          maxPingOut: 2,
        });
      } catch (err) {
        if (attempt === 0 || attempt % 20 === 0)
          this.#log?.warn({ err, attempt }, 'NATS unreachable; bus events are not shared until it is back');
        await this.#sleep(this.#backoff(attempt));
        continue;
      }
      if (this.#closed) {
        await nc.close();
        return;
      }
      await this.#attach(nc);
      return;
    }
  }

  async #attach(nc: NatsConnection): Promise<void> {
    this.#nc = nc;
    this.#subs.clear();
    for (const topic of this.#topics.keys()) this.#subscribeRemote(topic);
    // Once the server has processed our SUBs, a re-read from the database cannot miss
    // an event published after it.
    await this.flush();
    void nc.closed().then((err) => this.#lost(nc, err));
    if (nc.isClosed() || this.#nc !== nc) return;
    this.stats.connects++;
    this.#metrics.connects.inc();
    this.#metrics.connected.set(1);
    this.#log?.info({ server: nc.getServer() }, 'NATS bus connected');
    for (const handler of [...this.#reconnectHandlers]) {
      try {
        handler();
      } catch (err) {
        this.#log?.error({ err }, 'bus reconnect handler failed');
      }
    }
  }

  #lost(nc: NatsConnection, err: void | Error): void {
    if (this.#nc !== nc) return;
    this.#nc = null;
    this.#subs.clear();
    this.#metrics.connected.set(0);
    if (this.#closed) return;
    this.#log?.warn({ err }, 'NATS connection lost; reconnecting');
    this.#dialing = this.#dial();
  }

  #backoff(attempt: number): number {
    return retryDelayMs(attempt + 1, { baseMs: this.#base, capMs: this.#max, jitter: 'equal' });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}

/** The bus a hub uses: NATS when `NATS_URL` is set, else the in-process bus. */
export function busFromConfig(config: BusSettings, deps: { log?: Logger; registry?: Registry } = {}): Bus {
  if (config.NATS_URL === undefined || config.NATS_URL === '') return new MemoryBus();
  return new NatsBus({
    servers: config.NATS_URL.split(',').map((s) => s.trim()),
    prefix: config.NATS_SUBJECT_PREFIX,
    ...(deps.log === undefined ? {} : { log: deps.log }),
    ...(deps.registry === undefined ? {} : { registry: deps.registry }),
  });
}
