export * from './rule';
export * from './azure-security-checks';
