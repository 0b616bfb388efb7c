/** How a finding is reported: errors fail `cdktf synth` and `app.synth()`, warnings are printed. */
export enum RuleLevel {
  /** Reported with `Annotations.addError`: synthesis fails until it is fixed or suppressed. */
  ERROR = 'error',
  /** Reported with `Annotations.addWarning`: printed, synthesis goes on. */
  WARNING = 'warning',
}

/** One rule of {@link AzureSecurityChecks}, as documented in `docs/policy-rules.md`. */
export interface PolicyRuleInfo {
  /** The rule ID, e.g. `AZ-ACR-001`: what findings carry and suppressions name. */
  readonly id: string;
  /** Whether a finding is an error or a warning. */
  readonly level: RuleLevel;
  /** What the rule checks, in one line. */
  readonly summary: string;
  /** How to fix a finding. */
  readonly fix: string;
  /** The Terraform resource types the rule looks at. */
  readonly resourceTypes: readonly string[];
}

/** One finding of {@link AzureSecurityChecks}: a rule that a resource breaks. */
export interface PolicyFinding {
  /** The rule ID, e.g. `AZ-NSG-001`. */
  readonly ruleId: string;
  /** Whether the finding is an error or a warning. */
  readonly level: RuleLevel;
  /** The resource's Terraform address, `<type>.<name>`, as in `terraform plan`. */
  readonly address: string;
  /** The construct path of the resource. */
  readonly constructPath: string;
  /** The annotation text: rule ID, address, what is wrong and the fix. */
  readonly message: string;
  /**
   * The written reason of the suppression that silences this finding.
   * @default - not suppressed: the finding is an annotation
   */
  readonly suppressionReason?: string;
}
