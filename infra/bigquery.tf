# BigQuery for the validation pipeline: one dataset, one table per schema file in schemas/
# (the same files the local BigQuery provisions from, so both clouds have the same columns).

locals {
  # Table id => description. The schema of each is schemas/<id>.json; the ids are the ones in
  # local.pipeline (the infra tests check the two agree).
  bigquery_tables = {
    inputs  = "Every x the process function accepted, one row per successful call."
    results = "One row per pipeline workflow execution: the input check, the process answer and when."
  }
}

resource "google_bigquery_dataset" "pipeline" {
  project     = var.project_id
  dataset_id  = local.pipeline.dataset
  location    = coalesce(var.bigquery_location, var.region)
  description = "Validation pipeline (System A): inputs recorded by process, results written by the workflow."
  labels      = local.common_labels

  # With protection off, destroy removes the tables along with their rows.
  delete_contents_on_destroy = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_table" "pipeline" {
  for_each = local.bigquery_tables

  project     = var.project_id
  dataset_id  = google_bigquery_dataset.pipeline.dataset_id
  table_id    = each.key
  description = each.value
  schema      = file("${path.module}/schemas/${each.key}.json")
  labels      = local.common_labels

  deletion_protection = var.deletion_protection
}
