/**
 * Positional template variables (`{{1}}`, `{{2}}`, …): finding them, checking their form
 * and filling them in. Shared by the review (creation) and the utility send.
 */

/** A well-formed variable; anything else in braces is malformed. */
const VARIABLE = /\{\{(\d{1,3})\}\}/g;

/** The variable numbers of `text`, in order of appearance. */
export function variablesOf(text: string): number[] {
  return [...text.matchAll(VARIABLE)].map((m) => Number(m[1]));
}

/**
 * Why the variables of `text` are malformed, or undefined when they are `{{1}}…{{n}}`, each
 * once, in order, never two side by side (only spaces between them).
 */
export function variableProblem(text: string): string | undefined {
  if (/[{}]/.test(text.replace(VARIABLE, '')))
    return 'variables must be written {{1}}, {{2}}… (double braces around a number)';
  const numbers = variablesOf(text);
  if (numbers.some((n, i) => n !== i + 1))
    return 'variables must be numbered {{1}}, {{2}}… in order, each used once, none skipped';
  if (/\}\}\s*\{\{/.test(text)) return 'two variables must not be next to each other';
  return undefined;
}

/** Whether `text` starts or ends with a variable (Meta refuses such "dangling" parameters). */
export function hasDanglingVariable(text: string): boolean {
  const trimmed = text.trim();
  return /^\{\{\d{1,3}\}\}/.test(trimmed) || /\{\{\d{1,3}\}\}$/.test(trimmed);
}

/** Words of fixed text (variables removed). */
export function fixedWordCount(text: string): number {
  return text
    .replace(VARIABLE, ' ')
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** `text` with `{{i}}` replaced by `values[i - 1]`. */
export function fillVariables(text: string, values: readonly string[]): string {
  return text.replace(VARIABLE, (whole, n: string) => values[Number(n) - 1] ?? whole);
}
