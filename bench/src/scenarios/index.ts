/** Every scenario, in the order `npm run bench` runs them. */
import { customerSend } from './customer-send.js';
import { fanout } from './fanout.js';
import { batch, sendApi, sendApiPg } from './send-api.js';
import { soak } from './soak.js';
import type { Scenario } from './types.js';
import { webhooks } from './webhooks.js';
import { wsIdle } from './ws-idle.js';
import { wsLatency } from './ws-latency.js';

export const SCENARIOS: Scenario[] = [
  sendApi,
  batch,
  wsLatency,
  wsIdle,
  fanout,
  webhooks,
  sendApiPg,
  customerSend,
  soak,
];
