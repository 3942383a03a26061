/**
 * Facts the components and the policy pack share, defined once here: the pack imports them from
 * the library, never the other way round (a test keeps components/ and environments/ free of
 * imports from policies/, tools/ and testing/).
 */
import { defaultImage } from "./images";

/** Load-balancer TLS policies allowed on HTTPS listeners (TLS 1.2+ only). */
export const ALLOWED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
] as const;

/** Ports of the stack's services. */
export const PORTS = {
    api: 8000,
    postgres: 5432,
    cnpgStatus: 8000,
    cnpgMetrics: 9187,
    pgbouncerMetrics: 9127,
    valkey: 6379,
    valkeySentinel: 26379,
    ollama: 11434,
    s3: 8333,
    dns: 53,
} as const;

/** AWS tag that marks an environment; `production` turns on the production-only rules. */
export const ENVIRONMENT_TAG = "Environment";
/** Kubernetes label that marks an environment (same meaning as ENVIRONMENT_TAG). */
export const ENVIRONMENT_LABEL = "ragstack.io/environment";
/** Kubernetes label of a namespace's zone (edge, app, data). */
export const ZONE_LABEL = "ragstack.io/zone";
/** AWS tag of a security group's tier (`app`, `data`); data-tier groups admit only other groups. */
export const TIER_TAG = "ragstack:tier";
/** The environment value that marks production. */
export const PRODUCTION = "production";

/** True when a resource's props mark it as production (AWS tag map or list, or Kubernetes label). */
export function isProductionResource(props: { tags?: unknown; metadata?: { labels?: Record<string, string> } } | undefined): boolean {
    const tags = props?.tags;
    if (tags && !Array.isArray(tags) && (tags as Record<string, unknown>)[ENVIRONMENT_TAG] === PRODUCTION) return true;
    if (Array.isArray(tags) && tags.some((t: { key?: string; value?: string }) => t?.key === ENVIRONMENT_TAG && t?.value === PRODUCTION)) return true;
    return props?.metadata?.labels?.[ENVIRONMENT_LABEL] === PRODUCTION;
}

/** Name of the CloudNativePG Pooler (PgBouncer): its Service and its pods' `cnpg.io/poolerName` label. */
export const POOLER_NAME = "postgres-pooler-rw";
/** Name Valkey Sentinel monitors the primary under (clients ask the sentinels for it). */
export const SENTINEL_MASTER_NAME = "rag";

/** The runbooks: one entry per Kubernetes alert and per CloudWatch alarm (test/runbooks.test.ts). */
export const RUNBOOKS = "docs/runbooks.md";

/** The runbook of one alert or alarm: RUNBOOKS#anchor. */
export function runbookLink(anchor: string): string {
    return `${RUNBOOKS}#${anchor}`;
}

/** Anchor of a CloudWatch alarm's runbook: `aws-<key>` (per-replica and per-secret alarms share one entry). */
export function awsRunbookAnchor(alarmKey: string): string {
    return `aws-${alarmKey.replace(/-\d+$/, "").replace(/^secret-age-.+$/, "secret-age")}`;
}

/** Anchor of a Prometheus alert's runbook: the alert name in lower case. */
export function alertRunbookAnchor(alert: string): string {
    return alert.toLowerCase();
}

/** Content-Security-Policy of the edge by default: the API serves JSON, no page may load or frame anything. */
export const DEFAULT_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Referrer-Policy values browsers know (the edge refuses others). */
export const REFERRER_POLICIES = [
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
] as const;

/**
 * The capabilities a container gets by default (Docker's default set, which ECS uses). On
 * Fargate a task may add only SYS_PTRACE, so a root setup step that needs CHOWN keeps it by
 * dropping every other default instead of dropping ALL and adding CHOWN back.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html
 */
export const DEFAULT_CONTAINER_CAPABILITIES = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
] as const;

/** Every default capability but CHOWN: what a Fargate setup step that only changes owners drops. */
export const ALL_BUT_CHOWN = DEFAULT_CONTAINER_CAPABILITIES.filter((c) => c !== "CHOWN");

/**
 * Pinned default images, from the image lock (`images.lock.json`): `repository:tag@digest` once
 * `tools/pin-images.sh` resolved the digest, `repository:tag` until then. Override them (or set
 * `kubernetes.imageRegistry`) for air-gapped clusters.
 */
export const DEFAULT_IMAGES = {
    ollama: defaultImage("ollama"),
    valkey: defaultImage("valkey"),
    postgres: defaultImage("postgres-16"),
    awsCli: defaultImage("aws-cli"),
    rclone: defaultImage("rclone"),
    seaweedfs: defaultImage("seaweedfs"),
} as const;
