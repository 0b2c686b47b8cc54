/** The realtime feature's part in privacy (privacy/hooks.ts): an erased customer's open streams close on every hub process. */
import type { Bus } from '../../bus/bus.js';
import type { PrivacyHooks } from '../../privacy/hooks.js';
import { announceSessionsEnded } from '../../bus/session-revoked.js';

export function realtimePrivacyHooks(bus: Bus): PrivacyHooks {
  return {
    async customerErased(tx, { customerId }) {
      announceSessionsEnded(tx, bus, 'customer', customerId);
    },
  };
}
