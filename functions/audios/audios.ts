import type { Request } from '@google-cloud/functions-framework';
import { firestore } from '../shared/clients/firestore';
import { storage } from '../shared/clients/storage';
import { HttpError } from '../shared/errors';
import { describeJsonType, readJsonObject, rememberDecimalLiterals } from '../shared/http/body';
import { bodyKind } from '../shared/http/bodyKind';
import { httpFunction } from '../shared/http/httpFunction';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../shared/http/jsonDepth';
import { readMultipart, singleFile } from '../shared/http/multipart';
import { readPageRequest, sendPage } from '../shared/http/paging';
import { sendJson } from '../shared/http/router';
import { validator } from '../shared/validation';
import { AudioStore, DuplicateSessionError, SessionNotFoundError } from './audioStore';
import { readAudiosConfig } from './config';
import { audioSchema, type Audio } from './schemas';

const config = readAudiosConfig();
const validateAudio = validator<Audio>(audioSchema);

let store: AudioStore | undefined;
/** The instance's store, built on first use over the shared clients (stubbed in unit tests). */
function audioStore(): AudioStore {
  store ??= new AudioStore(firestore(), storage().bucket(config.audioBucket), config);
  return store;
}

/** `/{session_id}`: an integer literal within ±(2^53 - 1); anything else names no session (404). */
function sessionIdFrom(params: Record<string, string>): number {
  const raw = params.session_id;
  const n = /^[+-]?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw new HttpError('not_found', `No audio session ${JSON.stringify(raw)}: a session_id is an integer.`);
  return n === 0 ? 0 : n; // -0 is session 0
}

/**
 * The audio from a JSON body, or from a `.json` file sent as the multipart part `audio` (the
 * seed's two ways), validated the same way either way.
 */
async function readAudio(req: Request): Promise<Audio> {
  if (bodyKind(req, ['json', 'multipart']) === 'json') return validateAudio(readJsonObject(req));
  const file = singleFile(await readMultipart(req, { maxFileBytes: config.maxFileBytes, maxFiles: 1 }), 'audio');
  const refuse = (detail: string): never => {
    throw new HttpError('validation_failed', `The audio file ${detail}.`, { errors: [{ pointer: '#/audio', detail }] });
  };
  if (!file.filename.toLowerCase().endsWith('.json')) refuse(`name must end in .json, got "${file.filename}"`);
  if (jsonNestsDeeperThan(file.data)) refuse(`nests deeper than ${MAX_JSON_DEPTH} levels`);
  const text = file.data.toString('utf8').replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return refuse(`is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    refuse(`must hold a JSON object, got ${describeJsonType(parsed)}`);
  // So the validator refuses `12.0` in an integer field of the file, as in a JSON body.
  rememberDecimalLiterals(parsed as object, text);
  return validateAudio(parsed);
}

/** A page token is the session_id the previous page ended with. */
function pageTokenSessionId(token: string): number {
  const n = /^-?\d{1,16}$/.test(token) ? Number(token) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new HttpError('validation_failed', 'Query parameter page_token is not one this list issued.', {
      errors: [{ pointer: '#/query/page_token', detail: 'must be the page_token of a Link: rel="next"' }],
    });
  }
  return n;
}

function notFound(sessionId: number): HttpError {
  return new HttpError('not_found', `No audio session ${sessionId}.`);
}

/**
 * The audios resource (System D): `/audios` lists and creates sessions (JSON body or a `.json`
 * file in the multipart part `audio`), `/audios/{session_id}` reads, replaces and deletes one.
 * Records live in Firestore, each session's file in a private Cloud Storage bucket.
 */
export const audios = httpFunction('audios', [
  {
    method: 'GET',
    path: '/',
    async handle({ req, res }) {
      const page = readPageRequest(req);
      const after = page.pageToken === undefined ? undefined : pageTokenSessionId(page.pageToken);
      sendPage(req, res, await audioStore().list({ limit: page.limit, after }), page.limit);
    },
  },
  {
    method: 'POST',
    path: '/',
    async handle({ req, res }) {
      const audio = await readAudio(req);
      try {
        await audioStore().create(audio);
      } catch (err) {
        if (!(err instanceof DuplicateSessionError)) throw err;
        throw new HttpError('validation_failed', `An audio session with session_id ${audio.session_id} already exists.`, {
          errors: [{ pointer: '#/session_id', detail: 'already exists; use PUT /audios/{session_id} to replace it' }],
        });
      }
      sendJson(res, 201, audio);
    },
  },
  {
    method: 'GET',
    path: '/{session_id}',
    async handle({ res, params }) {
      const sessionId = sessionIdFrom(params);
      const audio = await audioStore().get(sessionId);
      if (!audio) throw notFound(sessionId);
      sendJson(res, 200, audio);
    },
  },
  {
    method: 'PUT',
    path: '/{session_id}',
    async handle({ req, res, params }) {
      const sessionId = sessionIdFrom(params);
      const audio = await readAudio(req);
      if (audio.session_id !== sessionId) {
        throw new HttpError('validation_failed', `The body's session_id ${audio.session_id} differs from the path's ${sessionId}.`, {
          errors: [{ pointer: '#/session_id', detail: 'must equal the session_id in the path' }],
        });
      }
      try {
        await audioStore().replace(audio);
      } catch (err) {
        if (err instanceof SessionNotFoundError) throw notFound(sessionId);
        throw err;
      }
      sendJson(res, 200, audio);
    },
  },
  {
    method: 'DELETE',
    path: '/{session_id}',
    async handle({ res, params, log }) {
      // Deleting what is not there is success: the outcome the client asked for holds.
      let sessionId: number;
      try {
        sessionId = sessionIdFrom(params);
      } catch {
        return sendJson(res, 200, { session_id: params.session_id, deleted: false });
      }
      const existed = await audioStore().delete(sessionId);
      if (existed) log.info(`audio session ${sessionId} deleted`, { session_id: sessionId });
      sendJson(res, 200, { session_id: sessionId, deleted: existed });
    },
  },
]);
