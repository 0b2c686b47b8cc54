/** The privacy API (`/api/privacy`): what each business may see, consent, linking, receipts. */
import type { ConsentCategory, PrivacyBusiness, SetConsentBody, UnlinkBody } from '@confide/protocol';
import { ApiError, request } from '../../lib/api';

// The shapes are the hub's own schemas (@confide/protocol, privacy/consent-api.ts).
export type { ConsentStatus, PrivacyBusiness } from '@confide/protocol';

const base = (pageId: string) => `/api/privacy/businesses/${encodeURIComponent(pageId)}`;

export const listBusinesses = () => request<{ data: PrivacyBusiness[] }>('GET', '/api/privacy/businesses');
export const grantConsent = (pageId: string, categories: string[], durationDays?: number) => {
  // The hub refuses unknown categories (SetConsentBodySchema); the checkboxes only offer declared ones.
  const body: SetConsentBody = { categories: categories as ConsentCategory[] };
  if (durationDays !== undefined) body.duration_days = durationDays;
  return request<unknown>('PUT', `${base(pageId)}/consent`, body);
};
/** Renews for the business's default duration (an explicit empty body: the hub validates it as an object). */
export const renewConsent = (pageId: string) => request<unknown>('POST', `${base(pageId)}/consent/renew`, {});
export const revokeConsent = (pageId: string) => request<unknown>('DELETE', `${base(pageId)}/consent`);
/** Unlinks (and revokes consent); `eraseHistory` also erases the conversation with the business. */
export const unlinkBusiness = (pageId: string, eraseHistory = false) =>
  request<unknown>('POST', `${base(pageId)}/unlink`, { erase_history: eraseHistory } satisfies UnlinkBody);
export const receiptUrl = (id: string) => `/api/privacy/receipts/${encodeURIComponent(id)}`;

// ---- your profile and what each business may read of it ----
export type { CustomerProfile, ProfileShareField, ProfileSharing } from '@confide/protocol';
import type { CustomerProfile, ProfileShareField, ProfileSharing, UpdateCustomerProfileBody } from '@confide/protocol';

export const getProfile = () => request<CustomerProfile>('GET', '/api/profile');
export const updateProfile = (body: UpdateCustomerProfileBody) => request<CustomerProfile>('PUT', '/api/profile', body);
export const listProfileSharing = () => request<{ data: ProfileSharing[] }>('GET', '/api/privacy/profile-sharing');
export const setProfileSharing = (pageId: string, fields: ProfileShareField[]) =>
  request<ProfileSharing>('PUT', `${base(pageId)}/profile-sharing`, { fields });
export const PICTURE_URL = '/api/profile/picture';
export const clearPicture = () => request<CustomerProfile>('DELETE', PICTURE_URL);
/** Uploads the picture as its own body (`image/png`, `image/jpeg` or `image/webp`). */
export async function uploadPicture(file: File): Promise<CustomerProfile> {
  const res = await fetch(PICTURE_URL, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'content-type': file.type, accept: 'application/json' },
    body: file,
  });
  const data = (await res.json().catch(() => undefined)) as
    { error?: { code?: string; message?: string } } | CustomerProfile | undefined;
  if (!res.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? `Upload failed (${res.status})`,
      res.status,
    );
  }
  return data as CustomerProfile;
}
