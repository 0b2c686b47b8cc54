/**
 * Web Push on this device: when the customer turns notifications on, the browser subscribes
 * with the hub's VAPID key and the hub keeps the subscription for this customer; turning
 * them off removes it here and at the hub. Pushes then reach this device while Confide is
 * closed (public/sw.js shows them). Best effort: without a service worker or push support
 * the page's own notifications still work while a tab is open.
 */
import { pushInfo, removeDevice, saveSubscription } from './push-api';

const DEVICE_KEY = 'confide.push.device';

const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window;

/** Subscribes this device (from a user gesture, after notification permission was granted). */
export async function enablePush(): Promise<boolean> {
  if (!pushSupported()) return false;
  const info = await pushInfo();
  if (!info.enabled || info.public_key === null) return false;
  const registration = await navigator.serviceWorker.ready;
  const key = fromBase64url(info.public_key);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription !== null && !sameKey(subscription.options.applicationServerKey, key)) {
    // The hub's keys changed: the old subscription cannot receive its pushes.
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const saved = await saveSubscription({ ...subscription.toJSON(), device: deviceName() });
  localStorage.setItem(DEVICE_KEY, saved.id);
  return true;
}

/** Unsubscribes this device here and at the hub. */
export async function disablePush(): Promise<void> {
  if (!pushSupported()) return;
  const id = localStorage.getItem(DEVICE_KEY);
  localStorage.removeItem(DEVICE_KEY);
  if (id !== null) await removeDevice(id).catch(() => undefined);
  const registration = await navigator.serviceWorker.getRegistration();
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}

/** This device's id at the hub, if push is on here. */
export const thisDeviceId = (): string | null => localStorage.getItem(DEVICE_KEY);

/** A name the customer recognises in the privacy center, from the browser's own description. */
function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os === '' ? browser : `${browser} on ${os}`;
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameKey(current: ArrayBuffer | null, key: Uint8Array): boolean {
  if (current === null) return false;
  const a = new Uint8Array(current);
  return a.length === key.length && a.every((b, i) => b === key[i]);
}
