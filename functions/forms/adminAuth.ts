import type { Request } from '@google-cloud/functions-framework';
import type { OAuth2Client } from 'google-auth-library';
import { HttpError } from '../shared/errors';
import type { AdminAuthConfig } from './config';

/**
 * The check on `responses`' admin paths (reads and replays). The function is public so anyone
 * can answer a form, so IAM cannot guard these paths: the caller sends a Google-signed ID token
 * (`Authorization: Bearer $(gcloud auth print-identity-token --audiences=<responses URL>)`), and
 * its email must be one of the form admins (`form_admins` in Terraform, the same list that holds
 * `run.invoker` on `forms`). 401 without a valid token, 403 for anyone else. Off locally.
 */
export type AdminCheck = (req: Request) => Promise<void>;

let verifier: OAuth2Client | undefined;

export function adminCheck(config: AdminAuthConfig): AdminCheck {
  if (config.mode === 'off') return async () => undefined;
  // IAM members (user:, serviceAccount:) or bare emails; group: members cannot be checked from a token.
  const admins = new Set(config.admins.map((m) => m.replace(/^(user|serviceAccount):/, '').toLowerCase()));
  return async (req) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const challenge = { 'WWW-Authenticate': 'Bearer realm="form admins"' };
    if (!match)
      throw new HttpError('unauthorized', 'This path is for form admins: send a Google-signed ID token as a Bearer token.', {
        headers: challenge,
      });
    if (!verifier) {
      const { OAuth2Client: Client } = require('google-auth-library') as typeof import('google-auth-library');
      verifier = new Client();
    }
    let email: string | undefined;
    try {
      const ticket = await verifier.verifyIdToken({ idToken: match[1], audience: config.audience });
      const payload = ticket.getPayload();
      email = payload?.email_verified ? payload.email?.toLowerCase() : undefined;
    } catch {
      throw new HttpError('unauthorized', 'The ID token is not valid for this function (signature, expiry or audience).', {
        headers: challenge,
      });
    }
    if (!email || !admins.has(email)) throw new HttpError('forbidden', 'Only form admins may read responses and replay deliveries.');
  };
}
