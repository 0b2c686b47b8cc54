/**
 * The template step of a utility send: find the live template the send names (by name and
 * language), refuse it unless APPROVED, check the parameters against its variables and
 * fill it in as the `utility` template payload the customer sees.
 */
import {
  charCount,
  HttpUrlSchema,
  PlatformError,
  TEMPLATE_LIMITS,
  type TemplateButton,
  type TemplateComponent,
  type TemplateMessage,
  type UtilityTemplatePayload,
} from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { partsOf } from './review.js';
import { liveByName } from './templates.js';
import { fillVariables, variablesOf } from './variables.js';

export interface FilledTemplate {
  templateId: string;
  /** The consent category the template declared. */
  category: string;
  payload: UtilityTemplatePayload;
}

/** Longest filled-in body: a Messenger text message. */
const MAX_FILLED_BODY = 1999;

/**
 * @throws PlatformError 100 for an unknown or deleted template, one that is not approved,
 *   or parameters that do not match its variables.
 */
export async function fillTemplate(
  db: Kysely<Database>,
  pageId: string,
  message: TemplateMessage,
): Promise<FilledTemplate> {
  const { name, language, components } = message.template;
  const row = await liveByName(db, pageId, name, language.code);
  if (row === undefined) {
    throw invalid(
      `Template name does not exist in the translation: no template ${name} in ${language.code}`,
      'message.template.name',
    );
  }
  if (row.status !== 'APPROVED') {
    throw invalid(
      `Template ${name} is not approved (status ${row.status}${row.rejected_reason === null ? '' : `, ${row.rejected_reason}`})`,
      'message.template.name',
    );
  }
  const parts = partsOf(JSON.parse(row.components) as TemplateComponent[]);
  const texts = (type: 'header' | 'body'): ReadonlyArray<{ text: string }> => {
    const found = components.find((c) => c.type === type);
    return found !== undefined && found.type !== 'buttons' ? found.parameters : [];
  };
  const buttonParams = (): readonly ButtonParameter[] => {
    const found = components.find((c) => c.type === 'buttons');
    return found?.type === 'buttons' ? found.parameters : [];
  };

  const headerValues = textValues(
    'header',
    texts('header'),
    parts.header === undefined ? 0 : variablesOf(parts.header.text).length,
  );
  const bodyValues = textValues('body', texts('body'), variablesOf(parts.body.text).length);
  const text = fillVariables(parts.body.text, bodyValues);
  if (charCount(text) > MAX_FILLED_BODY)
    throw invalid(`The filled-in body must be fewer than 2000 characters`, 'message.template.components');

  const payload: UtilityTemplatePayload = { template_type: 'utility', name, language: language.code, text };
  if (parts.header !== undefined) payload.header = fillVariables(parts.header.text, headerValues);
  if (parts.footer !== undefined) payload.footer = parts.footer.text;
  const buttons = fillButtons(parts.buttons, buttonParams());
  if (buttons.length > 0) payload.buttons = buttons;
  return { templateId: row.id, category: row.notification_category, payload };
}

type ButtonParameter = { type: 'POSTBACK'; payload: string } | { type: 'URL'; url: string };

function textValues(component: string, parameters: ReadonlyArray<{ text: string }>, expected: number): string[] {
  if (parameters.length !== expected) throw mismatch(component, expected, parameters.length);
  return parameters.map((p, i) =>
    checkedValue(p.text, `message.template.components[${component}].parameters[${i}].text`),
  );
}

/** Buttons with a variable (a URL suffix, a postback payload) take one parameter each, in order. */
function fillButtons(
  buttons: readonly TemplateButton[],
  parameters: readonly ButtonParameter[],
): NonNullable<UtilityTemplatePayload['buttons']> {
  const variable = buttons.filter(
    (b) =>
      (b.type === 'URL' && variablesOf(b.url).length > 0) ||
      (b.type === 'POSTBACK' && variablesOf(b.payload).length > 0),
  );
  if (parameters.length !== variable.length) throw mismatch('buttons', variable.length, parameters.length);
  let next = 0;
  return buttons.map((b, i) => {
    const param = `message.template.components[buttons].parameters[${next}]`;
    if (b.type === 'PHONE_NUMBER') return { type: 'phone_number', title: b.text, payload: b.phone_number };
    if (b.type === 'URL') {
      if (variablesOf(b.url).length === 0) return { type: 'web_url', title: b.text, url: b.url };
      const p = parameters[next++];
      if (p?.type !== 'URL') throw invalid(`${param} must be a URL parameter for button ${i + 1}`, param);
      const url = b.url.replace('{{1}}', checkedValue(p.url, `${param}.url`));
      if (!HttpUrlSchema.safeParse(url).success)
        throw invalid(`${param}.url does not make an absolute http(s) URL`, param);
      return { type: 'web_url', title: b.text, url };
    }
    if (variablesOf(b.payload).length === 0) return { type: 'postback', title: b.text, payload: b.payload };
    const p = parameters[next++];
    if (p?.type !== 'POSTBACK') throw invalid(`${param} must be a POSTBACK parameter for button ${i + 1}`, param);
    const payload = b.payload.replace(/\{\{\d{1,3}\}\}/, checkedValue(p.payload, `${param}.payload`));
    if (charCount(payload) > TEMPLATE_LIMITS.payload)
      throw invalid(`${param}.payload makes the payload longer than ${TEMPLATE_LIMITS.payload} characters`, param);
    return { type: 'postback', title: b.text, payload };
  });
}

/** A filled-in value: 1–1024 characters, no new lines or tabs (Meta's rule for parameters). */
function checkedValue(value: string, param: string): string {
  if (value.trim().length === 0) throw invalid(`param ${param} must not be empty`, param);
  if (charCount(value) > TEMPLATE_LIMITS.parameter)
    throw invalid(`param ${param} must be at most ${TEMPLATE_LIMITS.parameter} characters`, param);
  if (/[\n\r\t]/.test(value)) throw invalid(`param ${param} cannot contain new lines or tabs`, param);
  return value;
}

function mismatch(component: string, expected: number, received: number): PlatformError {
  return new PlatformError('INVALID_PARAMETER', {
    message: `Number of parameters does not match the expected number of params: ${component} expects ${expected}, got ${received}`,
    detail: { param: `message.template.components[${component}]`, expected, received },
  });
}

function invalid(message: string, param: string): PlatformError {
  return new PlatformError('INVALID_PARAMETER', { message, detail: { param } });
}
