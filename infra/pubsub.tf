# Pub/Sub of the manifest: one topic per `topics` entry, and one push subscription per
# `subscriptions` entry, pushing to its function with an OIDC token of the push identity, retrying
# with exponential back-off, and moving a message that keeps failing to its dead-letter topic.
# Cloud Scheduler jobs (`schedules`) are in scheduler.tf; roles a function holds on a topic or a
# subscription (`{"topic": ...}` in its `roles`) are bound in iam.tf.

locals {
  # Subscriptions whose function is deployed.
  subscriptions             = { for key, s in local.manifest_subscriptions : key => s if contains(local.deployed_functions, s.push_to) }
  dead_letter_subscriptions = { for key, s in local.subscriptions : key => s.dead_letter_topic if s.dead_letter_topic != null }
  push_targets              = toset([for s in values(local.subscriptions) : s.push_to])
}

data "google_project" "current" {
  project_id = var.project_id
}

locals {
  # Google's Pub/Sub service agent: forwards dead letters and mints the push OIDC tokens.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.current.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic" "topic" {
  for_each = local.manifest_topics

  project                    = var.project_id
  name                       = local.topic_names[each.key]
  labels                     = local.common_labels
  message_retention_duration = each.value.message_retention_seconds == null ? null : "${each.value.message_retention_seconds}s"

  depends_on = [google_project_service.enabled]
}

# The identity Pub/Sub signs its pushes' OIDC tokens as; it may invoke exactly the functions pushed
# to. Its id predates the manifest (System E's deliveries were the first subscriptions) and is kept
# so a deployed stack keeps the account.
resource "google_service_account" "pubsub_push" {
  count = length(local.subscriptions) > 0 ? 1 : 0

  project      = var.project_id
  account_id   = "${var.name_prefix}pubsub-delivery-pusher"
  display_name = "Pub/Sub pusher"
  description  = "Identity of the OIDC tokens Pub/Sub push subscriptions send to the functions they deliver to."

  depends_on = [google_project_service.enabled]
}

# The service agent creates the OIDC tokens of push subscriptions as the pusher account.
resource "google_service_account_iam_member" "pubsub_push_token_creator" {
  count = length(local.subscriptions) > 0 ? 1 : 0

  service_account_id = google_service_account.pubsub_push[0].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

resource "google_pubsub_subscription" "subscription" {
  for_each = local.subscriptions

  project                    = var.project_id
  name                       = "${var.name_prefix}${each.key}"
  topic                      = google_pubsub_topic.topic[each.value.topic].id
  ack_deadline_seconds       = each.value.ack_deadline_seconds
  message_retention_duration = each.value.message_retention_seconds == null ? null : "${each.value.message_retention_seconds}s"
  labels                     = local.common_labels

  # The run.app URL (the Cloud Run service's), not the cloudfunctions.net one: a push to it counts
  # as internal traffic of the project, which the workers' ALLOW_INTERNAL_ONLY ingress requires
  # (https://cloud.google.com/run/docs/securing/ingress). Cloud Run accepts it as token audience.
  push_config {
    push_endpoint = "${google_cloudfunctions2_function.function[each.value.push_to].service_config[0].uri}${each.value.push_path}"
    oidc_token {
      service_account_email = google_service_account.pubsub_push[0].email
      audience              = google_cloudfunctions2_function.function[each.value.push_to].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "${each.value.minimum_backoff_seconds}s"
    maximum_backoff = "${each.value.maximum_backoff_seconds}s"
  }

  dynamic "dead_letter_policy" {
    for_each = each.value.dead_letter_topic == null ? [] : [each.value.dead_letter_topic]
    content {
      dead_letter_topic     = google_pubsub_topic.topic[dead_letter_policy.value].id
      max_delivery_attempts = each.value.max_delivery_attempts
    }
  }

  # Never deleted for inactivity (the default is after 31 days without a message).
  expiration_policy {
    ttl = ""
  }

  # Creating a push subscription that signs as the pusher account needs actAs on it.
  depends_on = [google_service_account_iam_member.deployer_acts_as]
}

resource "google_cloud_run_service_iam_member" "pubsub_push_invoker" {
  for_each = local.push_targets

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.pubsub_push[0].email}"
}

# Dead-lettering: the service agent publishes to the dead-letter topic and acknowledges on the
# source subscription, or the messages stay where they fail.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = toset(values(local.dead_letter_subscriptions))

  project = var.project_id
  topic   = google_pubsub_topic.topic[each.key].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.dead_letter_subscriptions

  project      = var.project_id
  subscription = google_pubsub_subscription.subscription[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
