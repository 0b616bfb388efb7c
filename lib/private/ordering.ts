import { dependable, ITerraformDependable, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';

/** A resource, data source or module: anything with Terraform's `depends_on`. */
export interface IDependent extends IConstruct {
  dependsOn?: string[];
}

/** What each dependent is already ordered after. */
const orderedAfter = new WeakMap<IConstruct, WeakSet<IConstruct>>();

/**
 * Orders `dependent` after `dependency`. In one stack: `dependency` in the dependent's `depends_on`, as the bare
 * address Terraform requires there (`fqn` would render `"${...}"`, which it refuses). Across stacks: the
 * dependent's stack after the dependency's (`cdktf deploy` applies that one first), since `depends_on` cannot
 * name a resource of another state. Ordering the same pair again adds nothing.
 */
export function orderAfter(dependent: IDependent, dependency: IConstruct & ITerraformDependable): void {
  const dependentStack = TerraformStack.of(dependent);
  const dependencyStack = TerraformStack.of(dependency);
  if (dependentStack !== dependencyStack) {
    dependentStack.addDependency(dependencyStack);
    return;
  }
  const done = orderedAfter.get(dependent) ?? new WeakSet<IConstruct>();
  orderedAfter.set(dependent, done);
  if (done.has(dependency)) return;
  done.add(dependency);
  dependent.dependsOn = [...(dependent.dependsOn ?? []), dependable(dependency)];
}
