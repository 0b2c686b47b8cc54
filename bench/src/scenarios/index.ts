/** Every scenario, in the order `npm run bench` runs them. */
import { customerSend } from './customer-send.js';
import { batch, sendApi, sendApiPg } from './send-api.js';
import type { Scenario } from './types.js';
import { wsIdle } from './ws-idle.js';

export const SCENARIOS: Scenario[] = [sendApi, batch, wsIdle, sendApiPg, customerSend];
