output "function_urls" {
  description = "HTTPS URL of every function, by entry point (functions/catalog.ts name)."
  value       = { for name, function in google_cloudfunctions2_function.function : name => function.url }
}

output "function_service_accounts" {
  description = "Runtime service account email of every function, by entry point."
  value       = { for name, account in google_service_account.function : name => account.email }
}

output "function_builder_service_account" {
  description = "Service account Cloud Build runs the function builds as."
  value       = google_service_account.function_builder.email
}

output "function_source_bucket" {
  description = "Bucket holding the zipped function sources."
  value       = google_storage_bucket.function_source.name
}

output "docs_url" {
  description = "The readable OpenAPI page of the whole collection."
  value       = google_cloudfunctions2_function.function["docs"].url
}

output "tag_increment_metric" {
  description = "Log-based metric of the tag counter (its sum is the sum of accepted increment values), and its Cloud Monitoring metric type."
  value = {
    name        = google_logging_metric.tag_increment_values.name
    metric_type = "logging.googleapis.com/user/${google_logging_metric.tag_increment_values.name}"
  }
}

output "workflow" {
  description = "The validation pipeline workflow's full resource name (the parent of its executions) and its service account."
  value = {
    id              = google_workflows_workflow.pipeline.id
    service_account = google_service_account.workflow.email
  }
}

output "bigquery_dataset" {
  description = "The validation pipeline's BigQuery dataset, as project:dataset."
  value       = "${var.project_id}:${google_bigquery_dataset.pipeline.dataset_id}"
}

output "groups" {
  description = "Group operations (System C): the workflow, the nodes operations visit, and the Firestore collections holding tasks (their dead letters: the tasks where owed == true) and locks."
  value = {
    workflow         = google_workflows_workflow.groups.id
    nodes            = local.group_nodes
    tasks_collection = local.groups.tasks_collection
    locks_collection = local.groups.locks_collection
  }
}
