# The project's (default) Firestore database in Native mode, and the field settings the code
# relies on. Collections themselves need no declaration.

resource "google_firestore_database" "default" {
  count = var.create_firestore_database ? 1 : 0

  project     = var.project_id
  name        = "(default)"
  location_id = coalesce(var.firestore_location, var.region)
  type        = "FIRESTORE_NATIVE"

  delete_protection_state = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # With protection on, `terraform destroy` leaves the database (and its data) in place.
  deletion_policy = var.deletion_protection ? "ABANDON" : "DELETE"

  depends_on = [google_project_service.enabled]
}

# Tag counter idempotency markers (functions/tags/tagCounter.ts) carry `expires_at`; this TTL
# policy deletes each marker some time after that instant (usually within a day), so one
# marker per accepted increment does not accumulate forever.
resource "google_firestore_field" "tag_marker_ttl" {
  project    = var.project_id
  database   = "(default)"
  collection = local.tag_counter.markers_collection
  field      = "expires_at"

  ttl_config {}

  # No single-field indexes on expires_at: nothing queries it, and an index on a timestamp that
  # only grows would make every marker write land on the same index range, capping the write
  # rate of the whole collection (Firestore's advice for TTL fields).
  index_config {}

  depends_on = [google_firestore_database.default]
}

# System C's group tasks (functions/groups/taskStore.ts, workflows/groups.yaml) get `expires_at`
# once they have ended and no longer hold their group: GROUP_TASK_RETENTION_DAYS (groups.tf)
# after that, this TTL policy deletes them. A FAILED task with dead letters pending replay keeps
# its lock and never has the field, so it stays until replayed. Dead letters are never expired.
resource "google_firestore_field" "group_task_ttl" {
  project    = var.project_id
  database   = "(default)"
  collection = local.groups.tasks_collection
  field      = "expires_at"

  ttl_config {}

  # No single-field indexes on expires_at, as for the tag markers above: nothing queries it, and
  # an index on an ever-growing timestamp would put every task write on one index range.
  index_config {}

  depends_on = [google_firestore_database.default]
}
