/** This package's version, sent as `User-Agent: hookline-client/<version>`. */
export const CLIENT_VERSION = '0.1.0';
