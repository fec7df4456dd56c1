export * from './sealer';
export * from './encryption-keys';
export * from './keys-at-start';
