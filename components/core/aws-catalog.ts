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

/**
 * AWS partitions and their regions, as AWS's SDKs list them (the endpoint partitions data that
 * `@aws-sdk/core` ships; test/aws-regions.test.ts checks this table against it). The stack runs
 * in `aws` (commercial) and `aws-us-gov` (GovCloud) regions. The China and European Sovereign
 * Cloud partitions name endpoint services and service principals differently and are refused
 * with a message rather than planned wrongly.
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 */
export const AWS_PARTITION_REGIONS = {
    aws: [
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "me-west-1",
        "mx-central-1",
        "sa-east-1",
        "sa-west-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    ],
    "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
    "aws-cn": ["cn-north-1", "cn-northwest-1"],
    "aws-eusc": ["eusc-de-east-1"],
} as const;

export type AwsPartition = keyof typeof AWS_PARTITION_REGIONS;

/** Partitions the stack plans for. */
export const SUPPORTED_PARTITIONS: readonly AwsPartition[] = ["aws", "aws-us-gov"];

/** The partition of a region, or undefined for a name AWS does not list. */
export function partitionOfRegion(region: unknown): AwsPartition | undefined {
    if (typeof region !== "string") return undefined;
    for (const [p, regions] of Object.entries(AWS_PARTITION_REGIONS)) if ((regions as readonly string[]).includes(region)) return p as AwsPartition;
    return undefined;
}

/** Every region the stack plans for (supported partitions). */
export function supportedRegions(): string[] {
    return SUPPORTED_PARTITIONS.flatMap((p) => [...AWS_PARTITION_REGIONS[p]]);
}

/**
 * The Elastic Load Balancing account that writes access logs, for the regions that opened before
 * August 2022; the regions opened since are written by the service principal
 * `logdelivery.elasticloadbalancing.amazonaws.com` only, and naming an account there is wrong.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
};

/**
 * The country codes WAF's geo match statement takes: ISO 3166-1 alpha-2 (`GB`, never `UK`) and
 * `XK` (Kosovo). test/aws-regions.test.ts checks the list against the WAFv2 API's `CountryCode`
 * enum. https://docs.aws.amazon.com/waf/latest/APIReference/API_GeoMatchStatement.html
 */
export const ISO_COUNTRY_CODES: readonly string[] = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
    "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
    "MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
    "UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW"
).split(" ");
