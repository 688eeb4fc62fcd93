import {
  componentSchema,
  jsonBody,
  jsonResponse,
  nextPageLinkHeader,
  pageParameters,
  problemResponses,
  type OpenApiFragment,
  type OpenApiObject,
} from '../shared/openapi/fragments';
import { audioListSchema, audioSchema } from './schemas';

const TAG = 'Audio sessions';
const example = {
  session_id: 42,
  ticks: [-10, -20.5, -30, -40, -50, -60, -70, -80, -90, -100, -15, -25, -35, -45, -55],
  selected_tick: 3,
  step_count: 12,
};
const sessionParameter: OpenApiObject = {
  name: 'session_id',
  in: 'path',
  required: true,
  description: 'The session id, an integer (negative allowed). Anything that is not an integer names no session (404).',
  schema: { type: 'integer' },
  example: 42,
};
const audioBody = (description: string): OpenApiObject => {
  const body = jsonBody('Audio', description, example);
  const content = body.content as Record<string, unknown>;
  content['multipart/form-data'] = {
    schema: {
      type: 'object',
      properties: {
        audio: {
          type: 'string',
          format: 'binary',
          description: 'A `.json` file holding the same object, at most AUDIO_FILE_MAX_BYTES (64 KiB by default).',
        },
      },
      required: ['audio'],
    },
  };
  return body;
};
const badAudio =
  'An empty body, a body neither JSON nor multipart/form-data with an `audio` part, malformed JSON, a file not named `.json`, or an audio that is not exactly `{session_id, ticks, selected_tick, step_count}` within range: wrong types (`true`, `null`, `"12"`, `12.0` where an integer is required), 14 or 16 ticks, a tick outside [-100, -10], selected_tick outside 0..14, a negative step_count, or any other key. `errors` points at each field.';

/** System D, audio sessions: one function, one REST resource. */
export const openApiFragment: OpenApiFragment = {
  tag: {
    name: TAG,
    description:
      "Audio sessions keyed by `session_id` (`/audios`, one function). The record lives in Firestore and the session's file (`sessions/<session_id>.json`) in a private Cloud Storage bucket. Every body may be JSON or a `.json` file in the multipart part `audio`. `/audios` and `/audios/` are the same path.",
  },
  schemas: { Audio: componentSchema(audioSchema), AudioList: componentSchema(audioListSchema) },
  paths: {
    '/audios': {
      get: {
        operationId: 'listAudios',
        tags: [TAG],
        summary: 'List audio sessions',
        description:
          'The stored audio sessions as a bare JSON array by ascending `session_id`, each exactly as it was sent, one page at a time: at most `limit` (100 by default), and a `Link: <…>; rel="next"` header while more follow.',
        parameters: pageParameters(),
        responses: {
          '200': jsonResponse(
            'AudioList',
            'The sessions on this page by ascending session_id, as a bare array; `[]` when none.',
            [example],
            nextPageLinkHeader,
          ),
          ...problemResponses([400, 405, 500], { 400: 'A limit out of range, or a page_token this list did not issue.' }),
        },
      },
      post: {
        operationId: 'createAudio',
        tags: [TAG],
        summary: 'Create an audio session',
        description:
          'A duplicate session_id is refused atomically (the record is created only if absent), without reading the other sessions.',
        requestBody: audioBody('The session, as JSON or as a `.json` file.'),
        responses: {
          '201': jsonResponse('Audio', 'Created; the session as stored.', example),
          ...problemResponses([400, 405, 413, 500], { 400: `${badAudio} Also: a session_id that already exists.` }),
        },
      },
    },
    '/audios/{session_id}': {
      get: {
        operationId: 'getAudio',
        tags: [TAG],
        summary: 'Read an audio session',
        description: 'The session with this `session_id`. A path that is not an integer names no session: 404.',
        parameters: [sessionParameter],
        responses: {
          '200': jsonResponse('Audio', 'The session.', example),
          ...problemResponses([404, 405, 500], { 404: 'No session with this id.' }),
        },
      },
      put: {
        operationId: 'replaceAudio',
        tags: [TAG],
        summary: 'Replace an audio session',
        description:
          'Replaces every field of the session with a JSON body or a multipart `.json` file in part `audio`. A body whose `session_id` differs from the path is a 400; an absent session a 404; a replace that changes nothing still succeeds.',
        parameters: [sessionParameter],
        requestBody: audioBody("The full new session; its session_id must equal the path's."),
        responses: {
          '200': jsonResponse('Audio', 'The session as now stored.', example),
          ...problemResponses([400, 404, 405, 413, 500], {
            400: `${badAudio} Also: a body session_id differing from the path's.`,
            404: 'No session with this id.',
          }),
        },
      },
      delete: {
        operationId: 'deleteAudio',
        tags: [TAG],
        summary: 'Delete an audio session and its file',
        description: 'Idempotent: deleting an absent session also answers 200, with `deleted: false`.',
        parameters: [sessionParameter],
        responses: {
          '200': {
            description: 'The session and its file are gone.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { session_id: { type: 'integer' }, deleted: { type: 'boolean' } },
                  required: ['session_id', 'deleted'],
                },
                example: { session_id: 42, deleted: true },
              },
            },
          },
          ...problemResponses([405, 500]),
        },
      },
    },
  },
};
