import { integer, projectId, requiredString, url } from '../shared/config';

/** Settings of the accounts function, read once at cold start (see `shared/config.ts`). */
export interface AccountsConfig {
  projectId: string;
  /** One document per account, keyed by a generated id. */
  accountsCollection: string;
  /** One document per normalised email, created in the same atomic commit as its account. */
  emailsCollection: string;
  /** The private bucket holding one image object per account. */
  imagesBucket: string;
  /** This function's own public base URL: `image_hosted_link` is `<url>/<id>/image`. */
  publicUrl: string;
  /** Largest image accepted by upload-image. */
  maxImageBytes: number;
}

export function readAccountsConfig(): AccountsConfig {
  return {
    projectId: projectId(),
    accountsCollection: requiredString('ACCOUNTS_COLLECTION'),
    emailsCollection: requiredString('ACCOUNT_EMAILS_COLLECTION'),
    imagesBucket: requiredString('ACCOUNT_IMAGES_BUCKET'),
    publicUrl: url('ACCOUNTS_PUBLIC_URL'),
    // The ceiling keeps an image inside the function's declared body limit (max_body_bytes in manifest/manifest.json).
    maxImageBytes: integer('ACCOUNT_IMAGE_MAX_BYTES', { default: 5 * 1024 * 1024, min: 1024, max: 5 * 1024 * 1024 }),
  };
}
