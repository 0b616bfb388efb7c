import { PolicyRule } from '../private/rule';
import { ACR_RULES } from './acr';
import { NETWORK_RULES } from './network';
import { NSG_RULES } from './nsg';
import { VM_RULES } from './vm';

/** Every rule, in the order of `docs/policy-rules.md`. */
export const ALL_RULES: readonly PolicyRule[] = [...ACR_RULES, ...VM_RULES, ...NSG_RULES, ...NETWORK_RULES];
