# The BigQuery datasets of the manifest, each table with its schema file (the same files the
# local BigQuery provisions from, so both clouds have the same columns).

resource "google_bigquery_dataset" "dataset" {
  for_each = local.manifest.datasets

  project     = var.project_id
  dataset_id  = local.dataset_ids[each.key]
  location    = coalesce(var.bigquery_location, var.region)
  description = each.value.description
  labels      = local.common_labels

  # With protection off, destroy removes the tables along with their rows.
  delete_contents_on_destroy = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_table" "table" {
  for_each = local.tables

  project     = var.project_id
  dataset_id  = google_bigquery_dataset.dataset[each.value.dataset].dataset_id
  table_id    = each.value.table
  description = each.value.description
  schema      = file("${path.module}/../${each.value.schema}")
  labels      = local.common_labels
  clustering  = each.value.clustering

  dynamic "time_partitioning" {
    for_each = each.value.time_partitioning
    content {
      type  = time_partitioning.value.type
      field = time_partitioning.value.field
    }
  }

  deletion_protection = var.deletion_protection
}
