/**
 * `npm run demo:assistant [-- HUB_URL]`: a scripted assistant against the running demo.
 * It connects with the official MCP SDK (dynamic registration, PKCE), prints the hub's
 * consent URL to open in the browser where you are logged in to Confide (as alice),
 * receives the code on a loopback callback, then lists your businesses, asks the bank
 * for your balance and reads the latest fraud alert.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectAssistant, toolText } from './assistant-client.js';

const hubUrl = (process.argv[2] ?? process.env['HUB_URL'] ?? 'http://localhost:3000').replace(/\/$/, '');

/** A one-shot loopback callback: resolves with the code, or rejects with the hub's error. */
async function loopbackCallback(): Promise<{ redirectUrl: string; code: Promise<string> }> {
  let settle!: { resolve: (code: string) => void; reject: (err: Error) => void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') return void res.writeHead(404).end();
    const got = url.searchParams.get('code');
    res
      .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      .end(got === null ? 'Not connected. You can close this tab.' : 'Connected. You can close this tab.');
    server.close();
    if (got === null) settle.reject(new Error(`The hub answered ${url.searchParams.get('error') ?? 'without a code'}`));
    else settle.resolve(got);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { redirectUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, code };
}

async function main(): Promise<void> {
  const callback = await loopbackCallback();
  const assistant = await connectAssistant({
    hubUrl,
    redirectUrl: callback.redirectUrl,
    clientName: 'Confide demo assistant',
    authorize: async (url) => {
      process.stdout.write(
        `\nOpen this URL in the browser where you are logged in to Confide, and choose what the assistant may read:\n\n  ${url.href}\n\n`,
      );
      return callback.code;
    },
  });
  const { client } = assistant;
  const businesses = JSON.parse(toolText(await client.callTool({ name: 'list_businesses', arguments: {} }))) as Array<{
    id: string;
    name: string;
    kind: string;
  }>;
  process.stdout.write(
    `Your businesses: ${businesses.map((b) => `${b.name} (${b.kind})`).join(', ') || 'none granted'}\n`,
  );
  const bank = businesses.find((b) => b.kind === 'bank');
  if (bank !== undefined) {
    process.stdout.write(`\nAsking ${bank.name} "What is my balance?"…\n`);
    process.stdout.write(
      `${toolText(await client.callTool({ name: 'ask_business', arguments: { business: bank.id, question: 'What is my balance?' } }))}\n`,
    );
    try {
      const alerts = toolText(
        await client.callTool({
          name: 'get_updates',
          arguments: { business: bank.id, category: 'fraud_alerts', limit: 1 },
        }),
      );
      process.stdout.write(`\nLatest fraud alert:\n${alerts}\n`);
    } catch (err) {
      process.stdout.write(`\nFraud alerts: ${(err as Error).message}\n`);
    }
  }
  await assistant.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
