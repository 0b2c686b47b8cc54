/**
 * A page's customer-facing presence and its people in the console: the Messenger Profile
 * (greeting, get started, persistent menu, ice breakers), personas, and the human agents
 * of the inbox. The profile and personas are features/graph's use cases (the same checks
 * as the Platform API: http(s) URLs only, lengths, reserved payloads); the console also
 * refuses markup in any text a customer reads.
 */
import { PlatformError, type CreatePersonaRequest, type MessengerProfile, type Persona } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import type { Privacy } from '../../privacy/privacy.js';
import { MESSENGER_PROFILE_FIELDS } from '@confide/protocol';
import { MessengerProfiles } from '../graph/messenger-profile.js';
import { Personas } from '../graph/personas.js';
import type { Agents } from '../inbox/agents.js';
import { assertCan } from './access.js';
import type { ConsolePages } from './console-pages.js';
import type { Member } from './members.js';

export interface ConsoleAgent {
  id: string;
  username: string;
  display_name: string;
  persona_id: string;
  created_at: number;
  team_id: string | null;
  capacity: number;
}

/** Markup or control characters: refused in text customers read (names, greetings, titles, questions). */
const UNSAFE_TEXT = /[<>\p{Cc}]/u;

export class ConsolePeople {
  readonly #ctx: HubContext;
  readonly #pages: ConsolePages;
  readonly #agents: Agents;
  readonly #privacy: Privacy;
  readonly #profiles: MessengerProfiles;
  readonly #personas: Personas;

  constructor(ctx: HubContext, pages: ConsolePages, agents: Agents, privacy: Privacy) {
    this.#ctx = ctx;
    this.#pages = pages;
    this.#agents = agents;
    this.#privacy = privacy;
    this.#profiles = new MessengerProfiles(ctx);
    this.#personas = new Personas(ctx);
  }

  async profile(member: Member, pageId: string): Promise<MessengerProfile> {
    const page = await this.#pages.get(member, pageId);
    return ((await this.#profiles.get(page.id, MESSENGER_PROFILE_FIELDS)).data[0] ?? {}) as MessengerProfile;
  }

  async setProfile(member: Member, pageId: string, profile: MessengerProfile): Promise<MessengerProfile> {
    assertCan(member.role, 'profile.manage');
    const page = await this.#pages.get(member, pageId);
    assertSafeTexts(visibleTexts(profile));
    await this.#profiles.set(page.id, profile);
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'console.profile_changed',
      target: page.id,
      details: { fields: Object.keys(profile).join(',') },
    });
    return this.profile(member, pageId);
  }

  async personas(member: Member, pageId: string): Promise<Persona[]> {
    const page = await this.#pages.get(member, pageId);
    return this.#personas.list(page.id);
  }

  async createPersona(member: Member, pageId: string, input: CreatePersonaRequest): Promise<Persona> {
    assertCan(member.role, 'people.manage');
    const page = await this.#pages.get(member, pageId);
    assertSafeTexts([input.name]);
    const { id } = await this.#personas.create(page.id, input);
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'console.persona_created',
      target: id,
      details: { page: page.id },
    });
    return { id, name: input.name, profile_picture_url: input.profile_picture_url };
  }

  async agents(member: Member, pageId: string): Promise<ConsoleAgent[]> {
    const page = await this.#pages.get(member, pageId);
    return this.#agentRows(page.id);
  }

  #agentRows(pageId: string, agentId?: string): Promise<ConsoleAgent[]> {
    let q = this.#ctx.storage.db
      .selectFrom('agents')
      .select(['id', 'username', 'display_name', 'persona_id', 'created_at', 'team_id', 'capacity'])
      .where('page_id', '=', pageId);
    if (agentId !== undefined) q = q.where('id', '=', agentId);
    return q
      .orderBy('created_at')
      .orderBy('id')
      .execute()
      .then((rows) => rows.map((r) => ({ ...r, created_at: Number(r.created_at), capacity: Number(r.capacity) })));
  }

  /** One agent of the member's page. @throws PlatformError `NOT_FOUND` for another page's. */
  async agent(member: Member, pageId: string, agentId: string): Promise<ConsoleAgent> {
    const page = await this.#pages.get(member, pageId);
    const [row] = await this.#agentRows(page.id, agentId);
    if (row === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such agent on this page.' });
    return row;
  }

  /** Creates an inbox agent (and the persona they reply under); they sign in at /inbox. */
  async createAgent(
    member: Member,
    pageId: string,
    input: { username: string; password: string; display_name: string },
  ): Promise<ConsoleAgent> {
    assertCan(member.role, 'people.manage');
    const page = await this.#pages.get(member, pageId);
    assertSafeTexts([input.display_name]);
    const agent = await this.#agents.create({
      pageId: page.id,
      username: input.username,
      password: input.password,
      displayName: input.display_name,
    });
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'console.agent_created',
      target: agent.id,
      details: { page: page.id },
    });
    const [row] = await this.#agentRows(page.id, agent.id);
    if (row === undefined) throw new PlatformError('INTERNAL');
    return row;
  }
}

/** Every text of a profile a customer reads. */
function visibleTexts(profile: MessengerProfile): string[] {
  const out: string[] = [];
  for (const g of profile.greeting ?? []) out.push(g.text);
  for (const menu of profile.persistent_menu ?? []) for (const item of menu.call_to_actions ?? []) out.push(item.title);
  for (const entry of profile.ice_breakers ?? []) {
    if ('question' in entry) out.push(entry.question);
    else for (const q of entry.call_to_actions) out.push(q.question);
  }
  return out;
}

function assertSafeTexts(texts: readonly string[]): void {
  const bad = texts.find((t) => UNSAFE_TEXT.test(t));
  if (bad !== undefined)
    throw new PlatformError('BAD_REQUEST', {
      message: 'Text customers read cannot contain markup (< or >) or control characters.',
    });
}
