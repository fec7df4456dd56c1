import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// Debian's chromium (`apt-get install chromium`), never a browser build downloaded by
// playwright: CI installs the package (.ci/run), and CHROMIUM_PATH can point elsewhere.
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string | undefined {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) return chosen;
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

/**
 * Whether the browser tests can run here. Under CI they must: a missing chromium fails the run.
 * Elsewhere they are skipped, and said so on stderr.
 */
export function browserAvailable(): boolean {
  if (chromiumPath()) return true;
  const message =
    'chromium not found (apt-get install chromium, or set CHROMIUM_PATH): the console browser tests cannot run';
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`SKIPPING: ${message}\n`);
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium not found');
  return chromium.launch({
    executablePath,
    headless: true,
    // Root in a container has no user namespace for chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
