import type { PageSummary } from '@confide/protocol';
import type { PagesTable } from '../../storage/schema.js';
import { pagePictureUrl } from './page-picture.js';

/** A page as customers see it; `picture_url` (hub-relative) only when the page has a picture. */
export function presentPage(
  row: Pick<PagesTable, 'id' | 'name' | 'category' | 'description' | 'privacy_policy_url'> & {
    picture_version?: string | null | undefined;
  },
): PageSummary {
  const picture = pagePictureUrl(undefined, { id: row.id, picture_version: row.picture_version ?? null });
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    description: row.description,
    privacy_policy_url: row.privacy_policy_url,
    ...(picture === null ? {} : { picture_url: picture }),
  };
}
