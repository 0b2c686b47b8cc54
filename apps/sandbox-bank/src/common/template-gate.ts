/**
 * Ties a sandbox's HTTP server to its utility templates: `/healthz` answers 503 until they
 * are approved (a launcher waiting for health waits for them), the bot passes template
 * status webhooks on, and the start-up makes sure of them, closing the server when a
 * template cannot be used.
 */
import type { Bot } from '@confide/sdk';
import type { FastifyInstance } from 'fastify';
import type { UtilityTemplates } from './utility-templates.js';

/** @returns what `start()` awaits once the server listens (so status webhooks can arrive). */
export function gateOnTemplates(app: FastifyInstance, bot: Bot, templates: UtilityTemplates): () => Promise<void> {
  bot.onTemplateStatus((update) => templates.onStatus(update));
  app.get('/healthz', async (_req, reply) => (templates.ready ? { ok: true } : reply.code(503).send({ ok: false })));
  return async () => {
    try {
      await templates.ensure();
    } catch (err) {
      await app.close();
      throw err;
    }
  };
}
