/**
 * `POST|GET|DELETE /{version}/{page-id}/message_templates` (and `/me/…`): a page's utility
 * message templates; `GET /message_template_library`: Confide's ready-made ones.
 * `GET /{template-id}` is answered by the page objects (graph/page-objects.ts).
 */
import { CreateMessageTemplateRequestSchema, PlatformError } from '@confide/protocol';
import { PAGE_BASES, parseParams, type GraphRoutes } from '../../http/graph-request.js';
import { presentLibraryTemplate, searchLibrary, type LibraryFilters } from './library.js';
import type { MessageTemplates, TemplateFilters } from './templates.js';

const FILTERS = ['name', 'language', 'status', 'category', 'content', 'name_or_content'] as const;
const LIBRARY_FILTERS = ['name', 'language', 'topic', 'usecase', 'industry', 'search', 'name_or_content'] as const;

export function messageTemplateRoutes(templates: MessageTemplates): GraphRoutes {
  return (router) => {
    router.route('GET', '/message_template_library', async (call) => {
      const filters: LibraryFilters = {};
      for (const key of LIBRARY_FILTERS) {
        const value = stringParam(call.params, key);
        if (value !== undefined) filters[key] = value;
      }
      const data = searchLibrary(filters).map(presentLibraryTemplate);
      return {
        data,
        paging: { cursors: { before: String(data[0]?.['id'] ?? ''), after: String(data.at(-1)?.['id'] ?? '') } },
      };
    });
    for (const base of PAGE_BASES) {
      router.route('POST', `${base}/message_templates`, async (call) =>
        templates.create(call.principal.pageId, parseParams(CreateMessageTemplateRequestSchema, call.params)),
      );
      router.route('GET', `${base}/message_templates`, async (call) => {
        const data = await templates.list(call.principal.pageId, filtersOf(call.params));
        return { data, paging: { cursors: { before: data[0]?.id ?? '', after: data.at(-1)?.id ?? '' } } };
      });
      router.route('DELETE', `${base}/message_templates`, async (call) =>
        templates.delete(call.principal.pageId, stringParam(call.params, 'name'), stringParam(call.params, 'hsm_id')),
      );
    }
  };
}

function filtersOf(params: Record<string, unknown>): TemplateFilters {
  const filters: TemplateFilters = {};
  for (const key of FILTERS) {
    const value = stringParam(params, key);
    if (value !== undefined) filters[key] = value;
  }
  return filters;
}

function stringParam(params: Record<string, unknown>, key: string): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) {
    throw new PlatformError('INVALID_PARAMETER', {
      message: `param ${key} must be a non-empty string`,
      detail: { param: key },
    });
  }
  return value;
}
