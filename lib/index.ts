export * from './errors';
export * from './principal';
export * from './grant';
export * from './registry-role';
export * from './registry';
export * from './identity';
export * from './docker-vm';
export * from './policy';
