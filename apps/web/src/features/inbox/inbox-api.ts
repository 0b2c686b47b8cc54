/** The agent inbox API (`/inbox/api`), one function per endpoint; errors are `ApiError`s like the customer API's. */
import type {
  CredentialsBody,
  InboxCanned,
  InboxClosedList,
  InboxClosedQuery,
  InboxConversation,
  InboxConversationState,
  InboxMessage,
  InboxNote,
  InboxAssignBody,
  InboxQueue,
  InboxTransferTargets,
} from '@confide/protocol';
import type {
  AgentStatus,
  ApprovalStatus,
  InboxAgent,
  InboxApproval,
  InboxApprovalBody,
  InboxApprovalDecisionBody,
  InboxSlaBody,
  InboxCsatSummary,
  InboxSupervision,
} from '@confide/protocol';
import { request } from '../../lib/api';

const conversation = (id: string) => `/inbox/api/conversations/${encodeURIComponent(id)}`;

export const inboxApi = {
  me: () => request<{ agent: InboxAgent }>('GET', '/inbox/api/me'),
  logIn: (body: CredentialsBody) => request<{ agent: InboxAgent }>('POST', '/inbox/api/login', body),
  logOut: () => request<void>('POST', '/inbox/api/logout'),
  setStatus: (status: AgentStatus) => request<void>('PUT', '/inbox/api/me/status', { status }),
  queue: () => request<InboxQueue>('GET', '/inbox/api/queue'),
  conversation: (id: string) => request<InboxConversation>('GET', conversation(id)),
  state: (id: string) => request<InboxConversationState>('GET', `${conversation(id)}/state`),
  canned: () => request<{ data: InboxCanned[] }>('GET', '/inbox/api/canned'),
  fillCanned: (id: string, cannedId: string) =>
    request<{ text: string }>('POST', `${conversation(id)}/canned/${encodeURIComponent(cannedId)}`),
  notes: (id: string) => request<{ data: InboxNote[] }>('GET', `${conversation(id)}/notes`),
  addNote: (id: string, text: string) => request<InboxNote>('POST', `${conversation(id)}/notes`, { text }),
  take: (id: string) => request<void>('POST', `${conversation(id)}/take`),
  reply: (id: string, text: string) => request<InboxMessage>('POST', `${conversation(id)}/messages`, { text }),
  typing: (id: string, on: boolean) => request<void>('POST', `${conversation(id)}/typing`, { on }),
  resolve: (id: string, note?: string) =>
    request<void>('POST', `${conversation(id)}/resolve`, note === undefined ? undefined : { note }),
  transferTargets: () => request<InboxTransferTargets>('GET', '/inbox/api/transfer-targets'),
  /** Transfer to an agent or a team of the page, with an optional internal note. */
  assign: (id: string, body: InboxAssignBody) => request<void>('POST', `${conversation(id)}/assign`, body),
  snooze: (id: string, minutes: number) =>
    request<{ snoozed_until: number }>('POST', `${conversation(id)}/snooze`, { minutes }),
  approvals: (query: { status?: ApprovalStatus; conversation_id?: string }) =>
    request<{ data: InboxApproval[] }>('GET', `/inbox/api/approvals?${new URLSearchParams(query).toString()}`),
  askApproval: (id: string, body: InboxApprovalBody) =>
    request<{ id: string }>('POST', `${conversation(id)}/approvals`, body),
  decide: (approvalId: string, body: InboxApprovalDecisionBody) =>
    request<void>('POST', `/inbox/api/approvals/${encodeURIComponent(approvalId)}/decision`, body),
  supervision: () => request<InboxSupervision>('GET', '/inbox/api/supervision'),
  csat: () => request<InboxCsatSummary>('GET', '/inbox/api/supervision/csat'),
  /** A supervisor opens any conversation without taking it (recorded as a supervisor's read). */
  supervise: (id: string) =>
    request<InboxConversation>('GET', `/inbox/api/supervision/conversations/${encodeURIComponent(id)}`),
  setSla: (teamId: string, body: InboxSlaBody) =>
    request<void>('PUT', `/inbox/api/teams/${encodeURIComponent(teamId)}/sla`, body),
  closed: (query: InboxClosedQuery) => {
    const params = new URLSearchParams(
      Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
    );
    const qs = params.toString();
    return request<InboxClosedList>('GET', `/inbox/api/closed${qs === '' ? '' : `?${qs}`}`);
  },
};
