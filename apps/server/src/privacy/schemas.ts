/** Request bodies of the privacy endpoints. */
import { z } from 'zod';

/** Optional body of `POST /api/privacy/businesses/:pageId/unlink`. */
export const UnlinkBodySchema = z.object({ erase_history: z.boolean().optional() }).nullish();

/** Body of `DELETE /api/account`: the password confirms the deletion. */
export const DeleteAccountBodySchema = z.object({ password: z.string().min(1).max(1024) });
