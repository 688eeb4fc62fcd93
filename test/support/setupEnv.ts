/**
 * Loaded by mocha before any test file (.mocharc.json `require`): the environment every test
 * process needs. Google's auth libraries must never probe the metadata server here, and
 * function modules read GOOGLE_CLOUD_PROJECT when they load.
 */
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GOOGLE_CLOUD_PROJECT ??= 'unit-test-project';
