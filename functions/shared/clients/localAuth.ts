import type { OAuth2Client } from 'google-auth-library';

/**
 * An auth client for talking to local emulators: it holds a fixed token and never refreshes,
 * so the Google client libraries neither look for credentials nor probe the metadata server
 * (169.254.169.254). Used only when an emulator variable is set; in the cloud the libraries find
 * the function's service account on their own.
 */
export function emulatorAuthClient(): OAuth2Client {
  const { OAuth2Client: Client } = require('google-auth-library') as typeof import('google-auth-library');
  const client = new Client();
  client.setCredentials({ access_token: 'local-emulator-token', expiry_date: Date.now() + 365 * 24 * 3600 * 1000 });
  return client;
}
