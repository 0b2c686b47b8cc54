/**
 * @module clients/profile-client
 * The Messenger Profile API (`/me/messenger_profile`) and the User Profile API (`/{psid}`).
 */
import type { MessengerProfile, MessengerProfileField } from '@confide/protocol';
import type { HttpTransport } from '../transport/http-transport.js';

// Page-level Messenger settings, as the hub validates them (`MessengerProfileSchema`).
export type { MessengerProfile, MessengerProfileField };

/** A customer's public profile, as far as the page may see it. */
export interface UserProfile {
  id: string;
  first_name?: string;
  last_name?: string;
  name?: string;
  profile_pic?: string;
  locale?: string;
  timezone?: number;
}

/** Reads and writes page and user profiles. */
export class ProfileClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  /**
   * Reads Messenger Profile settings.
   * @param fields the settings to read.
   * @returns the settings that are set (absent ones are omitted).
   */
  async getMessengerProfile(fields: MessengerProfileField[]): Promise<MessengerProfile> {
    const res = await this.#transport.get<{ data?: MessengerProfile[] }>('/me/messenger_profile', {
      fields: fields.join(','),
    });
    return res.data?.[0] ?? {};
  }

  /**
   * Sets Messenger Profile settings; others are left unchanged.
   * @example
   * await platform.profile.setMessengerProfile({ get_started: { payload: 'GET_STARTED' } });
   */
  setMessengerProfile(profile: MessengerProfile): Promise<{ result: string }> {
    return this.#transport.post<{ result: string }>('/me/messenger_profile', profile);
  }

  /** Clears Messenger Profile settings. */
  deleteMessengerProfile(fields: MessengerProfileField[]): Promise<{ result: string }> {
    return this.#transport.delete<{ result: string }>('/me/messenger_profile', { fields });
  }

  /**
   * Reads a customer's profile by PSID.
   * @param fields default `first_name,last_name,profile_pic`.
   */
  getUserProfile(
    psid: string,
    fields: (keyof UserProfile)[] = ['first_name', 'last_name', 'profile_pic'],
  ): Promise<UserProfile> {
    return this.#transport.get<UserProfile>(`/${encodeURIComponent(psid)}`, { fields: fields.join(',') });
  }
}
