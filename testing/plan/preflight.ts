/**
 * The quota preflight of an AWS plan: the service quotas the stack needs at its peak (every
 * autoscaler at its maximum, a deployment's extra tasks) against the defaults AWS gives a new
 * account, each with the quota code to request an increase with (Service Quotas console, or
 * `aws service-quotas request-service-quota-increase --service-code <service> --quota-code <code>
 * --desired-value <n>`) before `pulumi up`. A quota is account state, not configuration: the plan
 * does not fail on it, it says what to request. Defaults as AWS documents them (2026-12); an
 * account may have more (check `aws service-quotas get-service-quota`) or, new, less.
 */
import { RecordedResource } from "../mocks";

export interface QuotaCheck {
    /** Service Quotas service code (`ec2`, `vpc`, `fargate`, …). */
    service: string;
    /** Quota code (`L-…`), or null where AWS publishes none (a fixed limit). */
    quotaCode: string | null;
    name: string;
    /** What the stack needs at its peak. */
    needed: number;
    /** AWS's default for a new account. */
    defaultValue: number;
    /** `request`: the default is below what the stack needs; ask for an increase first. */
    status: "ok" | "request";
    /** How the need is counted. */
    basis: string;
    /** What AWS says of new accounts, where it differs. */
    note?: string;
    /** AWS's page that states the quota. */
    url: string;
}

export interface PreflightReport {
    region: string;
    checks: QuotaCheck[];
    /** Quotas to raise before the first `pulumi up` in a new account. */
    requests: number;
}

const EC2_QUOTAS = "https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html";

/** vCPUs of the GPU instance sizes the LLM supports (EC2 accelerated computing specifications). */
const VCPUS_BY_SIZE: Record<string, number> = {
    xlarge: 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
    "48xlarge": 192,
    metal: 96,
};

const inp = (r: RecordedResource) => r.inputs as Record<string, any>;

function check(c: Omit<QuotaCheck, "status">): QuotaCheck {
    return { ...c, status: c.needed > c.defaultValue ? "request" : "ok" };
}

/** The preflight of a plan's AWS resources; null for a plan without any. */
export function preflightOf(records: RecordedResource[], region: string): PreflightReport | null {
    const aws = records.filter((r) => r.custom && r.type.startsWith("aws:"));
    if (aws.length === 0) return null;
    const of = (t: string) => aws.filter((r) => r.type === t);
    const checks: QuotaCheck[] = [];

    // GPU hosts: vCPU quotas per family class (G and VT, or P), on-demand and Spot, at the groups' maximum.
    const gpu = { G: { onDemand: 0, spot: 0 }, P: { onDemand: 0, spot: 0 } };
    for (const asg of of("aws:autoscaling/group:Group")) {
        const lt = aws.find(
            (r) =>
                r.type === "aws:ec2/launchTemplate:LaunchTemplate" &&
                r.id === (inp(asg).launchTemplate?.id ?? inp(asg).mixedInstancesPolicy?.launchTemplate?.launchTemplateSpecification?.launchTemplateId),
        );
        const type = String(lt ? inp(lt).instanceType : "");
        const [family, size] = type.split(".");
        const cls = /^(g|vt)/.test(family) ? "G" : /^p/.test(family) ? "P" : undefined;
        if (!cls) continue;
        const vcpu = VCPUS_BY_SIZE[size] ?? 0;
        const max = Number(inp(asg).maxSize ?? 0);
        const dist = inp(asg).mixedInstancesPolicy?.instancesDistribution;
        const onDemand = dist ? Math.min(max, Number(dist.onDemandBaseCapacity ?? 0)) : max;
        gpu[cls].onDemand += onDemand * vcpu;
        gpu[cls].spot += (max - onDemand) * vcpu;
    }
    const gpuCodes = {
        G: { onDemand: ["L-DB2E81BA", "Running On-Demand G and VT instances"], spot: ["L-3819A6DF", "All G and VT Spot Instance Requests"] },
        P: { onDemand: ["L-417A185B", "Running On-Demand P instances"], spot: ["L-7212CCBC", "All P Spot Instance Requests"] },
    } as const;
    for (const cls of ["G", "P"] as const)
        for (const kind of ["onDemand", "spot"] as const)
            if (gpu[cls][kind] > 0)
                checks.push(
                    check({
                        service: "ec2",
                        quotaCode: gpuCodes[cls][kind][0],
                        name: `${gpuCodes[cls][kind][1]} (vCPUs)`,
                        needed: gpu[cls][kind],
                        defaultValue: 0,
                        basis: `GPU hosts at the Auto Scaling maximum, ${kind === "spot" ? "Spot" : "on-demand"}`,
                        note: "a new account is commonly at 0 vCPUs for GPU instances",
                        url: EC2_QUOTAS,
                    }),
                );

    const count = (
        service: string,
        quotaCode: string | null,
        name: string,
        needed: number,
        defaultValue: number,
        basis: string,
        url: string,
        note?: string,
    ) => {
        if (needed > 0) checks.push(check({ service, quotaCode, name, needed, defaultValue, basis, url, ...(note ? { note } : {}) }));
    };
    const vpcLimits = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html";
    count(
        "ec2",
        "L-0263D0A3",
        "EC2-VPC Elastic IPs",
        of("aws:ec2/eip:Eip").length,
        5,
        "one per NAT gateway",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html",
    );
    count("vpc", "L-F678F1CE", "VPCs per Region", of("aws:ec2/vpc:Vpc").length, 5, "the stack's VPC (the account's default VPC counts too)", vpcLimits);
    count("vpc", "L-A4707A72", "Internet gateways per Region", of("aws:ec2/internetGateway:InternetGateway").length, 5, "the stack's VPC", vpcLimits);
    count(
        "vpc",
        "L-29B6F2EB",
        "Interface VPC endpoints per VPC",
        of("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => inp(e).vpcEndpointType === "Interface").length,
        50,
        "the AWS APIs reached privately",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html",
    );
    count(
        "elasticloadbalancing",
        "L-53DA6B97",
        "Application Load Balancers per Region",
        of("aws:lb/loadBalancer:LoadBalancer").filter((l) => (inp(l).loadBalancerType ?? "application") === "application").length,
        50,
        "the edge",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html",
    );
    const rdsLimits = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html";
    const dbs = of("aws:rds/instance:Instance");
    count("rds", "L-7B6409FD", "DB instances", dbs.length, 40, "primary and read replicas", rdsLimits);
    count(
        "rds",
        "L-7ADDB58A",
        "Total storage for all DB instances (GiB)",
        dbs.reduce((n, d) => n + Number(inp(d).maxAllocatedStorage ?? inp(d).allocatedStorage ?? 0), 0),
        100000,
        "every instance at its storage autoscaling ceiling",
        rdsLimits,
    );
    count("rds", "L-D94C7EA3", "Proxies", of("aws:rds/proxy:Proxy").length, 20, "the RDS Proxy", rdsLimits);
    count(
        "elasticache",
        "L-DFE45DF3",
        "Nodes per Region",
        of("aws:elasticache/replicationGroup:ReplicationGroup").reduce((n, g) => n + Number(inp(g).numCacheClusters ?? 1), 0),
        300,
        "primary and replicas",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/quota-limits.html",
    );

    // Fargate: every service at its autoscaling maximum, with a rolling deployment's extra tasks.
    let fargateVcpu = 0;
    for (const svc of of("aws:ecs/service:Service").filter((s) => inp(s).launchType === "FARGATE")) {
        const td = aws.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.state.arn === inp(svc).taskDefinition);
        const target = of("aws:appautoscaling/target:Target").find((t) => String(inp(t).resourceId ?? "").endsWith(`/${inp(svc).name}`));
        const tasks = Number(target ? inp(target).maxCapacity : (inp(svc).desiredCount ?? 1));
        const surge = Number(inp(svc).deploymentMaximumPercent ?? 200) / 100;
        fargateVcpu += Math.ceil(tasks * surge) * (Number(td ? inp(td).cpu : 256) / 1024);
    }
    count(
        "fargate",
        "L-3032A538",
        "Fargate On-Demand vCPU resource count",
        Math.ceil(fargateVcpu),
        6,
        "every Fargate service at its autoscaling maximum during a deployment (maximumPercent)",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html",
        "new accounts may start lower; ECS raises the quota with use",
    );
    const functions = of("aws:lambda/function:Function");
    if (functions.length > 0)
        checks.push(
            check({
                service: "lambda",
                quotaCode: "L-B99A9384",
                name: "Concurrent executions",
                needed: functions.reduce((n, f) => n + Number(inp(f).reservedConcurrentExecutions ?? 0), 0) + 100,
                defaultValue: 1000,
                basis: `${functions.length} function(s): reserved concurrency plus the 100 Lambda keeps unreserved`,
                note: "new accounts may start at 10: the stack reserves none, so its functions still run",
                url: "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
            }),
        );
    count(
        "wafv2",
        "L-2EC3DE7B",
        "Maximum web ACLs per account in WAF for regional",
        of("aws:wafv2/webAcl:WebAcl").length,
        100,
        "the edge's web ACL",
        "https://docs.aws.amazon.com/waf/latest/developerguide/limits.html",
    );
    count(
        "cloudtrail",
        null,
        "Trails per Region",
        of("aws:cloudtrail/trail:Trail").length,
        5,
        "the audit trail (a multi-Region trail counts in every Region)",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html",
        "not adjustable: count the account's trails",
    );
    count(
        "backup",
        "L-7705D2CB",
        "Backup vaults per Region per account",
        of("aws:backup/vault:Vault").length,
        300,
        "the stack's vaults",
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/aws-backup-limits.html",
    );
    count(
        "acm",
        "L-F141DD1D",
        "ACM certificates",
        of("aws:acm/certificate:Certificate").length,
        2500,
        "the edge's certificate",
        "https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html",
    );
    return { region, checks, requests: checks.filter((c) => c.status === "request").length };
}

/** The preflight as text lines for the plan's summary. */
export function preflightLines(p: PreflightReport | null): string[] {
    if (!p) return [];
    const lines = [
        `Quota preflight (${p.region}, AWS's defaults for a new account): ${p.requests === 0 ? "nothing to request" : `${p.requests} to request before pulumi up`}`,
    ];
    for (const c of p.checks) {
        const code = c.quotaCode ? `${c.service} ${c.quotaCode}` : `${c.service} (no code)`;
        lines.push(
            `  ${c.status === "request" ? "REQUEST" : "ok     "} ${c.name}: needs ${c.needed}, default ${c.defaultValue} [${code}] — ${c.basis}${c.note ? `; ${c.note}` : ""}`,
        );
    }
    if (p.requests > 0)
        lines.push(
            '  Request with: aws service-quotas request-service-quota-increase --region <region> --service-code <service> --quota-code <code> --desired-value <n> (docs/aws.md, "First deploy in a new account")',
        );
    return lines;
}
