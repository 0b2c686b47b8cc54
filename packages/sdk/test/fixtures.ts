/** Webhook items of every kind, for routing tests. */
export const PAGE_ID = 'page-1';
export const PSID = 'psid-1';
const base = { sender: { id: PSID }, recipient: { id: PAGE_ID }, timestamp: 1_700_000_000_000 };

export const items = {
  message: { ...base, message: { mid: 'm_1', text: 'hello' } },
  quickReply: { ...base, message: { mid: 'm_2', text: 'Savings', quick_reply: { payload: 'ACC_SAVINGS' } } },
  echo: {
    sender: { id: PAGE_ID },
    recipient: { id: PSID },
    timestamp: 1,
    message: { mid: 'm_3', is_echo: true, app_id: 42, metadata: 'x' },
  },
  postback: { ...base, postback: { title: 'Get Started', payload: 'GET_STARTED', mid: 'm_4' } },
  delivery: { ...base, delivery: { mids: ['m_1'], watermark: 1_700_000_000_000 } },
  read: { ...base, read: { watermark: 1_700_000_000_000 } },
  linked: {
    ...base,
    account_linking: {
      status: 'linked',
      authorization_code: 'auth-1',
      consent: { categories: ['fraud_alert'], expires_at: 1_800_000_000_000 },
    },
  },
  unlinked: { ...base, account_linking: { status: 'unlinked' } },
  optin: { sender: { user_ref: 'uref-1' }, recipient: { id: PAGE_ID }, timestamp: 1, optin: { ref: 'PLUGIN' } },
  pass: { ...base, pass_thread_control: { previous_owner_app_id: null, new_owner_app_id: '42', metadata: 'to bot' } },
  take: { ...base, take_thread_control: { previous_owner_app_id: '42', metadata: 'taken' } },
  request: { ...base, request_thread_control: { requested_owner_app_id: '263902037430900' } },
  appRoles: { ...base, app_roles: { '42': ['primary_receiver'] } },
  feedback: {
    ...base,
    messaging_feedback: { feedback_screens: [{ screen_id: 0, questions: { csat_1: { type: 'csat', payload: '5' } } }] },
  },
  reaction: { ...base, reaction: { mid: 'm_1', action: 'react', emoji: '👍' } },
} as const;

export const envelope = (messaging: unknown[], standby?: unknown[]) => ({
  object: 'page',
  entry: [{ id: PAGE_ID, time: 1_700_000_000_000, messaging, ...(standby && { standby }) }],
});
