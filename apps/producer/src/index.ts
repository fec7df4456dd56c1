export { createApp } from './app';
export type { AppDeps } from './deps';
export { metricSources } from '@hookline/core';
