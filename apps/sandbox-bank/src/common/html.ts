/** Tiny server-rendered HTML helpers: escaping, a page shell, and form-body parsing. */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A complete page with inline styles (no external assets, no scripts). */
export function page(title: string, body: string, accent = '#0b5cad'): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f6f9;margin:0;color:#1c2430}
main{max-width:28rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0001}
h1{font-size:1.3rem;color:${accent};margin-top:0}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #c5cdd8;border-radius:6px;font-size:1rem}
button{margin-top:1.2rem;padding:.6rem 1.2rem;border-radius:6px;border:0;font-size:1rem;cursor:pointer}
.primary{background:${accent};color:#fff}.secondary{background:#e3e8ef;color:#1c2430;margin-left:.5rem}
.error{background:#fdecea;color:#8a1c12;padding:.6rem;border-radius:6px}.note{color:#5a6678;font-size:.9rem}
table{width:100%;border-collapse:collapse}td{padding:.3rem 0}
</style></head><body><main>${body}</main></body></html>`;
}

/** Parses an `application/x-www-form-urlencoded` body into single values (the last wins). */
export function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

/**
 * Registers a raw form-body parser on a Fastify instance (no extra dependency).
 * @param app anything with Fastify's `addContentTypeParser`.
 */
export function acceptForms(app: {
  addContentTypeParser(
    type: string,
    opts: { parseAs: 'string'; bodyLimit: number },
    parser: (req: unknown, body: string, done: (err: Error | null, body?: unknown) => void) => void,
  ): unknown;
}): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => done(null, parseForm(body)),
  );
}
