variable "project_id" {
  description = "ID of the Google Cloud project every resource is created in."
  type        = string
}

variable "region" {
  description = "Region of the functions, the source bucket and (unless firestore_location is set) the Firestore databases."
  type        = string
  default     = "europe-west1"
}

variable "name_prefix" {
  description = "Prepended to the name of every named resource (functions, service accounts, buckets, workflows, the datasets, collections, topics, subscriptions, schedules), so a second copy of the kit in the same project (a staging stack, another region) does not collide with the first. Empty by default. Lower-case letters, digits and hyphens, ending in a hyphen (e.g. \"stg-\"); short, since service account ids are at most 30 characters."
  type        = string
  default     = ""

  validation {
    condition     = var.name_prefix == "" || can(regex("^[a-z][a-z0-9-]{0,6}-$", var.name_prefix))
    error_message = "name_prefix must be empty or 2 to 8 characters: a lower-case letter, then lower-case letters, digits or hyphens, ending in a hyphen."
  }
}

variable "deletion_protection" {
  description = "Protect stateful resources (Firestore database, buckets holding data, BigQuery tables) from `terraform destroy`. Set to false only for throwaway environments."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels added to every resource that supports them."
  type        = map(string)
  default     = {}
}

variable "function_source_dir" {
  description = "Directory holding one packaged source folder per function, as written by `node dist/scripts/packageFunctions.js`. Relative paths are resolved from the directory Terraform runs in (infra/)."
  type        = string
  default     = "../build/functions"
}

variable "function_runtime" {
  description = "Cloud Functions runtime of every function."
  type        = string
  default     = "nodejs20"
}

variable "firestore_location" {
  description = "Location of the Firestore databases (one per system): a region (e.g. europe-west1) or a multi-region (eur3, nam5). Defaults to var.region. Cannot be changed after creation."
  type        = string
  default     = null
}

variable "tag_counter_shards" {
  description = "Shards per tag of the tag counter (TAG_COUNTER_SHARDS). One tag sustains about this many increments per second, since Firestore sustains about one write per second per document."
  type        = number
  default     = 16

  validation {
    condition     = var.tag_counter_shards >= 1 && var.tag_counter_shards <= 1000 && floor(var.tag_counter_shards) == var.tag_counter_shards
    error_message = "tag_counter_shards must be an integer from 1 to 1000 (the range functions/tags/config.ts accepts)."
  }
}

variable "tag_marker_ttl_hours" {
  description = "How long the tag counter remembers an increment's idempotency marker (TAG_MARKER_TTL_HOURS); the Firestore TTL policy deletes markers after that."
  type        = number
  default     = 24

  validation {
    condition     = var.tag_marker_ttl_hours >= 1 && var.tag_marker_ttl_hours <= 720 && floor(var.tag_marker_ttl_hours) == var.tag_marker_ttl_hours
    error_message = "tag_marker_ttl_hours must be an integer from 1 to 720 (the range functions/tags/config.ts accepts)."
  }
}

variable "process_delay_seconds" {
  description = "How long the pipeline's process function waits before inserting (PROCESS_DELAY_SECONDS; the seed's three minutes). Its timeout and the workflow's call timeout are this plus 60 seconds."
  type        = number
  default     = 180

  validation {
    # Workflows caps one HTTP call at 1800 seconds; the call's timeout is the delay plus 60.
    condition     = var.process_delay_seconds >= 0 && var.process_delay_seconds <= 1740 && floor(var.process_delay_seconds) == var.process_delay_seconds
    error_message = "process_delay_seconds must be an integer from 0 to 1740 (a Workflows HTTP call times out after at most 1800 seconds)."
  }
}

variable "bigquery_dataset_id" {
  description = "BigQuery dataset of the validation pipeline (tables inputs and results, schemas in infra/schemas/)."
  type        = string
  default     = "pipeline"
}

variable "bigquery_location" {
  description = "Location of the BigQuery dataset: a region (europe-west1) or a multi-region (EU, US). Defaults to var.region. Cannot be changed after creation."
  type        = string
  default     = null
}

variable "group_nodes" {
  description = "Base URLs of the cluster nodes the group operations (System C) apply to, in the order they are visited (NODES). Empty: the three simulated nodes of nodeSim (<nodeSim URL>/node1, /node2, /node3), which needs deploy_node_simulator."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for node in var.group_nodes : can(regex("^https?://[^?#,]+$", node))]) && length(distinct(var.group_nodes)) == length(var.group_nodes)
    error_message = "group_nodes must be distinct http(s) URLs without a query, a fragment or a comma (the groups workflow splits NODES on commas)."
  }
}

variable "deploy_node_simulator" {
  description = "Deploy nodeSim, the simulated cluster nodes (with switches that make a node fail, hang or redirect), and let the groups workflow invoke it as the cluster when group_nodes is empty. For test projects only: off by default, so a production apply never deploys it."
  type        = bool
  default     = false
}

variable "group_node_audiences" {
  description = "Audience of the OIDC token the groups workflow sends to each node, in group_nodes' order (NODE_AUDIENCES). Empty: each node's own base URL (what a Cloud Run node checks); for simulated nodes, the nodeSim URL."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for audience in var.group_node_audiences : audience != "" && !strcontains(audience, ",")])
    error_message = "group_node_audiences must be non-empty strings without a comma."
  }

  # Across variables, so Terraform 1.9 or later (versions.tf).
  validation {
    condition     = length(var.group_node_audiences) == 0 || length(var.group_node_audiences) == length(var.group_nodes)
    error_message = "group_node_audiences must list one audience per node of group_nodes."
  }
}

variable "public_group_operations" {
  description = "Let anyone call createGroup, deleteGroup and groupTask (allUsers run.invoker). Off by default: they create and delete groups on every real node. Opened, a caller sees node indexes and short outcomes, never node URLs, node answers or operator commands."
  type        = bool
  default     = false
}

variable "group_operation_invokers" {
  description = "IAM members (user:, group:, serviceAccount:) who may call createGroup, deleteGroup and groupTask while they are private (run.invoker on each)."
  type        = list(string)
  default     = []
}

variable "group_node_late_seconds" {
  description = "The longest a node may take to apply a request after receiving it (NODE_LATE_SECONDS), e.g. the node's own request timeout. A request whose outcome is unknown is settled by a read only this long after it was sent, so a late request is compensated like any other. At least group_node_timeout_seconds."
  type        = number
  default     = 60

  validation {
    condition     = var.group_node_late_seconds >= 1 && var.group_node_late_seconds <= 3600
    error_message = "group_node_late_seconds must be from 1 to 3600."
  }

  validation {
    condition     = var.group_node_late_seconds >= var.group_node_timeout_seconds
    error_message = "group_node_late_seconds must be at least group_node_timeout_seconds: a node may still apply a request it received until then."
  }
}

variable "group_node_timeout_seconds" {
  description = "Timeout of each request the groups workflow sends to a node (NODE_TIMEOUT_SECONDS). A request that times out is an unknown outcome, settled with a GET after group_node_late_seconds."
  type        = number
  default     = 10

  validation {
    condition     = var.group_node_timeout_seconds >= 1 && var.group_node_timeout_seconds <= 1800
    error_message = "group_node_timeout_seconds must be from 1 to 1800 (Workflows' limit for one HTTP call)."
  }
}

variable "group_compensation_max_retries" {
  description = "Retries of each rollback request (COMPENSATION_MAX_RETRIES), with exponential back-off from 1 s doubling up to 30 s; a compensation still owed after them leaves the task FAILED (a dead letter) until it is replayed."
  type        = number
  default     = 5

  validation {
    condition     = var.group_compensation_max_retries >= 0 && var.group_compensation_max_retries <= 20 && floor(var.group_compensation_max_retries) == var.group_compensation_max_retries
    error_message = "group_compensation_max_retries must be an integer from 0 to 20."
  }
}

variable "form_admins" {
  description = "IAM members who manage System E's forms (run.invoker on the private forms function) and may read responses and replay deliveries (their Google ID token is checked by the responses function): \"user:ada@example.com\", \"serviceAccount:ci@p.iam.gserviceaccount.com\". Groups cannot be checked from an ID token, so list users and service accounts."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.form_admins : can(regex("^(user|serviceAccount):[^@,\\s]+@[^@,\\s]+$", m))])
    error_message = "form_admins must be user:EMAIL or serviceAccount:EMAIL members."
  }
}

variable "delivery_retry_min_backoff_seconds" {
  description = "Pub/Sub retry policy of the delivery subscriptions: the first back-off after a failed push (10 to 600; the local cloud uses 1)."
  type        = number
  default     = 10

  validation {
    condition     = var.delivery_retry_min_backoff_seconds >= 0 && var.delivery_retry_min_backoff_seconds <= 600
    error_message = "delivery_retry_min_backoff_seconds must be from 0 to 600 (Pub/Sub's range)."
  }
}

variable "delivery_retry_max_backoff_seconds" {
  description = "Pub/Sub retry policy of the delivery subscriptions: the longest back-off (the local cloud uses 5)."
  type        = number
  default     = 600

  validation {
    condition     = var.delivery_retry_max_backoff_seconds >= 0 && var.delivery_retry_max_backoff_seconds <= 600
    error_message = "delivery_retry_max_backoff_seconds must be from 0 to 600 (Pub/Sub's range)."
  }
}

variable "delivery_max_attempts" {
  description = "Pushes of a delivery before Pub/Sub moves it to the dead-letter topic and it becomes dead (5 to 100; the local cloud uses 5). With the default back-off (10 s doubling to 600 s), 15 attempts span about an hour and a half."
  type        = number
  default     = 15

  validation {
    condition     = var.delivery_max_attempts >= 5 && var.delivery_max_attempts <= 100 && floor(var.delivery_max_attempts) == var.delivery_max_attempts
    error_message = "delivery_max_attempts must be an integer from 5 to 100 (Pub/Sub's range for max_delivery_attempts)."
  }
}

variable "delivery_sweep_after_seconds" {
  description = "A delivery still pending this long after it was written or last published is published again by the sweeper (SWEEP_AFTER_SECONDS; the local cloud uses 20)."
  type        = number
  default     = 300

  validation {
    condition     = var.delivery_sweep_after_seconds >= 60 && var.delivery_sweep_after_seconds <= 86400 && floor(var.delivery_sweep_after_seconds) == var.delivery_sweep_after_seconds
    error_message = "delivery_sweep_after_seconds must be an integer from 60 to 86400."
  }
}

variable "alert_notification_channels" {
  description = "Cloud Monitoring notification channel ids (projects/P/notificationChannels/N) the dead-deliveries alert notifies. Empty: the alert opens incidents without notifying anyone."
  type        = list(string)
  default     = []
}

variable "accounts_public" {
  description = "Let anyone call the accounts function (allUsers run.invoker), as the seed's clients, which carry no credentials, need. Open means anyone can list every account's name, email and address, create accounts, replace or delete any account and its image. false makes it private: only accounts_invokers may call it."
  type        = bool
  default     = true
}

variable "accounts_invokers" {
  description = "IAM members (user:, group:, serviceAccount:) who may call the accounts function (run.invoker on it); what matters once accounts_public is false."
  type        = list(string)
  default     = []
}

variable "audios_public" {
  description = "Let anyone call the audios function (allUsers run.invoker), as the seed's clients, which carry no credentials, need. Open means anyone can list, read, create, replace and delete any audio session. false makes it private: only audios_invokers may call it."
  type        = bool
  default     = true
}

variable "audios_invokers" {
  description = "IAM members (user:, group:, serviceAccount:) who may call the audios function (run.invoker on it); what matters once audios_public is false."
  type        = list(string)
  default     = []
}

variable "deployer_member" {
  description = "The identity that runs terraform apply (user:you@example.com, serviceAccount:ci@PROJECT.iam.gserviceaccount.com, group:...). Given, Terraform grants it roles/iam.serviceAccountUser on each of the kit's service accounts only (deploying what runs as an account needs actAs on it), so it needs no project-wide Service Account User. It must then hold Service Account Admin (to make that grant). Unset, the deployer needs Service Account User on the project."
  type        = string
  default     = null

  validation {
    condition     = var.deployer_member == null || can(regex("^(user|serviceAccount|group):[^@\\s]+@[^@\\s]+$", var.deployer_member))
    error_message = "deployer_member must be user:EMAIL, serviceAccount:EMAIL or group:EMAIL."
  }
}
