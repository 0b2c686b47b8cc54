/** Webhook fields an app subscribes to by default. */
export const DEFAULT_FIELDS = [
  'messages',
  'message_echoes',
  'messaging_postbacks',
  'message_deliveries',
  'message_reads',
  'messaging_account_linking',
  'messaging_handovers',
  'messaging_optins',
  'standby',
] as const;
