output "function_urls" {
  description = "HTTPS URL of every function, by entry point (its key in manifest/manifest.json)."
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

output "log_metrics" {
  description = "Every log-based metric's Cloud Monitoring metric type, by manifest key (a distribution: its sum is the sum of the values)."
  value       = { for key, metric in google_logging_metric.metric : key => "logging.googleapis.com/user/${metric.name}" }
}

output "workflows" {
  description = "Every workflow's full resource name (the parent of its executions) and its service account, by manifest key."
  value = {
    for key, workflow in google_workflows_workflow.workflow : key => {
      id              = workflow.id
      service_account = google_service_account.workflow[key].email
    }
  }
}

output "bigquery_datasets" {
  description = "Every BigQuery dataset, as project:dataset, by manifest key."
  value       = { for key, dataset in google_bigquery_dataset.dataset : key => "${var.project_id}:${dataset.dataset_id}" }
}

output "buckets" {
  description = "Every data bucket (private; served by the functions granted access), by manifest key."
  value       = { for key, bucket in google_storage_bucket.data : key => bucket.name }
}

output "collections" {
  description = "The Firestore collection ids, by manifest key (group_dead_letters holds System C's compensations to replay)."
  value       = local.collection_names
}
