/** The push API (`/api/push`): the hub's VAPID key, this customer's devices and push choices. */
import { request } from '../../lib/api';

export interface PushDevice {
  id: string;
  device: string;
  created_at: number;
  last_push_at: number | null;
}

export interface PushInfo {
  /** False when the hub has no VAPID keys (push off on this hub). */
  enabled: boolean;
  public_key: string | null;
  devices: PushDevice[];
  /** Businesses' granted categories kept off push. */
  muted: Array<{ page_id: string; category: string }>;
}

export const pushInfo = () => request<PushInfo>('GET', '/api/push');
export const saveSubscription = (body: PushSubscriptionJSON & { device: string }) =>
  request<PushDevice>('PUT', '/api/push/subscriptions', body);
export const removeDevice = (id: string) =>
  request<void>('DELETE', `/api/push/subscriptions/${encodeURIComponent(id)}`);
export const setCategoryPush = (pageId: string, category: string, push: boolean) =>
  request<void>('PUT', '/api/push/muted', { page_id: pageId, category, push });
