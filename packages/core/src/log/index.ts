export * from './changes';
export * from './log-store';
export {
  createPostgresLogStore,
  PostgresLogStore,
  type PostgresLogStoreOptions,
} from './postgres/postgres-log-store';
