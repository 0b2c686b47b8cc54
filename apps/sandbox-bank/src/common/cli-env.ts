/**
 * Command-line flags as environment overrides: `--hub-url X` sets `<PREFIX>HUB_URL=X`.
 * Each sandbox then validates one environment object with zod.
 */

/** Merges `--kebab-case value` flags into a copy of `env` under `prefix`. */
export function envWithFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  prefix: string,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Error(`--${name} needs a value`);
    out[`${prefix}${name.replace(/-/g, '_').toUpperCase()}`] = value;
  }
  return out;
}

/** Formats zod issues as `NAME: message` lines. */
export function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix: string,
): string {
  return issues.map((i) => `  ${prefix}${i.path.map(String).join('.')}: ${i.message}`).join('\n');
}
