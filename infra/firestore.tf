# One Firestore database (Native mode) per system, from the manifest's `databases`, and the field
# settings the code relies on. Collections themselves need no declaration.
#
# A database per system because Firestore IAM is granted per database: each system's accounts
# hold their Firestore role on their own database only (an IAM condition on the database's name,
# iam.tf), so no function can read or change another system's documents. Each named database is
# billed on its own (the free tier covers only a project's (default) database, which the kit no
# longer uses); infra/README.md, "Upgrading", says how to move data from a (default) database.

resource "google_firestore_database" "system" {
  for_each = local.manifest.databases

  project     = var.project_id
  name        = local.database_names[each.key]
  location_id = coalesce(var.firestore_location, var.region)
  type        = "FIRESTORE_NATIVE"

  delete_protection_state = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # With protection on, `terraform destroy` leaves the database (and its data) in place.
  deletion_policy = var.deletion_protection ? "ABANDON" : "DELETE"

  depends_on = [google_project_service.enabled]
}

# Earlier versions created the project's (default) database here. Forget it without deleting it:
# it may hold a deployment's data until that is moved (infra/README.md, "Upgrading").
removed {
  from = google_firestore_database.default

  lifecycle {
    destroy = false
  }
}

# One TTL policy per collection whose manifest entry has a `ttl_field` (the tag counter's
# idempotency markers, System C's ended group tasks): Firestore deletes each document some time
# after the instant in that field (usually within a day), so documents that are only needed for a
# while do not accumulate forever.
resource "google_firestore_field" "ttl" {
  for_each = { for key, c in local.manifest.collections : key => c.ttl_field if can(c.ttl_field) }

  project    = var.project_id
  database   = google_firestore_database.system[local.manifest.collections[each.key].database].name
  collection = local.collection_names[each.key]
  field      = each.value

  ttl_config {}

  # No single-field indexes on the TTL field: nothing queries it, and an index on a timestamp that
  # only grows would make every write land on the same index range, capping the write rate of the
  # whole collection (Firestore's advice for TTL fields).
  index_config {}
}
