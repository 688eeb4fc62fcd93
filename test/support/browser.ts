import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it); `CHROMIUM_PATH` points elsewhere. */
export function chromiumPath(): string {
  const found = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(found)) {
    throw new Error(`no Chromium at ${found}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  return found;
}

/**
 * Flags for a browser that talks to nothing but the page under test: no QUIC, no first-run
 * pages, no background, component or sync traffic to Google's servers.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless Chromium, driven by playwright-core (which downloads no browser of its own), with a
 * fresh profile in a temporary folder that `close()` removes.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  // launchPersistentContext is playwright's way to pass --user-data-dir (it refuses the flag in args).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
