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

# One TTL policy per collection whose manifest entry has a `ttl_field` (the tag counter's
# idempotency markers, System C's ended group tasks): Firestore deletes each document some time
# after the instant in that field (usually within a day), so documents that are only needed for a
# while do not accumulate forever.
resource "google_firestore_field" "ttl" {
  for_each = { for key, c in local.manifest.collections : key => c.ttl_field if can(c.ttl_field) }

  project    = var.project_id
  database   = "(default)"
  collection = local.collection_names[each.key]
  field      = each.value

  ttl_config {}

  # No single-field indexes on the TTL field: nothing queries it, and an index on a timestamp that
  # only grows would make every write land on the same index range, capping the write rate of the
  # whole collection (Firestore's advice for TTL fields).
  index_config {}

  depends_on = [google_firestore_database.default]
}
