import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { deployName } from '../../manifest/manifest';
import { createLogger, setLogSink } from '../../functions/shared/logger';
import { INCREMENT_EVENT } from '../../functions/tags/logEvents';
import { repoPath } from '../../local/paths';
import { evaluateInstances, nested, type Block } from './support/terraformConfig';

/**
 * The tag counter's log-based metric (the manifest's `log_metrics`, deployed by logging.tf) as
 * Terraform would create it, against the log line incrementTag writes: if the two drift apart the
 * metric silently stays at zero, which nobody notices until they need it.
 */
describe('infra: tag increment log metric', () => {
  let metrics: Record<string, Block>;
  let metric: Block;
  let filter: string;
  before(async () => {
    metrics = await evaluateInstances('google_logging_metric', 'metric');
    metric = metrics.tag_increment_values;
    filter = metric.filter as string;
  });

  it('deploys one metric per manifest entry, named with name_prefix', async () => {
    assert.deepEqual(Object.keys(metrics), ['tag_increment_values']);
    assert.equal(metric.name, 'tag_increment_values');
    const prefixed = await evaluateInstances('google_logging_metric', 'metric', { name_prefix: 'stg-' });
    assert.equal(prefixed.tag_increment_values.name, 'stg-tag_increment_values');
    assert.match(prefixed.tag_increment_values.filter as string, /service_name="stg-increment-tag"/);
  });

  /** The filter's `field="value"` terms (one per line, ANDed). */
  function filterTerms(): Record<string, string> {
    const terms: Record<string, string> = {};
    for (const line of filter
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      const m = /^([\w.]+)\s*=\s*"([^"]*)"$/.exec(line);
      assert.ok(m, `filter line "${line}" is not a field="value" term`);
      terms[m[1]] = m[2];
    }
    return terms;
  }

  it('selects the increment event of the incrementTag service', () => {
    const terms = filterTerms();
    assert.equal(terms['jsonPayload.event'], INCREMENT_EVENT, 'filter must name INCREMENT_EVENT from functions/tags/logEvents.ts');
    assert.equal(terms['resource.type'], 'cloud_run_revision', '2nd gen functions log as Cloud Run revisions');
    assert.equal(terms['resource.labels.service_name'], deployName('incrementTag'));
  });

  it('is a DELTA distribution of jsonPayload.value, so its sum is the sum of the values', () => {
    const descriptor = nested(metric, 'metric_descriptor');
    assert.equal(descriptor.metric_kind, 'DELTA');
    assert.equal(descriptor.value_type, 'DISTRIBUTION');
    assert.equal(metric.value_extractor, 'EXTRACT(jsonPayload.value)');
    // A per-tag label would mean one time series per tag (100,000 of them).
    assert.ok(!('labels' in descriptor) && !('label_extractors' in metric), 'the metric must not have labels');
  });

  it('puts each value 1..9 in its own finite bucket', () => {
    const linear = nested(nested(metric, 'bucket_options'), 'linear_buckets');
    const [n, width, offset] = [Number(linear.num_finite_buckets), Number(linear.width), Number(linear.offset)];
    const bucketOf = (v: number): number => Math.floor((v - offset) / width) + 1; // 0 = underflow, n+1 = overflow
    const buckets = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(bucketOf);
    assert.ok(
      buckets.every((b) => b >= 1 && b <= n),
      `values 1..9 fall in buckets ${buckets.join(',')} of 1..${n}`,
    );
    assert.equal(new Set(buckets).size, 9, 'two values share a bucket');
  });

  it('reads the field incrementTag logs: `value` at the top level of the JSON line', () => {
    // The call site: the log entry of an accepted increment carries the event and the value.
    const source = fs.readFileSync(repoPath('functions', 'tags', 'incrementTag.ts'), 'utf8');
    const fields = /\{[^{}]*\bevent:\s*INCREMENT_EVENT\b[^{}]*\}/.exec(source);
    assert.ok(fields, 'incrementTag.ts no longer logs { event: INCREMENT_EVENT, ... }');
    assert.match(fields[0], /\bvalue\b/, 'the increment log entry does not carry `value`');
    assert.match(fields[0], /\btag\b/, 'the increment log entry does not carry `tag`');

    // The logger: extra fields land at the top level of the line, i.e. in jsonPayload.
    const lines: string[] = [];
    const restore = setLogSink((_severity, line) => lines.push(line));
    try {
      createLogger().info('tag abc incremented by 3', { event: INCREMENT_EVENT, tag: 'abc', value: 3 });
    } finally {
      restore();
    }
    const entry = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.equal(entry.event, INCREMENT_EVENT);
    assert.equal(entry.value, 3, 'value must be a JSON number for EXTRACT to produce a distribution point');
  });
});
