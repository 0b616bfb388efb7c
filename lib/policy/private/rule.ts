import { TerraformResource, TerraformStack } from 'cdktf';
import { PolicyRuleInfo } from '../rule';
import { Config, synthesizedConfig } from './config';

/** An azurerm resource of the stack, as Terraform will see it. */
export interface CheckedResource {
  readonly construct: TerraformResource;
  readonly type: string;
  /** The name in the Terraform address `<type>.<name>`. */
  readonly name: string;
  readonly address: string;
  readonly config: Config;
}

/** Every azurerm resource of one stack: what rules about relations (associations) look at. */
export class StackResources {
  private readonly byType = new Map<string, CheckedResource[]>();
  private readonly byConstruct = new Map<TerraformResource, CheckedResource>();

  constructor(stack: TerraformStack) {
    for (const construct of stack.node.findAll()) {
      const resource = checkedResource(construct);
      if (!resource) continue;
      this.byConstruct.set(resource.construct, resource);
      const list = this.byType.get(resource.type) ?? [];
      list.push(resource);
      this.byType.set(resource.type, list);
    }
  }

  public ofType(type: string): readonly CheckedResource[] {
    return this.byType.get(type) ?? [];
  }

  public get(construct: TerraformResource): CheckedResource | undefined {
    return this.byConstruct.get(construct);
  }
}

/** The resource view of an azurerm resource, or undefined for anything else. */
export function checkedResource(construct: unknown): CheckedResource | undefined {
  if (!TerraformResource.isTerraformResource(construct)) return undefined;
  const type = construct.terraformResourceType;
  if (!type.startsWith('azurerm_')) return undefined;
  const config = synthesizedConfig(construct);
  if (!config) return undefined;
  const name = construct.friendlyUniqueId;
  return { construct, type, name, address: `${type}.${name}`, config };
}

/** A rule: its documentation and its check. */
export interface PolicyRule extends PolicyRuleInfo {
  /**
   * What is wrong with the resource, one sentence per violation (without the fix); empty when it
   * complies or when the values involved are only known at apply time.
   */
  check(resource: CheckedResource, stack: StackResources): string[];
}
