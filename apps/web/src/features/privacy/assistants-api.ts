/** The customer's connected assistants (`/api/privacy/assistants`): what each may read, whether it may act. */
import { request } from '../../lib/api';

export interface AssistantGrantView {
  id: string;
  client_id: string;
  name: string;
  status: 'active' | 'revoked';
  businesses: Array<{ page_id: string; name: string }>;
  categories: string[];
  act: boolean;
  granted_at: number;
  expires_at: number;
  updated_at: number;
  history: Array<{
    event: 'granted' | 'changed' | 'revoked';
    at: number;
    source: string;
    categories: string[];
    page_ids: string[];
    act: boolean;
    receipt: string | null;
  }>;
}

const one = (id: string) => `/api/privacy/assistants/${encodeURIComponent(id)}`;

export const listAssistants = () => request<{ data: AssistantGrantView[] }>('GET', '/api/privacy/assistants');
export const changeAssistant = (id: string, change: { page_ids: string[]; categories: string[]; act: boolean }) =>
  request<AssistantGrantView>('PUT', one(id), change);
export const removeAssistant = (id: string) => request<AssistantGrantView>('DELETE', one(id));
