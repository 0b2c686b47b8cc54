/**
 * A page's picture in the console: owners and developers upload or remove it
 * (`profile.manage`; viewers and agent admins cannot), the bytes checked by
 * features/pages/page-picture.ts before anything is written. Audited without the image.
 */
import type { ConsolePage } from '@confide/protocol';
import type { Privacy } from '../../privacy/privacy.js';
import type { PagePictures } from '../pages/page-picture.js';
import { assertCan } from './access.js';
import type { ConsolePages } from './console-pages.js';
import type { Member } from './members.js';

export class ConsolePictures {
  readonly #pages: ConsolePages;
  readonly #privacy: Privacy;
  /** The store the hub serves pictures from (`GET /api/page-pictures/{id}`). */
  readonly store: PagePictures;

  constructor(pages: ConsolePages, store: PagePictures, privacy: Privacy) {
    this.#pages = pages;
    this.store = store;
    this.#privacy = privacy;
  }

  async set(member: Member, pageId: string, data: Buffer, declaredType: string | undefined): Promise<ConsolePage> {
    assertCan(member.role, 'profile.manage');
    const page = await this.#pages.get(member, pageId);
    const version = await this.store.set(page.id, data, declaredType);
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'console.picture_changed',
      target: page.id,
      details: { version, bytes: data.length },
    });
    return this.#pages.get(member, pageId);
  }

  async clear(member: Member, pageId: string): Promise<ConsolePage> {
    assertCan(member.role, 'profile.manage');
    const page = await this.#pages.get(member, pageId);
    await this.store.clear(page.id);
    await this.#privacy.record({ actor: `member:${member.id}`, action: 'console.picture_removed', target: page.id });
    return this.#pages.get(member, pageId);
  }
}
