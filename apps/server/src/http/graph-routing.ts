/**
 * Fastify keys routes by shape: `/:version(…)` and `/:id(…)` are the same route to it, so the
 * POST that every Graph path answers (the `method=` override) is registered once per shape,
 * with the segment patterns of its paths joined, and the Graph router's own matcher then picks
 * the endpoint.
 */
const PARAM_SEGMENT = /^:(\w+)\((.*)\)$/;

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
