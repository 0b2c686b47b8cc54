/**
 * @module webhooks/handover-events
 * `messaging_handovers` items: control of a thread moved between apps (§9.3).
 */
import { z } from 'zod';
import { ParticipantSchema } from './events.js';

const base = { sender: ParticipantSchema, recipient: ParticipantSchema, timestamp: z.number() };

/** Sent to the new owner. `previous_owner_app_id` is null when the thread was idle. */
export const PassThreadControlEventSchema = z.object({
  ...base,
  pass_thread_control: z.object({
    previous_owner_app_id: z.string().nullable().optional(),
    new_owner_app_id: z.string(),
    metadata: z.string().optional(),
  }),
});
export type PassThreadControlEvent = z.infer<typeof PassThreadControlEventSchema>;

/** Sent to the app that lost control. */
export const TakeThreadControlEventSchema = z.object({
  ...base,
  take_thread_control: z.object({
    previous_owner_app_id: z.string(),
    new_owner_app_id: z.string().optional(),
    metadata: z.string().optional(),
  }),
});
export type TakeThreadControlEvent = z.infer<typeof TakeThreadControlEventSchema>;

/** Sent to the current owner when another app (e.g. the page inbox) asks for control. */
export const RequestThreadControlEventSchema = z.object({
  ...base,
  request_thread_control: z.object({
    requested_owner_app_id: z.string(),
    metadata: z.string().optional(),
  }),
});
export type RequestThreadControlEvent = z.infer<typeof RequestThreadControlEventSchema>;

/** The app's roles on the page changed: app id → roles (`primary_receiver`, `secondary_receiver`). */
export const AppRolesEventSchema = z.object({
  ...base,
  app_roles: z.record(z.string(), z.array(z.string())),
});
export type AppRolesEvent = z.infer<typeof AppRolesEventSchema>;

/** Any `messaging_handovers` item. */
export type HandoverEvent = PassThreadControlEvent | TakeThreadControlEvent | RequestThreadControlEvent | AppRolesEvent;
