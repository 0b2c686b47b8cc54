/**
 * What other features may use of conversations: the read port over conversation and message
 * rows (store.ts: a conversation by PSID, by customer and page, of a customer; recipients for
 * the Send API; messages of a page, the newest or a page of them), the questions awaiting an
 * answer (answers.ts), the page's profile as a conversation shows it, and the use case's type
 * (conversations.ts) for features that subscribe to it. Messages are written through the
 * kernel (src/timeline/), never here.
 */
export {
  findConversationByPair,
  findConversationByPsid,
  findConversationOfCustomer,
  findConversationsByIds,
  findConversationsByPsids,
  findMessageInPage,
  findRecipientByPsid,
  findRecipientsByPsids,
  lastMessages,
  pageOfMessages,
  type ConversationRow,
  type MessageRow,
  type RecipientRow,
} from './store.js';
export { answeredPostback, awaitsAnswer, closeQuestion, templateButtons } from './answers.js';
export { readPageProfile } from './page-profile.js';
export type { Conversations } from './conversations.js';
