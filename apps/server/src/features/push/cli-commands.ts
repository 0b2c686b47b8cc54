/**
 * `confide vapid generate`: prints a fresh VAPID key pair (RFC 8292) as environment lines for
 * the hub. Runs without a configuration, since production refuses to start without the pair.
 */
import { generateVapidPair } from './vapid.js';

/** Writes the pair (JSON with --json) and the note that every hub process needs the same one. */
export function runVapidGenerate(json: boolean | undefined, out: (text: string) => void): number {
  const pair = generateVapidPair();
  if (json) out(`${JSON.stringify(pair)}\n`);
  else
    out(
      `VAPID_PUBLIC_KEY=${pair.VAPID_PUBLIC_KEY}\nVAPID_PRIVATE_KEY=${pair.VAPID_PRIVATE_KEY}\n` +
        '# Give every hub process the same pair; changing it makes browsers subscribe again.\n',
    );
  return 0;
}
