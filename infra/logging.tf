# Log-based metrics, one per entry of the manifest's `log_metrics`: each reads the structured log
# lines one function writes with one event name, e.g. the tag counter's accepted increments
#   {"severity":"INFO","message":"tag foo incremented by 3","event":"tag_incremented","tag":"foo","value":3,...}
#
# A counter metric (INT64) would count the lines; a DISTRIBUTION metric records the extracted
# value of each line, and a distribution's sum (count x mean) is the sum of the values: the total
# over any window. In Cloud Monitoring (PromQL) that is
#   sum(increase(logging_googleapis_com:user_tag_increment_values_sum[1h]))
# and the count series is the number of lines.
#
# There are deliberately no labels. Each label value is its own time series: a `tag` label would
# mean one series per tag (up to 100,000), far past Cloud Monitoring's cardinality limits and cost.
# The fields stay in the log line for ad-hoc queries in Logs Explorer.
locals {
  # Lines of a Logging query are ANDed. 2nd gen functions log as their Cloud Run service's revisions.
  log_metric_filters = {
    for name, m in local.manifest.log_metrics : name => <<-EOT
      resource.type="cloud_run_revision"
      resource.labels.service_name="${local.service_names[m.function]}"
      jsonPayload.event="${m.event}"
    EOT
  }
}

resource "google_logging_metric" "metric" {
  for_each = local.manifest.log_metrics

  project     = var.project_id
  name        = "${var.name_prefix}${each.key}"
  description = each.value.description

  filter = local.log_metric_filters[each.key]

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "1"
    display_name = each.value.display_name
  }

  value_extractor = "EXTRACT(jsonPayload.${each.value.value_field})"

  bucket_options {
    linear_buckets {
      num_finite_buckets = each.value.linear_buckets.count
      width              = each.value.linear_buckets.width
      offset             = each.value.linear_buckets.offset
    }
  }

  depends_on = [google_project_service.enabled]
}
