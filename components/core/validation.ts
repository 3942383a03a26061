/**
 * One validation layer for all user input: stack config and component args.
 * Every check names the field, the value it got and what is allowed, and every entry point calls
 * these before it registers a single resource.
 */
import {
    CACHE_NODE_TYPES,
    ISO_COUNTRY_CODES,
    partitionOfRegion,
    SUPPORTED_PARTITIONS,
    supportedRegions,
    families,
    FARGATE_CPUS,
    FARGATE_MEMORY_MIB,
    GPU_INSTANCE_TYPES,
    inCatalog,
    LOG_RETENTION_DAYS,
    minMaxAllocatedStorage,
    RDS_INSTANCE_CLASSES,
} from "./aws-catalog";
import {
    CostAssumptions,
    DATA_CLASSIFICATIONS,
    ENVIRONMENTS,
    K8S_EDGE_MODES,
    K8S_SECRET_MODES,
    NAT_STRATEGIES,
    OBJECT_STORAGE_MODES,
    RESTORE_TIME,
    RestoreSource,
    StackSettings,
    TARGETS,
} from "./types";
import { REFERRER_POLICIES } from "./facts";

/** A problem with one input field. */
export interface ValidationIssue {
    field: string;
    value: unknown;
    allowed: string;
}

/** Thrown for invalid input, before any resource is registered. Lists every problem found. */
export class ValidationError extends Error {
    readonly issues: ValidationIssue[];
    constructor(context: string, issues: ValidationIssue[]) {
        super(`${context}: invalid input\n` + issues.map((i) => `  - ${i.field}: got ${show(i.value)}; allowed: ${i.allowed}`).join("\n"));
        this.name = "ValidationError";
        this.issues = issues;
    }
}

function show(v: unknown): string {
    if (v === undefined) return "nothing (the field is missing)";
    if (typeof v === "string") return JSON.stringify(v);
    try {
        return JSON.stringify(v);
    } catch {
        return String(v);
    }
}

/** Collects issues; `throwIfAny` raises one ValidationError with all of them. */
export class Validator {
    readonly issues: ValidationIssue[] = [];
    constructor(private readonly context: string) {}

    fail(field: string, value: unknown, allowed: string): void {
        this.issues.push({ field, value, allowed });
    }

    oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): value is T {
        if (typeof value !== "string" || !allowed.includes(value as T)) {
            this.fail(field, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
            return false;
        }
        return true;
    }

    int(field: string, value: unknown, min: number, max: number): boolean {
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.fail(field, value, `an integer from ${min} to ${max}`);
            return false;
        }
        return true;
    }

    number(field: string, value: unknown, min: number, max: number): boolean {
        if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
            this.fail(field, value, `a number from ${min} to ${max}`);
            return false;
        }
        return true;
    }

    bool(field: string, value: unknown): boolean {
        if (typeof value !== "boolean") {
            this.fail(field, value, "true or false");
            return false;
        }
        return true;
    }

    nonEmpty(field: string, value: unknown, what = "a non-empty string"): boolean {
        if (typeof value !== "string" || value.trim() === "") {
            this.fail(field, value, what);
            return false;
        }
        return true;
    }

    matches(field: string, value: unknown, re: RegExp, allowed: string): boolean {
        if (typeof value !== "string" || !re.test(value)) {
            this.fail(field, value, allowed);
            return false;
        }
        return true;
    }

    cidr(field: string, value: unknown, minPrefix = 0, maxPrefix = 32): boolean {
        if (typeof value !== "string" || !isCidr(value)) {
            this.fail(field, value, "an IPv4 CIDR such as 10.0.0.0/16");
            return false;
        }
        const prefix = Number(value.split("/")[1]);
        if (prefix < minPrefix || prefix > maxPrefix) {
            this.fail(field, value, `an IPv4 CIDR with a prefix from /${minPrefix} to /${maxPrefix}`);
            return false;
        }
        return true;
    }

    image(field: string, value: unknown): boolean {
        if (typeof value !== "string" || value.trim() === "") {
            this.fail(field, value, "a container image pinned by tag or digest, e.g. registry/app:1.2.3");
            return false;
        }
        if (!isImageReference(value)) {
            this.fail(
                field,
                value,
                "an image reference [registry[:port]/]repository[:tag][@sha256:<64 hex>]: no scheme, no spaces, a lower-case repository, a whole digest",
            );
            return false;
        }
        if (!isPinnedImage(value)) {
            this.fail(field, value, "an image pinned by a tag other than `latest` or by an @sha256 digest");
            return false;
        }
        return true;
    }

    /** A list whose entries must differ (zones, CIDRs, e-mails, countries): names the first repeated entry. */
    unique(field: string, value: unknown): boolean {
        if (!Array.isArray(value)) return true;
        const seen = new Set<unknown>();
        for (const [i, item] of value.entries()) {
            if (seen.has(item)) {
                this.fail(`${field}[${i}]`, item, `a value not already in ${field} (each entry once)`);
                return false;
            }
            seen.add(item);
        }
        return true;
    }

    /**
     * An AWS region of a partition the stack plans for (`aws`, `aws-us-gov`), by AWS's list of
     * regions: a well-formed name AWS does not have (`eu-west-9`) is refused too.
     */
    awsRegion(field: string, value: unknown): boolean {
        const partition = partitionOfRegion(value);
        if (partition === undefined) {
            const near = typeof value === "string" ? didYouMean(value, supportedRegions()) : "";
            this.fail(field, value, `an AWS region, one of ${supportedRegions().join(", ")}${near}`);
            return false;
        }
        if (!SUPPORTED_PARTITIONS.includes(partition)) {
            this.fail(
                field,
                value,
                `a region of the ${SUPPORTED_PARTITIONS.join(" or ")} partition: ${String(value)} is in ${partition}, whose endpoint service names and service principals this stack does not build`,
            );
            return false;
        }
        return true;
    }

    /** `create` and `existing` forms of one thing are mutually exclusive. */
    exclusive(fieldA: string, a: unknown, fieldB: string, b: unknown): boolean {
        if (a !== undefined && a !== false && b !== undefined && b !== false) {
            this.fail(`${fieldA} / ${fieldB}`, { [fieldA]: a, [fieldB]: b }, `either ${fieldA} or ${fieldB}, not both`);
            return false;
        }
        return true;
    }

    throwIfAny(): void {
        if (this.issues.length > 0) throw new ValidationError(this.context, this.issues);
    }
}

/** True for a syntactically valid IPv4 CIDR whose address is the network address. */
export function isCidr(value: string): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!m) return false;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return false;
    const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return (addr & mask) >>> 0 === addr;
}

/**
 * True for a reference in the OCI distribution grammar: `[host[:port]/]path[:tag][@sha256:<64 hex>]`,
 * path components lower-case (`[a-z0-9]+` joined by `.`, `_`, `__` or dashes), a tag of at most 128
 * word characters, dots and dashes. Refuses a scheme (`https://`), spaces, an upper-case
 * repository and a truncated digest. https://github.com/distribution/reference (grammar)
 */
export function isImageReference(image: string): boolean {
    const m = /^([^@]+?)(?::([\w][\w.-]{0,127}))?(?:@sha256:([a-f0-9]{64}))?$/.exec(image);
    if (!m || image.includes("@") !== (m[3] !== undefined)) return false;
    const parts = m[1].split("/");
    const first = parts[0];
    const hasDomain = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost" || /[A-Z]/.test(first));
    if (hasDomain) {
        const domain = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/;
        if (!domain.test(first)) return false;
        parts.shift();
    }
    return parts.length > 0 && parts.every((c) => /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(c));
}

/** True when an image reference names a tag other than `latest`, or a digest. */
export function isPinnedImage(image: string): boolean {
    if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
    const lastSlash = image.lastIndexOf("/");
    const tail = image.slice(lastSlash + 1);
    const colon = tail.lastIndexOf(":");
    if (colon < 0) return false;
    const tag = tail.slice(colon + 1);
    return tag !== "" && tag !== "latest" && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag);
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const NAME_RE = /^[a-z][a-z0-9-]{1,20}[a-z0-9]$/;
const MODEL_RE = /^[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9._-]+)?$/;
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Fargate memory range (MiB) allowed for a vCPU size. */
export function fargateMemoryRange(cpu: number): [number, number] {
    const allowed = FARGATE_MEMORY_MIB[String(cpu)] ?? FARGATE_MEMORY_MIB["16"];
    return [allowed[0], allowed[allowed.length - 1]];
}

/** Checks a Fargate vCPU / memory pair against the sizes ECS accepts. */
export function checkFargateSize(v: Validator, cpuField: string, cpu: unknown, memoryField: string, memory: unknown): void {
    if (typeof cpu !== "number" || !FARGATE_CPUS.includes(cpu)) {
        v.fail(cpuField, cpu, `one of ${FARGATE_CPUS.join(", ")} vCPU (Fargate task sizes)`);
        return;
    }
    const allowed = FARGATE_MEMORY_MIB[String(cpu)];
    if (typeof memory !== "number" || !allowed.includes(memory)) {
        const [lo, hi] = [allowed[0], allowed[allowed.length - 1]];
        const step = allowed.length > 1 ? allowed[1] - allowed[0] : 0;
        v.fail(
            memoryField,
            memory,
            allowed.length <= 3 ? `with ${cpu} vCPU on Fargate one of ${allowed.join(", ")}` : `with ${cpu} vCPU on Fargate ${lo} to ${hi} in steps of ${step}`,
        );
    }
}

/** Checks a CloudWatch Logs retention against the values the API accepts. */
/** Environment variables the stacks inject into the API themselves (an app secret may not shadow one). */
export const API_RESERVED_ENV = [
    "PORT",
    "ENVIRONMENT",
    "APP_SECRET_KEY",
    "CREDENTIALS_ROTATED_ON",
    "DATABASE_HOST",
    "DATABASE_READER_HOST",
    "DATABASE_PORT",
    "DATABASE_NAME",
    "DATABASE_USER",
    "DATABASE_PASSWORD",
    "DATABASE_IAM_AUTH",
    "DATABASE_SSLMODE",
    "DATABASE_SSLROOTCERT",
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_PASSWORD",
    "REDIS_AUTH_TOKEN",
    "REDIS_TLS",
    "REDIS_TLS_CA_FILE",
    "REDIS_SENTINEL_HOSTS",
    "REDIS_SENTINEL_MASTER",
    "OLLAMA_BASE_URL",
    "DOCUMENTS_BUCKET",
    "BACKUPS_BUCKET",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "S3_ENDPOINT",
] as const;

/** A Secrets Manager secret ARN, optionally followed by `:<json key>` (ECS `valueFrom`). */
export const SECRETS_MANAGER_REF_RE = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(:[A-Za-z0-9_.-]+)?$/;
/** `<Secret>/<key>` of a Kubernetes Secret. */
export const K8S_SECRET_REF_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/[-._a-zA-Z0-9]{1,253}$/;

/** The API's own secrets: variable names, references of the target's form, no clash with what the stack injects. */
export function checkApiSecrets(v: Validator, target: string, secrets: Record<string, string>, env: Record<string, string>): void {
    if (secrets === null || typeof secrets !== "object" || Array.isArray(secrets)) {
        v.fail("api.secrets", secrets, "an object: { ENV_NAME: reference }");
        return;
    }
    for (const [name, ref] of Object.entries(secrets)) {
        const field = `api.secrets.${name}`;
        if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) v.fail(field, name, "an environment variable name ([A-Z_][A-Z0-9_]*)");
        else if ((API_RESERVED_ENV as readonly string[]).includes(name)) v.fail(field, name, "a name the stack does not inject itself (it sets this one)");
        else if (name in env) v.fail(field, name, "a name not also in api.env");
        if (target === "aws")
            v.matches(
                field,
                ref,
                SECRETS_MANAGER_REF_RE,
                "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), optionally :<json key>",
            );
        else v.matches(field, ref, K8S_SECRET_REF_RE, "<Secret>/<key> of a Secret in the app namespace");
    }
}

/** A rotation date: "" (never rotated) or a real calendar date YYYY-MM-DD. */
export function checkRotatedOn(v: Validator, field: string, value: unknown): void {
    if (value === "") return;
    if (!v.matches(field, value, /^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD (e.g. the day of the rotation) or "" for never')) return;
    const d = new Date(`${value as string}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) v.fail(field, value, "a calendar date YYYY-MM-DD that exists");
}

/** Images in private ECR of `region` (reached through the VPC's ECR endpoints). */
export function ecrImageRe(region: string): RegExp {
    return new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region.replace(/[^a-z0-9-]/g, "")}\\.amazonaws\\.com(\\.cn)?/[a-z0-9][a-z0-9._/-]*[:@]`);
}

export function checkLogRetention(v: Validator, field: string, days: unknown): void {
    if (typeof days !== "number" || !(LOG_RETENTION_DAYS as readonly number[]).includes(days))
        v.fail(field, days, `a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(", ")}`);
}

/** Checks a GPU instance type and the GPUs one task asks of it. */
export function checkGpuInstance(v: Validator, typeField: string, instanceType: unknown, gpusField: string, gpus: unknown): void {
    const spec = typeof instanceType === "string" ? GPU_INSTANCE_TYPES[instanceType] : undefined;
    if (!spec) {
        const fams = [...new Set(Object.keys(GPU_INSTANCE_TYPES).map((t) => t.split(".")[0]))].join(", ");
        v.fail(typeField, instanceType, `a GPU instance type of the ${fams} families (e.g. g5.xlarge, g5.2xlarge, g6e.xlarge)`);
        return;
    }
    if (typeof gpus === "number" && gpus > spec.gpus)
        v.fail(gpusField, gpus, `at most ${spec.gpus}: ${instanceType} has ${spec.gpus} GPU${spec.gpus > 1 ? "s" : ""}`);
}

/**
 * Validates fully resolved stack settings. Throws one ValidationError naming every bad field.
 * Called by the program, the facade and each component entry point before anything is registered.
 */
export function validateStackSettings(s: StackSettings, context = "rag stack"): void {
    const v = new Validator(context);
    v.matches("name", s.name, NAME_RE, "3-22 characters: lower-case letters, digits and '-', starting with a letter");
    v.oneOf("target", s.target, TARGETS);
    v.oneOf("environment", s.environment, ENVIRONMENTS);
    v.matches("domain", s.domain, DOMAIN_RE, "a lower-case DNS name such as rag.example.gov (HTTPS needs a domain)");
    v.bool("protectData", s.protectData);

    // Tag values as AWS takes them: at most 256 characters of letters, digits, spaces and _.:/=+-@.
    // https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
    const tagValue = /^[\p{L}\p{N}_.:/=+\-@][\p{L}\p{Z}\p{N}_.:/=+\-@]{0,255}$/u;
    const tagAllowed = (what: string) => `${what}: 1 to 256 letters, digits, spaces and _ . : / = + - @`;
    if (v.nonEmpty("tags.owner", s.tags?.owner, "a non-empty team or person name"))
        v.matches("tags.owner", s.tags.owner, tagValue, tagAllowed("a team or person name"));
    if (v.nonEmpty("tags.costCenter", s.tags?.costCenter, "a non-empty cost centre"))
        v.matches("tags.costCenter", s.tags.costCenter, tagValue, tagAllowed("a cost centre"));
    v.oneOf("tags.dataClassification", s.tags?.dataClassification, DATA_CLASSIFICATIONS);
    checkStringMap(
        v,
        "tags.extra",
        s.tags?.extra,
        /^[A-Za-z0-9_.:/=+@-][A-Za-z0-9 _.:/=+@-]{0,127}$/,
        "tag keys and string values (AWS tag syntax, keys up to 128 characters)",
    );

    const api = s.api;
    v.image("api.image", api.image);
    v.int("api.port", api.port, 1024, 65535);
    v.matches("api.healthPath", api.healthPath, /^\/[A-Za-z0-9/_.-]*$/, "a path starting with '/'");
    if (s.target === "aws") checkFargateSize(v, "api.cpu", api.cpu, "api.memoryMiB", api.memoryMiB);
    else {
        v.number("api.cpu", api.cpu, 0.1, 64);
        v.int("api.memoryMiB", api.memoryMiB, 128, 262144);
    }
    v.int("api.minReplicas", api.minReplicas, 1, 100);
    v.int("api.maxReplicas", api.maxReplicas, 1, 200);
    if (api.minReplicas > api.maxReplicas) v.fail("api.minReplicas", api.minReplicas, `at most api.maxReplicas (${api.maxReplicas})`);
    v.int("api.cpuTargetPercent", api.cpuTargetPercent, 10, 95);
    v.int("api.memoryTargetPercent", api.memoryTargetPercent, 10, 95);
    v.int("api.requestsPerTarget", api.requestsPerTarget, 1, 100000);
    v.bool("api.imageManagedByCi", api.imageManagedByCi);
    for (const k of Object.keys(api.env ?? {})) {
        if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) v.fail(`api.env.${k}`, k, "an environment variable name ([A-Z_][A-Z0-9_]*)");
        if (/PASSWORD|SECRET|TOKEN|API_KEY/i.test(k))
            v.fail(`api.env.${k}`, "(hidden)", "no secrets in plain environment values: secrets are injected by the library");
        else if ((API_RESERVED_ENV as readonly string[]).includes(k))
            v.fail(`api.env.${k}`, k, `a name the stack does not set itself (it sets ${API_RESERVED_ENV.join(", ")})`);
    }

    checkApiSecrets(v, s.target, api.secrets ?? {}, api.env ?? {});

    const llm = s.llm;
    v.bool("llm.enabled", llm.enabled);
    if (llm.enabled) {
        v.image("llm.image", llm.image);
        if (!Array.isArray(llm.models) || llm.models.length === 0) v.fail("llm.models", llm.models, "at least one model name such as llama3.1:8b");
        else llm.models.forEach((m, i) => v.matches(`llm.models[${i}]`, m, MODEL_RE, "an Ollama model name such as llama3.1:8b"));
        v.int("llm.gpusPerNode", llm.gpusPerNode, 1, 8);
        if (s.target === "aws") checkGpuInstance(v, "llm.instanceType", llm.instanceType, "llm.gpusPerNode", llm.gpusPerNode);
        v.int("llm.maxNodes", llm.maxNodes, 1, 50);
        v.int("llm.minNodes", llm.minNodes, 0, 50);
        v.int("llm.desiredNodes", llm.desiredNodes, 0, 50);
        if (llm.minNodes > llm.desiredNodes || llm.desiredNodes > llm.maxNodes)
            v.fail("llm.desiredNodes", llm.desiredNodes, `between llm.minNodes (${llm.minNodes}) and llm.maxNodes (${llm.maxNodes})`);
        v.int("llm.modelVolumeGiB", llm.modelVolumeGiB, 30, 16384);
        v.matches("llm.keepAlive", llm.keepAlive, /^(-1|\d+[smh]?)$/, "a duration such as 5m, 24h or -1");
        v.bool("llm.spot", llm.spot);
    }

    const db = s.database;
    v.matches("database.engineVersion", db.engineVersion, /^(15|16|17)(\.\d+)?$/, "PostgreSQL 15, 16 or 17 (pgvector needs >= 15.2)");
    if (!inCatalog(RDS_INSTANCE_CLASSES, db.instanceClass))
        v.fail(
            "database.instanceClass",
            db.instanceClass,
            `an RDS for PostgreSQL instance class such as db.r6g.large (families: ${families(RDS_INSTANCE_CLASSES)})`,
        );
    v.number("database.cpu", db.cpu, 0.25, 64);
    v.int("database.memoryMiB", db.memoryMiB, 256, 524288);
    v.int("database.storageGiB", db.storageGiB, 20, 65536);
    v.int("database.maxStorageGiB", db.maxStorageGiB, 20, 65536);
    if (db.maxStorageGiB < minMaxAllocatedStorage(db.storageGiB))
        v.fail(
            "database.maxStorageGiB",
            db.maxStorageGiB,
            `at least ${minMaxAllocatedStorage(db.storageGiB)}: RDS storage autoscaling needs a ceiling 10% above database.storageGiB (${db.storageGiB})`,
        );
    v.int("database.backupRetentionDays", db.backupRetentionDays, 1, 35);
    v.bool("database.multiAz", db.multiAz);
    v.int("database.readReplicas", db.readReplicas, 0, 5);
    v.bool("database.deletionProtection", db.deletionProtection);
    v.bool("database.crossRegionBackup", db.crossRegionBackup);
    v.bool("database.connectionPooler", db.connectionPooler);
    checkRestoreSource(v, "database.restoreFrom", db.restoreFrom);

    const c = s.cache;
    if (!inCatalog(CACHE_NODE_TYPES, c.nodeType))
        v.fail("cache.nodeType", c.nodeType, `an ElastiCache node type such as cache.r7g.large (families: ${families(CACHE_NODE_TYPES)})`);
    v.int("cache.replicas", c.replicas, 0, 5);
    v.bool("cache.automaticFailover", c.automaticFailover);
    if (c.automaticFailover && c.replicas < 1) v.fail("cache.replicas", c.replicas, "at least 1 when cache.automaticFailover is true");
    v.int("cache.snapshotRetentionDays", c.snapshotRetentionDays, 0, 35);
    v.int("cache.memoryMiB", c.memoryMiB, 64, 262144);

    const st = s.storage;
    v.int("storage.transitionToIaDays", st.transitionToIaDays, 30, 3650);
    v.int("storage.transitionToGlacierDays", st.transitionToGlacierDays, 31, 3650);
    if (st.transitionToGlacierDays <= st.transitionToIaDays)
        v.fail("storage.transitionToGlacierDays", st.transitionToGlacierDays, `greater than storage.transitionToIaDays (${st.transitionToIaDays})`);
    v.int("storage.noncurrentVersionExpirationDays", st.noncurrentVersionExpirationDays, 1, 3650);
    if (st.objectLock !== "none") {
        if (st.objectLock === null || typeof st.objectLock !== "object")
            v.fail("storage.objectLock", st.objectLock, '"none" or { mode: "GOVERNANCE" | "COMPLIANCE", days }');
        else {
            v.oneOf("storage.objectLock.mode", st.objectLock.mode, ["GOVERNANCE", "COMPLIANCE"] as const);
            v.int("storage.objectLock.days", st.objectLock.days, 1, 36500);
        }
    }

    const n = s.network;
    v.cidr("network.cidr", n.cidr, 16, 20);
    v.int("network.azCount", n.azCount, 2, 3);
    v.oneOf("network.natStrategy", n.natStrategy, NAT_STRATEGIES);
    if (!Array.isArray(n.allowedIngressCidrs) || n.allowedIngressCidrs.length === 0)
        v.fail("network.allowedIngressCidrs", n.allowedIngressCidrs, "at least one IPv4 CIDR");
    else {
        n.allowedIngressCidrs.forEach((cidr, i) => v.cidr(`network.allowedIngressCidrs[${i}]`, cidr));
        v.unique("network.allowedIngressCidrs", n.allowedIngressCidrs);
    }

    v.int("edge.rateLimitPer5Min", s.edge.rateLimitPer5Min, 100, 2000000000);
    v.bool("edge.hsts", s.edge.hsts);
    checkContentSecurityPolicy(v, "edge.contentSecurityPolicy", s.edge.contentSecurityPolicy);
    v.oneOf("edge.referrerPolicy", s.edge.referrerPolicy, [...REFERRER_POLICIES]);
    v.int("edge.idleTimeoutSeconds", s.edge.idleTimeoutSeconds, 1, 4000);
    (s.edge.allowedCountries ?? []).forEach((c, i) =>
        v.matches(
            `edge.allowedCountries[${i}]`,
            c,
            new RegExp(`^(${ISO_COUNTRY_CODES.join("|")})$`),
            'an ISO 3166-1 alpha-2 country code WAF knows, such as DE or GB (not "UK")',
        ),
    );
    v.unique("edge.allowedCountries", s.edge.allowedCountries);
    (s.edge.loginPaths ?? []).forEach((p, i) =>
        v.matches(`edge.loginPaths[${i}]`, p, /^\/[A-Za-z0-9/_.~-]{0,200}$/, "a path prefix starting with '/', such as /auth/login"),
    );
    v.int("edge.loginRateLimitPer5Min", s.edge.loginRateLimitPer5Min, 10, s.edge.rateLimitPer5Min);

    checkLogRetention(v, "observability.logRetentionDays", s.observability.logRetentionDays);
    (s.observability.alarmEmails ?? []).forEach((e, i) => v.matches(`observability.alarmEmails[${i}]`, e, EMAIL_RE, "an e-mail address"));
    v.unique("observability.alarmEmails", s.observability.alarmEmails);

    checkRotatedOn(v, "secrets.rotatedOn", s.secrets.rotatedOn);
    v.int("secrets.maxAgeDays", s.secrets.maxAgeDays, 7, 400);

    if (s.environment === "production") {
        if (s.database.backupRetentionDays < 7) v.fail("database.backupRetentionDays", db.backupRetentionDays, "at least 7 in production");
    }

    if (s.target === "aws") {
        const a = s.aws;
        v.awsRegion("aws.region", a.region);
        if (v.awsRegion("aws.backupRegion", a.backupRegion) && partitionOfRegion(a.backupRegion) !== partitionOfRegion(a.region))
            v.fail("aws.backupRegion", a.backupRegion, `a region of the same partition as aws.region (${partitionOfRegion(a.region)})`);
        if (db.crossRegionBackup && a.backupRegion === a.region)
            v.fail("aws.backupRegion", a.backupRegion, `a region other than aws.region (${a.region}) when database.crossRegionBackup is true`);
        if (a.certificateArn !== undefined)
            v.matches("aws.certificateArn", a.certificateArn, /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, "an ACM certificate ARN");
        if (a.kmsKeyArn !== undefined)
            v.matches("aws.kmsKeyArn", a.kmsKeyArn, /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/, "a KMS key or alias ARN");
        if (a.alarmTopicArn !== undefined)
            v.matches("aws.alarmTopicArn", a.alarmTopicArn, /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, "an SNS topic ARN");
        if (a.accountId !== undefined) v.matches("aws.accountId", a.accountId, /^\d{12}$/, "a 12-digit AWS account id");
        if (a.availabilityZones !== undefined) {
            if (!Array.isArray(a.availabilityZones) || a.availabilityZones.length < s.network.azCount)
                v.fail("aws.availabilityZones", a.availabilityZones, `at least network.azCount (${s.network.azCount}) zone names of ${a.region}`);
            else {
                a.availabilityZones.forEach((z, i) =>
                    v.matches(`aws.availabilityZones[${i}]`, z, new RegExp(`^${a.region}[a-z]$`), `a zone of aws.region (${a.region}), such as ${a.region}a`),
                );
                v.unique("aws.availabilityZones", a.availabilityZones);
            }
        }
        if (a.gpuAmiId !== undefined) v.matches("aws.gpuAmiId", a.gpuAmiId, /^ami-[0-9a-f]{8,17}$/, "an AMI id (ami-...)");
        if (a.dataTierClientSecurityGroupIds !== undefined) {
            if (!Array.isArray(a.dataTierClientSecurityGroupIds))
                v.fail("aws.dataTierClientSecurityGroupIds", a.dataTierClientSecurityGroupIds, "a list of security group ids");
            else
                a.dataTierClientSecurityGroupIds.forEach((id, i) =>
                    v.matches(`aws.dataTierClientSecurityGroupIds[${i}]`, id, /^sg-[0-9a-f]{8,17}$/, "a security group id (sg-...)"),
                );
        }
        if (a.hostedZoneId !== undefined) v.matches("aws.hostedZoneId", a.hostedZoneId, /^Z[A-Z0-9]{4,32}$/, "a Route 53 hosted zone id (Z...)");
        if (a.certificateArn === undefined && a.hostedZoneId === undefined)
            v.fail(
                "aws.certificateArn / aws.hostedZoneId",
                undefined,
                "one of them: HTTPS needs a certificate (given, or issued with DNS validation in the zone)",
            );
        v.bool("aws.internetEgress", a.internetEgress);
        if (a.internetEgress === false) {
            // Without the internet, tasks and hosts pull only from ECR in the stack's region (the endpoints).
            const ecr = ecrImageRe(a.region);
            const remedy = `an image in ECR of ${a.region} (<account>.dkr.ecr.${a.region}.amazonaws.com/<repository>:<tag>) while aws.internetEgress is false: copy it there (docs/aws.md "No internet egress"), or set awsInternetEgress true`;
            if (!ecr.test(s.api.image)) v.fail("api.image", s.api.image, remedy);
            if (s.llm.enabled && !ecr.test(s.llm.image)) v.fail("llm.image", s.llm.image, remedy);
        }
        if (a.existingVpc) {
            const e = a.existingVpc;
            v.matches("aws.existingVpc.vpcId", e.vpcId, /^vpc-[0-9a-f]{8,17}$/, "a VPC id (vpc-...)");
            v.cidr("aws.existingVpc.cidr", e.cidr, 8, 24);
            for (const tier of ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"] as const) {
                const ids = e[tier];
                if (!Array.isArray(ids) || ids.length < 2) v.fail(`aws.existingVpc.${tier}`, ids, "at least two subnet ids (subnet-...) in different AZs");
                else ids.forEach((id, i) => v.matches(`aws.existingVpc.${tier}[${i}]`, id, /^subnet-[0-9a-f]{8,17}$/, "a subnet id (subnet-...)"));
            }
        }
    } else if (s.target === "kubernetes") {
        const k = s.kubernetes;
        v.matches("kubernetes.namespacePrefix", k.namespacePrefix, /^[a-z][a-z0-9-]{0,40}$/, "a DNS label prefix (lower-case, up to 41 characters)");
        v.oneOf("kubernetes.edgeMode", k.edgeMode, K8S_EDGE_MODES);
        v.nonEmpty("kubernetes.clusterIssuer", k.clusterIssuer, "the name of a cert-manager ClusterIssuer");
        v.nonEmpty("kubernetes.internalIssuer", k.internalIssuer, "the name of a cert-manager ClusterIssuer of kind CA or Vault (its Secrets carry ca.crt)");
        if (k.edgeMode === "gateway") v.nonEmpty("kubernetes.gatewayClassName", k.gatewayClassName, "a GatewayClass name");
        if (k.edgeMode === "gateway" && s.network.allowedIngressCidrs.some((c) => c !== "0.0.0.0/0"))
            v.fail(
                "network.allowedIngressCidrs",
                s.network.allowedIngressCidrs,
                '["0.0.0.0/0"] on the kubernetes target with kubernetes.edgeMode gateway (Gateway API has no standard client-address filter: use edgeMode ingress, or your gateway controller\'s policy)',
            );
        if (k.edgeMode === "ingress") v.nonEmpty("kubernetes.ingressClassName", k.ingressClassName, "an IngressClass name");
        v.matches("kubernetes.imageRegistry", k.imageRegistry, /^([a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*)?$/, "empty, or a registry host with an optional path");
        v.image("kubernetes.valkeyImage", k.valkeyImage);
        v.image("kubernetes.postgresImage", k.postgresImage);
        v.image("kubernetes.backupImage", k.backupImage);
        v.oneOf("kubernetes.objectStorageMode", k.objectStorageMode, OBJECT_STORAGE_MODES);
        v.oneOf("kubernetes.secrets", k.secrets, K8S_SECRET_MODES);
        v.bool("kubernetes.allowPlaintextRenderedSecrets", k.allowPlaintextRenderedSecrets);
        if (k.secrets === "external") {
            v.matches(
                "kubernetes.externalSecretStore",
                k.externalSecretStore,
                /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/,
                "the name of a ClusterSecretStore when kubernetes.secrets is external",
            );
            v.matches(
                "kubernetes.externalSecretPath",
                k.externalSecretPath,
                /^[A-Za-z0-9_./-]{1,200}$/,
                "the path of the stack's secrets in the store, e.g. rag/production",
            );
            if (k.objectStorageMode !== "external")
                v.fail(
                    "kubernetes.objectStorageMode",
                    k.objectStorageMode,
                    '"external" when kubernetes.secrets is external (the in-cluster store generates its own credentials)',
                );
        }
        if (k.objectStorageMode === "external") {
            v.matches(
                "kubernetes.objectStorageEndpoint",
                k.objectStorageEndpoint,
                /^https:\/\/[^\s/]+(:\d+)?\/?$/,
                "an https:// URL of the S3-compatible endpoint",
            );
            v.nonEmpty("kubernetes.objectStorageSecretName", k.objectStorageSecretName, "the name of a Secret holding ACCESS_KEY_ID and ACCESS_SECRET_KEY");
            v.nonEmpty(
                "kubernetes.objectStorageBackupsSecretName",
                k.objectStorageBackupsSecretName,
                "the name of a Secret (data namespace) with the keys of an identity limited to the backups bucket",
            );
            if (k.objectStorageBackupsSecretName && k.objectStorageBackupsSecretName === k.objectStorageSecretName)
                v.fail(
                    "kubernetes.objectStorageBackupsSecretName",
                    k.objectStorageBackupsSecretName,
                    "a Secret other than kubernetes.objectStorageSecretName (one identity per consumer)",
                );
        }
        v.int("kubernetes.logicalBackupMonthlyRetention", k.logicalBackupMonthlyRetention, 0, 120);
        v.matches("kubernetes.offsiteBucket", k.offsiteBucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name");
        if (s.database.crossRegionBackup) {
            const optOut = "(or set database.crossRegionBackup to false, the named opt-out)";
            v.matches(
                "kubernetes.offsiteObjectStorageEndpoint",
                k.offsiteObjectStorageEndpoint,
                /^https:\/\/[^\s/]+(:\d+)?\/?$/,
                `an https:// URL of a second, off-site S3-compatible store when database.crossRegionBackup is on ${optOut}`,
            );
            if (k.offsiteObjectStorageEndpoint && k.offsiteObjectStorageEndpoint.replace(/\/$/, "") === k.objectStorageEndpoint.replace(/\/$/, ""))
                v.fail(
                    "kubernetes.offsiteObjectStorageEndpoint",
                    k.offsiteObjectStorageEndpoint,
                    "a store other than kubernetes.objectStorageEndpoint (off site)",
                );
            v.nonEmpty(
                "kubernetes.offsiteObjectStorageSecretName",
                k.offsiteObjectStorageSecretName,
                `the name of a Secret holding ACCESS_KEY_ID and ACCESS_SECRET_KEY of the off-site store ${optOut}`,
            );
            if (!k.logicalBackup)
                v.fail(
                    "kubernetes.logicalBackup",
                    k.logicalBackup,
                    `true when database.crossRegionBackup is on: the off-site copy is the logical dump ${optOut}`,
                );
        }
        if (k.objectStorageMode === "in-cluster") {
            v.image("kubernetes.objectStorageImage", k.objectStorageImage);
        }
        checkEgress(v, s);
        checkNodePools(v, "kubernetes.nodePools", k.nodePools);
        checkStringMap(
            v,
            "kubernetes.gpuNodeSelector",
            k.gpuNodeSelector,
            /^([a-z0-9.-]+\/)?[A-Za-z0-9._-]{1,63}$/,
            "label keys ([prefix/]name) with string values",
        );
        checkStringMap(
            v,
            "kubernetes.edgeControllerPodSelector",
            k.edgeControllerPodSelector,
            /^([a-z0-9.-]+\/)?[A-Za-z0-9._-]{1,63}$/,
            "label keys ([prefix/]name) with string values",
        );
        if (k.edgeControllerNamespace === "kube-system" && Object.keys(k.edgeControllerPodSelector ?? {}).length === 0)
            v.fail(
                "kubernetes.edgeControllerPodSelector",
                k.edgeControllerPodSelector,
                "the edge controller's pod labels when kubernetes.edgeControllerNamespace is kube-system (every system pod there would reach the API)",
            );
        const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
        v.matches("kubernetes.cnpgOperatorNamespace", k.cnpgOperatorNamespace, dnsLabel, "a namespace name (DNS label)");
        v.matches("kubernetes.monitoringNamespace", k.monitoringNamespace, dnsLabel, "a namespace name (DNS label)");
        v.matches("kubernetes.alertWebhookSecretName", k.alertWebhookSecretName, /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)?$/, "empty, or a Secret name");
        v.matches("kubernetes.gpuTolerationKey", k.gpuTolerationKey, /^([a-z0-9.-]+\/)?[A-Za-z0-9._-]{1,63}$/, "a taint key ([prefix/]name)");
        v.bool("kubernetes.monitoring", k.monitoring);
        v.bool("kubernetes.logicalBackup", k.logicalBackup);
    }
    checkCostAssumptions(v, "costAssumptions", s.costAssumptions);
    v.int("recovery.rpoMinutes", s.recovery.rpoMinutes, 0, 525600);
    v.int("recovery.rtoMinutes", s.recovery.rtoMinutes, 1, 525600);
    v.int("recovery.siteLossRpoMinutes", s.recovery.siteLossRpoMinutes, 0, 525600);
    v.int("recovery.siteLossRtoMinutes", s.recovery.siteLossRtoMinutes, 0, 525600);
    if (s.recovery.siteLossRpoMinutes > 0 !== s.recovery.siteLossRtoMinutes > 0)
        v.fail("recovery.siteLossRtoMinutes", s.recovery.siteLossRtoMinutes, "both site-loss objectives set (> 0) or both 0 (no objective)");
    v.throwIfAny();
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** Checks a description of node pools (names, counts, sizes, zones, labels, taints). */
export function checkNodePools(v: Validator, field: string, pools: unknown): void {
    if (!Array.isArray(pools) || pools.length === 0) {
        v.fail(field, pools, "at least one node pool {name, count, cpu, memoryGiB, zones}");
        return;
    }
    const names = new Set<string>();
    pools.forEach((p: Record<string, unknown>, i) => {
        const f = `${field}[${i}]`;
        if (p === null || typeof p !== "object") return v.fail(f, p, "an object {name, count, cpu, memoryGiB, zones}");
        if (v.matches(`${f}.name`, p.name, DNS_LABEL, "a DNS label (lower-case letters, digits, '-')")) {
            if (names.has(p.name as string)) v.fail(`${f}.name`, p.name, "a name no other pool has");
            names.add(p.name as string);
        }
        v.int(`${f}.count`, p.count, 0, 1000);
        v.number(`${f}.cpu`, p.cpu, 0.5, 1024);
        v.number(`${f}.memoryGiB`, p.memoryGiB, 0.5, 24576);
        if (p.gpus !== undefined) v.int(`${f}.gpus`, p.gpus, 0, 16);
        if (p.ephemeralStorageGiB !== undefined) v.int(`${f}.ephemeralStorageGiB`, p.ephemeralStorageGiB, 1, 65536);
        if (!Array.isArray(p.zones) || p.zones.length === 0) v.fail(`${f}.zones`, p.zones, "at least one zone name");
        else p.zones.forEach((z, j) => v.matches(`${f}.zones[${j}]`, z, /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "a zone name"));
        if (p.labels !== undefined && (typeof p.labels !== "object" || p.labels === null || Object.values(p.labels).some((x) => typeof x !== "string")))
            v.fail(`${f}.labels`, p.labels, "a map of label keys to string values");
        if (p.taints !== undefined) {
            if (!Array.isArray(p.taints)) v.fail(`${f}.taints`, p.taints, "a list of {key, value?, effect}");
            else
                p.taints.forEach((t: Record<string, unknown>, j) => {
                    v.nonEmpty(`${f}.taints[${j}].key`, t?.key, "a taint key");
                    v.oneOf(`${f}.taints[${j}].effect`, t?.effect, TAINT_EFFECTS);
                });
        }
    });
}

/** Bounds of each usage assumption (a count or an amount a month unless named otherwise). */
const COST_ASSUMPTION_BOUNDS: Readonly<Record<Exclude<keyof CostAssumptions, "bucketStoredGb">, [number, number]>> = {
    hoursPerMonth: [1, 744],
    requestsPerMonth: [0, 1e12],
    albAverageLcu: [0, 1e5],
    apiAverageTasks: [0, 5000],
    llmGpuHoursPerDay: [0, 24],
    natProcessedGbPerMonth: [0, 1e8],
    endpointProcessedGbPerMonth: [0, 1e8],
    logsIngestedGbPerMonth: [0, 1e8],
    s3PutsPerMonth: [0, 1e12],
    s3GetsPerMonth: [0, 1e12],
    databaseUsedGb: [0, 1e6],
    databaseDailyChangePercent: [0, 100],
    kmsRequestsPerKey: [0, 1e12],
    secretsCallsPerSecret: [0, 1e12],
    cloudTrailDataEventsPerMonth: [0, 1e13],
};

/** Checks the cost estimate's usage assumptions: known names, numbers within bounds. */
export function checkCostAssumptions(v: Validator, field: string, a: unknown): void {
    if (a === null || typeof a !== "object" || Array.isArray(a)) return v.fail(field, a, "an object of usage assumptions");
    const known = [...Object.keys(COST_ASSUMPTION_BOUNDS), "bucketStoredGb"];
    for (const [key, value] of Object.entries(a)) {
        const f = `${field}.${key}`;
        if (key === "bucketStoredGb") {
            if (value === null || typeof value !== "object" || Array.isArray(value)) v.fail(f, value, "a map of bucket purpose (Purpose tag, or other) to GB");
            else for (const [purpose, gb] of Object.entries(value)) v.number(`${f}.${purpose}`, gb, 0, 1e9);
        } else if (key in COST_ASSUMPTION_BOUNDS) {
            const [min, max] = COST_ASSUMPTION_BOUNDS[key as keyof typeof COST_ASSUMPTION_BOUNDS];
            v.number(f, value, min, max);
        } else v.fail(f, value, `one of ${known.join(", ")}${didYouMean(key, known)}`);
    }
}

/** Levenshtein distance between two strings (case-insensitive). */
export function editDistance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const cur = [i];
        for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        prev = cur;
    }
    return prev[y.length];
}

/** The candidate closest to `value` ("did you mean ..."), or undefined when none is close. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = editDistance(value, c);
        if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    const prefixHit = candidates.find((c) => c.toLowerCase().startsWith(value.toLowerCase()) && value.length >= 3);
    if (bestDistance <= Math.max(2, Math.floor(value.length / 3))) return best;
    return prefixHit;
}

/** "; did you mean "x"?" or "" — appended to messages about unknown names. */
export function didYouMean(value: string, candidates: readonly string[], quote = (s: string) => `"${s}"`): string {
    const c = closest(value, candidates);
    return c ? `; did you mean ${quote(c)}?` : "";
}

/** A map of string keys (matching `key`) to string values. */
function checkStringMap(v: Validator, field: string, value: unknown, key: RegExp, allowed: string): void {
    if (value === undefined) return;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        v.fail(field, value, `an object of ${allowed}`);
        return;
    }
    for (const [k, x] of Object.entries(value)) {
        if (!key.test(k)) v.fail(`${field}.${k}`, k, allowed);
        else if (typeof x !== "string") v.fail(`${field}.${k}`, x, "a string value");
    }
}

/** A restore source: a non-empty source without spaces, and an RFC 3339 UTC time when given. */
export function checkRestoreSource(v: Validator, field: string, r: RestoreSource | "none" | undefined): void {
    if (r === undefined || r === "none") return;
    if (typeof r !== "object" || !["pointInTime", "snapshot"].includes(r.kind)) {
        v.fail(field, r, '"none", { kind: "pointInTime", source, time? } or { kind: "snapshot", source }');
        return;
    }
    v.matches(`${field}.source`, r.source, /^\S{1,255}$/, "an instance or cluster name, an automated-backups ARN, or a snapshot / Backup name");
    if (r.kind === "pointInTime" && r.time !== undefined) v.matches(`${field}.time`, r.time, RESTORE_TIME, "an RFC 3339 UTC time such as 2026-11-29T08:15:00Z");
}

/**
 * Egress out of the cluster is an allow-list of CIDRs per destination: each list valid, the ones
 * a configured destination needs non-empty, and in production none open to the internet unless
 * `kubernetes.allowInternetEgress` (the named opt-out) says so.
 */
function checkEgress(v: Validator, s: StackSettings): void {
    const k = s.kubernetes;
    const lists: [string, string[], string | undefined][] = [
        ["apiServerCidrs", k.apiServerCidrs, "the Kubernetes API server's addresses (CloudNativePG reads its Secrets there)"],
        [
            "objectStorageCidrs",
            k.objectStorageCidrs,
            k.objectStorageMode === "external" ? "the external object store's addresses (objectStorageMode external)" : undefined,
        ],
        [
            "offsiteObjectStorageCidrs",
            k.offsiteObjectStorageCidrs,
            s.database.crossRegionBackup ? "the off-site store's addresses (database.crossRegionBackup on)" : undefined,
        ],
        ["apiEgressCidrs", k.apiEgressCidrs, undefined],
        [
            "modelSourceCidrs",
            k.modelSourceCidrs,
            s.llm.enabled ? "where Ollama pulls its models: the public registry needs 0.0.0.0/0, a mirror (kubernetes.modelRegistry) its own range" : undefined,
        ],
    ];
    for (const [key, cidrs, requiredFor] of lists) {
        const field = `kubernetes.${key}`;
        if (!Array.isArray(cidrs)) {
            v.fail(field, cidrs, "a list of IPv4 CIDRs");
            continue;
        }
        if (requiredFor && cidrs.length === 0) v.fail(field, cidrs, `at least one IPv4 CIDR: ${requiredFor}`);
        cidrs.forEach((c, i) => v.cidr(`${field}[${i}]`, c));
        v.unique(field, cidrs);
        if (s.environment === "production" && !k.allowInternetEgress && cidrs.some((c) => /\/0$/.test(c)))
            v.fail(
                field,
                cidrs,
                "ranges narrower than the whole internet in production (the destination's own addresses), or kubernetes.allowInternetEgress true (the named opt-out)",
            );
    }
    v.matches("kubernetes.modelRegistry", k.modelRegistry, /^([a-z0-9.-]+(:\d+)?)?$/, "empty (the public registry), or a registry host[:port]");
}

/** A Content-Security-Policy header value (or `none`): one line, no double quotes (it goes into controller annotations). */
export function checkContentSecurityPolicy(v: Validator, field: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== "string" || value.trim() === "" || /[\r\n"\\]/.test(value))
        v.fail(field, value, "a Content-Security-Policy on one line without double quotes or backslashes, or none");
}
