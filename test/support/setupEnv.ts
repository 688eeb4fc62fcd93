/**
 * Loaded by mocha before any test file (.mocharc.json `require`): the environment every test
 * process needs. Google's auth libraries must never probe the metadata server here, and
 * function modules read GOOGLE_CLOUD_PROJECT (and, with a Firestore client, FIRESTORE_DATABASE)
 * when they load. Unit tests hand stores their Firestore fakes, so the database id is only read.
 */
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GOOGLE_CLOUD_PROJECT ??= 'unit-test-project';
process.env.FIRESTORE_DATABASE ??= 'unit-test-database';
