locals {
  # Every deployed function, keyed by its entry point: the name in functions/catalog.ts, which
  # is also the name its module registers with `functions.http`. Adding a function to the kit
  # is adding an entry here and its roles in iam.tf; every per-function resource (source
  # archive, service account, IAM, public invoker, outputs) is a for_each over this map.
  #
  # Values may use variables and other locals but never resource attributes, so the infra
  # tests can evaluate this map offline with `terraform console`. Names other resources get
  # are deterministic (see local.function_base_url), so nothing here needs to wait for them.
  #
  #   public          anyone on the internet may invoke it (must match `public` in the catalog)
  #   memory, cpu     Cloud Run limits; max_instance_request_concurrency > 1 needs cpu >= 1
  #   concurrency     requests one instance serves at once
  #   environment     what the function's config module reads, beyond local.function_common_environment
  #
  # Optional functions (nodeSim, behind var.deploy_node_simulator) and System E's (forms.tf) are
  # merged in from their files.
  functions = merge({
    incrementTag = {
      description     = "Adds a value from 1 to 9 to a tag's total, exactly once."
      public          = true
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 30
      # Each request is one Firestore commit, mostly waiting on the network: one instance
      # serves many at once.
      concurrency   = 80
      min_instances = 0
      max_instances = 100
      environment   = local.tag_counter_environment
    }
    tagStats = {
      description = "Every tag ever incremented with the sum of its values."
      public      = true
      memory      = "512Mi"
      cpu         = "1"
      # 100,000 tags are read in one streamed query and streamed out; the timeout leaves room for that.
      timeout_seconds = 300
      # Each request holds a stream buffer of documents and a write buffer: few per instance keeps
      # memory bounded.
      concurrency   = 4
      min_instances = 0
      max_instances = 10
      environment   = local.tag_counter_environment
    }
    isValidInput = {
      description     = "Classifies ?x= by its literal form: \"Success\", \"Fail\", 400 for numbers, 500 for booleans."
      public          = false
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 10
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment     = {}
    }
    process = {
      description = "Waits PROCESS_DELAY_SECONDS, records x in BigQuery, answers \"Success\"."
      public      = false
      memory      = "256Mi"
      cpu         = "1"
      # The wait is asynchronous (a timer, not a busy loop): one instance holds many waits.
      timeout_seconds = local.pipeline.process_timeout_seconds
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment     = local.pipeline_process_environment
    }
    triggerWorkflow = {
      description     = "Starts a pipeline workflow execution for a name."
      public          = true
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 30
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment     = local.pipeline_workflow_client_environment
    }
    checkStatus = {
      description     = "The state of a pipeline execution: steps done so far, or its result."
      public          = true
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 30
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment     = local.pipeline_workflow_client_environment
    }
    accounts = {
      description = "User accounts: list with filters, create, read, replace, delete, upload and serve the account image."
      public      = true
      # An upload (at most 5 MiB) is held in memory while it is checked and stored.
      memory          = "512Mi"
      cpu             = "1"
      timeout_seconds = 60
      concurrency     = 40
      min_instances   = 0
      max_instances   = 20
      environment     = local.accounts_environment
    }
    audios = {
      description     = "Audio sessions keyed by session_id: list, create (JSON or a .json file), read, replace, delete."
      public          = true
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 30
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment     = local.audios_environment
    }
    # System C (groups.tf). createGroup/deleteGroup: one Firestore transaction and one
    # execution start per request; groupTask: one document read.
    createGroup = {
      description     = "Creates a group on every cluster node, or on none (rolled back); answers 202 with a task id."
      public          = var.public_group_operations
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 30
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment     = local.group_operation_environment
    }
    deleteGroup = {
      description     = "Deletes a group from every cluster node, or from none (restored); answers 202 with a task id."
      public          = var.public_group_operations
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 30
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment     = local.group_operation_environment
    }
    groupTask = {
      description     = "The state of a group operation and its outcome on each node."
      public          = var.public_group_operations
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 10
      concurrency     = 80
      min_instances   = 0
      max_instances   = 20
      environment     = local.group_task_environment
    }
    docs = {
      description     = "The OpenAPI 3 document of the whole collection, as JSON and as a readable page."
      public          = true
      memory          = "256Mi"
      cpu             = "1"
      timeout_seconds = 10
      concurrency     = 80
      min_instances   = 0
      max_instances   = 5
      environment     = {}
    }
  }, local.node_sim_function, local.forms_functions)

  # The Cloud Run service name of each function: the entry point in kebab-case
  # (incrementTag -> increment-tag), as deployName() in functions/catalog.ts computes it.
  service_names = { for entry_point in keys(local.functions) : entry_point => lower(replace(entry_point, "/([A-Z])/", "-$1")) }

  # A 2nd gen function's URL is https://REGION-PROJECT.cloudfunctions.net/NAME. Knowing it
  # before the function exists lets functions and workflows be given each other's URLs
  # without a dependency cycle.
  function_base_url = "https://${var.region}-${var.project_id}.cloudfunctions.net"

  # Set on every function.
  function_common_environment = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    # The platform sets this on every 2nd gen function (the functions framework then labels
    # each log line with its execution id); setting it here too avoids a permanent plan diff.
    LOG_EXECUTION_ID = "true"
    # The front door: every function also answers at <this>/<name>/<path>. Problem types link to
    # their section of the docs page under it, and the OpenAPI document names it as its server.
    PUBLIC_BASE_URL = local.function_base_url
  }

  common_labels = merge({ app = "gcf-backend-kit" }, var.labels)
}

locals {
  # System B, the tag counter. The collection names are set explicitly (they have defaults in
  # functions/tags/config.ts) so the TTL policy in firestore.tf and the functions cannot
  # disagree about where the markers live.
  tag_counter = {
    shards_collection  = "tag_counter_shards"
    markers_collection = "tag_counter_increments"
  }
  tag_counter_environment = {
    TAG_SHARDS_COLLECTION  = local.tag_counter.shards_collection
    TAG_MARKERS_COLLECTION = local.tag_counter.markers_collection
    TAG_COUNTER_SHARDS     = tostring(var.tag_counter_shards)
    TAG_MARKER_TTL_HOURS   = tostring(var.tag_marker_ttl_hours)
  }
}

locals {
  # System A, the validation pipeline: one BigQuery dataset (bigquery.tf), the workflow
  # (workflows.tf) and four functions. Names live here so the functions, the workflow and the
  # tables are all given the same ones.
  pipeline = {
    dataset          = var.bigquery_dataset_id
    inputs_table     = "inputs"
    results_table    = "results"
    state_collection = "pipeline_state"
    workflow_name    = "pipeline"
    # `process` waits PROCESS_DELAY_SECONDS before inserting; its own timeout and the
    # workflow's HTTP timeout for the call leave a minute above that for the insert.
    process_timeout_seconds = var.process_delay_seconds + 60
  }
  pipeline_process_environment = {
    BIGQUERY_DATASET      = local.pipeline.dataset
    BIGQUERY_INPUTS_TABLE = local.pipeline.inputs_table
    PROCESS_DELAY_SECONDS = tostring(var.process_delay_seconds)
  }
  # triggerWorkflow and checkStatus: which workflow they start and read.
  pipeline_workflow_client_environment = {
    WORKFLOW_LOCATION         = var.region
    WORKFLOW_NAME             = local.pipeline.workflow_name
    PIPELINE_STATE_COLLECTION = local.pipeline.state_collection
  }
}

resource "google_cloudfunctions2_function" "function" {
  for_each = local.functions

  project     = var.project_id
  location    = var.region
  name        = local.service_names[each.key]
  description = each.value.description
  labels      = local.common_labels

  build_config {
    runtime     = var.function_runtime
    entry_point = each.key
    # Builds run as a dedicated account (iam.tf) rather than the project's default compute
    # account, which new projects no longer give the permissions a build needs.
    service_account = google_service_account.function_builder.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source[each.key].name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout_seconds
    max_instance_request_concurrency = each.value.concurrency
    min_instance_count               = each.value.min_instances
    max_instance_count               = each.value.max_instances
    service_account_email            = google_service_account.function[each.key].email
    environment_variables            = merge(local.function_common_environment, each.value.environment)
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.function,
    google_project_iam_member.function_builder,
  ]
}
