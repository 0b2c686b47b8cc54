/** The privacy API (`/api/privacy`): what each business may see, consent, linking, receipts. */
import { ApiError, request } from '../../lib/api';

export type ConsentStatus = 'none' | 'active' | 'expired' | 'revoked';

export interface PrivacyBusiness {
  page: { id: string; name: string; category: string; description: string; privacy_policy_url: string | null };
  conversation_id: string | null;
  linked: boolean;
  linked_at: number | null;
  declared: Array<{ category: string; purpose: string }>;
  consent: { status: ConsentStatus; categories: string[]; granted_at: number | null; expires_at: number | null };
  receipts: Array<{ id: string; issued_at: number; categories: string[] }>;
}

const base = (pageId: string) => `/api/privacy/businesses/${encodeURIComponent(pageId)}`;

export const listBusinesses = () => request<{ data: PrivacyBusiness[] }>('GET', '/api/privacy/businesses');
export const grantConsent = (pageId: string, categories: string[], durationDays?: number) =>
  request<unknown>(
    'PUT',
    `${base(pageId)}/consent`,
    durationDays === undefined ? { categories } : { categories, duration_days: durationDays },
  );
/** Renews for the business's default duration (an explicit empty body: the hub validates it as an object). */
export const renewConsent = (pageId: string) => request<unknown>('POST', `${base(pageId)}/consent/renew`, {});
export const revokeConsent = (pageId: string) => request<unknown>('DELETE', `${base(pageId)}/consent`);
/** Unlinks (and revokes consent); `eraseHistory` also erases the conversation with the business. */
export const unlinkBusiness = (pageId: string, eraseHistory = false) =>
  request<unknown>('POST', `${base(pageId)}/unlink`, { erase_history: eraseHistory });
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
