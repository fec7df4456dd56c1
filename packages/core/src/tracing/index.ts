export * from './sdk';
export * from './spans';
export * from './trace-context';
