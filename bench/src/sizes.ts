/** How big each case is. A full run stays under ~5 minutes on a 2-core machine. */
export interface Sizes {
  signedPosts: number;
  signedPostInFlight: number;
  noopJobs: number;
  workerConcurrency: number;
  peerEvents: number;
  drainEvents: number;
  batchSize: number;
  publishBatches: number;
  batchConcurrency: number;
  singlePublishes: number;
  singleConcurrency: number;
  e2eRate: number;
  e2eSeconds: number;
  e2eWarmupSeconds: number;
  fanoutEndpoints: number;
}

export const FULL: Sizes = {
  signedPosts: 20_000,
  signedPostInFlight: 64,
  noopJobs: 20_000,
  workerConcurrency: 100,
  peerEvents: 20_000,
  drainEvents: 20_000,
  batchSize: 1_000,
  publishBatches: 20,
  batchConcurrency: 4,
  singlePublishes: 5_000,
  singleConcurrency: 32,
  e2eRate: 1_000,
  e2eSeconds: 20,
  e2eWarmupSeconds: 2,
  fanoutEndpoints: 1_000,
};

/** `--quick`: every case at about a tenth of its size, rates and concurrency unchanged. */
export const QUICK: Sizes = {
  ...FULL,
  signedPosts: 2_000,
  noopJobs: 2_000,
  peerEvents: 2_000,
  drainEvents: 2_000,
  publishBatches: 2,
  singlePublishes: 500,
  e2eSeconds: 2,
  e2eWarmupSeconds: 0.5,
  fanoutEndpoints: 100,
};
