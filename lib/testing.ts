import { Aspects, TerraformStack, Testing } from 'cdktf';
import { AzureSecurityChecks } from './policy/azure-security-checks';
import { PolicyFinding, RuleLevel } from './policy/rule';

/** Which findings {@link securityFindingsOf} and {@link assertNoSecurityFindings} look at. */
export interface SecurityFindingsOptions {
  /**
   * Also count warnings, not only errors.
   * @default true
   */
  readonly includeWarnings?: boolean;
}

/**
 * Synthesizes `stack` as `Testing.synth` does (its aspects run; nothing is written) and returns the
 * findings of its {@link AzureSecurityChecks} that no suppression covers, for a team's own tests:
 *
 * ```ts
 * expect(securityFindingsOf(stack)).toEqual([]);   // jest prints each finding when one appears
 * ```
 *
 * `Testing.synth` alone passes whatever the checks find: error findings are annotations, which only
 * `app.synth()` and `cdktf synth` turn into failures.
 *
 * @param stack the stack to check: it, or a construct in it, has `AzureSecurityChecks` among its aspects
 * @param options which findings count
 * @throws Error when neither the stack nor a construct in it has an AzureSecurityChecks aspect, so that
 *   a test cannot pass because the checks never ran (aspects added to the `App` do not run)
 */
export function securityFindingsOf(stack: TerraformStack, options: SecurityFindingsOptions = {}): PolicyFinding[] {
  const checks = new Set(stack.node.findAll()
    .flatMap((construct) => Aspects.of(construct).all)
    .filter((aspect): aspect is AzureSecurityChecks => aspect instanceof AzureSecurityChecks));
  if (checks.size === 0) {
    throw new Error(`stack '${stack.node.path}' has no AzureSecurityChecks: add them with `
      + 'Aspects.of(stack).add(new AzureSecurityChecks()) (aspects added to the App do not run)');
  }
  Testing.synth(stack);
  const inStack = `${stack.node.path}/`;
  const includeWarnings = options.includeWarnings ?? true;
  return [...checks].flatMap((check) => check.findings).filter((finding) =>
    finding.constructPath.startsWith(inStack)
    && finding.suppressionReason === undefined
    && (includeWarnings || finding.level === RuleLevel.ERROR));
}

/**
 * Throws when the {@link AzureSecurityChecks} of `stack` find anything that no suppression covers;
 * the error lists each finding with its rule ID, address and fix. For any test framework:
 *
 * ```ts
 * assertNoSecurityFindings(stack);                             // errors and warnings
 * assertNoSecurityFindings(stack, { includeWarnings: false }); // what would fail `cdktf synth`
 * ```
 *
 * @param stack the stack to check: it, or a construct in it, has `AzureSecurityChecks` among its aspects
 * @param options which findings count
 * @throws Error when there are findings, or when the stack has no AzureSecurityChecks (see {@link securityFindingsOf})
 */
export function assertNoSecurityFindings(stack: TerraformStack, options: SecurityFindingsOptions = {}): void {
  const findings = securityFindingsOf(stack, options);
  if (findings.length === 0) return;
  const lines = findings.map((finding) => `  ${finding.level}: ${finding.message} (at ${finding.constructPath})`);
  throw new Error(`AzureSecurityChecks found ${findings.length} unsuppressed finding(s) in stack '${stack.node.path}':\n`
    + lines.join('\n'));
}
