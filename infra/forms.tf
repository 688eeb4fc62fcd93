# System E, forms with pluggable post-submission tasks (functions/forms). The Pub/Sub topology
# and the schedule come from deliveries.json, which the local cloud reads too
# (local/forms/wiring.ts), so both create the same topics, subscriptions and job. The functions
# join local.functions (functions.tf) and local.function_roles (iam.tf) through forms_functions
# and forms_function_roles below; what only System E needs lives here.

locals {
  deliveries = jsondecode(file("${path.module}/deliveries.json"))

  forms = {
    forms_collection         = "forms"
    responses_collection     = "form_responses"
    deliveries_collection    = "form_deliveries"
    sheet_batches_collection = "form_sheet_batches"
    dataset                  = "forms"
    table                    = "responses"
  }
  forms_collections_environment = {
    FORMS_COLLECTION              = local.forms.forms_collection
    FORM_RESPONSES_COLLECTION     = local.forms.responses_collection
    FORM_DELIVERIES_COLLECTION    = local.forms.deliveries_collection
    FORM_SHEET_BATCHES_COLLECTION = local.forms.sheet_batches_collection
  }
  # The topic of each async task type, as functions/forms/config.ts reads it.
  delivery_topic_environment = {
    for name, topic in local.deliveries.topics : "DELIVERY_TOPIC_${upper(topic.task_type)}" => name if topic.task_type != null
  }
  # The Terraform values of deliveries.json's settings (the local cloud uses their `local` values).
  delivery_settings = {
    retry_min_backoff_seconds = var.delivery_retry_min_backoff_seconds
    retry_max_backoff_seconds = var.delivery_retry_max_backoff_seconds
    max_delivery_attempts     = var.delivery_max_attempts
    sweep_after_seconds       = var.delivery_sweep_after_seconds
  }
  # Subscriptions that move failing messages to a dead-letter topic.
  dead_lettered_subscriptions = { for name, s in local.deliveries.subscriptions : name => s if s.dead_letter_topic != null }
  dead_letter_topics          = toset([for s in values(local.dead_lettered_subscriptions) : s.dead_letter_topic])
  # Private functions Pub/Sub pushes to, and the one Cloud Scheduler calls.
  push_invoked_functions      = toset([for s in values(local.deliveries.subscriptions) : s.push_to])
  scheduler_invoked_functions = toset([for j in values(local.deliveries.schedules) : j.function])
  # Invoked by the members of var.form_admins.
  form_admin_invoked_functions = ["forms"]

  forms_functions = {
    forms = {
      description = "Forms with their questions and post-submission tasks: create, list, read, replace, delete (form admins only)."
      public      = false
      memory      = "256Mi"
      cpu         = "1"
      # Creating a spreadsheet (Sheets, then Drive to share it) takes a few seconds.
      timeout_seconds = 60
      concurrency     = 80
      min_instances   = 0
      max_instances   = 10
      environment = merge(local.forms_collections_environment, {
        WEBHOOK_ALLOW_LOOPBACK = "false"
        # The Sheets worker's own service account ("fn-" + its service name, as iam.tf names it):
        # spreadsheets created here are shared with it so it can append.
        SHEETS_WRITER_EMAIL = "fn-sheets-export-worker@${var.project_id}.iam.gserviceaccount.com"
      })
    }
    responses = {
      description = "Answers a form (public): checks the answers, runs the sync tasks, stores the response and its deliveries; admins read and replay."
      public      = true
      memory      = "256Mi"
      cpu         = "1"
      # One form read, one commit, one publish per submission: waiting on the network, so many at once.
      timeout_seconds = 30
      concurrency     = 80
      min_instances   = 0
      max_instances   = 100
      environment = merge(local.forms_collections_environment, local.delivery_topic_environment, {
        ADMIN_AUTH           = "google"
        FORM_ADMINS          = join(",", var.form_admins)
        ADMIN_TOKEN_AUDIENCE = "${local.function_base_url}/responses"
      })
    }
    bigqueryExportWorker = {
      description     = "Pub/Sub push target: each response as a row of the forms.responses table."
      public          = false
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 60
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment = merge(local.forms_collections_environment, {
        FORMS_BIGQUERY_DATASET = local.forms.dataset
        FORMS_BIGQUERY_TABLE   = local.forms.table
      })
    }
    sheetsExportWorker = {
      description = "Pub/Sub push target: each response as a row of its form's Google Sheet, appended in batches per spreadsheet."
      public      = false
      memory      = "256Mi"
      cpu         = "1"
      # A worker waits (up to SHEETS_WAIT_SECONDS) for the batch holding its row: below the
      # subscription's ack deadline (120 s in deliveries.json) and the timeout.
      timeout_seconds = 120
      concurrency     = 80
      min_instances   = 0
      max_instances   = 10
      environment = merge(local.forms_collections_environment, {
        SHEETS_WAIT_SECONDS           = "60"
        SHEETS_MIN_APPEND_INTERVAL_MS = "2000"
      })
    }
    webhookWorker = {
      description     = "Pub/Sub push target: each response POSTed to its webhook, signed the Standard Webhooks way."
      public          = false
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 60
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment = merge(local.forms_collections_environment, {
        WEBHOOK_ALLOW_LOOPBACK  = "false"
        WEBHOOK_TIMEOUT_SECONDS = "15"
      })
    }
    deadLetterWorker = {
      description     = "Pub/Sub push target of the dead-letter topic: marks the delivery dead and logs an ERROR."
      public          = false
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 30
      concurrency     = 80
      min_instances   = 0
      max_instances   = 5
      environment     = local.forms_collections_environment
    }
    deliverySweeper = {
      description     = "Cloud Scheduler target: publishes again the deliveries still pending after a few minutes."
      public          = false
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 120
      concurrency     = 1
      min_instances   = 0
      max_instances   = 1
      environment = merge(local.forms_collections_environment, local.delivery_topic_environment, {
        SWEEP_AFTER_SECONDS = tostring(var.delivery_sweep_after_seconds)
      })
    }
  }
  # Project roles; Pub/Sub and BigQuery access is granted on the topics and the table below.
  forms_function_roles = {
    # Forms in Firestore. Spreadsheets are created and shared through the Sheets and Drive APIs,
    # which need no IAM role: the spreadsheet belongs to this account.
    forms = ["roles/datastore.user"]
    # Reads the form, commits the response and its deliveries; publishes (topic grants below).
    responses = ["roles/datastore.user"]
    # Reads the delivery, form and response, records the attempt; inserts rows (table grant below).
    bigqueryExportWorker = ["roles/datastore.user"]
    # Deliveries, responses and the batch leases; writes to spreadsheets shared with it (no IAM role).
    sheetsExportWorker = ["roles/datastore.user"]
    webhookWorker      = ["roles/datastore.user"]
    deadLetterWorker   = ["roles/datastore.user"]
    # Queries pending deliveries and touches them; publishes (topic grants below).
    deliverySweeper = ["roles/datastore.user"]
  }
  # Who publishes to the delivery topics.
  delivery_publishers = ["responses", "deliverySweeper"]
  delivery_topic_publisher_bindings = merge([
    for function in local.delivery_publishers : {
      for name, topic in local.deliveries.topics : "${function} ${name}" => { function = function, topic = name } if topic.task_type != null
    }
  ]...)
}

data "google_project" "current" {
  project_id = var.project_id
}

locals {
  # Google's Pub/Sub service agent: forwards dead letters and mints the push OIDC tokens.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.current.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic" "delivery" {
  for_each = local.deliveries.topics

  project = var.project_id
  name    = each.key
  labels  = local.common_labels
  # A message waits up to a day for a worker that is down.
  message_retention_duration = "86400s"

  depends_on = [google_project_service.enabled]
}

# The identity Pub/Sub signs its push requests' OIDC tokens as; it may invoke only the workers.
resource "google_service_account" "delivery_pusher" {
  project      = var.project_id
  account_id   = "pubsub-delivery-pusher"
  display_name = "Pub/Sub delivery pusher"
  description  = "OIDC identity of the push subscriptions of System E's delivery topics."

  depends_on = [google_project_service.enabled]
}

# The service agent creates the OIDC tokens of push subscriptions as the pusher account.
resource "google_service_account_iam_member" "pusher_token_creator" {
  service_account_id = google_service_account.delivery_pusher.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

resource "google_pubsub_subscription" "delivery" {
  for_each = local.deliveries.subscriptions

  project = var.project_id
  name    = each.key
  topic   = google_pubsub_topic.delivery[each.value.topic].id
  labels  = local.common_labels

  ack_deadline_seconds       = each.value.ack_deadline_seconds
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = google_cloudfunctions2_function.function[each.value.push_to].url
    oidc_token {
      service_account_email = google_service_account.delivery_pusher.email
      audience              = google_cloudfunctions2_function.function[each.value.push_to].url
    }
  }

  retry_policy {
    minimum_backoff = "${local.delivery_settings.retry_min_backoff_seconds}s"
    maximum_backoff = "${local.delivery_settings.retry_max_backoff_seconds}s"
  }

  dynamic "dead_letter_policy" {
    for_each = each.value.dead_letter_topic == null ? [] : [each.value.dead_letter_topic]
    content {
      dead_letter_topic     = google_pubsub_topic.delivery[dead_letter_policy.value].id
      max_delivery_attempts = local.delivery_settings.max_delivery_attempts
    }
  }

  # Never deleted for inactivity (the default is after 31 days without a message).
  expiration_policy {
    ttl = ""
  }
}

# Dead-lettering: the service agent publishes to the dead-letter topic and acknowledges on the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.dead_letter_topics

  project = var.project_id
  topic   = google_pubsub_topic.delivery[each.value].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.dead_lettered_subscriptions

  project      = var.project_id
  subscription = google_pubsub_subscription.delivery[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

resource "google_pubsub_topic_iam_member" "delivery_publisher" {
  for_each = local.delivery_topic_publisher_bindings

  project = var.project_id
  topic   = google_pubsub_topic.delivery[each.value.topic].name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

resource "google_cloud_run_service_iam_member" "delivery_pusher_invoker" {
  for_each = local.push_invoked_functions

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.value].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.delivery_pusher.email}"
}

# The sweeper, every minute (deliveries.json), with an OIDC token of its own account.
resource "google_service_account" "delivery_scheduler" {
  project      = var.project_id
  account_id   = "scheduler-delivery-sweeper"
  display_name = "Delivery sweeper scheduler"
  description  = "OIDC identity Cloud Scheduler calls System E's delivery sweeper as."

  depends_on = [google_project_service.enabled]
}

resource "google_cloud_run_service_iam_member" "delivery_scheduler_invoker" {
  for_each = local.scheduler_invoked_functions

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.value].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.delivery_scheduler.email}"
}

resource "google_cloud_scheduler_job" "delivery" {
  for_each = local.deliveries.schedules

  project     = var.project_id
  region      = var.region
  name        = each.key
  description = each.value.description
  schedule    = each.value.schedule
  time_zone   = "Etc/UTC"
  # A run that overlaps the next is cut short; the next one takes over where it stopped.
  attempt_deadline = "120s"

  http_target {
    uri         = google_cloudfunctions2_function.function[each.value.function].url
    http_method = "POST"
    oidc_token {
      service_account_email = google_service_account.delivery_scheduler.email
      audience              = google_cloudfunctions2_function.function[each.value.function].url
    }
  }

  depends_on = [google_project_service.enabled]
}

# Managing forms is for the form admins: run.invoker on the private forms function. The same
# list is checked by responses on its admin paths (ID tokens), see FORM_ADMINS.
resource "google_cloud_run_service_iam_member" "form_admin_invoker" {
  for_each = toset(var.form_admins)

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[local.form_admin_invoked_functions[0]].name
  role     = "roles/run.invoker"
  member   = each.value
}

# BigQuery: every response as a row, partitioned by submission day, clustered by form.
resource "google_bigquery_dataset" "forms" {
  project     = var.project_id
  dataset_id  = local.forms.dataset
  location    = coalesce(var.bigquery_location, var.region)
  description = "Forms (System E): responses exported by bigquery_export tasks."
  labels      = local.common_labels

  delete_contents_on_destroy = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_table" "form_responses" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.forms.dataset_id
  table_id    = local.forms.table
  description = "One row per response of a form with a bigquery_export task; insertId = the delivery id."
  schema      = file("${path.module}/schemas/forms/responses.json")
  labels      = local.common_labels

  time_partitioning {
    type  = "DAY"
    field = "submitted_at"
  }
  clustering = ["form_id"]

  deletion_protection = var.deletion_protection
}

resource "google_bigquery_table_iam_member" "form_responses_writer" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.forms.dataset_id
  table_id   = google_bigquery_table.form_responses.table_id
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.function["bigqueryExportWorker"].email}"
}

# Composite indexes of System E's queries (the emulator never asks for them; production does).
# DeliveryStore.stalePending: state == pending, updated_at < cutoff, order by updated_at.
resource "google_firestore_index" "deliveries_pending" {
  project    = var.project_id
  database   = "(default)"
  collection = local.forms.deliveries_collection

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "ASCENDING"
  }

  depends_on = [google_firestore_database.default]
}

# DeliveryStore.openForTarget: target == spreadsheet, open == true, order by created_at.
resource "google_firestore_index" "deliveries_open_by_target" {
  project    = var.project_id
  database   = "(default)"
  collection = local.forms.deliveries_collection

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

  depends_on = [google_firestore_database.default]
}

# ResponseStore.list: form_id == id, order by submitted_at desc, then document id desc.
resource "google_firestore_index" "responses_by_form" {
  project    = var.project_id
  database   = "(default)"
  collection = local.forms.responses_collection

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

  depends_on = [google_firestore_database.default]
}

# Dead deliveries: one point per ERROR line the workers write when a delivery dies
# (functions/forms/deliveryWorker.ts logDead, event "delivery_dead"), labelled by task type.
resource "google_logging_metric" "form_deliveries_dead" {
  project     = var.project_id
  name        = "form_deliveries_dead"
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
