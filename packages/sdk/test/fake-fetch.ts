/** Test double for `fetch`: records calls and answers from a queue (last answer repeats). */
export interface RecordedCall {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export type FakeAnswer = Response | Error | (() => Response | Error);

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function graphError(
  code: number,
  extra: Record<string, unknown> = {},
  status = 400,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(
    { error: { message: `(#${code}) failed`, type: 'OAuthException', code, fbtrace_id: 'TRACE', ...extra } },
    status,
    headers,
  );
}

export function fakeFetch(...answers: FakeAnswer[]) {
  const calls: RecordedCall[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : init.body;
    calls.push({
      url: new URL(String(input)),
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body,
    });
    const next = answers.length > 1 ? answers.shift() : answers[0];
    const answer = typeof next === 'function' ? next() : (next ?? jsonResponse({}));
    if (answer instanceof Error) throw answer;
    return answer.clone();
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}
