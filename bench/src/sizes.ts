/** How big each case is; a reference runs at the same size as the Hookline case it stands beside. */
export interface Sizes {
  signedPosts: number;
  signedPostInFlight: number;
  noopJobs: number;
  workerConcurrency: number;
  /** The drain's backlog, Hookline's and the bare worker's. */
  drainEvents: number;
  batchSize: number;
  /** The resource ids the ordered drain's backlog (`drainEvents`) is spread over, evenly. */
  orderedResources: number;
  /** The backlog of the ordered drain on one line. */
  orderedOneKeyEvents: number;
  /** Signed POSTs, one at a time, timed for the receiver's round trip (after a few untimed). */
  roundTrips: number;
  /**
   * Events per publish in the cluster drains' backlog: a publish goes to one random shard, so
   * 1,000-event batches would leave most of 12 shards empty; batches of 10 spread it to within a
   * few percent.
   */
  clusterBatchSize: number;
  publishBatches: number;
  batchConcurrency: number;
  singlePublishes: number;
  singleConcurrency: number;
  e2eRate: number;
  e2eSeconds: number;
  e2eWarmupSeconds: number;
  fanoutEndpoints: number;
  /** Deliveries published, delivered, settled and logged between Redis's two memory readings. */
  memoryDeliveries: number;
  /** Deliveries seeded in the log (in SQL) under the filtered list. */
  listDeliveries: number;
  /** The endpoints they are spread over, evenly. */
  listEndpoints: number;
  /** Filtered lists timed (one at a time), after a few untimed. */
  listRequests: number;
  /** The fairness case's flood: tenant A's backlog, published at once. */
  fairnessEvents: number;
  /** Tenant B's single publishes per second, alone and during A's flood. */
  fairnessRate: number;
  /** How long B publishes alone (after a second of warm-up). */
  fairnessAloneSeconds: number;
}

export const FULL: Sizes = {
  signedPosts: 20_000,
  signedPostInFlight: 64,
  noopJobs: 20_000,
  workerConcurrency: 100,
  drainEvents: 20_000,
  batchSize: 1_000,
  orderedResources: 1_000,
  orderedOneKeyEvents: 2_000,
  roundTrips: 1_000,
  clusterBatchSize: 10,
  publishBatches: 20,
  batchConcurrency: 4,
  singlePublishes: 5_000,
  singleConcurrency: 32,
  e2eRate: 500,
  e2eSeconds: 20,
  e2eWarmupSeconds: 2,
  fanoutEndpoints: 1_000,
  memoryDeliveries: 100_000,
  listDeliveries: 1_000_000,
  listEndpoints: 20,
  listRequests: 500,
  fairnessEvents: 100_000,
  fairnessRate: 5,
  fairnessAloneSeconds: 10,
};

/**
 * `--quick`: short enough to run while optimising (a minute or two in all), long enough that
 * each timed part lasts a few seconds. Rates and concurrency unchanged.
 */
export const QUICK: Sizes = {
  ...FULL,
  signedPosts: 2_000,
  noopJobs: 2_000,
  drainEvents: 5_000,
  orderedOneKeyEvents: 1_000,
  publishBatches: 5,
  singlePublishes: 2_000,
  e2eSeconds: 5,
  e2eWarmupSeconds: 1,
  fanoutEndpoints: 100,
  memoryDeliveries: 10_000,
  listDeliveries: 100_000,
  listRequests: 200,
  fairnessEvents: 20_000,
  fairnessAloneSeconds: 5,
};
