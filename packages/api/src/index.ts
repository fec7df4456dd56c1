export * from './deliveries';
export * from './endpoints';
export * from './errors';
export * from './events';
export * from './ids';
export * from './pagination';
export * from './openapi';
export * from './routes';
