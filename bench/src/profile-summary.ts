/** `node bench/dist/profile-summary.js FILE.cpuprofile [TOP]`: top self-time functions and modules. */
import { formatProfile, summarizeProfile } from './lib/profile.js';

const [file, top] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bench/dist/profile-summary.js FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
process.stdout.write(`${formatProfile(summarizeProfile(file, 40), Number(top ?? 25))}\n`);
