/** Starts the bare reference servers as their own processes. */
import { fileURLToPath } from 'node:url';
import { spawnServer, type ServerProcess } from './hub-process.js';

const script = (name: string) => fileURLToPath(new URL(`../references/${name}.js`, import.meta.url));

/** A minimal Fastify route that does nothing. */
export function startBareHttp(): Promise<ServerProcess> {
  return spawnServer([script('bare-http')], { ...process.env }, /listening on (http:\/\/[^\s]+)/, 'bare-http');
}

/** A bare `ws` broadcast server. */
export function startBareWs(): Promise<ServerProcess> {
  return spawnServer([script('bare-ws')], { ...process.env }, /listening on (http:\/\/[^\s]+)/, 'bare-ws');
}
