# System E, forms with pluggable post-submission tasks (functions/forms): what the manifest does
# not declare. Its functions, topics, push subscriptions with their dead letters, the sweeper's
# schedule, the responses table and every role are entries of manifest/manifest.json, deployed by
# the for_each resources of functions.tf, pubsub.tf, scheduler.tf, bigquery.tf and iam.tf; here are
# the composite indexes of its queries and the alert on dead deliveries.

# Composite indexes of System E's queries (the emulator never asks for them; production does).
# DeliveryStore.stale: state == pending (or failed), updated_at < cutoff, order by updated_at.
resource "google_firestore_index" "deliveries_pending" {
  project    = var.project_id
  database   = google_firestore_database.system[local.manifest.collections["form_deliveries"].database].name
  collection = local.collection_names["form_deliveries"]

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "ASCENDING"
  }
}

# DeliveryStore.openForTarget: target == spreadsheet, open == true, order by created_at.
resource "google_firestore_index" "deliveries_open_by_target" {
  project    = var.project_id
  database   = google_firestore_database.system[local.manifest.collections["form_deliveries"].database].name
  collection = local.collection_names["form_deliveries"]

  fields {
    field_path = "target"
    order      = "ASCENDING"
  }
  fields {
    field_path = "open"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "ASCENDING"
  }
}

# ResponseStore.list: form_id == id, order by submitted_at desc, then document id desc.
resource "google_firestore_index" "responses_by_form" {
  project    = var.project_id
  database   = google_firestore_database.system[local.manifest.collections["form_responses"].database].name
  collection = local.collection_names["form_responses"]

  fields {
    field_path = "form_id"
    order      = "ASCENDING"
  }
  fields {
    field_path = "submitted_at"
    order      = "DESCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "DESCENDING"
  }
}

# Dead deliveries: one point per ERROR line the workers write when a delivery dies
# (functions/forms/deliveryWorker.ts logDead, event "delivery_dead"), labelled by task type.
resource "google_logging_metric" "form_deliveries_dead" {
  project     = var.project_id
  name        = "${var.name_prefix}form_deliveries_dead"
  description = "System E deliveries that became dead (attempts exhausted, or refused for good). Replay them once the cause is fixed."

  filter = <<-EOT
    resource.type="cloud_run_revision"
    severity=ERROR
    jsonPayload.event="delivery_dead"
  EOT

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Dead form deliveries"
    labels {
      key         = "task_type"
      value_type  = "STRING"
      description = "bigquery_export, sheets_export or webhook."
    }
  }

  label_extractors = {
    task_type = "EXTRACT(jsonPayload.task_type)"
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "form_deliveries_dead" {
  project      = var.project_id
  display_name = "Form deliveries are dying"
  combiner     = "OR"

  conditions {
    display_name = "A form delivery became dead"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.form_deliveries_dead.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.task_type"]
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A delivery of a form response exhausted its attempts or was refused for good. Find it in the logs (`jsonPayload.event=\"delivery_dead\"`, with the submission's trace), fix the cause (receiver down, spreadsheet unshared, URL gone), then replay: `POST /responses/{form_id}/{response_id}/deliveries/{task_id}/replay`."
  }

  notification_channels = var.alert_notification_channels

  depends_on = [google_project_service.enabled]
}
