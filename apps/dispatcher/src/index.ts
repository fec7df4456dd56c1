export { createDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher';
export {
  createSender,
  type AttemptOutcome,
  type Sender,
  type SenderOptions,
} from './destinations/http/sender';
export { createMetricsServer } from './metrics-server';
export type { Resolver } from './ssrf-lookup';
