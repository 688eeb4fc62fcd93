# The kit's manifest (../manifest/manifest.json, checked by its JSON Schema): every function with
# its settings, roles and environment, and the resources the systems share. Every per-function and
# per-resource block in this directory is a for_each over what is decoded and resolved here, so
# adding a function or a resource is an entry in the manifest, not an edit here.
#
# Values here use variables and the manifest but never resource attributes, so the infra tests can
# evaluate them offline with `terraform console`. Names are deterministic (see function_base_url),
# so nothing here waits for a resource.

locals {
  manifest = jsondecode(file("${path.module}/../manifest/manifest.json"))

  # The Terraform variables a manifest entry may name ({"variable": "..."}), as strings. Terraform
  # cannot look a variable up by a name held in data, so each one usable there is listed once here.
  # A list is comma-joined.
  manifest_variables = {
    tag_counter_shards                 = tostring(var.tag_counter_shards)
    tag_marker_ttl_hours               = tostring(var.tag_marker_ttl_hours)
    process_delay_seconds              = tostring(var.process_delay_seconds)
    bigquery_dataset_id                = var.bigquery_dataset_id
    group_nodes                        = join(",", [for node in var.group_nodes : trimsuffix(node, "/")])
    group_node_timeout_seconds         = tostring(var.group_node_timeout_seconds)
    group_node_late_seconds            = tostring(var.group_node_late_seconds)
    group_compensation_max_retries     = tostring(var.group_compensation_max_retries)
    form_admins                        = join(",", var.form_admins)
    delivery_sweep_after_seconds       = tostring(var.delivery_sweep_after_seconds)
    delivery_retry_min_backoff_seconds = tostring(var.delivery_retry_min_backoff_seconds)
    delivery_retry_max_backoff_seconds = tostring(var.delivery_retry_max_backoff_seconds)
    delivery_max_attempts              = tostring(var.delivery_max_attempts)
    group_node_audiences               = join(",", var.group_node_audiences)
  }

  # The bool variables a function's `deploy_if` or `public` may name.
  manifest_flags = {
    deploy_node_simulator   = var.deploy_node_simulator
    public_group_operations = var.public_group_operations
    accounts_public         = var.accounts_public
    audios_public           = var.audios_public
  }

  # The list(string) variables of IAM members a function's `invokers` may name.
  manifest_member_lists = {
    form_admins              = var.form_admins
    group_operation_invokers = var.group_operation_invokers
    accounts_invokers        = var.accounts_invokers
    audios_invokers          = var.audios_invokers
  }

  # The entry points of the functions deployed: every one whose deploy_if (if any) is true.
  deployed_functions = toset([for name, f in local.manifest.functions : name if try(local.manifest_flags[f.deploy_if], true)])

  # The deployed functions, with their
  # timeout resolved and its environment (below) attached. Keyed by entry point.
  functions = {
    for name, f in local.manifest.functions : name => {
      description = f.description
      public      = try(local.manifest_flags[f.public.variable], f.public)
      invokers    = try(local.manifest_member_lists[f.invokers.variable], [])
      # Network ingress before IAM: ALLOW_INTERNAL_ONLY for the functions only the project's own
      # Google services call (a workflow, a push subscription, a schedule), ALLOW_ALL otherwise.
      ingress_settings = try(f.ingress, "ALLOW_ALL")
      memory           = f.memory
      cpu              = f.cpu
      timeout_seconds  = try(tonumber(local.manifest_variables[f.timeout_seconds.variable]) + f.timeout_seconds.add, f.timeout_seconds)
      concurrency      = f.concurrency
      min_instances    = f.min_instances
      max_instances    = f.max_instances
      environment      = { for var_name, _ in f.env : var_name => local.env_values["function/${name}/${var_name}"] }
    } if contains(local.deployed_functions, name)
  }

  # The Cloud Run service name of each function: the entry point in kebab-case
  # (incrementTag -> increment-tag), as deployName() in manifest/manifest.ts computes it.
  service_names = { for name, _ in local.manifest.functions : name => "${var.name_prefix}${lower(replace(name, "/([A-Z])/", "-$1"))}" }

  # A 2nd gen function's URL is https://REGION-PROJECT.cloudfunctions.net/NAME. Knowing it
  # before the function exists lets functions be given each other's URLs without a cycle.
  function_base_url = "https://${var.region}-${var.project_id}.cloudfunctions.net"
  function_urls     = { for name, service in local.service_names : name => "${local.function_base_url}/${service}" }

  # Names of the shared resources. var.name_prefix keeps a second copy of the kit in the same
  # project (a staging stack, another region) from colliding with the first.
  bucket_names     = { for key, _ in local.manifest.buckets : key => "${var.name_prefix}${var.project_id}-${replace(key, "_", "-")}" }
  dataset_ids      = { for key, d in local.manifest.datasets : key => replace("${var.name_prefix}${try(local.manifest_variables[d.id.variable], d.id.value)}", "-", "_") }
  workflow_names   = { for key, _ in local.manifest.workflows : key => "${var.name_prefix}${key}" }
  topic_names      = { for key, _ in local.manifest.topics : key => "${var.name_prefix}${key}" }
  collection_names = { for key, _ in local.manifest.collections : key => "${var.name_prefix}${key}" }
  database_names   = { for key, _ in local.manifest.databases : key => "${var.name_prefix}${key}" }

  # Every table, keyed "dataset.table".
  tables = merge([
    for dataset, d in local.manifest.datasets : {
      for table, t in d.tables : "${dataset}.${table}" => {
        dataset           = dataset
        table             = table
        schema            = t.schema
        description       = t.description
        time_partitioning = try([t.time_partitioning], [])
        clustering        = try(t.clustering, null)
      }
    }
  ]...)

  # Every environment variable of every function and workflow, keyed "function/<name>/<VAR>" or
  # "workflow/<name>/<VAR>", with its source as the manifest writes it...
  env_sources = merge(
    { for item in flatten([for name, f in local.manifest.functions : [for var_name, s in f.env : { key = "function/${name}/${var_name}", source = s }]]) : item.key => item.source },
    { for item in flatten([for name, w in local.manifest.workflows : [for var_name, s in w.env : { key = "workflow/${name}/${var_name}", source = s }]]) : item.key => item.source },
  )

  # A {"variable"}'s own value, or when it is empty its `or_variable`'s (each node's audience is
  # then the node's own base URL, what a Cloud Run node checks).
  env_variable_values = {
    for key, s in local.env_sources : key => (
      local.manifest_variables[s.variable] != "" || !can(s.or_variable) ? local.manifest_variables[s.variable] : local.manifest_variables[s.or_variable]
    ) if can(s.variable)
  }

  # ...and its value. A workflow's {"function_url"} is replaced by the function's Cloud Run URL
  # where the workflow is declared (workflows.tf): that is the audience its OIDC tokens need.
  env_values = {
    for key, s in local.env_sources : key => (
      can(s.value) ? s.value :
      can(s.variable) ? (
        local.env_variable_values[key] != "" || !can(s.otherwise) ? (
          can(s.add) ? tostring(tonumber(local.env_variable_values[key]) + s.add) : local.env_variable_values[key]
          ) : (
          contains(local.deployed_functions, s.otherwise.function_url) ? join(",", [for p in try(s.otherwise.paths, [""]) : "${local.function_urls[s.otherwise.function_url]}${p}"]) : ""
        )
      ) :
      can(s.region) ? var.region :
      can(s.function_url) ? local.function_urls[s.function_url] :
      can(s.functions_base_url) ? local.function_base_url :
      can(s.bucket) ? local.bucket_names[s.bucket] :
      can(s.dataset) ? local.dataset_ids[s.dataset] :
      can(s.table) ? split(".", s.table)[1] :
      can(s.workflow) ? local.workflow_names[s.workflow] :
      can(s.topic) ? local.topic_names[s.topic] :
      can(s.service_account) ? "fn-${local.service_names[s.service_account]}@${var.project_id}.iam.gserviceaccount.com" :
      can(s.database) ? local.database_names[s.database] :
      local.collection_names[s.collection]
    )
  }

  # Variables left without a value: a {"variable", "otherwise"} whose variable is empty and whose
  # fallback function is not deployed (group_nodes with deploy_node_simulator = false). The
  # functions and workflows refuse to be planned with one (preconditions in functions.tf, workflows.tf).
  unresolved_env = sort([
    for key, s in local.env_sources : "${key}: set var.${s.variable}" if can(s.otherwise) && local.env_values[key] == ""
  ])
}

locals {
  # The subscriptions and schedules with their optional settings filled in and Terraform variables
  # resolved (a number, or `{"variable": ...}`), so the resources read each setting plainly.
  manifest_subscriptions = {
    for key, s in local.manifest.subscriptions : key => {
      topic                     = s.topic
      push_to                   = s.push_to
      push_path                 = try(s.push_path, "")
      ack_deadline_seconds      = s.ack_deadline_seconds
      message_retention_seconds = try(s.message_retention_seconds, null)
      minimum_backoff_seconds   = try(tonumber(local.manifest_variables[s.retry.minimum_backoff_seconds.variable]), s.retry.minimum_backoff_seconds)
      maximum_backoff_seconds   = try(tonumber(local.manifest_variables[s.retry.maximum_backoff_seconds.variable]), s.retry.maximum_backoff_seconds)
      dead_letter_topic         = try(s.dead_letter_topic, null)
      max_delivery_attempts     = try(tonumber(local.manifest_variables[s.max_delivery_attempts.variable]), s.max_delivery_attempts, null)
    }
  }
  manifest_schedules = {
    for key, job in local.manifest.schedules : key => {
      target                   = job.target
      path                     = try(job.path, "")
      method                   = try(job.method, "POST")
      cron                     = job.cron
      time_zone                = try(job.time_zone, "Etc/UTC")
      attempt_deadline_seconds = try(job.attempt_deadline_seconds, null)
      description              = try(job.description, null)
    }
  }
  manifest_topics = {
    for key, t in local.manifest.topics : key => { message_retention_seconds = try(t.message_retention_seconds, null) }
  }
}
