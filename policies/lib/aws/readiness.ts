/**
 * Production readiness on AWS: what a careless production stack could turn off and still pass
 * every encryption and least-privilege rule (off-site backups, a NAT gateway per zone, enough
 * zones, at least two API tasks, GPU capacity that survives a Spot reclaim, a sane WAF rate
 * limit). Production only; thresholds in the pack config.
 */
import { isProduction, list, ResourceRule, StackResource, StackRule } from "../framework";
import { finding, isReplica, referencing, T } from "./common";

const BACKUP_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
const NAT = "aws:ec2/natGateway:NatGateway";
const SUBNET = "aws:ec2/subnet:Subnet";
const SCALING_TARGET = "aws:appautoscaling/target:Target";
const ASG = "aws:autoscaling/group:Group";
const VAULT = "aws:backup/vault:Vault";
const VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";

/** Private subnets of production (the tier the tasks and the NAT routes serve). */
function productionPrivateSubnets(resources: StackResource[]): StackResource[] {
    return resources.filter((r) => r.type === SUBNET && isProduction(r.props) && r.props.tags?.Tier === "private");
}

export const instanceRequireCrossRegionBackup: StackRule = {
    kind: "stack",
    name: "aws-rds-instance-require-cross-region-backup",
    description: "Production primaries must copy their automated backups to a second region (off-site backups survive a regional outage).",
    severity: "high",
    category: "resilience",
    target: "aws",
    frameworks: { "NIST-800-53": ["CP-6", "CP-9"], "ISO-27001": ["A.8.13"] },
    remediation: "Keep database.crossRegionBackup on in production (dbCrossRegionBackup) with an awsBackupRegion.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.rds && isProduction(r.props) && !isReplica(r.props))
            .filter((r) => referencing(resources, [BACKUP_REPLICATION], "sourceDbInstanceArn", r).length === 0)
            .map((r) => finding(r, "automated backups stay in one region")),
};

export const natgatewayRequirePerAz: StackRule = {
    kind: "stack",
    name: "aws-ec2-natgateway-require-per-az",
    description:
        "Production VPCs need a NAT gateway in each zone of their private subnets: one NAT gateway is a single point of failure for every task's egress.",
    severity: "medium",
    category: "resilience",
    target: "aws",
    frameworks: { "NIST-800-53": ["CP-10", "SC-36"] },
    remediation: "Set network.natStrategy to perAz (natStrategy).",
    check: (resources) => {
        const zones = new Set(productionPrivateSubnets(resources).map((s) => s.props.availabilityZone));
        const nats = resources.filter((r) => r.type === NAT && isProduction(r.props));
        if (zones.size === 0 || nats.length >= zones.size) return [];
        return nats.map((n) => finding(n, `${nats.length} NAT gateway(s) for ${zones.size} zones`));
    },
};

export const subnetRequireZoneCount: StackRule = {
    kind: "stack",
    name: "aws-ec2-subnet-require-zone-count",
    description: "Production private subnets must span enough availability zones that losing one leaves a majority.",
    severity: "medium",
    category: "resilience",
    target: "aws",
    frameworks: { "NIST-800-53": ["CP-10", "SC-36"] },
    remediation: "Set network.azCount to 3 (azCount), or bring a VPC with subnets in three zones.",
    params: { minZones: { type: "integer", default: 3, description: "Availability zones production private subnets must span." } },
    check: (resources, config) => {
        const subnets = productionPrivateSubnets(resources);
        const zones = new Set(subnets.map((s) => s.props.availabilityZone));
        if (subnets.length === 0 || zones.size >= Number(config.minZones)) return [];
        return subnets.map((s) => finding(s, `private subnets span ${zones.size} zone(s) (need ${config.minZones})`));
    },
};

export const scalingTargetRequireMinCapacity: ResourceRule = {
    kind: "resource",
    name: "aws-appautoscaling-target-require-min-capacity",
    description: "Production ECS services scale from at least two tasks, so one task's failure or a deployment leaves the service up.",
    severity: "medium",
    category: "resilience",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CP-10"] },
    remediation: "Set api.minReplicas to 2 or more (apiMinReplicas).",
    params: { minTasks: { type: "integer", default: 2, description: "Lowest task count of a production ECS service." } },
    types: [SCALING_TARGET],
    check: (p, ctx) =>
        p.serviceNamespace === "ecs" && Number(p.minCapacity ?? 0) < Number(ctx.config.minTasks)
            ? `minimum ${p.minCapacity} task(s) (need ${ctx.config.minTasks})`
            : undefined,
};

export const groupRequireOnDemandBase: ResourceRule = {
    kind: "resource",
    name: "aws-autoscaling-group-require-on-demand-base",
    description: "Production Auto Scaling groups on Spot keep an on-demand base, so a Spot reclaim cannot take all their capacity (the LLM) at once.",
    severity: "medium",
    category: "resilience",
    target: "aws",
    frameworks: { "NIST-800-53": ["CP-10"] },
    remediation: "Keep llm.spot off in production, or keep the on-demand base (the Llm's onDemandBaseCapacity, 1 in production).",
    params: { minOnDemand: { type: "integer", default: 1, description: "On-demand instances under Spot in production." } },
    types: [ASG],
    check: (p, ctx) => {
        // Auto Scaling groups carry their tags as a list.
        const production = list<any>(p.tags).some((t) => t.key === "Environment" && t.value === "production");
        const dist = p.mixedInstancesPolicy?.instancesDistribution;
        if (!production || !dist) return undefined;
        const base = Number(dist.onDemandBaseCapacity ?? 0);
        const allSpot = Number(dist.onDemandPercentageAboveBaseCapacity ?? 100) === 0;
        return allSpot && base < Number(ctx.config.minOnDemand) ? `Spot only: ${base} on-demand instance(s) (need ${ctx.config.minOnDemand})` : undefined;
    },
};

export const webaclRestrictRateLimit: ResourceRule = {
    kind: "resource",
    name: "aws-wafv2-webacl-restrict-rate-limit",
    description: "Production web ACLs must rate-limit each client IP at a limit that actually limits.",
    severity: "medium",
    category: "compliance",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["SC-5"] },
    remediation: "Set edge.rateLimitPer5Min (wafRateLimitPer5Min) at or below the pack's maxPer5Min.",
    params: { maxPer5Min: { type: "integer", default: 20000, description: "Highest per-IP limit (requests per 5 minutes)." } },
    types: [T.waf],
    check: (p, ctx) => {
        const limits = list<any>(p.rules)
            .map((r) => r.statement?.rateBasedStatement)
            // Per client: the source address, or the client address a trusted proxy forwards (behind CloudFront).
            .filter((s) => s && (s.aggregateKeyType === "IP" || (s.aggregateKeyType === "FORWARDED_IP" && s.forwardedIpConfig?.headerName)))
            .map((s) => Number(s.limit));
        if (limits.length === 0) return "no per-IP rate-based rule";
        const lowest = Math.min(...limits);
        return lowest > Number(ctx.config.maxPer5Min) ? `per-IP limit ${lowest} per 5 min (at most ${ctx.config.maxPer5Min})` : undefined;
    },
};

export const vaultRequireKms: ResourceRule = {
    kind: "resource",
    name: "aws-backup-vault-require-kms",
    description: "Backup vaults must encrypt recovery points with a customer-managed KMS key.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-28", "CP-9(8)"], "PCI-DSS": ["3.5.1"] },
    remediation: "Set kmsKeyArn on the vault (the stack's data key, or a key in the copy region).",
    types: [VAULT],
    check: (p) => (!p.kmsKeyArn ? "vault uses the AWS-owned default key" : undefined),
};

export const vaultRequireLock: StackRule = {
    kind: "stack",
    name: "aws-backup-vault-require-lock",
    description:
        "Production backup vaults must be under Vault Lock, so that no one (an attacker with admin rights included) deletes recovery points before their retention ends.",
    severity: "high",
    category: "resilience",
    target: "aws",
    frameworks: { "NIST-800-53": ["CP-9", "SI-7"], "ISO-27001": ["A.8.13"] },
    remediation: "Keep the Backup component's vaultLock (governance in production), or compliance for immutable locks.",
    check: (resources) =>
        resources
            .filter((r) => r.type === VAULT && isProduction(r.props))
            .filter((r) => referencing(resources, [VAULT_LOCK], "backupVaultName", r).length === 0)
            .map((r) => finding(r, "recovery points can be deleted at any time (no Vault Lock)")),
};
