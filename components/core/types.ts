/**
 * Cloud-neutral settings of one RAG stack. The same shape deploys to AWS or to Kubernetes;
 * `environments/` provides the staging and production presets that fill every field, and
 * stack config or component args override any of them.
 */

/** Where the stack is deployed. */
export const TARGETS = ["aws", "kubernetes"] as const;
export type Target = (typeof TARGETS)[number];

/** The two environments this library ships presets for. */
export const ENVIRONMENTS = ["staging", "production"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Data classification labels written to the `DataClassification` tag / label. */
export const DATA_CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

/** NAT gateway strategy of the AWS network. */
export const NAT_STRATEGIES = ["single", "perAz"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** Edge implementation on Kubernetes. */
export const K8S_EDGE_MODES = ["gateway", "ingress"] as const;
export type KubernetesEdgeMode = (typeof K8S_EDGE_MODES)[number];

/** Where the Kubernetes target's generated credentials live: Secrets it creates, or External Secrets Operator. */
export const K8S_SECRET_MODES = ["native", "external"] as const;
export type KubernetesSecretMode = (typeof K8S_SECRET_MODES)[number];

/** Object storage on Kubernetes: an external S3-compatible endpoint, or one deployed in the cluster. */
export const OBJECT_STORAGE_MODES = ["external", "in-cluster"] as const;
export type ObjectStorageMode = (typeof OBJECT_STORAGE_MODES)[number];

/** The API backend (FastAPI container). */
export interface ApiSettings {
    /** Container image, pinned by tag or digest; `latest` is rejected. */
    image: string;
    /** Container port. @default 8000 */
    port: number;
    /** HTTP health check path. @default "/health" */
    healthPath: string;
    /** vCPU per task / pod limit (0.25, 0.5, 1, 2, 4). */
    cpu: number;
    /** Memory per task / pod limit, MiB. */
    memoryMiB: number;
    /** Minimum replicas kept by the autoscaler. */
    minReplicas: number;
    /** Maximum replicas the autoscaler may reach. */
    maxReplicas: number;
    /** Target average CPU utilisation for autoscaling, percent. @default 70 */
    cpuTargetPercent: number;
    /** Target average memory utilisation for autoscaling, percent. @default 80 */
    memoryTargetPercent: number;
    /** Target ALB requests per task per minute (AWS only). @default 1000 */
    requestsPerTarget: number;
    /**
     * When true, CI/CD owns the image tag: the library ignores later changes to the image so that
     * `pulumi up` does not roll back a deployment made by the pipeline.
     * @default false
     */
    imageManagedByCi: boolean;
    /** Extra non-secret environment variables for the API container. */
    env: Record<string, string>;
    /**
     * The application's own secrets, injected as environment variables by reference, never by
     * value: AWS, a Secrets Manager ARN (`arn:aws:secretsmanager:…:secret:name-AbCdEf`, optionally
     * `:<json key>`), read by the execution role and nothing else; Kubernetes, `<Secret>/<key>` of
     * a Secret in the app namespace. @default {}
     */
    secrets: Record<string, string>;
}

/** The Ollama LLM server on GPU machines. */
export interface LlmSettings {
    /** Deploy the LLM server. When false the API must be pointed at an external LLM. */
    enabled: boolean;
    /** Ollama image, pinned (never `latest`). */
    image: string;
    /** Models pulled before the server takes traffic, e.g. `llama3.1:8b`. */
    models: string[];
    /** GPU machines / pods wanted in steady state. */
    desiredNodes: number;
    /** Lowest number of GPU machines (0 lets staging scale to zero). */
    minNodes: number;
    /** Highest number of GPU machines. */
    maxNodes: number;
    /** GPU instance type on AWS. @default "g5.xlarge" */
    instanceType: string;
    /** GPUs requested by one Ollama task / pod. @default 1 */
    gpusPerNode: number;
    /** Use Spot capacity for GPU instances (AWS). */
    spot: boolean;
    /** Volume for the model cache, GiB. */
    modelVolumeGiB: number;
    /** How long Ollama keeps a model loaded (OLLAMA_KEEP_ALIVE). @default "24h" */
    keepAlive: string;
}

/**
 * Where a new database is restored from instead of starting empty (docs/restore.md). Used at
 * creation only: later changes of it are ignored, so a restored stack keeps it as its record.
 */
export type RestoreSource =
    /**
     * Point-in-time recovery. `source`: the RDS instance identifier, or the ARN of its replicated
     * automated backups in this region (`arn:aws:rds:…:auto-backup:…`, the region-loss case); on
     * Kubernetes the server name of the old cluster in the backup object store (`postgres`).
     * `time`: RFC 3339 UTC (`2026-11-29T08:15:00Z`); none: the latest restorable time.
     */
    | { kind: "pointInTime"; source: string; time?: string }
    /** A snapshot: an RDS DB snapshot identifier, or a CloudNativePG `Backup` object's name. */
    | { kind: "snapshot"; source: string };

/** RFC 3339 UTC time of a point-in-time restore. */
export const RESTORE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** PostgreSQL with pgvector. */
export interface DatabaseSettings {
    /** PostgreSQL major version. @default "16" */
    engineVersion: string;
    /** RDS instance class (AWS). */
    instanceClass: string;
    /** CPU for each Postgres pod (Kubernetes), vCPU. */
    cpu: number;
    /** Memory for each Postgres pod (Kubernetes), MiB. */
    memoryMiB: number;
    /** Allocated storage, GiB. */
    storageGiB: number;
    /** Storage autoscaling ceiling, GiB (AWS). */
    maxStorageGiB: number;
    /** Days of automated backups / point-in-time recovery (1..35). */
    backupRetentionDays: number;
    /** Synchronous standby in another AZ (AWS Multi-AZ) / in another node (Kubernetes). */
    multiAz: boolean;
    /** Read replicas. On Kubernetes the cluster has `1 + readReplicas` instances. */
    readReplicas: number;
    /** Refuse deletion of the database. */
    deletionProtection: boolean;
    /**
     * Off-site copies: automated backups, AWS Backup copies and the documents and backups buckets
     * replicated to `aws.backupRegion` (AWS); the logical dumps copied to a second, off-site object
     * store (Kubernetes, `kubernetes.offsiteObjectStorage*`).
     */
    crossRegionBackup: boolean;
    /**
     * Connection pooling between the API and the primary: RDS Proxy on AWS (IAM authentication
     * end to end, TLS required), a CloudNativePG `Pooler` (PgBouncer) on Kubernetes.
     * @default false staging, true production
     */
    connectionPooler: boolean;
    /** Restore the new database from backups (docs/restore.md); "none": start empty. @default "none" */
    restoreFrom: RestoreSource | "none";
}

/** Redis / Valkey. */
export interface CacheSettings {
    /** ElastiCache node type (AWS). */
    nodeType: string;
    /** Read replicas next to the primary. */
    replicas: number;
    /** Automatic failover to a replica (needs replicas >= 1). */
    automaticFailover: boolean;
    /** Days of snapshots kept (0 disables snapshots). */
    snapshotRetentionDays: number;
    /** Memory per Valkey pod (Kubernetes), MiB. */
    memoryMiB: number;
}

/** Object storage for documents and backups. */
export interface StorageSettings {
    /** Days before current objects move to infrequent access. @default 90 */
    transitionToIaDays: number;
    /** Days before current objects move to Glacier / cold storage. @default 365 */
    transitionToGlacierDays: number;
    /** Days noncurrent object versions are kept. */
    noncurrentVersionExpirationDays: number;
    /**
     * S3 Object Lock on the backups bucket (`days`) and the CloudTrail bucket (at least 365 days),
     * AWS. `"none"` is the named opt-out. @default GOVERNANCE 30 days in production, "none" in staging
     */
    objectLock: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number } | "none";
}

/** Network (AWS). */
export interface NetworkSettings {
    /** VPC CIDR, a /16 to /20. @default "10.0.0.0/16" */
    cidr: string;
    /** Availability zones used (2 or 3). */
    azCount: number;
    /** One NAT gateway for the VPC, or one per AZ. */
    natStrategy: NatStrategy;
    /** CIDRs allowed to reach the public edge on 80/443. @default ["0.0.0.0/0"] */
    allowedIngressCidrs: string[];
}

/** Public edge: TLS, WAF and rate limiting. */
export interface EdgeSettings {
    /** Requests per 5 minutes per client IP before the WAF / gateway blocks it. */
    rateLimitPer5Min: number;
    /** Add Strict-Transport-Security. @default true */
    hsts: boolean;
    /** Content-Security-Policy on every response (`none`: no header). @default "default-src 'none'; frame-ancestors 'none'" (an API serves no page) */
    contentSecurityPolicy: string;
    /** Referrer-Policy on every response, Kubernetes edge only (the ALB cannot set it: the API must). @default "no-referrer" */
    referrerPolicy: string;
    /** Seconds an idle client connection stays open at the ALB (AWS only; long LLM answers stream on it). @default 120 */
    idleTimeoutSeconds: number;
    /** Countries (ISO 3166-1 alpha-2) the WAF admits, others blocked (AWS only). @default [] (all) */
    allowedCountries: string[];
    /** Path prefixes with their own, stricter per-IP rate limit at the WAF (AWS only), e.g. /auth/login. @default [] */
    loginPaths: string[];
    /** Requests per 5 minutes per client IP to `loginPaths` before the WAF blocks. @default 100 */
    loginRateLimitPer5Min: number;
}

/** Logs, alarms and audit. */
export interface ObservabilitySettings {
    /** Days application, flow and audit logs are kept. */
    logRetentionDays: number;
    /** E-mail addresses subscribed to the alarm topic. */
    alarmEmails: string[];
}

/**
 * Rotation of the secrets the stack generates (AWS: the API's application secret and the Valkey
 * AUTH token; Kubernetes: every generated database, cache and object-store credential). The RDS
 * master password is rotated by RDS itself; credentials from an external store
 * (`kubernetes.secrets: external`) are the store's to rotate.
 */
export interface SecretSettings {
    /**
     * Date (YYYY-MM-DD) the generated secrets were last rotated. A new value generates new ones on
     * the next `pulumi up` and restarts their consumers (tools/rotate-secrets.sh sets it to today).
     * @default "" (as generated at the first deployment)
     */
    rotatedOn: string;
    /** Days after which a secret that has not changed raises an alarm (AWS) / alert (Kubernetes). @default staging 180, production 90 */
    maxAgeDays: number;
}

/**
 * Usage the cost estimate assumes where a price depends on use rather than on what is deployed.
 * Printed with every estimate; set any of them with the `costAssumptions` config key.
 */
export interface CostAssumptions {
    /** Hours in a month. @default 730 */
    hoursPerMonth: number;
    /** Requests the API serves a month (ALB, WAF). @default staging 300000, production 5000000 */
    requestsPerMonth: number;
    /** Average load balancer capacity units (LCU) the ALB uses. @default staging 0.5, production 2 */
    albAverageLcu: number;
    /** Average API tasks running; 0 = the autoscaler's minimum. @default 0 */
    apiAverageTasks: number;
    /** GPU hours a day of an LLM group that scales to zero (minimum 0). @default staging 8, production 24 */
    llmGpuHoursPerDay: number;
    /** GB through the NAT gateways a month (all of them). @default staging 20, production 200 */
    natProcessedGbPerMonth: number;
    /** GB through the interface endpoints a month (all of them). @default staging 20, production 200 */
    endpointProcessedGbPerMonth: number;
    /** GB of logs ingested a month (all log groups). @default staging 5, production 50 */
    logsIngestedGbPerMonth: number;
    /** GB stored per bucket purpose (`Purpose` tag); other buckets: `other`. */
    bucketStoredGb: Record<string, number>;
    /** S3 PUT and GET requests a month (all buckets). */
    s3PutsPerMonth: number;
    s3GetsPerMonth: number;
    /** GB of data in the database (backups, cross-region copies). @default staging 10, production 100 */
    databaseUsedGb: number;
    /** Share of the database that changes a day, percent (incremental backups). @default staging 5, production 3 */
    databaseDailyChangePercent: number;
    /** KMS requests a month per key. @default staging 50000, production 1000000 */
    kmsRequestsPerKey: number;
    /** Secrets Manager API calls a month per secret. @default staging 10000, production 100000 */
    secretsCallsPerSecret: number;
    /** CloudTrail data events a month (0 when the trail records management events only). @default 0 */
    cloudTrailDataEventsPerMonth: number;
}

/**
 * Disaster-recovery objectives the environment commits to. The offline plan prints them next to
 * what the deployed resources provide per failure scenario, and fails when one is missed.
 */
export interface RecoveryObjectives {
    /** Most data, minutes, a failure inside the site may lose (an instance, a node, a zone, a bad change). @default staging 1440, production 5 */
    rpoMinutes: number;
    /** Longest time, minutes, until the service is back after such a failure. @default staging 1440, production 60 */
    rtoMinutes: number;
    /** Most data, minutes, the loss of the whole region or site may lose; 0: no objective. @default staging 0, production 1440 */
    siteLossRpoMinutes: number;
    /** Longest time, minutes, until the service is back elsewhere after losing the region or site; 0: no objective. @default staging 0, production 480 */
    siteLossRtoMinutes: number;
}

/** Tags / labels written on everything taggable. */
export interface TagSettings {
    /** Team that owns the stack (tag `Owner`). */
    owner: string;
    /** Cost centre (tag `CostCenter`). */
    costCenter: string;
    /** Data classification (tag `DataClassification`). */
    dataClassification: DataClassification;
    /** Extra tags. */
    extra: Record<string, string>;
}

/** AWS-only settings. */
export interface AwsSettings {
    /** Region of the stack. */
    region: string;
    /** Region automated RDS backups are replicated to in production. */
    backupRegion: string;
    /** Use this ACM certificate instead of issuing one. */
    certificateArn?: string;
    /** Route 53 hosted zone for DNS validation and the alias record. */
    hostedZoneId?: string;
    /** Bring your own VPC: its id and subnet ids per tier. */
    existingVpc?: ExistingVpc;
    /** Bring your own KMS key (ARN) instead of the keys this library creates. */
    kmsKeyArn?: string;
    /** Bring your own SNS topic (ARN) for alarms. */
    alarmTopicArn?: string;
    /** The account id, so that no `sts:GetCallerIdentity` call is made (credential-less preview). */
    accountId?: string;
    /** Availability zone names, so that no `ec2:DescribeAvailabilityZones` call is made. */
    availabilityZones?: string[];
    /** AMI of the GPU instances, so that no `ssm:GetParameter` call is made (and the AMI is pinned). */
    gpuAmiId?: string;
    /**
     * PEM text of the region's RDS root CAs (https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem),
     * for a region the library's CA list does not cover yet. @default the library's CAs of the region
     */
    rdsCaBundle?: string;
    /**
     * More security groups admitted by PostgreSQL (5432) and Valkey (6379) besides the API's: a
     * reporting job, a migration runner, a bastion. Each needs its own reason to reach the data.
     */
    dataTierClientSecurityGroupIds?: string[];
    /**
     * Let the API and the GPU instances reach the internet on 443 (through the NAT gateways).
     * Off: HTTPS only to the VPC's endpoints and S3 (gateway endpoint); images must come from ECR
     * in the stack's region, the AWS-published helper images through an ECR pull-through cache of
     * ECR Public, and the LLM's models from the models bucket instead of the Ollama registry.
     * @default true staging, false production
     */
    internetEgress: boolean;
}

export interface ExistingVpc {
    vpcId: string;
    publicSubnetIds: string[];
    privateSubnetIds: string[];
    isolatedSubnetIds: string[];
    /** CIDR of the VPC (used for endpoint security groups). */
    cidr: string;
}

/** Kubernetes-only settings. */
export interface KubernetesSettings {
    /** Prefix of the namespaces (`<prefix>-edge`, `<prefix>-app`, `<prefix>-data`). */
    namespacePrefix: string;
    /** StorageClass for persistent volumes (empty: the cluster default). */
    storageClass: string;
    /** Gateway API or Ingress. */
    edgeMode: KubernetesEdgeMode;
    /** GatewayClass for the Gateway (edgeMode gateway). */
    gatewayClassName: string;
    /** IngressClass for the Ingress (edgeMode ingress). */
    ingressClassName: string;
    /** cert-manager ClusterIssuer that signs the edge certificate. */
    clusterIssuer: string;
    /**
     * cert-manager ClusterIssuer of the in-cluster certificates (PostgreSQL's and Valkey's server
     * certificates and their clients' trust): a CA or Vault issuer, whose Secrets carry `ca.crt` (an ACME issuer
     * cannot sign cluster-internal names).
     */
    internalIssuer: string;
    /** Registry mirror prepended to every image without a registry host (air-gapped clusters). */
    imageRegistry: string;
    /**
     * Ollama registry mirror prepended to every model without a registry host
     * (`<host>/library/llama3.1:8b`): air-gapped clusters pull from it. Empty: the public registry.
     */
    modelRegistry: string;
    /** CIDRs of the external object store (with objectStorageMode external): the only addresses its clients reach for it. */
    objectStorageCidrs: string[];
    /** CIDRs of the off-site store the logical backups are copied to. */
    offsiteObjectStorageCidrs: string[];
    /** CIDRs of the Kubernetes API server (CloudNativePG instances and the pooler talk to it). */
    apiServerCidrs: string[];
    /** Other HTTPS (443) destinations of the API: identity provider, external services. */
    apiEgressCidrs: string[];
    /** Where Ollama pulls its models on 443: the public registry needs 0.0.0.0/0, a mirror its own range. */
    modelSourceCidrs: string[];
    /** Named opt-out: production accepts 0.0.0.0/0 in the egress allow-lists above. */
    allowInternetEgress: boolean;
    /** Valkey image, pinned. */
    valkeyImage: string;
    /**
     * TLS on Valkey and its sentinels with a certificate from `internalIssuer`, clients verifying
     * it; `false` is the named opt-out (plaintext inside the cluster, NetworkPolicy isolation only).
     */
    cacheTls: boolean;
    /** CloudNativePG operand image with pgvector, pinned. */
    postgresImage: string;
    /** Image for the pg_dump CronJob, pinned. */
    backupImage: string;
    /** S3-compatible object storage. */
    objectStorageMode: ObjectStorageMode;
    /** Endpoint of the external S3-compatible store (objectStorageMode external). */
    objectStorageEndpoint: string;
    /** Existing Secret (app namespace) with ACCESS_KEY_ID / ACCESS_SECRET_KEY of the external store's documents-only identity (the API's). */
    objectStorageSecretName: string;
    /**
     * Existing Secret (data namespace) with the keys of the external store's backups-only identity
     * (CloudNativePG, the pg_dump job): never the API's, so a compromised API cannot reach backups.
     */
    objectStorageBackupsSecretName: string;
    /**
     * A second, off-site S3-compatible store (another site or region): the logical dumps are copied
     * there with their own credential. Required when `database.crossRegionBackup` is on.
     */
    offsiteObjectStorageEndpoint: string;
    /** Secret (data namespace) with ACCESS_KEY_ID / ACCESS_SECRET_KEY of the off-site store (write-only there is enough). */
    offsiteObjectStorageSecretName: string;
    /** Bucket of the off-site store. @default "rag-offsite-backups" */
    offsiteBucket: string;
    /** Months the dump of the first day of each month is kept (the monthly tier). @default 12 */
    logicalBackupMonthlyRetention: number;
    /** Image of the in-cluster S3 server (objectStorageMode in-cluster), pinned. */
    objectStorageImage: string;
    /** Node selector of GPU nodes. */
    gpuNodeSelector: Record<string, string>;
    /**
     * A ReadWriteMany StorageClass for one model volume shared by all LLM replicas (empty: one
     * ReadWriteOnce volume per replica, of `storageClass`).
     */
    llmSharedStorageClass: string;
    /** Taint key tolerated on GPU nodes. @default "nvidia.com/gpu" */
    gpuTolerationKey: string;
    /** RuntimeClass for GPU pods (empty: none). */
    gpuRuntimeClassName: string;
    /** Deploy ServiceMonitor/PodMonitor/PrometheusRule (needs prometheus-operator CRDs). */
    monitoring: boolean;
    /** Logical pg_dump CronJob in addition to CloudNativePG backups. */
    logicalBackup: boolean;
    /** Namespace of the CloudNativePG operator (for NetworkPolicies). @default "cnpg-system" */
    cnpgOperatorNamespace: string;
    /**
     * The database and cache credentials: `native` generates them and creates Secrets (their values
     * are in the state, encrypted, and in rendered YAML in plaintext); `external` creates External
     * Secrets Operator `ExternalSecret`s that read them from `externalSecretStore` (Vault, AWS
     * Secrets Manager…) at `externalSecretPath/{database,cache}`. @default "native"
     */
    secrets: KubernetesSecretMode;
    /** `ClusterSecretStore` the ExternalSecrets read from (secrets `external`). */
    externalSecretStore: string;
    /** Path of the stack's secrets in that store, e.g. `rag/production` (secrets `external`). */
    externalSecretPath: string;
    /**
     * Named opt-out: render manifests (`k8sRenderYamlDir`) with `secrets: native` although the
     * generated passwords are then written in plaintext into the YAML files. @default false
     */
    allowPlaintextRenderedSecrets: boolean;
    /** Namespace of the ingress / gateway controller (for NetworkPolicies). */
    edgeControllerNamespace: string;
    /**
     * Labels of the edge controller's pods: only they may reach the API (not every pod of their
     * namespace). Required when that namespace is `kube-system`, which other system pods share.
     * @default {} (the whole edge controller namespace)
     */
    edgeControllerPodSelector: Record<string, string>;
    /** Namespace of Prometheus (for NetworkPolicies). @default "monitoring" */
    monitoringNamespace: string;
    /**
     * Secret (in the app namespace, key `url`) with a webhook the alerts go to besides
     * `observability.alarmEmails` (an AlertmanagerConfig). @default "" (none)
     */
    alertWebhookSecretName: string;
    /**
     * The target cluster's node pools: what the offline plan checks the stack fits (at every
     * autoscaler's maximum) and what `npm run cluster:check` simulates. Describe your cluster.
     */
    nodePools: NodePool[];
}

/** A taint on the nodes of a pool. */
export interface NodeTaint {
    key: string;
    value?: string;
    effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** One pool of identical nodes of the target Kubernetes cluster. */
export interface NodePool {
    /** Pool name; nodes are `<name>-<n>`. */
    name: string;
    /** Nodes in the pool. */
    count: number;
    /** Allocatable vCPU per node. */
    cpu: number;
    /** Allocatable memory per node, GiB. */
    memoryGiB: number;
    /** GPUs per node (`nvidia.com/gpu`). @default 0 */
    gpus?: number;
    /** Allocatable ephemeral storage per node, GiB. @default 100 */
    ephemeralStorageGiB?: number;
    /** Zones the nodes are spread over, round-robin (`topology.kubernetes.io/zone`). */
    zones: string[];
    /** Node labels. */
    labels?: Record<string, string>;
    /** Node taints. */
    taints?: NodeTaint[];
}

/** Everything that describes one stack, fully resolved (no optional knobs left but BYO ones). */
export interface StackSettings {
    /** Name prefix of every resource. @default "rag" */
    name: string;
    target: Target;
    environment: EnvironmentName;
    /** Public host name of the API, e.g. `rag.example.gov`. Required: TLS needs it. */
    domain: string;
    /**
     * Protect stateful resources (database, buckets, keys) with `protect` and `retainOnDelete`.
     * On by default in production.
     */
    protectData: boolean;
    tags: TagSettings;
    api: ApiSettings;
    llm: LlmSettings;
    database: DatabaseSettings;
    cache: CacheSettings;
    storage: StorageSettings;
    network: NetworkSettings;
    edge: EdgeSettings;
    observability: ObservabilitySettings;
    /** Rotation of generated secrets and the alarm on their age. */
    secrets: SecretSettings;
    /** Disaster-recovery objectives (RPO/RTO) the plan checks the stack against. */
    recovery: RecoveryObjectives;
    /** What the cost estimate assumes about use (the plan prints it with the estimate). */
    costAssumptions: CostAssumptions;
    aws: AwsSettings;
    kubernetes: KubernetesSettings;
}

/** Deep partial used for overrides. Arrays and records are replaced, not merged. */
export type DeepPartial<T> = {
    [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends Record<string, string> ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};
