import { CreateMessageTemplateRequestSchema, type CreateMessageTemplateRequestInput } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import { contentProblem } from './content-rules.js';
import { resolveTemplateRequest, TEMPLATE_LIBRARY } from './library.js';
import { reviewTemplate, type ResolvedTemplateRequest } from './review.js';
import { fillVariables, fixedWordCount, hasDanglingVariable, variableProblem, variablesOf } from './variables.js';

const review = (input: Partial<CreateMessageTemplateRequestInput> & { body?: string; example?: string[] }) => {
  const { body = 'Your payment was received today, thank you.', example, ...rest } = input;
  return reviewTemplate(
    CreateMessageTemplateRequestSchema.parse({
      name: 'note',
      language: 'en',
      category: 'UTILITY',
      notification_category: 'transactions',
      components: [
        { type: 'BODY', text: body, ...(example === undefined ? {} : { example: { body_text: [example] } }) },
      ],
      ...rest,
    }) as ResolvedTemplateRequest,
  );
};

describe('template variables', () => {
  it('finds, checks and fills positional variables', () => {
    expect(variablesOf('a {{1}} b {{2}} c')).toEqual([1, 2]);
    expect(variableProblem('a {{1}} b {{2}} c')).toBeUndefined();
    expect(variableProblem('a {1} b')).toMatch(/double braces/);
    expect(variableProblem('a {{ 1 }} b')).toMatch(/double braces/);
    expect(variableProblem('a {{name}} b')).toMatch(/double braces/);
    expect(variableProblem('a {{2}} b {{1}} c')).toMatch(/in order/);
    expect(variableProblem('a {{1}} b {{1}} c')).toMatch(/in order/);
    expect(variableProblem('a {{1}}{{2}} c')).toMatch(/next to each other/);
    expect(variableProblem('a {{1}}  {{2}} c')).toMatch(/next to each other/);
    expect(hasDanglingVariable(' {{1}} is due')).toBe(true);
    expect(hasDanglingVariable('Due: {{1}} ')).toBe(true);
    expect(hasDanglingVariable('Due: {{1}}.')).toBe(false);
    expect(fixedWordCount('Paid {{1}} to {{2}} — thanks!')).toBe(3);
    expect(fillVariables('Paid {{1}} to {{2}}.', ['€5', 'Shop'])).toBe('Paid €5 to Shop.');
  });
});

describe('content rules', () => {
  it('flags promotional words, link shorteners and requests for credentials, not their look-alikes', () => {
    expect(contentProblem(['Big SALE on cards'], [])).toMatchObject({
      reason: 'TAG_SHOULD_BE_MARKETING',
      found: 'SALE',
    });
    expect(contentProblem(['Get 15% off your fee'], [])).toMatchObject({ reason: 'TAG_SHOULD_BE_MARKETING' });
    expect(contentProblem(['We are dealing with your request; your wholesale order shipped.'], [])).toBeUndefined();
    expect(contentProblem(['Read it at https://t.co/x1'], [])).toMatchObject({
      reason: 'INVALID_FORMAT',
      found: 't.co',
    });
    expect(contentProblem(['Read it'], ['https://bit.ly/{{1}}'])).toMatchObject({
      reason: 'INVALID_FORMAT',
      found: 'bit.ly',
    });
    expect(contentProblem(['Write to https://contact.co/help or intact.com'], [])).toBeUndefined();
    expect(contentProblem(['Please reply with your PIN to unlock the card.'], [])).toMatchObject({
      reason: 'SCAM',
      found: 'PIN',
    });
    expect(contentProblem(['We will never ask you to share your password.'], [])).toBeUndefined();
    expect(contentProblem(['Your card ending 4242 was charged.'], [])).toBeUndefined();
  });
});

describe('reviewTemplate', () => {
  it('approves a plain utility template and gives Meta’s reason for a rejected one', () => {
    expect(review({})).toEqual({ status: 'APPROVED' });
    expect(review({ body: 'Your payment of {{1}} reached {{2}} today, thank you.', example: ['€5', 'Shop'] })).toEqual({
      status: 'APPROVED',
    });
    expect(review({ body: 'Paid {{1}} to {{2}} ok', example: ['€5', 'Shop'] })).toMatchObject({
      status: 'REJECTED',
      reason: 'PARAMS_TO_WORD_RATIO_EXCEED_LIMIT',
    });
    expect(review({ body: 'Your payment of {1} was received today.' })).toMatchObject({
      status: 'REJECTED',
      reason: 'INCORRECT_PARAMS',
    });
    expect(review({ body: 'Your coupon for the next purchase is ready.' })).toMatchObject({
      status: 'REJECTED',
      reason: 'TAG_SHOULD_BE_MARKETING',
    });
  });

  it('throws 100 for templates that cannot exist', () => {
    expect(() => review({ body: '{{1}} was paid today, thank you.', example: ['€5'] })).toThrow(/cannot start or end/);
    expect(() => review({ body: 'You paid {{1}} today, thank you.' })).toThrow(/example/);
    expect(() => review({ body: 'You paid {{1}} today, thank you.', example: ['€5', 'extra'] })).toThrow(/example/);
    expect(() => review({ notification_category: 'marketing' })).toThrow(/notification_category/);
    expect(() => review({ parameter_format: 'NAMED' })).toThrow(/positional/);
  });
});

describe('template library', () => {
  it('holds one template per consent category, each approved by the review it is cloned through', () => {
    expect(new Set(TEMPLATE_LIBRARY.map((t) => t.notificationCategory)).size).toBe(TEMPLATE_LIBRARY.length);
    for (const t of TEMPLATE_LIBRARY) {
      const req = CreateMessageTemplateRequestSchema.parse({
        name: `clone_${t.name}`,
        language: t.language,
        category: 'UTILITY',
        library_template_name: t.name,
      });
      expect(reviewTemplate(resolveTemplateRequest(req)), t.name).toEqual({ status: 'APPROVED' });
    }
  });
});
