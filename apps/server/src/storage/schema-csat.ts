/**
 * The inbox's satisfaction answers (migration 032), added to `Database` by declaration merging.
 */

/** One satisfaction question after a resolve, and its answer once given. */
export interface InboxCsatTable {
  id: string;
  page_id: string;
  conversation_id: string;
  agent_id: string | null;
  team_id: string | null;
  token_hash: string;
  asked_at: number;
  /** 1–5, null until answered. */
  score: number | null;
  answered_at: number | null;
}

declare module './schema.js' {
  interface Database {
    inbox_csat: InboxCsatTable;
  }
}
