#!/usr/bin/env node
/**
 * `confide`: run and administer a hub. Every command reads the same configuration
 * (environment variables, overridden by --port, --data-dir, --database-url).
 */
import { HELP } from './cli-help.js';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createHub, hubLogger, type Hub } from './hub.js';
import { assertAgentSubjectFree, linkAgentSubject } from './features/inbox/agent-sso.js';
import { linkMemberSubject } from './features/console/member-sso.js';
import { SigningKeys } from './crypto/signing-keys.js';
import { seedDemo } from './demo.js';
import { ConsoleSignUpBodySchema } from '@confide/protocol';
import { isWebhookCommand, runWebhookCommand } from './features/webhooks/cli-commands.js';
import { runVapidGenerate } from './features/push/cli-commands.js';

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  demo: { type: 'boolean' },
  json: { type: 'boolean' },
  name: { type: 'string' },
  category: { type: 'string' },
  description: { type: 'string' },
  'privacy-policy-url': { type: 'string' },
  'webhook-url': { type: 'string' },
  'verify-token': { type: 'string' },
  url: { type: 'string' },
  fields: { type: 'string' },
  since: { type: 'string' },
  off: { type: 'boolean' },
  page: { type: 'string' },
  'token-id': { type: 'string' },
  purpose: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'display-name': { type: 'string' },
  team: { type: 'string' },
  role: { type: 'string' },
  capacity: { type: 'string' },
  'oidc-subject': { type: 'string' },
  'no-auto-assign': { type: 'boolean' },
  hours: { type: 'string' },
  customer: { type: 'string' },
  witness: { type: 'string', multiple: true },
  receipt: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals.join(' ');
  if (values.help || command === 'help' || command === '') {
    process.stdout.write(HELP);
    return command === '' && !values.help ? 2 : 0;
  }

  if (command === 'vapid generate') return runVapidGenerate(values.json, (t) => process.stdout.write(t));
  let config: Config;
  try {
    config = loadConfig(envWithFlags(values));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }

  switch (command) {
    case 'start':
      return start(config, values.demo ?? false);
    case 'migrate':
      return withHub(config, async () => {
        process.stdout.write('Migrations applied.\n');
      });
    case 'page create':
      return withHub(config, async (hub) => {
        const category = values.category;
        if (values.name === undefined || (category !== 'bank' && category !== 'merchant')) {
          throw new UsageError('page create needs --name and --category bank|merchant');
        }
        if ((values['webhook-url'] === undefined) !== (values['verify-token'] === undefined)) {
          throw new UsageError('--webhook-url and --verify-token go together');
        }
        if (values['webhook-url'] !== undefined)
          await hub.services.webhooks.verify(values['webhook-url'], values['verify-token'] ?? '');
        const created = await hub.services.pages.createPage({
          name: values.name,
          category,
          description: values.description ?? '',
          privacyPolicyUrl: values['privacy-policy-url'] ?? null,
          webhookUrl: values['webhook-url'] ?? null,
          verifyToken: values['verify-token'] ?? null,
        });
        print(values.json, created);
      });
    case 'page token create':
      return withHub(config, async (hub) => {
        if (values.page === undefined) throw new UsageError('page token create needs --page');
        print(values.json, await hub.services.pages.issueToken(values.page));
      });
    case 'page token revoke':
      return withHub(config, async (hub) => {
        if (values.page === undefined || values['token-id'] === undefined)
          throw new UsageError('page token revoke needs --page and --token-id');
        await hub.services.pages.revokeToken(values.page, values['token-id']);
        print(values.json, { revoked: values['token-id'] });
      });
    case 'page declare':
      return withHub(config, async (hub) => {
        if (values.page === undefined || values.category === undefined || values.purpose === undefined) {
          throw new UsageError('page declare needs --page, --category and --purpose');
        }
        print(values.json, await hub.services.consents.declare(values.page, values.category, values.purpose));
      });
    case 'customer create':
      return withHub(config, async (hub) => {
        if (values.username === undefined || values.password === undefined)
          throw new UsageError('customer create needs --username and --password');
        const customer = await hub.services.accounts.createCustomer({
          username: values.username,
          password: values.password,
        });
        print(values.json, customer);
      });
    case 'agent create':
      return withHub(config, async (hub) => {
        if (values.page === undefined || values.username === undefined || values.password === undefined)
          throw new UsageError('agent create needs --page, --username and --password');
        const subject = values['oidc-subject'];
        if (subject !== undefined) await assertAgentSubjectFree(hub.ctx.storage.db, subject);
        const agent = await hub.services.agents.create({
          pageId: values.page,
          username: values.username,
          password: values.password,
          displayName: values['display-name'],
          team: values.team,
          role: agentRole(values.role),
          capacity: values.capacity === undefined ? undefined : Number(values.capacity),
        });
        if (subject !== undefined) await linkAgentSubject(hub.ctx, agent.username, subject, 'operator');
        print(values.json, { ...agent, oidc_subject: subject ?? null });
      });
    case 'org create':
      return withHub(config, async (hub) => {
        if (values.name === undefined || values.username === undefined || values.password === undefined)
          throw new UsageError('org create needs --name, --username and --password');
        const valid = ConsoleSignUpBodySchema.safeParse({
          organisation: values.name,
          username: values.username,
          password: values.password,
        });
        if (!valid.success)
          throw new UsageError(
            `org create: ${valid.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          );
        const owner = await hub.services.console.members.createOrganisation(
          { name: values.name, username: values.username, password: values.password },
          'operator',
        );
        const subject = values['oidc-subject'] ?? null;
        if (subject !== null) await linkMemberSubject(hub.ctx, { username: owner.username }, subject, 'operator');
        print(values.json, {
          org_id: owner.org_id,
          name: owner.org_name,
          owner: owner.username,
          console: `${config.publicUrl}/console`,
        });
      });
    case 'team create':
      return withHub(config, async (hub) => {
        if (values.page === undefined || values.name === undefined)
          throw new UsageError('team create needs --page and --name');
        let hours: unknown;
        try {
          hours = values.hours === undefined ? undefined : JSON.parse(values.hours);
        } catch {
          throw new UsageError(
            '--hours is JSON: {"tz":"Europe/London","open":"09:00","close":"17:00","days":[1,2,3,4,5]}',
          );
        }
        print(
          values.json,
          await hub.services.inbox.createTeam({
            pageId: values.page,
            name: values.name,
            autoAssign: values['no-auto-assign'] !== true,
            hours,
          }),
        );
      });
    case 'customer delete':
      return withHub(config, async (hub) => {
        if (values.username === undefined) throw new UsageError('customer delete needs --username');
        print(values.json, await hub.services.privacy.deleteCustomerByUsername(values.username));
      });
    case 'export':
      return withHub(config, async (hub) => {
        if (values.customer === undefined) throw new UsageError('export needs --customer USERNAME');
        process.stdout.write(
          `${JSON.stringify(await hub.services.privacy.exportByUsername(values.customer), null, 2)}\n`,
        );
      });
    case 'audit verify':
      return withHub(config, async (hub) => {
        const receipts = (values.receipt ?? []).map((r) =>
          r.startsWith('@') ? fs.readFileSync(r.slice(1), 'utf8').trim() : r,
        );
        const result = await hub.services.privacy.verify({ witnessFiles: values.witness ?? [], receipts });
        print(values.json, result);
        if (!result.ok) throw new UsageError(`audit log broken at record ${result.brokenAt}: ${result.reason}`);
      });
    case 'keys rotate':
      return withHub(config, async (hub) => {
        const result = await hub.ctx.storage.vault.rewrapAll();
        const signingKeys = await SigningKeys.of(hub.ctx).rewrap();
        await hub.services.privacy.record({
          actor: 'admin',
          action: 'keys.rotated',
          details: { kek_id: hub.ctx.storage.vault.kekId, rewrapped: result.rewrapped, signing_keys: signingKeys },
        });
        print(values.json, { kek_id: hub.ctx.storage.vault.kekId, ...result, signingKeys });
      });
    case 'keys rekey-attachments':
      return withHub(config, async (hub) => {
        print(values.json, await hub.services.privacy.rekeyAttachments());
      });
    case 'audit checkpoint':
      return withHub(config, async (hub) => {
        await hub.services.privacy.flush();
        print(values.json, { checkpoint: await hub.services.privacy.checkpoint() });
      });
    default:
      if (isWebhookCommand(command)) {
        return withHub(config, async (hub) => {
          const args = {
            page: values.page,
            url: values.url,
            verifyToken: values['verify-token'],
            fields: values.fields,
            since: values.since,
            off: values.off,
          };
          print(values.json, await runWebhookCommand(hub.services.webhooks, command, args));
        });
      }
      process.stderr.write(`Unknown command: ${command}\n\n${HELP}`);
      return 2;
  }
}

class UsageError extends Error {}

function agentRole(role: string | undefined): 'agent' | 'supervisor' | undefined {
  if (role === undefined || role === 'agent' || role === 'supervisor') return role;
  throw new UsageError(`--role is agent or supervisor, not ${role}`);
}

function envWithFlags(values: Values): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  if (values.port !== undefined) env['PORT'] = values.port;
  if (values.host !== undefined) env['HOST'] = values.host;
  if (values['data-dir'] !== undefined) env['DATA_DIR'] = values['data-dir'];
  if (values['database-url'] !== undefined) env['DATABASE_URL'] = values['database-url'];
  // Administrative commands keep stdout clean for --json.
  env['LOG_LEVEL'] ??= 'info';
  return env;
}

function print(json: boolean | undefined, value: unknown): void {
  if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
  else
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) process.stdout.write(`${k}: ${String(v)}\n`);
}

async function withHub(config: Config, fn: (hub: Hub) => Promise<void>): Promise<number> {
  // Administrative commands never deliver webhooks: that is the running hub's worker. Their logs
  // go to stderr, so stdout carries only the command's output (JSON with --json).
  const hub = await createHub(
    { ...config, LOG_LEVEL: 'warn', SERVICES: config.SERVICES.filter((s) => s !== 'worker') },
    { log: hubLogger('warn', 2) },
  );
  try {
    await fn(hub);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  } finally {
    await hub.close();
  }
}

async function start(config: Config, demo: boolean): Promise<number> {
  const hub = await createHub(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.ctx.log.info({ signal }, 'shutting down: draining requests');
    const timer = setTimeout(() => {
      hub.ctx.log.error('drain timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    await hub.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const url = await hub.listen();
  if (demo) {
    const seeded = await seedDemo(hub);
    process.stdout.write(seeded);
  }
  process.stdout.write(
    `\nConfide hub listening on ${url} (${hub.ctx.storage.dialect}${hub.ctx.storage.dialect === 'sqlite' ? `, ${config.DATA_DIR}` : ''})\n`,
  );
  return -1;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
// bin/confide.js (the installed command) imports main and calls it; this runs `node dist/cli.js`.
if (invokedDirectly || process.argv[1]?.endsWith('cli.js')) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
