/**
 * A minimal HTTP/1.1 keep-alive client over a raw socket: one request in flight per
 * connection, responses framed by Content-Length (or chunked). Far cheaper per request
 * than fetch, so the load generator is not what limits the numbers.
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  body: Buffer;
}

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** `$SEQ` is replaced by a per-run sequence number, `$CONN` by the connection index. */
  body?: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Serializes a request; `host` is the Host header value. */
export function encodeRequest(spec: RequestSpec, host: string, body: string | undefined): Buffer {
  let head = `${spec.method} ${spec.path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [k, v] of Object.entries(spec.headers ?? {})) head += `${k}: ${v}\r\n`;
  if (body === undefined) return Buffer.from(`${head}\r\n`);
  const bytes = Buffer.from(body);
  return Buffer.concat([Buffer.from(`${head}Content-Length: ${bytes.length}\r\n\r\n`), bytes]);
}

export class HttpConnection {
  readonly #socket: net.Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiter: { resolve: (r: RawResponse) => void; reject: (e: Error) => void } | null = null;
  #error: Error | null = null;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    const fail = (err: Error) => {
      this.#error = err;
      const w = this.#waiter;
      this.#waiter = null;
      w?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<HttpConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) });
      socket.once('connect', () => resolve(new HttpConnection(socket)));
      socket.once('error', reject);
    });
  }

  request(bytes: Buffer): Promise<RawResponse> {
    if (this.#error !== null) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#socket.write(bytes);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #parse(): void {
    const end = this.#buffer.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.#buffer.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let body: Buffer;
    let consumed: number;
    if (length?.[1] !== undefined) {
      consumed = end + 4 + Number(length[1]);
      if (this.#buffer.length < consumed) return;
      body = this.#buffer.subarray(end + 4, consumed);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const decoded = decodeChunked(this.#buffer, end + 4);
      if (decoded === null) return;
      ({ body, consumed } = decoded);
    } else {
      body = Buffer.alloc(0);
      consumed = end + 4;
    }
    this.#buffer = this.#buffer.subarray(consumed);
    const w = this.#waiter;
    this.#waiter = null;
    w?.resolve({ status, body });
  }
}

function decodeChunked(buf: Buffer, from: number): { body: Buffer; consumed: number } | null {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
    if (size === 0) {
      if (buf.length < lineEnd + 4) return null;
      return { body: Buffer.concat(parts), consumed: lineEnd + 4 };
    }
    if (buf.length < lineEnd + 2 + size + 2) return null;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
