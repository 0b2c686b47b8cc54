/**
 * Process roles. One binary runs any mix of them (`SERVICES=api,realtime,worker`, all by
 * default), so a self-hoster runs one process and a larger deployment scales each apart:
 * - `api`: the customer API, the Platform API and the web app over HTTP;
 * - `realtime`: the customer WebSocket stream at `/api/stream`;
 * - `worker`: background work such as webhook delivery.
 * Every process keeps `/healthz` and `/metrics`.
 */
import type { Config } from '../config.js';

export type Role = Config['SERVICES'][number];

/** Whether this process runs `role`. */
export function runsRole(config: Pick<Config, 'SERVICES'>, role: Role): boolean {
  return config.SERVICES.includes(role);
}
