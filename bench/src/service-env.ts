/** Variables the bench sets itself for the processes it starts; a value inherited from the shell is dropped. */
// OTEL_: an exporter named in the shell would turn tracing on in the cases meant to run without it.
const OWN = /^(HOOKLINE_|BARE_|OTEL_|REDIS_URL$|PORT$|HOST$|METRICS_PORT$|LOG_LEVEL$|NODE_ENV$)/;

/**
 * The environment of a service the bench spawns (Hookline's or a reference's): the bench's own,
 * minus anything that would configure the service behind the bench's back, plus `own`.
 */
export function serviceEnv(own: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !OWN.test(name)),
  );
  return { ...inherited, ...own };
}
