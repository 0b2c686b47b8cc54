/** Small HTTP helpers shared by the handshake and the delivery POST. */

/** Reads at most `limit` characters of a response body and drops the rest. */
export async function readSnippet(res: Response, limit: number): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < limit) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
  } catch {
    // A body that breaks off after the status line does not change the outcome.
  }
  return text.slice(0, limit);
}

/** A short operator-facing reason for a failed fetch (no URL, no secrets). */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no response within ${timeoutMs} ms`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code !== undefined) return code;
  return e.cause?.message ?? e.message ?? 'request failed';
}
