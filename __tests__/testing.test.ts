import { ContainerRegistry as AzurermContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, Aspects, TerraformStack, Testing } from 'cdktf';
import { AzureSecurityChecks, RuleLevel } from '../lib/policy';
import { assertNoSecurityFindings, securityFindingsOf } from '../lib/testing';

const RG = { resourceGroupName: 'myResourceGroup', location: 'eastus' };

/**
 * A raw registry, Premium and closed to the internet: compliant unless `config` breaks a rule (admin user:
 * AZ-ACR-001, an error; public network access: AZ-ACR-003, a warning).
 */
function registry(stack: TerraformStack, id: string, config: { adminEnabled?: boolean; publicNetworkAccessEnabled?: boolean } = {}) {
  return new AzurermContainerRegistry(stack, id, {
    ...RG, name: `${id.toLowerCase()}registry`, sku: 'Premium', publicNetworkAccessEnabled: false, ...config,
  });
}

function checkedStack(app = Testing.app(), id = 'stack'): TerraformStack {
  const stack = new TerraformStack(app, id);
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  Aspects.of(stack).add(new AzureSecurityChecks());
  return stack;
}

const ADMIN_USER_MESSAGE = '[AZ-ACR-001] azurerm_container_registry.Admin: admin_enabled is true: a shared username and '
  + 'password can push and pull, and the password lands in the Terraform state. Fix: set admin_enabled = false '
  + '(ContainerRegistry: leave adminUserEnabled off) and let managed identities pull with AcrPull (registry.grantPull(identity)).';

describe('securityFindingsOf', () => {
  test('returns nothing for a compliant stack, so expect(...).toEqual([]) passes', () => {
    // GIVEN a stack whose only resource breaks no rule
    const stack = checkedStack();
    registry(stack, 'Clean');
    // THEN
    expect(securityFindingsOf(stack)).toEqual([]);
    expect(() => assertNoSecurityFindings(stack)).not.toThrow();
  });

  test('finds what Testing.synth lets pass and app.synth() refuses', () => {
    // GIVEN a registry with its admin user on: an error finding
    const app = Testing.app();
    const stack = checkedStack(app);
    registry(stack, 'Admin', { adminEnabled: true });
    // THEN Testing.synth passes, the helper reports the finding, and app.synth() fails on it
    expect(() => Testing.synth(stack)).not.toThrow();
    expect(securityFindingsOf(stack)).toEqual([expect.objectContaining({
      ruleId: 'AZ-ACR-001', level: RuleLevel.ERROR, address: 'azurerm_container_registry.Admin',
      constructPath: 'stack/Admin', message: ADMIN_USER_MESSAGE,
    })]);
    expect(() => app.synth()).toThrow(/AZ-ACR-001/);
  });

  test('counts warnings unless includeWarnings is false', () => {
    // GIVEN a registry open to every network: a warning
    const stack = checkedStack();
    registry(stack, 'Open', { publicNetworkAccessEnabled: true });
    // THEN
    expect(securityFindingsOf(stack).map((f) => [f.ruleId, f.level])).toEqual([['AZ-ACR-003', RuleLevel.WARNING]]);
    expect(securityFindingsOf(stack, { includeWarnings: false })).toEqual([]);
  });

  test('leaves out suppressed findings', () => {
    // GIVEN the admin user, suppressed with a reason
    const stack = checkedStack();
    AzureSecurityChecks.suppress(registry(stack, 'Admin', { adminEnabled: true }),
      [{ id: 'AZ-ACR-001', reason: 'a legacy pipeline logs in with the admin user until it moves' }]);
    // THEN
    expect(securityFindingsOf(stack)).toEqual([]);
  });

  test('reports only the given stack when one AzureSecurityChecks serves several', () => {
    // GIVEN one checks instance on a clean stack and on a stack with a finding
    const app = Testing.app();
    const checks = new AzureSecurityChecks();
    const clean = new TerraformStack(app, 'clean');
    const dirty = new TerraformStack(app, 'dirty');
    for (const stack of [clean, dirty]) Aspects.of(stack).add(checks);
    registry(clean, 'Clean');
    registry(dirty, 'Admin', { adminEnabled: true });
    // THEN
    expect(securityFindingsOf(dirty).map((f) => f.constructPath)).toEqual(['dirty/Admin']);
    expect(securityFindingsOf(clean)).toEqual([]);
  });

  test('finds checks added to a construct inside the stack', () => {
    // GIVEN the aspect on the registry only
    const stack = new TerraformStack(Testing.app(), 'stack');
    Aspects.of(registry(stack, 'Admin', { adminEnabled: true })).add(new AzureSecurityChecks());
    // THEN
    expect(securityFindingsOf(stack).map((f) => f.ruleId)).toEqual(['AZ-ACR-001']);
  });

  test('refuses a stack without AzureSecurityChecks, so a test cannot pass because the checks never ran', () => {
    // GIVEN the checks on the App, where cdktf does not run them
    const app = new App({ outdir: Testing.app().outdir });
    Aspects.of(app).add(new AzureSecurityChecks());
    const stack = new TerraformStack(app, 'unchecked');
    registry(stack, 'Admin', { adminEnabled: true });
    // THEN
    expect(() => securityFindingsOf(stack)).toThrow(new Error("stack 'unchecked' has no AzureSecurityChecks: add them "
      + 'with Aspects.of(stack).add(new AzureSecurityChecks()) (aspects added to the App do not run)'));
  });
});

describe('assertNoSecurityFindings', () => {
  test('throws with every unsuppressed finding, its level, message and construct path', () => {
    // GIVEN an error and a warning
    const stack = checkedStack();
    registry(stack, 'Admin', { adminEnabled: true });
    registry(stack, 'Open', { publicNetworkAccessEnabled: true });
    // THEN
    let message = '';
    try {
      assertNoSecurityFindings(stack);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      "AzureSecurityChecks found 2 unsuppressed finding(s) in stack 'stack':",
      `  error: ${ADMIN_USER_MESSAGE} (at stack/Admin)`,
      expect.stringMatching(/^ {2}warning: \[AZ-ACR-003\] azurerm_container_registry\.Open: .* \(at stack\/Open\)$/),
    ]);
  });

  test('with includeWarnings false, passes on warnings and throws on errors', () => {
    // GIVEN a warning only, then an error too
    const stack = checkedStack();
    registry(stack, 'Open', { publicNetworkAccessEnabled: true });
    expect(() => assertNoSecurityFindings(stack, { includeWarnings: false })).not.toThrow();
    registry(stack, 'Admin', { adminEnabled: true });
    // THEN
    expect(() => assertNoSecurityFindings(stack, { includeWarnings: false }))
      .toThrow(/^AzureSecurityChecks found 1 unsuppressed finding\(s\) in stack 'stack':\n {2}error: \[AZ-ACR-001\]/);
  });
});
