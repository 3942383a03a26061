/**
 * AWS list prices the offline plan's cost estimate uses: on-demand, Linux, USD, no free tier,
 * no Savings Plans or Reserved Instances. Pure data and lookups.
 *
 * Sources: the AWS pricing pages named in {@link PRICE_SOURCES}, as published between 2026-03 and
 * 2026-06 (read from dated copies: the per-service `asOf` says which month). Each region lists
 * the figures published for it; any other figure of a listed region is the us-east-1 figure times
 * the region's factor and is marked `derived` in the estimate, so a reader knows which numbers to
 * check before a budget is signed. Prices change: update {@link PRICES_AS_OF} with the table.
 */

/** Month the table was last checked against its sources. */
export const PRICES_AS_OF = "2026-06";

/** Where each figure comes from. */
export const PRICE_SOURCES: Readonly<Record<string, string>> = {
    fargate: "https://aws.amazon.com/fargate/pricing/ (2026-06)",
    ec2: "https://aws.amazon.com/ec2/pricing/on-demand/ (2026-06)",
    ebs: "https://aws.amazon.com/ebs/pricing/ (2026-06)",
    rds: "https://aws.amazon.com/rds/postgresql/pricing/ (2026-06)",
    elasticache: "https://aws.amazon.com/elasticache/pricing/ (2026-06; Valkey node hours are 20 % below Redis OSS)",
    vpc: "https://aws.amazon.com/vpc/pricing/ (NAT gateway, public IPv4; 2026-06)",
    privatelink: "https://aws.amazon.com/privatelink/pricing/ (interface endpoints; 2026-06)",
    networkFirewall: "https://aws.amazon.com/network-firewall/pricing/ (firewall endpoint-hour and GB processed, us-east-1; other regions derived; 2026-06)",
    elb: "https://aws.amazon.com/elasticloadbalancing/pricing/ (2026-06)",
    waf: "https://aws.amazon.com/waf/pricing/ (2026-06)",
    cloudfront:
        "https://aws.amazon.com/cloudfront/pricing/ (data transfer out to the internet, first 10 TB, and HTTPS requests in the United States and Europe, the price class PriceClass_100 serves; CloudFront Functions invocations; 2026-06)",
    s3: "https://aws.amazon.com/s3/pricing/ (S3 Standard; 2026-06)",
    cloudwatch: "https://aws.amazon.com/cloudwatch/pricing/ (logs, alarms, dashboards; 2026-06)",
    kms: "https://aws.amazon.com/kms/pricing/ (2026-06)",
    secretsmanager: "https://aws.amazon.com/secrets-manager/pricing/ (2026-06)",
    cloudtrail: "https://aws.amazon.com/cloudtrail/pricing/ (2026-06)",
    route53: "https://aws.amazon.com/route53/pricing/ and https://aws.amazon.com/cloud-map/pricing/ (2026-06)",
    transfer: "https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer (inter-region; 2026-06)",
};

/** The figures that vary by region (USD). */
export interface RegionalPrices {
    /** Fargate Linux/x86 per vCPU-hour and GB-hour; ARM (Graviton) per vCPU-hour and GB-hour. */
    fargateVcpuHour: number;
    fargateGbHour: number;
    fargateArmVcpuHour: number;
    fargateArmGbHour: number;
    /** EBS gp3 per GB-month. */
    ebsGp3GbMonth: number;
    /** RDS gp3 storage per GB-month (single-AZ; Multi-AZ stores twice). */
    rdsGp3GbMonth: number;
    /** RDS backup storage beyond the free allowance, per GB-month. */
    rdsBackupGbMonth: number;
    /** RDS Proxy per vCPU-hour of the database behind it. */
    rdsProxyVcpuHour: number;
    natGatewayHour: number;
    natGatewayGb: number;
    /** AWS Network Firewall per firewall endpoint-hour (one endpoint per AZ) and per GB processed. */
    firewallEndpointHour: number;
    firewallGb: number;
    albHour: number;
    albLcuHour: number;
    /** Interface endpoint per AZ-hour and per GB processed. */
    endpointAzHour: number;
    endpointGb: number;
    s3StandardGbMonth: number;
    s3PutPer1000: number;
    s3GetPer1000: number;
    logsIngestGb: number;
    logsStorageGbMonth: number;
    /** AWS Backup warm storage for RDS snapshots, per GB-month. */
    backupWarmGbMonth: number;
    /** On-demand per instance-hour, Linux. */
    ec2: Readonly<Record<string, number>>;
    /** RDS for PostgreSQL single-AZ per instance-hour (Multi-AZ: twice). */
    rds: Readonly<Record<string, number>>;
    /** ElastiCache (Redis OSS) per node-hour. */
    elasticache: Readonly<Record<string, number>>;
}

/** Figures that are the same in every region (USD). */
export const GLOBAL_PRICES = {
    /** Public IPv4 address per hour (NAT gateway EIPs, one per ALB subnet). */
    publicIpv4Hour: 0.005,
    wafWebAclMonth: 5,
    wafRuleMonth: 1,
    wafPerMillionRequests: 0.6,
    /** CloudFront data transfer out to the internet, per GB (first 10 TB a month, United States and Europe). */
    cloudfrontTransferGb: 0.085,
    /** CloudFront HTTPS requests, per 10,000 (United States and Europe). */
    cloudfrontHttpsPer10k: 0.01,
    /** CloudFront Functions invocations, per million. */
    cloudfrontFunctionPerMillion: 0.1,
    cloudwatchAlarmMonth: 0.1,
    /** A custom metric (first 10,000), per month. */
    cloudwatchCustomMetricMonth: 0.3,
    cloudwatchDashboardMonth: 3,
    kmsKeyMonth: 1,
    kmsPer10kRequests: 0.03,
    secretMonth: 0.4,
    secretsPer10kCalls: 0.05,
    cloudTrailDataEventsPer100k: 0.1,
    /** A private hosted zone (Cloud Map private DNS namespace). */
    hostedZoneMonth: 0.5,
    cloudMapInstanceMonth: 0.1,
    interRegionTransferGb: 0.02,
    /** What Spot costs relative to on-demand: AWS publishes "up to 70 % off" (Fargate Spot) and "up to 90 %" (EC2 Spot); these are planning figures, not quotes. */
    fargateSpotFactor: 0.3,
    ec2SpotFactor: 0.35,
    /** ElastiCache for Valkey node hours relative to Redis OSS. */
    valkeyFactor: 0.8,
} as const;

const US_EAST_1: RegionalPrices = {
    fargateVcpuHour: 0.04048,
    fargateGbHour: 0.004445,
    fargateArmVcpuHour: 0.03238,
    fargateArmGbHour: 0.00356,
    ebsGp3GbMonth: 0.08,
    rdsGp3GbMonth: 0.115,
    rdsBackupGbMonth: 0.095,
    rdsProxyVcpuHour: 0.015,
    natGatewayHour: 0.045,
    natGatewayGb: 0.045,
    firewallEndpointHour: 0.395,
    firewallGb: 0.065,
    albHour: 0.0225,
    albLcuHour: 0.008,
    endpointAzHour: 0.01,
    endpointGb: 0.01,
    s3StandardGbMonth: 0.023,
    s3PutPer1000: 0.005,
    s3GetPer1000: 0.0004,
    logsIngestGb: 0.5,
    logsStorageGbMonth: 0.03,
    backupWarmGbMonth: 0.095,
    ec2: {
        "g4dn.xlarge": 0.526,
        "g4dn.2xlarge": 0.752,
        "g4dn.4xlarge": 1.204,
        "g4dn.8xlarge": 2.176,
        "g4dn.12xlarge": 3.912,
        "g4dn.16xlarge": 4.352,
        "g5.xlarge": 1.006,
        "g5.2xlarge": 1.212,
        "g5.4xlarge": 1.624,
        "g5.8xlarge": 2.448,
        "g5.12xlarge": 5.672,
        "g5.16xlarge": 4.096,
        "g5.24xlarge": 8.144,
        "g5.48xlarge": 16.288,
        "g6.xlarge": 0.8048,
        "g6.2xlarge": 0.9776,
        "g6.4xlarge": 1.3232,
        "g6.8xlarge": 2.0144,
        "g6.12xlarge": 4.6016,
        "g6.16xlarge": 3.3968,
        "g6.24xlarge": 6.6752,
        "g6.48xlarge": 13.3504,
        "g6e.xlarge": 1.861,
        "g6e.2xlarge": 2.24208,
        "g6e.4xlarge": 3.00424,
        "g6e.8xlarge": 4.52856,
    },
    rds: {
        "db.t3.micro": 0.018,
        "db.t3.small": 0.036,
        "db.t3.medium": 0.072,
        "db.t3.large": 0.145,
        "db.t4g.micro": 0.016,
        "db.t4g.small": 0.032,
        "db.t4g.medium": 0.065,
        "db.t4g.large": 0.129,
        "db.t4g.xlarge": 0.258,
        "db.t4g.2xlarge": 0.517,
        "db.m6g.large": 0.159,
        "db.m6g.xlarge": 0.318,
        "db.m6g.2xlarge": 0.636,
        "db.m6g.4xlarge": 1.272,
        "db.m7g.large": 0.168,
        "db.m7g.xlarge": 0.337,
        "db.m7g.2xlarge": 0.674,
        "db.r6g.large": 0.225,
        "db.r6g.xlarge": 0.45,
        "db.r6g.2xlarge": 0.899,
        "db.r6g.4xlarge": 1.798,
        "db.r7g.large": 0.239,
        "db.r7g.xlarge": 0.478,
        "db.r7g.2xlarge": 0.956,
    },
    elasticache: {
        "cache.t3.micro": 0.017,
        "cache.t3.small": 0.034,
        "cache.t3.medium": 0.068,
        "cache.t4g.micro": 0.016,
        "cache.t4g.small": 0.032,
        "cache.t4g.medium": 0.065,
        "cache.m6g.large": 0.149,
        "cache.m7g.large": 0.158,
        "cache.m7g.xlarge": 0.315,
        "cache.r6g.large": 0.206,
        "cache.r6g.xlarge": 0.411,
        "cache.r6g.2xlarge": 0.821,
        "cache.r7g.large": 0.219,
        "cache.r7g.xlarge": 0.437,
        "cache.r7g.2xlarge": 0.873,
    },
};

/** A region: the figures published for it, and the factor for the rest. */
interface RegionTable {
    /** Multiplier on us-east-1 for figures not listed (derived). */
    factor: number;
    published: Partial<Omit<RegionalPrices, "ec2" | "rds" | "elasticache">> & {
        ec2?: Record<string, number>;
        rds?: Record<string, number>;
        elasticache?: Record<string, number>;
    };
}

const REGIONS: Readonly<Record<string, RegionTable>> = {
    "us-east-1": { factor: 1, published: US_EAST_1 },
    "eu-west-1": {
        factor: 1.11,
        published: {
            fargateVcpuHour: 0.04048,
            fargateGbHour: 0.004445,
            ebsGp3GbMonth: 0.088,
            rdsGp3GbMonth: 0.127,
            natGatewayHour: 0.048,
            natGatewayGb: 0.048,
            albHour: 0.0252,
            albLcuHour: 0.008,
            endpointAzHour: 0.011,
            endpointGb: 0.01,
            s3StandardGbMonth: 0.023,
            s3PutPer1000: 0.005,
            s3GetPer1000: 0.0004,
            logsIngestGb: 0.57,
            logsStorageGbMonth: 0.03,
            ec2: { "g4dn.xlarge": 0.587, "g4dn.2xlarge": 0.838, "g5.xlarge": 1.123, "g5.2xlarge": 1.353, "g5.4xlarge": 1.813 },
        },
    },
    "eu-central-1": {
        factor: 1.17,
        published: {
            fargateVcpuHour: 0.04656,
            fargateGbHour: 0.00511,
            ebsGp3GbMonth: 0.0952,
            natGatewayHour: 0.052,
            natGatewayGb: 0.052,
            albHour: 0.027,
            albLcuHour: 0.0081,
            endpointAzHour: 0.012,
            endpointGb: 0.01,
            s3StandardGbMonth: 0.0245,
            s3PutPer1000: 0.0054,
            s3GetPer1000: 0.00043,
            logsIngestGb: 0.63,
            logsStorageGbMonth: 0.0324,
            ec2: { "g4dn.xlarge": 0.658, "g4dn.2xlarge": 0.94, "g5.xlarge": 1.258, "g5.2xlarge": 1.516 },
        },
    },
};

/** Regions the table prices. */
export const PRICED_REGIONS = Object.keys(REGIONS);

/** A figure and how it was obtained. */
export interface PriceFigure {
    usd: number;
    /** `published` for the region, or `derived` (us-east-1 × the region's factor). */
    basis: "published" | string;
}

type ScalarKey = Exclude<keyof RegionalPrices, "ec2" | "rds" | "elasticache">;

/** A region-dependent scalar price; undefined when the region is not in the table. */
export function regionalPrice(region: string, key: ScalarKey): PriceFigure | undefined {
    const r = REGIONS[region];
    if (!r) return undefined;
    const own = r.published[key];
    if (own !== undefined) return { usd: own, basis: "published" };
    return { usd: round(US_EAST_1[key] * r.factor), basis: `derived (us-east-1 × ${r.factor})` };
}

/** An hourly price of an EC2 instance type, RDS class or ElastiCache node type; undefined when not in the table. */
export function hourlyPrice(region: string, table: "ec2" | "rds" | "elasticache", name: string): PriceFigure | undefined {
    const r = REGIONS[region];
    if (!r) return undefined;
    const own = r.published[table]?.[name];
    if (own !== undefined) return { usd: own, basis: "published" };
    const base = US_EAST_1[table][name];
    if (base === undefined) return undefined;
    return { usd: round(base * r.factor), basis: `derived (us-east-1 × ${r.factor})` };
}

function round(n: number): number {
    return Math.round(n * 1e6) / 1e6;
}
