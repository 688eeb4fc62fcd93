# Log-based metric of the tag counter: one point per accepted increment, read from the log line
# incrementTag writes (functions/tags/incrementTag.ts, event name in functions/tags/logEvents.ts):
#   {"severity":"INFO","message":"tag foo incremented by 3","event":"tag_incremented","tag":"foo","value":3,...}
#
# A counter metric (INT64) would count the lines; a DISTRIBUTION metric records the extracted
# `value` of each line, and a distribution's sum (count x mean) is the sum of the values: the
# total of all increments over any window. In Cloud Monitoring (PromQL) that is
#   sum(increase(logging_googleapis_com:user_tag_increment_values_sum[1h]))
# and the count series is the number of increments. The buckets put each value 1..9 in its own
# bucket, so the histogram also shows how often each value is sent.
#
# There is deliberately no `tag` label. Each label value is its own time series: with up to
# 100,000 tags the metric would have 100,000 series, far past Cloud Monitoring's cardinality
# limits and cost (and the per-tag totals already live in Firestore, served by tagStats). The
# tag stays in the log line for ad-hoc queries in Logs Explorer.
locals {
  # Lines of a Logging query are ANDed. The service is the incrementTag function (its Cloud Run
  # service name); the event name is INCREMENT_EVENT in functions/tags/logEvents.ts.
  tag_increment_filter = <<-EOT
    resource.type="cloud_run_revision"
    resource.labels.service_name="${local.service_names["incrementTag"]}"
    jsonPayload.event="tag_incremented"
  EOT
}

resource "google_logging_metric" "tag_increment_values" {
  project     = var.project_id
  name        = "${var.name_prefix}tag_increment_values"
  description = "Values of accepted tag counter increments. The distribution's sum is the sum of the values; its count is the number of increments."

  filter = local.tag_increment_filter

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "1"
    display_name = "Tag increment values"
  }

  value_extractor = "EXTRACT(jsonPayload.value)"

  # Finite buckets [0.5, 1.5), [1.5, 2.5) ... [8.5, 9.5): one per accepted value 1..9.
  bucket_options {
    linear_buckets {
      num_finite_buckets = 9
      width              = 1
      offset             = 0.5
    }
  }

  depends_on = [google_project_service.enabled]
}
