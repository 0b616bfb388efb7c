import { AnnotationMetadataEntryType, Annotations, IAspect, TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { ValidationError, ValidationProblem } from '../errors';
import { CheckedResource, PolicyRule, StackResources } from './private/rule';
import { PolicyFinding, PolicyRuleInfo, RuleLevel } from './rule';
import { ALL_RULES } from './rules';

/** The metadata type under which suppressions are stored on a construct. */
const SUPPRESSIONS = 'azure-security-checks:suppressions';
const MIN_REASON_LENGTH = 10;

const RULES_BY_TYPE = new Map<string, PolicyRule[]>();
for (const rule of ALL_RULES) {
  for (const type of rule.resourceTypes) RULES_BY_TYPE.set(type, [...RULES_BY_TYPE.get(type) ?? [], rule]);
}

/** A rule that a construct, and every resource inside it, is allowed to break, and why. */
export interface PolicySuppression {
  /** The rule ID, e.g. `AZ-NET-003`. */
  readonly id: string;
  /** Why breaking the rule is acceptable here: at least 10 characters, read by reviewers and auditors. */
  readonly reason: string;
}

/**
 * Properties of {@link AzureSecurityChecks}.
 */
export interface AzureSecurityChecksProps {
  /**
   * Also report each suppressed finding, with its reason, as an info annotation: an audit trail in
   * the synth output.
   * @default false
   */
  readonly reportSuppressed?: boolean;
}

/**
 * Checks every azurerm resource of a stack, the library's and raw provider resources alike, against
 * the rules in `docs/policy-rules.md` (modelled on checkov and trivy), in the spirit of cdk-nag:
 *
 * ```ts
 * Aspects.of(stack).add(new AzureSecurityChecks());
 * ```
 *
 * Each finding is an annotation on the resource naming the rule ID, the Terraform address and the
 * fix. Error findings make `cdktf synth` and `app.synth()` fail; warnings are printed.
 * Add it to each stack: cdktf does not run aspects added to the `App`.
 *
 * Rules read the configuration as synthesized (escape-hatch overrides included); values known only
 * at apply time (references, variables) are not judged.
 */
export class AzureSecurityChecks implements IAspect {
  /** The rules, as documented in `docs/policy-rules.md`. */
  public static readonly RULES: readonly PolicyRuleInfo[] = ALL_RULES.map(({ id, level, summary, fix, resourceTypes }) => (
    { id, level, summary, fix, resourceTypes }));

  /**
   * Accepts findings of the given rules on `scope` and every resource inside it, for the reasons
   * given. Suppress on an L2 construct to cover its provider resources, on a provider resource to
   * cover only that one.
   *
   * @throws ValidationError when a rule ID is unknown or a reason is missing or shorter than 10 characters
   */
  public static suppress(scope: IConstruct, suppressions: PolicySuppression[]): void {
    const problems: ValidationProblem[] = [];
    suppressions.forEach((suppression, i) => {
      const id = suppression?.id;
      if (!RULE_IDS.includes(id)) {
        problems.push({
          property: `suppressions[${i}].id`, value: id, message: 'is not a rule of AzureSecurityChecks',
          fix: `use one of ${RULE_IDS.join(', ')}`,
        });
      }
      const reason = typeof suppression?.reason === 'string' ? suppression.reason.trim() : '';
      if (reason.length < MIN_REASON_LENGTH) {
        problems.push({
          property: `suppressions[${i}].reason`, value: suppression?.reason,
          message: `is ${reason === '' ? 'missing' : 'too short'}: a suppression needs a written reason of at least ${MIN_REASON_LENGTH} characters`,
          fix: 'say why the finding is acceptable here, e.g. "NVA: forwards traffic between the hub and spoke networks"',
        });
      }
    });
    if (problems.length > 0) throw new ValidationError('AzureSecurityChecks.suppress', scope.node.path, problems);
    const entries: PolicySuppression[] = suppressions.map(({ id, reason }) => ({ id, reason: reason.trim() }));
    scope.node.addMetadata(SUPPRESSIONS, entries);
  }

  /** The suppressions added on `scope` itself (not those inherited from its parents). */
  public static suppressionsOf(scope: IConstruct): PolicySuppression[] {
    return scope.node.metadata
      .filter((entry) => entry.type === SUPPRESSIONS)
      .flatMap((entry) => entry.data as PolicySuppression[]);
  }

  private readonly props: AzureSecurityChecksProps;
  private readonly stacks = new Map<TerraformStack, StackResources>();
  private readonly found = new Map<string, PolicyFinding>();

  constructor(props: AzureSecurityChecksProps = {}) {
    this.props = props;
  }

  /** Every finding of the last synth, suppressed ones included (with their reason). */
  public get findings(): PolicyFinding[] {
    return [...this.found.values()];
  }

  public visit(node: IConstruct): void {
    if (TerraformStack.isStack(node)) {
      // A new synth of this stack: read it afresh and forget its old findings.
      this.stacks.delete(node);
      for (const [key, finding] of this.found) {
        if (finding.constructPath.startsWith(`${node.node.path}/`)) this.found.delete(key);
      }
      return;
    }
    if (!TerraformResource.isTerraformResource(node)) return;
    const rules = RULES_BY_TYPE.get(node.terraformResourceType);
    if (!rules) return;
    const stack = this.resourcesOf(TerraformStack.of(node));
    const resource = stack.get(node);
    if (!resource) return;
    for (const rule of rules) {
      for (const detail of rule.check(resource, stack)) this.report(rule, resource, detail);
    }
  }

  private resourcesOf(stack: TerraformStack): StackResources {
    let resources = this.stacks.get(stack);
    if (!resources) {
      resources = new StackResources(stack);
      this.stacks.set(stack, resources);
    }
    return resources;
  }

  private report(rule: PolicyRule, resource: CheckedResource, detail: string): void {
    const { construct, address } = resource;
    const message = `[${rule.id}] ${address}: ${detail}. Fix: ${rule.fix}.`;
    const suppressionReason = suppressionReasonOf(construct, rule.id);
    this.found.set(`${construct.node.path}\n${message}`, {
      ruleId: rule.id, level: rule.level, address, constructPath: construct.node.path, message, suppressionReason,
    });
    if (suppressionReason === undefined) {
      annotate(construct, rule.level === RuleLevel.ERROR ? AnnotationMetadataEntryType.ERROR : AnnotationMetadataEntryType.WARN, message);
    } else if (this.props.reportSuppressed) {
      annotate(construct, AnnotationMetadataEntryType.INFO, `[${rule.id}] ${address}: suppressed: ${suppressionReason}`);
    }
  }
}

const RULE_IDS: string[] = ALL_RULES.map((rule) => rule.id);

/** The reason of the nearest suppression of `ruleId` on the construct or one of its parents. */
function suppressionReasonOf(construct: IConstruct, ruleId: string): string | undefined {
  for (const scope of [...construct.node.scopes].reverse()) {
    const match = AzureSecurityChecks.suppressionsOf(scope).find((s) => s.id === ruleId);
    if (match) return match.reason;
  }
  return undefined;
}

/** Adds an annotation once: a second synth of the same app must not repeat it. */
function annotate(construct: IConstruct, type: AnnotationMetadataEntryType, message: string): void {
  if (construct.node.metadata.some((entry) => entry.type === type && entry.data === message)) return;
  const annotations = Annotations.of(construct);
  if (type === AnnotationMetadataEntryType.ERROR) annotations.addError(message);
  else if (type === AnnotationMetadataEntryType.WARN) annotations.addWarning(message);
  else annotations.addInfo(message);
}
