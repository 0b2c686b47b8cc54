/**
 * Reference: a minimal Fastify server whose routes do nothing. The same load against
 * it shows what the machine, Node and Fastify alone allow; hub numbers are reported as
 * ratios to it.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
  done(null, body),
);
app.all('/*', async () => ({}));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`reference listening on ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
