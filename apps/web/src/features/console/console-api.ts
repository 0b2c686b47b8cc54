/** The console API (`/console/api`), one function per endpoint; errors are `ApiError`s like the customer API's. */
import type {
  ConsoleAgent,
  ConsoleBusinessHours,
  ConsoleTeam,
  ConsolePageMetrics,
  ConsoleConsentStats,
  ConsoleDeliveryAttempt,
  ConsoleInvite,
  ConsoleMember,
  ConsolePage,
  ConsoleSession,
  ConsoleToken,
  ConsoleWebhook,
  CredentialsBody,
  OrgRole,
} from '@confide/protocol';
import { ApiError, request } from '../../lib/api';

const page = (id: string) => `/console/api/pages/${encodeURIComponent(id)}`;

export const consoleApi = {
  me: () => request<ConsoleSession>('GET', '/console/api/me'),
  logIn: (body: CredentialsBody) => request<ConsoleSession>('POST', '/console/api/login', body),
  logOut: () => request<void>('POST', '/console/api/logout'),
  acceptInvite: (body: { code: string; username: string; password: string }) =>
    request<ConsoleSession>('POST', '/console/api/invites/accept', body),
  members: () => request<{ data: ConsoleMember[] }>('GET', '/console/api/members'),
  invite: (role: OrgRole) => request<ConsoleInvite>('POST', '/console/api/invites', { role }),
  /** Owners: link a member to their subject at the identity provider (null unlinks). */
  linkSso: (memberId: string, subject: string | null) =>
    request<void>('PUT', `/console/api/members/${encodeURIComponent(memberId)}/sso`, { subject }),
  pages: () => request<{ data: ConsolePage[] }>('GET', '/console/api/pages'),
  createPage: (name: string, category: 'bank' | 'merchant') =>
    request<ConsolePage & { page_access_token: string }>('POST', '/console/api/pages', { name, category }),
  revealSecret: (id: string, password: string) =>
    request<{ app_id: string; app_secret: string }>('POST', `${page(id)}/secret/reveal`, { password }),
  rotateSecret: (id: string, password: string) =>
    request<{ app_id: string; app_secret: string }>('POST', `${page(id)}/secret/rotate`, { password }),
  tokens: (id: string) => request<{ data: ConsoleToken[] }>('GET', `${page(id)}/tokens`),
  createToken: (id: string, label: string) =>
    request<{ id: string; label: string; page_access_token: string }>('POST', `${page(id)}/tokens`, { label }),
  revokeToken: (id: string, tokenId: string) =>
    request<void>('DELETE', `${page(id)}/tokens/${encodeURIComponent(tokenId)}`),
  webhook: (id: string) => request<ConsoleWebhook>('GET', `${page(id)}/webhook`),
  setWebhook: (id: string, body: { url: string; verify_token: string; fields: string[] }) =>
    request<ConsoleWebhook>('PUT', `${page(id)}/webhook`, body),
  enableWebhook: (id: string) => request<ConsoleWebhook>('POST', `${page(id)}/webhook/enable`),
  testWebhook: (id: string) => request<ConsoleDeliveryAttempt>('POST', `${page(id)}/webhook/test`),
  deliveries: (id: string) =>
    request<{ data: ConsoleDeliveryAttempt[] }>('GET', `${page(id)}/webhook/deliveries?limit=50`),
  redeliver: (id: string, fromEventId: number, toEventId: number) =>
    request<{ redelivered: number }>('POST', `${page(id)}/webhook/redeliver`, {
      from_event_id: fromEventId,
      to_event_id: toEventId,
    }),
  declarations: (id: string) =>
    request<{ data: { category: string; purpose: string }[] }>('GET', `${page(id)}/declarations`),
  declare: (id: string, category: string, purpose: string) =>
    request<{ data: { category: string; purpose: string }[] }>(
      'PUT',
      `${page(id)}/declarations/${encodeURIComponent(category)}`,
      { purpose },
    ),
  profile: (id: string) => request<Record<string, unknown>>('GET', `${page(id)}/profile`),
  setProfile: (id: string, profile: Record<string, unknown>) =>
    request<Record<string, unknown>>('PUT', `${page(id)}/profile`, profile),
  personas: (id: string) =>
    request<{ data: { id: string; name: string; profile_picture_url: string }[] }>('GET', `${page(id)}/personas`),
  agents: (id: string) => request<{ data: ConsoleAgent[] }>('GET', `${page(id)}/agents`),
  placeAgent: (id: string, agentId: string, body: { team_id?: string | null; capacity?: number }) =>
    request<ConsoleAgent>('PUT', `${page(id)}/agents/${encodeURIComponent(agentId)}`, body),
  teams: (id: string) => request<{ data: ConsoleTeam[] }>('GET', `${page(id)}/teams`),
  createTeam: (id: string, body: { name: string; auto_assign: boolean; hours: ConsoleBusinessHours | null }) =>
    request<ConsoleTeam>('POST', `${page(id)}/teams`, body),
  updateTeam: (
    id: string,
    teamId: string,
    body: { name?: string; auto_assign?: boolean; hours?: ConsoleBusinessHours | null },
  ) => request<ConsoleTeam>('PUT', `${page(id)}/teams/${encodeURIComponent(teamId)}`, body),
  deleteTeam: (id: string, teamId: string) =>
    request<{ deleted: true }>('DELETE', `${page(id)}/teams/${encodeURIComponent(teamId)}`),
  clearPicture: (id: string) => request<ConsolePage>('DELETE', `${page(id)}/picture`),
  createAgent: (id: string, body: { username: string; password: string; display_name: string }) =>
    request<unknown>('POST', `${page(id)}/agents`, body),
  templates: (id: string) =>
    request<{ data: { id: string; name: string; status: string; notification_category: string }[] }>(
      'GET',
      `${page(id)}/templates`,
    ),
  createTemplate: (id: string, body: unknown) =>
    request<{ id: string; status: string }>('POST', `${page(id)}/templates`, body),
  metrics: (id: string) => request<ConsolePageMetrics>('GET', `${page(id)}/metrics`),
  consentStats: (id: string) => request<ConsoleConsentStats>('GET', `${page(id)}/consent-stats`),
};

/** Roles that may change credentials and webhooks (the hub checks it too). */
export const canIntegrate = (role: OrgRole) => role === 'owner' || role === 'developer';

/** Uploads the page's picture as its own body (PNG, JPEG or WebP; the hub checks the bytes). */
export async function uploadPagePicture(id: string, file: File): Promise<ConsolePage> {
  const res = await fetch(`${page(id)}/picture`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'content-type': file.type || 'application/octet-stream', accept: 'application/json' },
    body: file,
  });
  const data = (await res.json().catch(() => undefined)) as
    { error?: { code?: string; message?: string } } | ConsolePage | undefined;
  if (!res.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? `Upload failed (${res.status})`,
      res.status,
    );
  }
  return data as ConsolePage;
}
