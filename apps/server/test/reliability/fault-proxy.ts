/**
 * A TCP proxy on 127.0.0.1 that a test switches between three states, to cut a hub off
 * from a shared server (PostgreSQL) without touching it:
 * - `open`: bytes flow both ways;
 * - `reset`: every connection is destroyed and new ones are reset on accept;
 * - `blackhole`: connections stay up but nothing flows (a dead link, a hung server).
 */
import net from 'node:net';

export type ProxyState = 'open' | 'reset' | 'blackhole';

export class FaultProxy {
  readonly #server: net.Server;
  readonly #pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  readonly #target: { host: string; port: number };
  #state: ProxyState = 'open';
  /** Connections accepted so far (a reconnecting client opens new ones). */
  accepted = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = net.createServer((client) => this.#accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  get state(): ProxyState {
    return this.#state;
  }

  set(state: ProxyState): void {
    this.#state = state;
    for (const pair of this.#pairs) {
      if (state === 'reset') {
        pair.client.destroy();
        pair.upstream.destroy();
      } else if (state === 'blackhole') {
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        pair.client.pause();
        pair.upstream.pause();
      } else {
        pair.client.pipe(pair.upstream);
        pair.upstream.pipe(pair.client);
        pair.client.resume();
        pair.upstream.resume();
      }
    }
  }

  async close(): Promise<void> {
    this.set('reset');
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    this.accepted += 1;
    if (this.#state === 'reset') return void client.destroy();
    const upstream = net.connect(this.#target.port, this.#target.host);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    if (this.#state === 'blackhole') {
      client.pause();
      upstream.pause();
      return;
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
