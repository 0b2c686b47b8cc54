/**
 * Confide's automatic template review. Meta approves utility templates within seconds by
 * machine; Confide does the same checks at creation:
 * - a template that cannot exist answers 100 and is not stored (not one BODY, a variable at
 *   the start or end, missing examples, named parameters, a bad button URL, a consent
 *   category that does not exist, a reserved payload);
 * - a template that exists but breaks a rule is stored as REJECTED with Meta's reason code
 *   (malformed variables, too many variables for its words, promotional content, link
 *   shorteners, asking for credentials); otherwise it is APPROVED.
 */
import {
  HttpUrlSchema,
  PlatformError,
  type CreateMessageTemplateRequest,
  type TemplateButton,
  type TemplateComponent,
  type TemplateRejectionReason,
} from '@confide/protocol';
import { isConsentCategory, CONSENT_CATEGORIES } from '../consent/categories.js';
import { assertNoReservedPayload } from '../consent/reserved-payloads.js';
import { contentProblem } from './content-rules.js';
import { fixedWordCount, hasDanglingVariable, variableProblem, variablesOf } from './variables.js';

export type ReviewOutcome =
  { status: 'APPROVED' } | { status: 'REJECTED'; reason: TemplateRejectionReason; detail: string };

/** The components of a template, one of each kind at most. */
export interface TemplateParts {
  header: Extract<TemplateComponent, { type: 'HEADER' }> | undefined;
  body: Extract<TemplateComponent, { type: 'BODY' }>;
  footer: Extract<TemplateComponent, { type: 'FOOTER' }> | undefined;
  buttons: TemplateButton[];
}

/** Splits components by kind. @throws PlatformError 100 unless there is exactly one BODY and at most one of the others. */
export function partsOf(components: readonly TemplateComponent[]): TemplateParts {
  const of = <T extends TemplateComponent['type']>(type: T) =>
    components.filter((c): c is Extract<TemplateComponent, { type: T }> => c.type === type);
  for (const type of ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'] as const) {
    if (of(type).length > 1) throw invalid(`param components may contain at most one ${type} component`);
  }
  const body = of('BODY')[0];
  if (body === undefined) throw invalid('param components must contain a BODY component');
  return { header: of('HEADER')[0], body, footer: of('FOOTER')[0], buttons: of('BUTTONS')[0]?.buttons ?? [] };
}

/** What the review looks at: a create request with its components and consent category settled (library clones resolved). */
export type ResolvedTemplateRequest = CreateMessageTemplateRequest & {
  components: TemplateComponent[];
  notification_category: string;
};

/** Reviews a create request. @throws PlatformError 100 for a template that cannot be created. */
export function reviewTemplate(req: ResolvedTemplateRequest): ReviewOutcome {
  if (req.parameter_format === 'NAMED')
    throw invalid(
      'param parameter_format: Confide supports positional parameters ({{1}}, {{2}}…) only',
      'parameter_format',
    );
  if (!isConsentCategory(req.notification_category)) {
    throw invalid(
      `param notification_category must be one of: ${CONSENT_CATEGORIES.join(', ')}`,
      'notification_category',
    );
  }
  const parts = partsOf(req.components);
  assertNoReservedPayload(parts.buttons, 'components[BUTTONS].buttons');
  if (parts.footer !== undefined && variablesOf(parts.footer.text).length > 0)
    throw invalid('param components[FOOTER].text cannot contain variables');

  const texts = [parts.header?.text, parts.body.text].filter((t): t is string => t !== undefined);
  for (const text of texts) {
    const problem = variableProblem(text);
    if (problem !== undefined) return { status: 'REJECTED', reason: 'INCORRECT_PARAMS', detail: problem };
  }
  assertExamples(parts);
  const buttonProblem = assertButtons(parts.buttons);
  if (buttonProblem !== undefined) return buttonProblem;

  const variables = variablesOf(parts.body.text).length;
  if (fixedWordCount(parts.body.text) < 2 * variables + 1) {
    return {
      status: 'REJECTED',
      reason: 'PARAMS_TO_WORD_RATIO_EXCEED_LIMIT',
      detail: `a body with ${variables} variables needs at least ${2 * variables + 1} other words`,
    };
  }
  const allTexts = [
    ...texts,
    ...(parts.footer === undefined ? [] : [parts.footer.text]),
    ...parts.buttons.map((b) => b.text),
  ];
  const urls = parts.buttons.flatMap((b) => (b.type === 'URL' ? [b.url] : []));
  const content = contentProblem(allTexts, urls);
  if (content !== undefined)
    return {
      status: 'REJECTED',
      reason: content.reason,
      detail: `"${content.found}" is not allowed in a utility template`,
    };
  return { status: 'APPROVED' };
}

/** Variables may not open or close a text, and each needs an example. */
function assertExamples(parts: TemplateParts): void {
  const { header, body } = parts;
  if (hasDanglingVariable(body.text)) throw invalid('param components[BODY].text cannot start or end with a variable');
  const bodyVars = variablesOf(body.text).length;
  const bodyExamples = body.example?.body_text[0] ?? [];
  if (bodyVars > 0 && bodyExamples.length !== bodyVars) {
    throw invalid(`param components[BODY].example.body_text must give ${bodyVars} example values, one per variable`);
  }
  if (header === undefined) return;
  const headerVars = variablesOf(header.text).length;
  if (headerVars > 1) throw invalid('param components[HEADER].text may contain at most one variable');
  if (headerVars === 1 && header.example?.header_text.length !== 1)
    throw invalid('param components[HEADER].example.header_text must give the example value of {{1}}');
}

/** Buttons: URL buttons are absolute http(s) URLs with at most a `{{1}}` suffix; postback payloads hold at most one variable. */
function assertButtons(buttons: readonly TemplateButton[]): ReviewOutcome | undefined {
  for (const [i, button] of buttons.entries()) {
    if (button.type === 'URL') {
      const vars = variablesOf(button.url);
      if (vars.length > 1 || (vars.length === 1 && !button.url.endsWith('{{1}}'))) {
        return {
          status: 'REJECTED',
          reason: 'INCORRECT_PARAMS',
          detail: `button ${i + 1}: a URL may only end with one {{1}} variable`,
        };
      }
      const base = button.url.replace('{{1}}', 'x');
      if (!HttpUrlSchema.safeParse(base).success)
        throw invalid(`param components[BUTTONS].buttons[${i}].url must be an absolute http(s) URL`);
      if (vars.length === 1 && button.example === undefined)
        throw invalid(
          `param components[BUTTONS].buttons[${i}].example.url_suffix_example is required with a {{1}} variable`,
        );
    }
    if (button.type === 'POSTBACK') {
      const problem =
        /[{}]/.test(button.payload.replace(/\{\{\d{1,3}\}\}/g, '')) || variablesOf(button.payload).length > 1;
      if (problem)
        return {
          status: 'REJECTED',
          reason: 'INCORRECT_PARAMS',
          detail: `button ${i + 1}: a payload may hold one {{n}} variable`,
        };
    }
  }
  return undefined;
}

function invalid(message: string, param = 'components'): PlatformError {
  return new PlatformError('INVALID_PARAMETER', { message, detail: { param } });
}
