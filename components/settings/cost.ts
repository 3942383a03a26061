/** What the cost estimate assumes about use (the plan prints it with the estimate). */
import { EnvironmentName } from "../core/types";
import { didYouMean, Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

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
    /** GB the web front end's CloudFront distribution serves a month (app files and API answers; frontendEnabled). @default staging 10, production 200 */
    cdnTransferGbPerMonth: number;
    /** HTTPS requests to the distribution a month (app files and API; its WAF inspects each). @default staging 1000000, production 20000000 */
    cdnRequestsPerMonth: number;
}

/** Staging's usage: a pilot with a few hundred users. */
const STAGING_ASSUMPTIONS: CostAssumptions = {
    hoursPerMonth: 730,
    requestsPerMonth: 300_000,
    albAverageLcu: 0.5,
    apiAverageTasks: 0,
    llmGpuHoursPerDay: 8,
    natProcessedGbPerMonth: 20,
    endpointProcessedGbPerMonth: 20,
    logsIngestedGbPerMonth: 5,
    bucketStoredGb: { documents: 20, backups: 30, "alb-logs": 5, cloudtrail: 2, other: 1 },
    s3PutsPerMonth: 100_000,
    s3GetsPerMonth: 1_000_000,
    databaseUsedGb: 10,
    databaseDailyChangePercent: 5,
    kmsRequestsPerKey: 50_000,
    secretsCallsPerSecret: 10_000,
    cloudTrailDataEventsPerMonth: 0,
    cdnTransferGbPerMonth: 10,
    cdnRequestsPerMonth: 1_000_000,
};

/** The presets' usage assumptions (the environments use these; stack config overrides any of them). */
export const COST_ASSUMPTIONS: Readonly<Record<EnvironmentName, CostAssumptions>> = {
    // One team's test traffic: a tenth of staging's, data of a few test corpora.
    development: {
        ...STAGING_ASSUMPTIONS,
        requestsPerMonth: 30_000,
        albAverageLcu: 0.1,
        llmGpuHoursPerDay: 4,
        natProcessedGbPerMonth: 5,
        endpointProcessedGbPerMonth: 5,
        logsIngestedGbPerMonth: 1,
        bucketStoredGb: { documents: 5, backups: 10, "alb-logs": 1, cloudtrail: 1, other: 1 },
        s3PutsPerMonth: 20_000,
        s3GetsPerMonth: 200_000,
        databaseUsedGb: 2,
        kmsRequestsPerKey: 10_000,
        secretsCallsPerSecret: 2_000,
        cdnTransferGbPerMonth: 1,
        cdnRequestsPerMonth: 100_000,
    },
    staging: STAGING_ASSUMPTIONS,
    production: {
        ...STAGING_ASSUMPTIONS,
        requestsPerMonth: 5_000_000,
        albAverageLcu: 2,
        llmGpuHoursPerDay: 24,
        natProcessedGbPerMonth: 200,
        endpointProcessedGbPerMonth: 200,
        logsIngestedGbPerMonth: 50,
        bucketStoredGb: { documents: 200, backups: 500, "alb-logs": 50, cloudtrail: 20, other: 5 },
        s3PutsPerMonth: 1_000_000,
        s3GetsPerMonth: 10_000_000,
        databaseUsedGb: 100,
        databaseDailyChangePercent: 3,
        kmsRequestsPerKey: 1_000_000,
        secretsCallsPerSecret: 100_000,
        cloudTrailDataEventsPerMonth: 5_000_000,
        cdnTransferGbPerMonth: 200,
        cdnRequestsPerMonth: 20_000_000,
    },
};

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
    cdnTransferGbPerMonth: [0, 1e9],
    cdnRequestsPerMonth: [0, 1e13],
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

export interface CostSettings {
    /** What the cost estimate assumes about use (the plan prints it with the estimate). @default the environment's COST_ASSUMPTIONS */
    costAssumptions: CostAssumptions;
}

export const costTier = defineTier<CostSettings, StackIdentity & CostSettings>({
    path: "",
    title: "Cost assumptions",
    settings: {
        costAssumptions: {
            key: "costAssumptions",
            type: "object",
            description:
                "Usage the cost estimate assumes, e.g. {requestsPerMonth: 2000000, llmGpuHoursPerDay: 10}; unset names keep the preset's (docs/cost.md).",
            development: COST_ASSUMPTIONS.development,
            staging: COST_ASSUMPTIONS.staging,
            targets: ["aws"],
            unused: "the cost estimate prices AWS resources; a cluster's cost is its own",
            production: COST_ASSUMPTIONS.production,
            check: checkCostAssumptions,
        },
    },
});
