import { integer, projectId, requiredString } from '../shared/config';

/** Settings of the audios function, read once at cold start (see `shared/config.ts`). */
export interface AudiosConfig {
  projectId: string;
  /** One document per session, keyed by its session_id. */
  audiosCollection: string;
  /** The private bucket holding one JSON file per session. */
  audioBucket: string;
  /** Largest `.json` file accepted in the multipart part `audio`. */
  maxFileBytes: number;
}

export function readAudiosConfig(): AudiosConfig {
  return {
    projectId: projectId(),
    audiosCollection: requiredString('AUDIOS_COLLECTION'),
    audioBucket: requiredString('AUDIO_FILES_BUCKET'),
    // The ceiling keeps a file inside the function's declared body limit (max_body_bytes in manifest/manifest.json).
    maxFileBytes: integer('AUDIO_FILE_MAX_BYTES', { default: 64 * 1024, min: 1024, max: 64 * 1024 }),
  };
}
