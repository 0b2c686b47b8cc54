import { z } from 'zod';

/**
 * A page's public Messenger Profile as the customer's app renders it
 * (`GET /api/conversations/:id/profile`): one locale already chosen, the greeting's
 * placeholders filled in, only the parts a customer can use.
 */
export type ProfileMenuItem =
  | { type: 'postback'; title: string; payload: string }
  | { type: 'web_url'; title: string; url: string }
  | { type: 'nested'; title: string; items: ProfileMenuItem[] };

export const ProfileMenuItemSchema: z.ZodType<ProfileMenuItem> = z.lazy(() =>
  z.union([
    z.object({ type: z.literal('postback'), title: z.string(), payload: z.string() }),
    z.object({ type: z.literal('web_url'), title: z.string(), url: z.string() }),
    z.object({ type: z.literal('nested'), title: z.string(), items: z.array(ProfileMenuItemSchema) }),
  ]),
);

export const IceBreakerItemSchema = z.object({ question: z.string(), payload: z.string() });
export type IceBreakerItem = z.infer<typeof IceBreakerItemSchema>;

export const PageProfileSchema = z.object({
  page_id: z.string(),
  /** The postback the Get Started button sends; null when the page has none. */
  get_started: z.object({ payload: z.string() }).nullable(),
  greeting: z.string().nullable(),
  ice_breakers: z.array(IceBreakerItemSchema),
  /** Null when the page has no persistent menu. */
  persistent_menu: z.object({ composer_input_disabled: z.boolean(), items: z.array(ProfileMenuItemSchema) }).nullable(),
});
export type PageProfile = z.infer<typeof PageProfileSchema>;
