/**
 * What the AWS APIs accept, as data: the values that are only valid from a set or in steps.
 * The AWS target cannot run against a real provider offline, so these facts are checked here,
 * before anything is registered, instead of failing at `pulumi up`. Pure data and lookups.
 * Sources (2026-11): CloudWatch Logs PutRetentionPolicy, ECS task size table, EC2 accelerated
 * instance specifications, RDS DB instance classes for PostgreSQL, ElastiCache node types.
 */

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Fargate task sizes: vCPU -> the memory values (MiB) allowed with it. */
export const FARGATE_MEMORY_MIB: Readonly<Record<string, readonly number[]>> = {
    "0.25": [512, 1024, 2048],
    "0.5": steps(1024, 4096, 1024),
    "1": steps(2048, 8192, 1024),
    "2": steps(4096, 16384, 1024),
    "4": steps(8192, 30720, 1024),
    "8": steps(16384, 61440, 4096),
    "16": steps(32768, 122880, 8192),
};

/** vCPU sizes Fargate accepts. */
export const FARGATE_CPUS = Object.keys(FARGATE_MEMORY_MIB)
    .map(Number)
    .sort((a, b) => a - b);

function steps(from: number, to: number, step: number): number[] {
    const out: number[] = [];
    for (let v = from; v <= to; v += step) out.push(v);
    return out;
}

/** One GPU instance type: GPUs, memory of one GPU, host memory. */
export interface GpuInstanceType {
    gpus: number;
    gpuMemoryGiB: number;
    memoryMiB: number;
}

const GIB = 1024;
function family(gpuMemoryGiB: number, sizes: Record<string, [gpus: number, memoryGiB: number]>): Record<string, GpuInstanceType> {
    return Object.fromEntries(Object.entries(sizes).map(([size, [gpus, mem]]) => [size, { gpus, gpuMemoryGiB, memoryMiB: mem * GIB }]));
}

/** The GPU instance types the LLM supports (ECS GPU-optimized AMI, NVIDIA). */
export const GPU_INSTANCE_TYPES: Readonly<Record<string, GpuInstanceType>> = Object.fromEntries(
    Object.entries({
        // NVIDIA T4, 16 GB
        g4dn: family(16, {
            xlarge: [1, 16],
            "2xlarge": [1, 32],
            "4xlarge": [1, 64],
            "8xlarge": [1, 128],
            "12xlarge": [4, 192],
            "16xlarge": [1, 256],
            metal: [8, 384],
        }),
        // NVIDIA A10G, 24 GB
        g5: family(24, {
            xlarge: [1, 16],
            "2xlarge": [1, 32],
            "4xlarge": [1, 64],
            "8xlarge": [1, 128],
            "12xlarge": [4, 192],
            "16xlarge": [1, 256],
            "24xlarge": [4, 384],
            "48xlarge": [8, 768],
        }),
        // NVIDIA L4, 24 GB
        g6: family(24, {
            xlarge: [1, 16],
            "2xlarge": [1, 32],
            "4xlarge": [1, 64],
            "8xlarge": [1, 128],
            "12xlarge": [4, 192],
            "16xlarge": [1, 256],
            "24xlarge": [4, 384],
            "48xlarge": [8, 768],
        }),
        // NVIDIA L40S, 48 GB
        g6e: family(48, {
            xlarge: [1, 32],
            "2xlarge": [1, 64],
            "4xlarge": [1, 128],
            "8xlarge": [1, 256],
            "12xlarge": [4, 384],
            "16xlarge": [1, 512],
            "24xlarge": [4, 768],
            "48xlarge": [8, 1536],
        }),
        // NVIDIA V100, 16 GB
        p3: family(16, { "2xlarge": [1, 61], "8xlarge": [4, 244], "16xlarge": [8, 488] }),
        // NVIDIA A100, 40 GB
        p4d: family(40, { "24xlarge": [8, 1152] }),
        // NVIDIA H100, 80 GB
        p5: family(80, { "48xlarge": [8, 2048] }),
    }).flatMap(([fam, sizes]) => Object.entries(sizes).map(([size, spec]) => [`${fam}.${size}`, spec])),
);

const BURSTABLE = ["micro", "small", "medium", "large", "xlarge", "2xlarge"];
const STANDARD = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];

/** RDS for PostgreSQL instance classes: family -> sizes. */
export const RDS_INSTANCE_CLASSES: Readonly<Record<string, readonly string[]>> = {
    "db.t3": BURSTABLE,
    "db.t4g": BURSTABLE,
    "db.m5": [...STANDARD, "24xlarge"],
    "db.m6g": STANDARD,
    "db.m6gd": STANDARD,
    "db.m6i": [...STANDARD, "24xlarge", "32xlarge"],
    "db.m7g": STANDARD,
    "db.m7i": [...STANDARD, "24xlarge", "48xlarge"],
    "db.m8g": [...STANDARD, "24xlarge", "48xlarge"],
    "db.r5": [...STANDARD, "24xlarge"],
    "db.r6g": STANDARD,
    "db.r6gd": STANDARD,
    "db.r6i": [...STANDARD, "24xlarge", "32xlarge"],
    "db.r7g": STANDARD,
    "db.r7i": [...STANDARD, "24xlarge", "48xlarge"],
    "db.r8g": [...STANDARD, "24xlarge", "48xlarge"],
    "db.x2g": STANDARD,
};

/** ElastiCache (Valkey/Redis OSS) node types: family -> sizes. */
export const CACHE_NODE_TYPES: Readonly<Record<string, readonly string[]>> = {
    "cache.t3": ["micro", "small", "medium"],
    "cache.t4g": ["micro", "small", "medium"],
    "cache.m5": ["large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"],
    "cache.m6g": ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
    "cache.m7g": ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
    "cache.r5": ["large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"],
    "cache.r6g": ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
    "cache.r7g": ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
};

/** True when `family.size` is listed in a family -> sizes table. */
export function inCatalog(table: Readonly<Record<string, readonly string[]>>, value: unknown): boolean {
    if (typeof value !== "string") return false;
    const dot = value.lastIndexOf(".");
    return dot > 0 && (table[value.slice(0, dot)] ?? []).includes(value.slice(dot + 1));
}

/** The families of a catalog as one line for error messages (`db.r6g, db.r7g, ...`). */
export function families(table: Readonly<Record<string, readonly string[]>>): string {
    return Object.keys(table).join(", ");
}

/** RDS storage autoscaling: the ceiling must be at least 10% above the allocated storage. */
export function minMaxAllocatedStorage(allocatedGiB: number): number {
    return Math.ceil((allocatedGiB * 11) / 10);
}
