/** Hookline's version, as receivers see it in `User-Agent: Hookline/<version>`. */
export const HOOKLINE_VERSION = '0.1.0';
