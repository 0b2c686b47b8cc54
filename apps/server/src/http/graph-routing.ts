/**
 * Graph paths: every route answers versionless and under any `/vX.Y`. Fastify keys routes by shape: `/:version(…)` and `/:id(…)` are the same route to it, so the
 * POST that every Graph path answers (the `method=` override) is registered once per shape,
 * with the segment patterns of its paths joined, and the Graph router's own matcher then picks
 * the endpoint.
 */
const PARAM_SEGMENT = /^:(\w+)\((.*)\)$/;

/** Route segment matching a Graph version such as `v2.6` or `v25.0`. */
export const VERSION_SEGMENT = ':version(^v\\d{1,2}\\.\\d{1,2}$)';
/** A numeric Graph object id (page, PSID, persona, attachment) as a route parameter. */
export const numericParam = (name: string): string => `:${name}(^\\d{1,32}$)`;

/** The two spellings of "this page": `/me` and `/{page-id}` (which must be the token's page). */
export const PAGE_BASES = ['/me', `/${numericParam('pageId')}`] as const;

/** The paths a Graph route answers on: versionless and under any `/vX.Y` (the root also with a trailing slash). */
export function versionedUrls(path: string): string[] {
  const versioned = path === '/' ? `/${VERSION_SEGMENT}` : `/${VERSION_SEGMENT}${path}`;
  return path === '/' ? [path, versioned, `${versioned}/`] : [path, versioned];
}

/** The shape of a route path: static segments kept, parameters blanked. */
export function routeShape(url: string): string {
  return url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? ':' : segment))
    .join('/');
}

/** One Fastify path accepting every path of `urls` (which share a shape). */
export function joinedPattern(urls: readonly string[]): string {
  const split = urls.map((url) => url.split('/'));
  const first = split[0] ?? [''];
  return first
    .map((segment, i) => {
      if (!segment.startsWith(':')) return segment;
      const patterns = [...new Set(split.map((parts) => unanchored(parts[i] ?? '')))];
      if (patterns.length === 1) return segment;
      return `:p${i}(^(?:${patterns.map((p) => `(?:${p})`).join('|')})$)`;
    })
    .join('/');
}

function unanchored(segment: string): string {
  const match = PARAM_SEGMENT.exec(segment);
  if (match === null) return '[^/]+';
  return (match[2] ?? '').replace(/^\^/, '').replace(/\$$/, '');
}
