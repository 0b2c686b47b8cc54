/**
 * The MCP server of one customer's assistant (official `@modelcontextprotocol/sdk`): one
 * server per request (stateless Streamable HTTP), bound to the verified principal. Tools
 * take JSON-schema'd arguments (from zod); a refusal (business, category or `act` not
 * granted) is a JSON-RPC error with code `ASSISTANT_FORBIDDEN`, bad arguments `InvalidParams`.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CONSENT_CATEGORIES } from '../consent/categories.js';
import type { AssistantPrincipal } from '../oauth/tokens.js';
import { AssistantRefusal, type AssistantRelay } from './relay.js';

/** JSON-RPC error code of a call the customer's grant does not allow (implementation-defined range). */
export const ASSISTANT_FORBIDDEN = -32003;

const Business = z.string().min(1).max(64).describe('A business id from list_businesses.');
const Wait = z.number().int().min(0).max(20).default(10).describe('Seconds to wait for the reply (0 to 20).');

const TOOLS = {
  list_businesses: {
    description:
      'Lists the businesses (banks, shops) this assistant may talk to for the customer, whether the customer linked their account, and which kinds of update it may read.',
    input: z.object({}).strict(),
  },
  get_updates: {
    description:
      'Recent updates businesses sent the customer (balances, transactions, fraud alerts, receipts, shipping, events), newest first; only the categories the customer allowed. Open fraud alerts list the answers they accept.',
    input: z
      .object({
        business: Business.optional(),
        category: z.enum(CONSENT_CATEGORIES).optional(),
        limit: z.number().int().min(1).max(50).default(10),
      })
      .strict(),
  },
  ask_business: {
    description:
      "Sends the customer's question to a business as their message (marked as coming from their assistant) and returns the reply; if none comes in time, the business will answer in the chat.",
    input: z.object({ business: Business, question: z.string().min(1).max(2000), wait_seconds: Wait }).strict(),
  },
  answer_fraud_alert: {
    description:
      "Answers the customer's open fraud alert (needs the act permission) with one of the answers the alert offers, exactly as if the customer tapped the button in the chat.",
    input: z
      .object({
        business: Business,
        answer: z
          .string()
          .min(1)
          .max(100)
          .describe('One of the open_question answers from get_updates, e.g. "Yes, it was me".'),
        message_mid: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .describe('The alert (mid from get_updates); default: the newest open one.'),
        wait_seconds: Wait,
      })
      .strict(),
  },
  list_actions: {
    description: 'Lists the actions a business declared (its menu), which do_action can use.',
    input: z.object({ business: Business }).strict(),
  },
  do_action: {
    description:
      'Uses one action the business declared (needs the act permission), such as locking a card; never free text.',
    input: z.object({ business: Business, action: z.string().min(1).max(100), wait_seconds: Wait }).strict(),
  },
} as const;

type ToolName = keyof typeof TOOLS;

const json = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
  structuredContent: { result: value } as Record<string, unknown>,
});

export function buildMcpServer(relay: AssistantRelay, principal: AssistantPrincipal, version: string): Server {
  const server = new Server(
    { name: 'confide', title: 'Confide', version },
    {
      capabilities: { tools: {} },
      instructions: 'Your conversations with your banks and merchants, within what you allowed this assistant.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (Object.keys(TOOLS) as ToolName[]).map((name) => ({
      name,
      description: TOOLS[name].description,
      inputSchema: z.toJSONSchema(TOOLS[name].input, { io: 'input' }) as {
        type: 'object';
        properties?: Record<string, object>;
      },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const name = request.params.name as ToolName;
    if (!Object.hasOwn(TOOLS, name)) throw new McpError(ErrorCode.InvalidParams, `Unknown tool ${request.params.name}`);
    const parsed = TOOLS[name].input.safeParse(request.params.arguments ?? {});
    if (!parsed.success)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Invalid arguments: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'} ${i.message}`).join('; ')}`,
      );
    try {
      return json(await run(relay, principal, name, parsed.data as Record<string, unknown>));
    } catch (err) {
      if (err instanceof AssistantRefusal) {
        const forbidden =
          err.reason === 'business_not_granted' ||
          err.reason === 'category_not_granted' ||
          err.reason === 'act_not_granted';
        throw new McpError(forbidden ? ASSISTANT_FORBIDDEN : ErrorCode.InvalidParams, err.message, {
          reason: err.reason,
        });
      }
      throw err;
    }
  });
  return server;
}

async function run(
  relay: AssistantRelay,
  p: AssistantPrincipal,
  name: ToolName,
  a: Record<string, unknown>,
): Promise<unknown> {
  const wait = ((a['wait_seconds'] as number | undefined) ?? 10) * 1000;
  switch (name) {
    case 'list_businesses':
      return relay.listBusinesses(p);
    case 'get_updates':
      return relay.getUpdates(p, {
        business: a['business'] as string | undefined,
        category: a['category'] as string | undefined,
        limit: a['limit'] as number,
      });
    case 'ask_business': {
      const reply = await relay.ask(p, {
        business: a['business'] as string,
        question: a['question'] as string,
        waitMs: wait,
      });
      return reply.status === 'answered'
        ? reply
        : { ...reply, note: 'The business has not answered yet; it will answer in the chat.' };
    }
    case 'answer_fraud_alert':
      return relay.answerFraudAlert(p, {
        business: a['business'] as string,
        answer: a['answer'] as string,
        messageMid: a['message_mid'] as string | undefined,
        waitMs: wait,
      });
    case 'list_actions':
      return relay.listActions(p, a['business'] as string);
    case 'do_action':
      return relay.doAction(p, { business: a['business'] as string, action: a['action'] as string, waitMs: wait });
  }
}
