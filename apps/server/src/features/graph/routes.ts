/**
 * The Graph endpoints around the Send API: the page and its objects, the Messenger
 * Profile, page subscriptions, personas and the batch API.
 */
import {
  CreatePersonaRequestSchema,
  MESSENGER_PROFILE_FIELDS,
  MessengerProfileSchema,
  PlatformError,
  SUBSCRIBABLE_FIELDS,
  type MessengerProfileField,
} from '@confide/protocol';
import { numericParam, PAGE_BASES, parseParams, type GraphRoutes } from '../../http/graph-request.js';
import { runBatch } from './batch.js';
import type { MessengerProfiles } from './messenger-profile.js';
import { fieldList, type PageObjects } from './page-objects.js';
import type { Personas } from './personas.js';
import type { SubscribedApps } from './subscribed-apps.js';

export interface GraphObjectServices {
  objects: PageObjects;
  personas: Personas;
  profiles: MessengerProfiles;
  subscriptions: SubscribedApps;
}

export function graphObjectRoutes({ objects, personas, profiles, subscriptions }: GraphObjectServices): GraphRoutes {
  return (router) => {
    router.route('GET', '/me', async (call) =>
      objects.me(call.principal, fieldList(call.params['fields']), call.params['account_linking_token']),
    );
    router.route('GET', `/${numericParam('id')}`, async (call) =>
      objects.get(call.principal, call.path['id'] as string, fieldList(call.params['fields'])),
    );
    router.route('DELETE', `/${numericParam('id')}`, async (call) =>
      objects.delete(call.principal, call.path['id'] as string),
    );
    router.route('POST', '/', async (call, meta) => runBatch(router, call, meta));

    for (const base of PAGE_BASES) {
      router.route('GET', `${base}/messenger_profile`, async (call) =>
        profiles.get(call.principal.pageId, profileFields(call.params['fields']) ?? MESSENGER_PROFILE_FIELDS),
      );
      router.route('POST', `${base}/messenger_profile`, async (call) => {
        await profiles.set(call.principal.pageId, parseParams(MessengerProfileSchema, call.params));
        return { result: 'success' };
      });
      router.route('DELETE', `${base}/messenger_profile`, async (call) => {
        const fields = profileFields(call.params['fields']);
        if (fields === undefined || fields.length === 0)
          throw new PlatformError('INVALID_PARAMETER', {
            message: 'param fields is required',
            detail: { param: 'fields' },
          });
        await profiles.delete(call.principal.pageId, fields);
        return { result: 'success' };
      });

      router.route('GET', `${base}/subscribed_apps`, async (call) => ({
        data: await subscriptions.list(call.principal.pageId),
      }));
      router.route('POST', `${base}/subscribed_apps`, async (call) => {
        const fields = fieldList(call.params['subscribed_fields']);
        if (fields === undefined || fields.length === 0) {
          throw new PlatformError('INVALID_PARAMETER', {
            message: 'param subscribed_fields is required',
            detail: { param: 'subscribed_fields' },
          });
        }
        const unknown = fields.find((f) => !(SUBSCRIBABLE_FIELDS as readonly string[]).includes(f));
        if (unknown !== undefined)
          throw new PlatformError('INVALID_PARAMETER', {
            message: `param subscribed_fields has an unknown field ${unknown}`,
            detail: { param: 'subscribed_fields' },
          });
        await subscriptions.set(call.principal, fields);
        return { success: true };
      });
      router.route('DELETE', `${base}/subscribed_apps`, async (call) => {
        await subscriptions.set(call.principal, []);
        return { success: true };
      });

      router.route('POST', `${base}/personas`, async (call) =>
        personas.create(call.principal.pageId, parseParams(CreatePersonaRequestSchema, call.params)),
      );
      router.route('GET', `${base}/personas`, async (call) => {
        const data = await personas.list(call.principal.pageId);
        return { data, paging: { cursors: { before: data[0]?.id ?? '', after: data.at(-1)?.id ?? '' } } };
      });
    }
  };
}

/** Messenger Profile `fields`; an unknown property answers 100. */
function profileFields(value: unknown): MessengerProfileField[] | undefined {
  const list = fieldList(value);
  if (list === undefined) return undefined;
  const unknown = list.find((f) => !(MESSENGER_PROFILE_FIELDS as readonly string[]).includes(f));
  if (unknown !== undefined)
    throw new PlatformError('INVALID_PARAMETER', {
      message: `param fields has an unknown property ${unknown}`,
      detail: { param: 'fields' },
    });
  return list as MessengerProfileField[];
}
