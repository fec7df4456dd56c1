export { Hookline, type HooklineOptions } from './client';
export { HooklineApiError, HooklineConnectionError, HooklineError } from './errors';
export { Pager, type PageFetcher } from './pager';
export type { PublishOptions } from './resources/events';
export type * from './types';
export { CLIENT_VERSION } from './version';
