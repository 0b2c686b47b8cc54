/**
 * `POST /alexa`: the Alexa custom-skill endpoint (on only with `ALEXA_SKILL_ID`). The body
 * is kept raw for the signature check; a request failing verification answers 400 and is
 * never processed.
 */
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../context.js';
import type { AssistantRelay } from '../assistant/relay.js';
import { answerAlexa } from './skill.js';
import { AlexaVerificationError, AlexaVerifier } from './verify-request.js';

/** Where the endpoint gets certificates and which roots it trusts (tests inject a local CA). */
export interface AlexaTrust {
  trustedRoots?: readonly string[];
  fetchChain?: (url: string) => Promise<string>;
}

export function alexaRoutes(ctx: HubContext, relay: AssistantRelay, skillId: string, trust: AlexaTrust = {}) {
  const verifier = new AlexaVerifier({ skillId, now: ctx.now, ...trust });
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (scope) => {
      // Only in this scope: the signature is over the exact bytes Alexa sent.
      scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 128 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
      scope.post('/alexa', { schema: { hide: true } }, async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        let envelope;
        try {
          envelope = await verifier.verify(request.headers, raw);
        } catch (err) {
          if (!(err instanceof AlexaVerificationError)) throw err;
          request.log.info({ reason: err.message }, 'alexa request refused');
          return reply
            .status(400)
            .send({ error: 'invalid_request', error_description: `Alexa request verification failed: ${err.message}` });
        }
        const answer = await answerAlexa(ctx, relay, envelope);
        return answer === undefined ? reply.status(200).send({ version: '1.0', response: {} }) : reply.send(answer);
      });
    });
  };
}
