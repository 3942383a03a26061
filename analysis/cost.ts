/**
 * The monthly cost of an AWS stack, estimated from its resources' inputs, the price table
 * (`prices.ts`) and usage assumptions. Pure: the offline plan and the budget policy both call it.
 *
 * Every resource lands in exactly one of three lists: priced (line items with quantity, unit
 * price and the assumption used), free (a named reason: AWS does not charge for it, or its cost is
 * counted on another resource), or unpriced (no figure in the table; never silently zero).
 */
import { GPU_INSTANCE_TYPES } from "../components/core/aws-catalog";
import { CostAssumptions } from "../components/settings/cost";
import { GLOBAL_PRICES, PRICES_AS_OF, PriceFigure, hourlyPrice, regionalPrice } from "./prices";

/** What the estimate reads of a resource (a plan record or a policy's resource). */
export interface CostResource {
    urn: string;
    type: string;
    name: string;
    parent?: string | null;
    custom: boolean;
    inputs: Record<string, unknown>;
    /** A remote component's child resources are not visible offline. */
    remote?: boolean;
}

/** One charge of a resource. */
export interface CostItem {
    what: string;
    quantity: number;
    unit: string;
    unitPrice: number;
    monthly: number;
    /** How the unit price was obtained (`published`, or `derived (...)`). */
    basis: string;
    /** The assumption behind the quantity, when it is not read from the resource. */
    assumption?: string;
}

/** A priced resource. */
export interface CostLine {
    urn: string;
    type: string;
    name: string;
    /** The component the resource belongs to (`type "name"`). */
    component: string;
    monthly: number;
    /** Whether the line is GPU compute (instances and their volumes). */
    gpu: boolean;
    items: CostItem[];
}

export interface CostEstimate {
    currency: "USD";
    region: string;
    pricesAsOf: string;
    assumptions: CostAssumptions;
    monthly: { total: number; gpu: number; withoutGpu: number };
    byComponent: Record<string, number>;
    byType: Record<string, number>;
    resources: CostLine[];
    free: { urn: string; type: string; reason: string }[];
    unpriced: { urn: string; type: string; reason: string }[];
}

/** Types AWS does not bill, or whose cost is counted on another resource. */
const FREE: Readonly<Record<string, string>> = {
    "aws:acm/certificate:Certificate": "public ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": "a wait, not a resource",
    "aws:appautoscaling/policy:Policy": "no charge",
    "aws:appautoscaling/target:Target": "no charge",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "no charge",
    "aws:ec2/flowLog:FlowLog": "its logs are priced as ingestion into the log group",
    "aws:ec2/internetGateway:InternetGateway": "no charge",
    "aws:ec2/launchTemplate:LaunchTemplate": "its volumes are priced with the Auto Scaling group",
    "aws:ec2/route:Route": "no charge",
    "aws:networkfirewall/ruleGroup:RuleGroup": "priced with the firewall (endpoint-hours and GB)",
    "aws:networkfirewall/firewallPolicy:FirewallPolicy": "priced with the firewall (endpoint-hours and GB)",
    "aws:networkfirewall/loggingConfiguration:LoggingConfiguration": "its logs are priced as ingestion into the log groups",
    "aws:ec2/routeTable:RouteTable": "no charge",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge",
    "aws:ec2/securityGroup:SecurityGroup": "no charge",
    "aws:ec2/subnet:Subnet": "no charge",
    "aws:ec2/vpc:Vpc": "no charge",
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": "no charge (the cached images' storage, a few hundred MB at $0.10/GB-month, is negligible)",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "no charge",
    "aws:ecs/capacityProvider:CapacityProvider": "the instances are priced with the Auto Scaling group",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "no charge",
    "aws:rds/eventSubscription:EventSubscription": "no charge (SNS deliveries are the topic's)",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "no charge (the proxy is priced)",
    "aws:rds/proxyTarget:ProxyTarget": "no charge (the proxy is priced)",
    "aws:backup/plan:Plan": "no charge (recovery points are the vault's)",
    "aws:backup/selection:Selection": "no charge",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "no charge (locked versions are in the bucket's stored GB)",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": "no charge",
    "aws:ecs/taskDefinition:TaskDefinition": "a definition; the service running it is priced",
    "aws:elasticache/subnetGroup:SubnetGroup": "no charge",
    "aws:cloudwatch/eventRule:EventRule": "scheduled rules are free",
    "aws:cloudwatch/eventTarget:EventTarget": "no charge",
    "aws:lambda/function:Function": "the secret-age check: 120 short runs a month, inside the always-free tier (1M requests, 400,000 GB-s)",
    "aws:lambda/permission:Permission": "no charge",
    "aws:iam/instanceProfile:InstanceProfile": "no charge",
    "aws:iam/policy:Policy": "no charge",
    "aws:iam/role:Role": "no charge",
    "aws:iam/rolePolicy:RolePolicy": "no charge",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "no charge",
    "aws:kms/alias:Alias": "no charge",
    "aws:lb/listener:Listener": "priced with the load balancer (LCU)",
    "aws:lb/listenerRule:ListenerRule": "priced with the load balancer (LCU)",
    "aws:lb/targetGroup:TargetGroup": "priced with the load balancer (LCU)",
    "aws:rds/parameterGroup:ParameterGroup": "no charge",
    "aws:rds/subnetGroup:SubnetGroup": "no charge",
    "aws:route53/record:Record": "alias queries to AWS resources are free; other queries negligible",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "no charge",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "no charge",
    "aws:s3/bucketPolicy:BucketPolicy": "no charge",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "no charge",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "SSE-KMS requests are priced on the key",
    "aws:s3/bucketVersioning:BucketVersioning": "noncurrent versions are in the bucket's stored GB",
    "aws:s3/bucketLogging:BucketLogging": "the logs are in the target bucket's stored GB",
    "aws:secretsmanager/secretVersion:SecretVersion": "priced with the secret",
    "aws:secretsmanager/secretRotation:SecretRotation": "priced with the secret",
    "aws:sns/topic:Topic": "within the free tier at alarm volume (1M requests, 1,000 e-mails a month)",
    "aws:sns/topicSubscription:TopicSubscription": "no charge",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "no charge",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "no charge",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "no charge",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "the access logs are priced as ingestion into their log group",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "the access logs are priced as ingestion into their log group",
    "aws:cloudwatch/logDelivery:LogDelivery": "the access logs are priced as ingestion into their log group",
    "aws:s3/bucketObjectv2:BucketObjectv2": "the front end's files are in its bucket's stored GB; CloudFront's fetches from S3 are free of transfer",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "its logs are priced as ingestion into the log group",
};

const round2 = (n: number) => Math.round(n * 100) / 100;
const num = (v: unknown, fallback = 0): number => {
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    return Number.isFinite(n) ? n : fallback;
};
const tagsOf = (r: CostResource): Record<string, string> => {
    const t = r.inputs.tags;
    return t && typeof t === "object" && !Array.isArray(t) ? (t as Record<string, string>) : {};
};

class Builder {
    readonly lines: CostLine[] = [];
    readonly free: CostEstimate["free"] = [];
    readonly unpriced: CostEstimate["unpriced"] = [];
    constructor(
        readonly region: string,
        readonly a: CostAssumptions,
        readonly all: CostResource[],
        readonly componentOf: (r: CostResource) => string,
    ) {}

    /** An item from a price figure; undefined price → the resource is unpriced. */
    item(what: string, quantity: number, unit: string, price: PriceFigure | undefined, assumption?: string): CostItem | string {
        if (!price) return `no ${what} price for ${this.region}`;
        return {
            what,
            quantity: Math.round(quantity * 1000) / 1000,
            unit,
            unitPrice: price.usd,
            monthly: round2(quantity * price.usd),
            basis: price.basis,
            assumption,
        };
    }
    global(usd: number): PriceFigure {
        return { usd, basis: "published" };
    }
    add(r: CostResource, items: (CostItem | string)[], gpu = false): void {
        const missing = items.filter((i): i is string => typeof i === "string");
        if (missing.length > 0) {
            this.unpriced.push({ urn: r.urn, type: r.type, reason: missing.join("; ") });
            return;
        }
        const priced = items as CostItem[];
        this.lines.push({
            urn: r.urn,
            type: r.type,
            name: r.name,
            component: this.componentOf(r),
            monthly: round2(priced.reduce((s, i) => s + i.monthly, 0)),
            gpu,
            items: priced,
        });
    }
    sameParent(r: CostResource, type: string): CostResource[] {
        return this.all.filter((x) => x.type === type && x.parent === r.parent);
    }
    count(type: string): number {
        return this.all.filter((x) => x.type === type).length;
    }
}

type Pricer = (r: CostResource, b: Builder) => void;

const hours = (b: Builder) => b.a.hoursPerMonth;

const PRICERS: Readonly<Record<string, Pricer>> = {
    "aws:ecs/service:Service": (r, b) => {
        const fargate = r.inputs.launchType === "FARGATE";
        const strategies = (r.inputs.capacityProviderStrategies ?? []) as { capacityProvider?: string }[];
        const spot = strategies.some((s) => s.capacityProvider === "FARGATE_SPOT");
        if (!fargate && !spot) {
            b.free.push({ urn: r.urn, type: r.type, reason: "runs on EC2 capacity priced with its Auto Scaling group" });
            return;
        }
        const tasks = b.sameParent(r, "aws:ecs/taskDefinition:TaskDefinition").filter((t) => t.inputs.family === r.inputs.name);
        if (tasks.length !== 1) {
            b.unpriced.push({ urn: r.urn, type: r.type, reason: "its task definition (same component, family = service name) was not found" });
            return;
        }
        const td = tasks[0].inputs;
        const vcpu = num(td.cpu) / 1024;
        const gb = num(td.memory) / 1024;
        const arm = (td.runtimePlatform as { cpuArchitecture?: string } | undefined)?.cpuArchitecture === "ARM64";
        const scaling = b.all.find((x) => x.type === "aws:appautoscaling/target:Target" && String(x.inputs.resourceId ?? "").endsWith(`/${r.inputs.name}`));
        const minTasks = scaling ? num(scaling.inputs.minCapacity, 1) : num(r.inputs.desiredCount, 1);
        const count = b.a.apiAverageTasks > 0 ? b.a.apiAverageTasks : minTasks;
        const why = b.a.apiAverageTasks > 0 ? `apiAverageTasks ${count}` : `${count} task(s): the autoscaler's minimum (apiAverageTasks 0)`;
        const factor = spot ? GLOBAL_PRICES.fargateSpotFactor : 1;
        const vcpuPrice = regionalPrice(b.region, arm ? "fargateArmVcpuHour" : "fargateVcpuHour");
        const gbPrice = regionalPrice(b.region, arm ? "fargateArmGbHour" : "fargateGbHour");
        const scale = (p: PriceFigure | undefined) => (p ? { usd: p.usd * factor, basis: spot ? `${p.basis} × Spot ${factor}` : p.basis } : undefined);
        b.add(r, [
            b.item(`Fargate vCPU (${vcpu} per task${arm ? ", ARM" : ""})`, count * vcpu * hours(b), "vCPU-hours", scale(vcpuPrice), why),
            b.item(`Fargate memory (${gb} GB per task)`, count * gb * hours(b), "GB-hours", scale(gbPrice), why),
        ]);
    },
    "aws:autoscaling/group:Group": (r, b) => {
        const templates = b.sameParent(r, "aws:ec2/launchTemplate:LaunchTemplate");
        if (templates.length !== 1) {
            b.unpriced.push({ urn: r.urn, type: r.type, reason: "its launch template (same component) was not found" });
            return;
        }
        const lt = templates[0].inputs;
        const type = String(lt.instanceType ?? "");
        const min = num(r.inputs.minSize);
        const desired = num(r.inputs.desiredCapacity, min);
        const mixed = r.inputs.mixedInstancesPolicy as { instancesDistribution?: { onDemandPercentageAboveBaseCapacity?: number } } | undefined;
        const spot = mixed?.instancesDistribution?.onDemandPercentageAboveBaseCapacity === 0;
        const scaleToZero = min === 0;
        const instances = Math.max(desired, scaleToZero ? 1 : 0);
        const instanceHours = scaleToZero ? instances * b.a.llmGpuHoursPerDay * (hours(b) / 24) : instances * hours(b);
        const why = scaleToZero
            ? `scales to zero: ${instances} instance(s) × llmGpuHoursPerDay ${b.a.llmGpuHoursPerDay}`
            : `${instances} instance(s) (desired capacity) around the clock`;
        const ec2 = hourlyPrice(b.region, "ec2", type);
        const price =
            ec2 && spot ? { usd: round2(ec2.usd * GLOBAL_PRICES.ec2SpotFactor * 1e4) / 1e4, basis: `${ec2.basis} × Spot ${GLOBAL_PRICES.ec2SpotFactor}` } : ec2;
        const volumeGb = ((lt.blockDeviceMappings ?? []) as { ebs?: { volumeSize?: number } }[]).reduce((s, m) => s + num(m.ebs?.volumeSize), 0);
        const items = [b.item(`${type} instance`, instanceHours, "instance-hours", price, why)];
        if (volumeGb > 0)
            items.push(
                b.item(
                    `gp3 root and model volume (${volumeGb} GB per instance)`,
                    (volumeGb * instanceHours) / hours(b),
                    "GB-months",
                    regionalPrice(b.region, "ebsGp3GbMonth"),
                    why,
                ),
            );
        // The CloudWatch agent's NVIDIA metrics (user data): per GPU of each instance, and aggregated per
        // group; custom metrics are billed by the hours they are published, i.e. while instances run.
        const userData = Buffer.from(String(lt.userData ?? ""), "base64").toString();
        const measured = /"nvidia_gpu":\{"measurement":\[([^\]]*)\]/.exec(userData)?.[1].split(",").length ?? 0;
        if (measured > 0) {
            const gpus = instances * (GPU_INSTANCE_TYPES[type]?.gpus ?? 1);
            const share = instanceHours / (instances * hours(b));
            items.push(
                b.item(
                    `CloudWatch agent GPU metrics (${measured} per GPU and per group)`,
                    measured * (gpus + 1) * share,
                    "metric-months",
                    b.global(GLOBAL_PRICES.cloudwatchCustomMetricMonth),
                    `${gpus} GPU(s), ${why}`,
                ),
            );
        }
        b.add(r, items, /^(g|p)\d/.test(type));
    },
    "aws:rds/instance:Instance": (r, b) => {
        const cls = String(r.inputs.instanceClass ?? "");
        const multiAz = r.inputs.multiAz === true;
        const sourceId = r.inputs.replicateSourceDb;
        const source = sourceId ? b.all.find((x) => x.type === r.type && x.inputs.identifier === sourceId) : undefined;
        const storage = num(r.inputs.allocatedStorage) || num(source?.inputs.allocatedStorage);
        const copies = multiAz ? 2 : 1;
        const hourly = hourlyPrice(b.region, "rds", cls);
        const items = [
            b.item(`${cls}${multiAz ? " Multi-AZ (primary + standby)" : ""}`, copies * hours(b), "instance-hours", hourly),
            b.item(`gp3 storage (${storage} GB${multiAz ? " × 2 AZs" : ""})`, copies * storage, "GB-months", regionalPrice(b.region, "rdsGp3GbMonth")),
        ];
        // Backups: free up to the provisioned storage; beyond that, per GB-month.
        const retention = num(r.inputs.backupRetentionPeriod);
        if (!sourceId && retention > 0) {
            const backupGb = b.a.databaseUsedGb * (1 + (b.a.databaseDailyChangePercent / 100) * retention);
            const billable = Math.max(0, backupGb - storage);
            items.push(
                b.item(
                    "backup storage beyond the free allowance",
                    billable,
                    "GB-months",
                    regionalPrice(b.region, "rdsBackupGbMonth"),
                    `databaseUsedGb ${b.a.databaseUsedGb} × (1 + ${b.a.databaseDailyChangePercent} % × ${retention} days) = ${round2(backupGb)} GB, ${storage} GB free`,
                ),
            );
        }
        b.add(r, items);
    },
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (r, b) => {
        const retention = num(r.inputs.retentionPeriod, 7);
        const gb = b.a.databaseUsedGb * (1 + (b.a.databaseDailyChangePercent / 100) * retention);
        const transferGb = b.a.databaseUsedGb * (b.a.databaseDailyChangePercent / 100) * (hours(b) / 24);
        const why = `databaseUsedGb ${b.a.databaseUsedGb}, ${b.a.databaseDailyChangePercent} % daily change, ${retention} days`;
        b.add(r, [
            b.item(
                "replicated backup storage (no free allowance; priced at this region's rate)",
                gb,
                "GB-months",
                regionalPrice(b.region, "rdsBackupGbMonth"),
                why,
            ),
            b.item("inter-region transfer of the daily changes", transferGb, "GB", b.global(GLOBAL_PRICES.interRegionTransferGb), why),
        ]);
    },
    "aws:backup/vault:Vault": (r, b) => {
        // The plan of the same component says what lands here: its own rules (targetVaultName) or copies.
        const plans = b.sameParent(r, "aws:backup/plan:Plan");
        const rules = plans.flatMap((p) => (p.inputs.rules ?? []) as { targetVaultName?: string; lifecycle?: { deleteAfter?: number } }[]);
        if (rules.length === 0) {
            b.unpriced.push({ urn: r.urn, type: r.type, reason: "no backup plan in its component" });
            return;
        }
        const copy = !rules.some((x) => x.targetVaultName === r.inputs.name);
        const longest = Math.max(...rules.map((x) => num(x.lifecycle?.deleteAfter, 7)));
        // The database changes in place (incremental points keep the changed blocks of the longest
        // tier); the documents are mostly added, not rewritten (kept once).
        const documents = b.a.bucketStoredGb.documents ?? 0;
        const changedGb = b.a.databaseUsedGb * (b.a.databaseDailyChangePercent / 100);
        const gb = documents + b.a.databaseUsedGb + changedGb * longest;
        const why = `bucketStoredGb.documents ${documents} + databaseUsedGb ${b.a.databaseUsedGb} × (1 + ${b.a.databaseDailyChangePercent} % × ${longest} days, the longest tier)`;
        const items = [
            b.item(
                `AWS Backup warm storage${copy ? " (copies in the backup region, priced at this region's rate)" : ""}`,
                gb,
                "GB-months",
                regionalPrice(b.region, "backupWarmGbMonth"),
                why,
            ),
        ];
        if (copy)
            items.push(
                b.item("inter-region transfer of the daily changes", changedGb * (hours(b) / 24), "GB", b.global(GLOBAL_PRICES.interRegionTransferGb), why),
            );
        b.add(r, items);
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": (r, b) => {
        const type = String(r.inputs.nodeType ?? "");
        const groups = num(r.inputs.numNodeGroups, 0);
        const nodes = groups > 0 ? groups * (num(r.inputs.replicasPerNodeGroup) + 1) : num(r.inputs.numCacheClusters, 1);
        const valkey = r.inputs.engine === "valkey";
        const base = hourlyPrice(b.region, "elasticache", type);
        const price =
            base && valkey
                ? { usd: round2(base.usd * GLOBAL_PRICES.valkeyFactor * 1e4) / 1e4, basis: `${base.basis} × Valkey ${GLOBAL_PRICES.valkeyFactor}` }
                : base;
        b.add(r, [b.item(`${type} node${valkey ? " (Valkey)" : ""}`, nodes * hours(b), "node-hours", price)]);
    },
    "aws:ec2/natGateway:NatGateway": (r, b) => {
        const n = b.count(r.type);
        b.add(r, [
            b.item("NAT gateway", hours(b), "hours", regionalPrice(b.region, "natGatewayHour")),
            b.item(
                "data processed",
                b.a.natProcessedGbPerMonth / n,
                "GB",
                regionalPrice(b.region, "natGatewayGb"),
                `natProcessedGbPerMonth ${b.a.natProcessedGbPerMonth} over ${n} gateway(s)`,
            ),
        ]);
    },
    "aws:networkfirewall/firewall:Firewall": (r, b) => {
        // One endpoint per subnet mapping (AZ); every byte to the NAT gateways crosses it. AWS waives
        // the NAT gateways' hours and GB matching the firewall's (network-firewall/pricing): not
        // deducted here, so the estimate errs high.
        const endpoints = ((r.inputs.subnetMappings ?? []) as unknown[]).length || 1;
        b.add(r, [
            b.item(`firewall endpoint × ${endpoints}`, endpoints * hours(b), "endpoint-hours", regionalPrice(b.region, "firewallEndpointHour")),
            b.item(
                "traffic inspected",
                b.a.natProcessedGbPerMonth,
                "GB",
                regionalPrice(b.region, "firewallGb"),
                `natProcessedGbPerMonth ${b.a.natProcessedGbPerMonth} (the egress through the NAT gateways crosses the firewall); the NAT gateways' matching charges, waived by AWS, are not deducted`,
            ),
        ]);
    },
    "aws:ec2/eip:Eip": (r, b) => b.add(r, [b.item("public IPv4 address", hours(b), "hours", b.global(GLOBAL_PRICES.publicIpv4Hour))]),
    "aws:lb/loadBalancer:LoadBalancer": (r, b) => {
        const subnets = ((r.inputs.subnets ?? []) as unknown[]).length || 2;
        const items = [
            b.item("Application Load Balancer", hours(b), "hours", regionalPrice(b.region, "albHour")),
            b.item(
                "load balancer capacity units",
                b.a.albAverageLcu * hours(b),
                "LCU-hours",
                regionalPrice(b.region, "albLcuHour"),
                `albAverageLcu ${b.a.albAverageLcu}`,
            ),
        ];
        if (r.inputs.internal !== true)
            items.push(
                b.item(`public IPv4 addresses (one per subnet, ${subnets})`, subnets * hours(b), "address-hours", b.global(GLOBAL_PRICES.publicIpv4Hour)),
            );
        b.add(r, items);
    },
    "aws:cloudfront/distribution:Distribution": (r, b) =>
        b.add(r, [
            b.item(
                "data transfer out to the internet",
                b.a.cdnTransferGbPerMonth,
                "GB",
                b.global(GLOBAL_PRICES.cloudfrontTransferGb),
                `cdnTransferGbPerMonth ${b.a.cdnTransferGbPerMonth}`,
            ),
            b.item(
                "HTTPS requests",
                b.a.cdnRequestsPerMonth / 10_000,
                "10,000 requests",
                b.global(GLOBAL_PRICES.cloudfrontHttpsPer10k),
                `cdnRequestsPerMonth ${b.a.cdnRequestsPerMonth}`,
            ),
        ]),
    "aws:cloudfront/function:Function": (r, b) =>
        b.add(r, [
            b.item(
                "function invocations (every request, at most)",
                b.a.cdnRequestsPerMonth / 1e6,
                "million invocations",
                b.global(GLOBAL_PRICES.cloudfrontFunctionPerMillion),
                `cdnRequestsPerMonth ${b.a.cdnRequestsPerMonth}`,
            ),
        ]),
    "aws:wafv2/webAcl:WebAcl": (r, b) => {
        const rules = ((r.inputs.rules ?? []) as unknown[]).length;
        // A CLOUDFRONT-scope ACL inspects every request to the distribution; the ALB's, the API's.
        const cdn = r.inputs.scope === "CLOUDFRONT";
        const requests = cdn ? b.a.cdnRequestsPerMonth : b.a.requestsPerMonth;
        b.add(r, [
            b.item("web ACL", 1, "ACL-months", b.global(GLOBAL_PRICES.wafWebAclMonth)),
            b.item("rules and managed rule groups", rules, "rule-months", b.global(GLOBAL_PRICES.wafRuleMonth)),
            b.item(
                "requests inspected",
                requests / 1e6,
                "million requests",
                b.global(GLOBAL_PRICES.wafPerMillionRequests),
                `${cdn ? "cdnRequestsPerMonth" : "requestsPerMonth"} ${requests}`,
            ),
        ]);
    },
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": (r, b) =>
        b.unpriced.push({
            urn: r.urn,
            type: r.type,
            reason: "inter-region transfer of new and changed objects ($0.02/GB) depends on the write rate, which the assumptions do not model (the replica's storage is priced)",
        }),
    "aws:s3/bucket:Bucket": (r, b) => {
        // A replica holds what its source holds.
        const purpose = (tagsOf(r).Purpose ?? "other").replace(/-replica$/, "");
        const gb = b.a.bucketStoredGb[purpose] ?? b.a.bucketStoredGb.other ?? 0;
        const n = b.count(r.type);
        b.add(r, [
            b.item(
                "S3 Standard storage",
                gb,
                "GB-months",
                regionalPrice(b.region, "s3StandardGbMonth"),
                `bucketStoredGb.${purpose in b.a.bucketStoredGb ? purpose : "other"} ${gb}`,
            ),
            b.item(
                "PUT requests",
                b.a.s3PutsPerMonth / n / 1000,
                "1,000 requests",
                regionalPrice(b.region, "s3PutPer1000"),
                `s3PutsPerMonth ${b.a.s3PutsPerMonth} over ${n} buckets`,
            ),
            b.item(
                "GET requests",
                b.a.s3GetsPerMonth / n / 1000,
                "1,000 requests",
                regionalPrice(b.region, "s3GetPer1000"),
                `s3GetsPerMonth ${b.a.s3GetsPerMonth} over ${n} buckets`,
            ),
        ]);
    },
    "aws:cloudwatch/logGroup:LogGroup": (r, b) => {
        const n = b.count(r.type);
        const ingest = b.a.logsIngestedGbPerMonth / n;
        const retentionMonths = Math.min(num(r.inputs.retentionInDays, 3653) / 30.4, 12);
        b.add(r, [
            b.item(
                "log ingestion",
                ingest,
                "GB",
                regionalPrice(b.region, "logsIngestGb"),
                `logsIngestedGbPerMonth ${b.a.logsIngestedGbPerMonth} over ${n} log groups`,
            ),
            b.item(
                "log storage (steady state, uncompressed: an upper bound)",
                ingest * retentionMonths,
                "GB-months",
                regionalPrice(b.region, "logsStorageGbMonth"),
                `${round2(retentionMonths)} months of ingestion kept (retention, at most a year counted)`,
            ),
        ]);
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": (r, b) =>
        b.add(r, [b.item("standard-resolution alarm", 1, "alarm-months", b.global(GLOBAL_PRICES.cloudwatchAlarmMonth))]),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": (r, b) =>
        b.add(r, [b.item("custom metric", 1, "metric-months", b.global(GLOBAL_PRICES.cloudwatchCustomMetricMonth))]),
    "aws:cloudwatch/dashboard:Dashboard": (r, b) => b.add(r, [b.item("dashboard", 1, "dashboard-months", b.global(GLOBAL_PRICES.cloudwatchDashboardMonth))]),
    "aws:kms/key:Key": (r, b) =>
        b.add(r, [
            b.item("customer managed key", 1, "key-months", b.global(GLOBAL_PRICES.kmsKeyMonth)),
            b.item(
                "requests",
                b.a.kmsRequestsPerKey / 1e4,
                "10,000 requests",
                b.global(GLOBAL_PRICES.kmsPer10kRequests),
                `kmsRequestsPerKey ${b.a.kmsRequestsPerKey}`,
            ),
        ]),
    "aws:secretsmanager/secret:Secret": (r, b) =>
        b.add(r, [
            b.item("secret", 1, "secret-months", b.global(GLOBAL_PRICES.secretMonth)),
            b.item(
                "API calls",
                b.a.secretsCallsPerSecret / 1e4,
                "10,000 calls",
                b.global(GLOBAL_PRICES.secretsPer10kCalls),
                `secretsCallsPerSecret ${b.a.secretsCallsPerSecret}`,
            ),
        ]),
    "aws:cloudtrail/trail:Trail": (r, b) => {
        const dataEvents = (r.inputs.eventSelectors as unknown[] | undefined)?.length || (r.inputs.advancedEventSelectors as unknown[] | undefined)?.length;
        if (!dataEvents || b.a.cloudTrailDataEventsPerMonth === 0) {
            b.free.push({
                urn: r.urn,
                type: r.type,
                reason: "the first copy of management events is free (its logs are priced in their bucket and log group)",
            });
            return;
        }
        b.add(r, [
            b.item(
                "data events",
                b.a.cloudTrailDataEventsPerMonth / 1e5,
                "100,000 events",
                b.global(GLOBAL_PRICES.cloudTrailDataEventsPer100k),
                `cloudTrailDataEventsPerMonth ${b.a.cloudTrailDataEventsPerMonth}`,
            ),
        ]);
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": (r, b) => {
        if (r.inputs.vpcEndpointType !== "Interface") {
            b.free.push({ urn: r.urn, type: r.type, reason: "gateway endpoints are free" });
            return;
        }
        const azs = ((r.inputs.subnetIds ?? []) as unknown[]).length || 1;
        const n = b.all.filter((x) => x.type === r.type && x.inputs.vpcEndpointType === "Interface").length;
        b.add(r, [
            b.item(`interface endpoint in ${azs} AZ(s)`, azs * hours(b), "AZ-hours", regionalPrice(b.region, "endpointAzHour")),
            b.item(
                "data processed",
                b.a.endpointProcessedGbPerMonth / n,
                "GB",
                regionalPrice(b.region, "endpointGb"),
                `endpointProcessedGbPerMonth ${b.a.endpointProcessedGbPerMonth} over ${n} endpoints`,
            ),
        ]);
    },
    "aws:ecs/cluster:Cluster": clusterPricer,
    "aws:servicediscovery/service:Service": discoveryServicePricer,
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": (r, b) =>
        b.add(r, [b.item("private hosted zone", 1, "zone-months", b.global(GLOBAL_PRICES.hostedZoneMonth))]),
    "aws:rds/proxy:Proxy": (r, b) => {
        const db = b.all.find((x) => x.type === "aws:rds/instance:Instance" && !x.inputs.replicateSourceDb);
        const vcpus = Math.max(2, vcpusOf(String(db?.inputs.instanceClass ?? "")));
        b.add(r, [
            b.item(`RDS Proxy (${vcpus} vCPUs of the database, minimum 2)`, vcpus * hours(b), "vCPU-hours", regionalPrice(b.region, "rdsProxyVcpuHour")),
        ]);
    },
};

/** vCPUs of an instance size (large 2, xlarge 4, Nxlarge 4N; micro to medium 2). */
function vcpusOf(cls: string): number {
    const size = cls.split(".").pop() ?? "";
    if (size === "large" || /micro|small|medium/.test(size)) return 2;
    if (size === "xlarge") return 4;
    const m = /^(\d+)xlarge$/.exec(size);
    return m ? Number(m[1]) * 4 : 2;
}

/** The ECS cluster: free unless Container Insights is on (custom metrics, priced by use). */
function clusterPricer(r: CostResource, b: Builder): void {
    const insights = ((r.inputs.settings ?? []) as { name?: string; value?: string }[]).find((s) => s.name === "containerInsights")?.value;
    if (insights === "enabled" || insights === "enhanced")
        b.unpriced.push({
            urn: r.urn,
            type: r.type,
            reason: `Container Insights (${insights}) is billed by metrics and observations, which this estimate does not model`,
        });
    else b.free.push({ urn: r.urn, type: r.type, reason: "no charge" });
}

/** Cloud Map service: per registered instance (the ECS service's tasks). */
function discoveryServicePricer(r: CostResource, b: Builder): void {
    const svc = b.all.find((x) => x.type === "aws:ecs/service:Service" && x.parent === r.parent);
    const instances = num(svc?.inputs.desiredCount, 1);
    b.add(r, [
        b.item(
            "registered instances",
            instances,
            "instance-months",
            b.global(GLOBAL_PRICES.cloudMapInstanceMonth),
            `${instances}: the service's desired count`,
        ),
    ]);
}

/**
 * Estimates the monthly cost of the AWS resources of a stack. Components, providers and non-AWS
 * resources are skipped; a remote component is listed as unpriced (its children are not visible).
 */
export function estimateCost(resources: CostResource[], region: string, assumptions: CostAssumptions): CostEstimate {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const componentOf = (r: CostResource): string => {
        const p = r.parent ? byUrn.get(r.parent) : undefined;
        return p ? `${p.type} "${p.name}"` : "(stack)";
    };
    const b = new Builder(region, assumptions, resources, componentOf);
    for (const r of resources) {
        if (r.remote) {
            b.unpriced.push({ urn: r.urn, type: r.type, reason: "a remote component: its children are not visible offline" });
            continue;
        }
        if (!r.custom || !r.type.startsWith("aws:") || r.type.startsWith("pulumi:providers:")) continue;
        const pricer = PRICERS[r.type];
        if (pricer) pricer(r, b);
        else if (FREE[r.type]) b.free.push({ urn: r.urn, type: r.type, reason: FREE[r.type] });
        else b.unpriced.push({ urn: r.urn, type: r.type, reason: "no price in the table for this type" });
    }
    const total = round2(b.lines.reduce((s, l) => s + l.monthly, 0));
    const gpu = round2(b.lines.filter((l) => l.gpu).reduce((s, l) => s + l.monthly, 0));
    const sum = (key: (l: CostLine) => string) => {
        const out: Record<string, number> = {};
        for (const l of b.lines) out[key(l)] = round2((out[key(l)] ?? 0) + l.monthly);
        return Object.fromEntries(Object.entries(out).sort((x, y) => y[1] - x[1]));
    };
    return {
        currency: "USD",
        region,
        pricesAsOf: PRICES_AS_OF,
        assumptions,
        monthly: { total, gpu, withoutGpu: round2(total - gpu) },
        byComponent: sum((l) => l.component),
        byType: sum((l) => l.type),
        resources: b.lines,
        free: b.free,
        unpriced: b.unpriced,
    };
}
