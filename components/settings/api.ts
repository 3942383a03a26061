/** The API backend (FastAPI container): image, size, autoscaling, environment and secrets. */
import { FARGATE_CPUS, FARGATE_MEMORY_MIB } from "../core/aws-catalog";
import { Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

/**
 * How the API scales, as both API components take it: each unset field is the tier's default for
 * the environment. The stacks pass `apiAutoscaling(settings.api)`, so a new field here reaches both
 * components without touching the stacks.
 */
export interface ApiAutoscaling {
    /** Lowest replica count the autoscaler keeps. @default 1 staging, 2 production */
    minReplicas?: number;
    /** Highest replica count the autoscaler may reach. @default 3 staging, 10 production */
    maxReplicas?: number;
    /** Target average CPU utilisation, percent. @default 70 */
    cpuTargetPercent?: number;
    /** Target average memory utilisation, percent. @default 80 */
    memoryTargetPercent?: number;
    /**
     * Seconds the autoscaler waits after scaling in before it scales in again: the target-tracking
     * policies' scale-in cooldown (AWS), the HorizontalPodAutoscaler's scale-down stabilisation
     * window (Kubernetes). @default 300
     */
    scaleInCooldownSeconds?: number;
    /**
     * Seconds the autoscaler waits after scaling out before it scales out again: the target-tracking
     * policies' scale-out cooldown (AWS), the HorizontalPodAutoscaler's scale-up stabilisation
     * window (Kubernetes). @default 60
     */
    scaleOutCooldownSeconds?: number;
}

/** The fields of ApiAutoscaling (the compiler checks the list is complete). */
const API_AUTOSCALING_KEYS = [
    "minReplicas",
    "maxReplicas",
    "cpuTargetPercent",
    "memoryTargetPercent",
    "scaleInCooldownSeconds",
    "scaleOutCooldownSeconds",
] as const satisfies readonly (keyof ApiAutoscaling)[];
const _everyAutoscalingKey: Exclude<keyof ApiAutoscaling, (typeof API_AUTOSCALING_KEYS)[number]> extends never ? true : never = true;
void _everyAutoscalingKey;

type ApiSizing = Pick<ApiSettings, "port" | "healthPath" | "cpu" | "memoryMiB" | "minReplicas" | "maxReplicas">;

/** What both API components size a replica and its autoscaling from: each argument, or the default `d` (`defaultsFor(env).api`). */
export function apiSizing(args: Partial<ApiSizing>, d: ApiSizing): ApiSizing {
    return {
        port: args.port ?? d.port,
        healthPath: args.healthPath ?? d.healthPath,
        cpu: args.cpu ?? d.cpu,
        memoryMiB: args.memoryMiB ?? d.memoryMiB,
        minReplicas: args.minReplicas ?? d.minReplicas,
        maxReplicas: args.maxReplicas ?? d.maxReplicas,
    };
}

/** The autoscaling part of the API's settings, for the API components. */
export function apiAutoscaling(api: Required<ApiAutoscaling>): Required<ApiAutoscaling> {
    return Object.fromEntries(API_AUTOSCALING_KEYS.map((k) => [k, api[k]])) as unknown as Required<ApiAutoscaling>;
}

/** The API backend (FastAPI container). */
export interface ApiSettings extends Required<ApiAutoscaling> {
    /** Container image, pinned by tag or digest; `latest` is rejected. Production: by digest (`image:tag@sha256:<digest>`), or the pack's image-digest rule refuses it. Required. */
    image: string;
    /** Container port. @default 8000 */
    port: number;
    /** HTTP health check path. @default "/health" */
    healthPath: string;
    /** vCPU per task / pod limit. @default 1 staging, 2 production */
    cpu: number;
    /** Memory per task / pod limit, MiB. @default 2048 staging, 4096 production */
    memoryMiB: number;
    /** Target ALB requests per task per minute (AWS only). @default 1000 */
    requestsPerTarget: number;
    /**
     * When true, CI/CD owns the image tag: the library ignores later changes to the image so that
     * `pulumi up` does not roll back a deployment made by the pipeline.
     * @default false
     */
    imageManagedByCi: boolean;
    /** Extra non-secret environment variables for the API container. @default {} */
    env: Record<string, string>;
    /**
     * The application's own secrets, injected as environment variables by reference, never by
     * value: AWS, a Secrets Manager ARN (`arn:aws:secretsmanager:…:secret:name-AbCdEf`, optionally
     * `:<json key>`), read by the execution role and nothing else; Kubernetes, `<Secret>/<key>` of
     * a Secret in the app namespace. @default {}
     */
    secrets: Record<string, string>;
}

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
/** Names that look like secrets may not be plain environment values. */
export const SECRET_LIKE_ENV = /PASSWORD|SECRET|TOKEN|API_KEY/i;

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

/** The autoscaler's bounds: 1..100 minimum, up to 200 maximum, minimum at most maximum. Shared by the tier and the API components. */
export function checkReplicas(v: Validator, minField: string, min: unknown, maxField: string, max: unknown): void {
    v.int(minField, min, 1, 100);
    v.int(maxField, max, 1, 200);
    if (typeof min === "number" && typeof max === "number" && min > max) v.fail(minField, min, `at most ${maxField} (${max})`);
}

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

type ApiView = StackIdentity & { api: ApiSettings };

export const apiTier = defineTier<ApiSettings, ApiView>({
    path: "api",
    title: "API",
    settings: {
        image: {
            key: "apiImage",
            type: "string",
            required: true,
            description: "API container image, pinned by tag or digest; production: by digest (image:tag@sha256:<digest>), or the pack refuses it.",
            staging: "",
            check: (v, f, x) => v.image(f, x),
        },
        port: {
            key: "apiPort",
            type: "integer",
            description: "Port the API container listens on.",
            staging: 8000,
            check: (v, f, x) => v.int(f, x, 1024, 65535),
        },
        healthPath: {
            key: "apiHealthPath",
            type: "string",
            description: "Health check path of the API.",
            staging: "/health",
            check: (v, f, x) => v.matches(f, x, /^\/[A-Za-z0-9/_.-]*$/, "a path starting with '/'"),
        },
        cpu: {
            key: "apiCpu",
            type: "number",
            description: "vCPU per API task/pod (AWS: a Fargate size, 0.25..16; Kubernetes: 0.1..64).",
            development: 0.5,
            staging: 1,
            production: 2,
        },
        memoryMiB: { key: "apiMemoryMiB", type: "integer", description: "Memory per API task/pod, MiB.", development: 1024, staging: 2048, production: 4096 },
        minReplicas: { key: "apiMinReplicas", type: "integer", description: "Autoscaling minimum.", development: 1, staging: 1, production: 2 },
        maxReplicas: { key: "apiMaxReplicas", type: "integer", description: "Autoscaling maximum.", development: 2, staging: 3, production: 10 },
        cpuTargetPercent: {
            key: "apiCpuTargetPercent",
            type: "integer",
            description: "Autoscaling CPU target, percent.",
            staging: 70,
            check: (v, f, x) => v.int(f, x, 10, 95),
        },
        memoryTargetPercent: {
            key: "apiMemoryTargetPercent",
            type: "integer",
            description: "Autoscaling memory target, percent.",
            staging: 80,
            check: (v, f, x) => v.int(f, x, 10, 95),
        },
        scaleInCooldownSeconds: {
            key: "apiScaleInCooldownSeconds",
            type: "integer",
            description: "Seconds between two scale-ins of the API (AWS: the scale-in cooldown; Kubernetes: the HPA's scale-down stabilisation window).",
            staging: 300,
            // The HPA's window is at most an hour (autoscaling/v2 HPAScalingRules).
            check: (v, f, x) => v.int(f, x, 0, 3600),
        },
        scaleOutCooldownSeconds: {
            key: "apiScaleOutCooldownSeconds",
            type: "integer",
            description: "Seconds between two scale-outs of the API (AWS: the scale-out cooldown; Kubernetes: the HPA's scale-up stabilisation window).",
            staging: 60,
            // The HPA's window is at most an hour (autoscaling/v2 HPAScalingRules).
            check: (v, f, x) => v.int(f, x, 0, 3600),
        },
        requestsPerTarget: {
            key: "apiRequestsPerTarget",
            type: "integer",
            description: "Autoscaling: ALB requests per minute per task (AWS).",
            staging: 1000,
            targets: ["aws"],
            unused: "the HorizontalPodAutoscaler scales on CPU and memory (apiCpuTargetPercent, apiMemoryTargetPercent)",
            check: (v, f, x) => v.int(f, x, 1, 100000),
        },
        imageManagedByCi: {
            key: "apiImageManagedByCi",
            type: "boolean",
            description: "CI/CD owns the image tag after the first deploy.",
            staging: false,
            check: (v, f, x) => v.bool(f, x),
        },
        env: {
            key: "apiEnv",
            type: "object",
            description: "Plain environment variables of the API, merged over the preset's (never secrets: they are visible in the task/pod spec).",
            staging: {},
            check: (v, f, env) => {
                for (const k of Object.keys(env ?? {})) {
                    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) v.fail(`${f}.${k}`, k, "an environment variable name ([A-Z_][A-Z0-9_]*)");
                    if (SECRET_LIKE_ENV.test(k)) v.fail(`${f}.${k}`, "(hidden)", "no secrets in plain environment values: secrets are injected by the library");
                    else if ((API_RESERVED_ENV as readonly string[]).includes(k))
                        v.fail(`${f}.${k}`, k, `a name the stack does not set itself (it sets ${API_RESERVED_ENV.join(", ")})`);
                }
            },
        },
        secrets: {
            key: "apiSecrets",
            type: "object",
            description:
                "The API's own secrets by reference, as environment variables: a Secrets Manager ARN (AWS, optionally :<json key>) or <Secret>/<key> in the app namespace (Kubernetes).",
            staging: {},
            check: (v, _f, x, s) => checkApiSecrets(v, s.target, x ?? {}, s.api.env ?? {}),
        },
    },
    validate: (v, s) => {
        const api = s.api;
        if (s.target === "aws") checkFargateSize(v, "api.cpu", api.cpu, "api.memoryMiB", api.memoryMiB);
        else {
            v.number("api.cpu", api.cpu, 0.1, 64);
            v.int("api.memoryMiB", api.memoryMiB, 128, 262144);
        }
        checkReplicas(v, "api.minReplicas", api.minReplicas, "api.maxReplicas", api.maxReplicas);
    },
});
