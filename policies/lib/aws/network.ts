import { TIER_TAG } from "../../../components/core/facts";
import { isProduction, ResourceRule, StackFinding, StackResource, StackRule, list, statements } from "../framework";
import { T, finding, referenced, referencing } from "./common";

export const securitygroupDisallowPublicIngress: StackRule = {
    kind: "stack",
    name: "aws-ec2-securitygroup-disallow-public-ingress",
    description: "No ingress from 0.0.0.0/0 or ::/0, except 80/443 on security groups tagged as the public ALB's.",
    severity: "critical",
    category: "least-privilege",
    target: "aws",
    frameworks: { CIS: ["AWS 5.2", "AWS 5.3"], "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.3.1"], "ISO-27001": ["A.8.20"] },
    remediation: "Reference the source security group, or restrict the CIDR.",
    check: (resources) => {
        const out: StackFinding[] = [];
        const open = (cidr4?: unknown, cidr6?: unknown) => list(cidr4).includes("0.0.0.0/0") || list(cidr6).includes("::/0");
        const allowed = (sg: StackResource | undefined, from: number, to: number) =>
            sg?.props.tags?.["ragstack:role"] === "public-alb" && ((from === 443 && to === 443) || (from === 80 && to === 80));
        for (const sg of resources.filter((r) => r.type === T.sg))
            for (const rule of list<any>(sg.props.ingress))
                if (open(rule.cidrBlocks, rule.ipv6CidrBlocks) && !allowed(sg, rule.fromPort, rule.toPort))
                    out.push(finding(sg, `ingress ${rule.fromPort}-${rule.toPort} open to the internet`));
        for (const r of resources.filter((x) => x.type === T.sgIngress || (x.type === T.sgRule && x.props.type === "ingress"))) {
            const sg = referenced(resources, r, "securityGroupId", [T.sg]);
            const cidr4 = r.type === T.sgIngress ? r.props.cidrIpv4 : r.props.cidrBlocks;
            const cidr6 = r.type === T.sgIngress ? r.props.cidrIpv6 : r.props.ipv6CidrBlocks;
            if (open(cidr4, cidr6) && !allowed(sg, r.props.fromPort, r.props.toPort))
                out.push(finding(r, `ingress ${r.props.fromPort}-${r.props.toPort} open to the internet`));
        }
        return out;
    },
};

export const securitygroupRequireRuleDescriptions: StackRule = {
    kind: "stack",
    name: "aws-ec2-securitygroup-require-rule-descriptions",
    description: "Every security group rule must say what it is for.",
    severity: "low",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["CM-6"], "PCI-DSS": ["1.2.5"] },
    remediation: "Set description on every rule.",
    check: (resources) => {
        const out: StackFinding[] = [];
        for (const sg of resources.filter((r) => r.type === T.sg)) {
            if (!sg.props.description || sg.props.description === "Managed by Pulumi") out.push(finding(sg, "security group has no description"));
            for (const rule of [...list<any>(sg.props.ingress), ...list<any>(sg.props.egress)])
                if (!rule.description) out.push(finding(sg, "an inline rule has no description"));
        }
        for (const r of resources.filter((x) => [T.sgIngress, T.sgEgress, T.sgRule].includes(x.type)))
            if (!r.props.description) out.push(finding(r, "rule has no description"));
        return out;
    },
};

export const securitygroupRestrictDataTierSources: StackRule = {
    kind: "stack",
    name: "aws-ec2-securitygroup-restrict-data-tier-sources",
    description: "Data-tier security groups (tag ragstack:tier=data) admit only other security groups, never CIDRs.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-7", "AC-4"], "PCI-DSS": ["1.3.1"] },
    remediation: "Use referencedSecurityGroupId of the application tier as the only source.",
    check: (resources) => {
        const out: StackFinding[] = [];
        const dataSgs = resources.filter((r) => r.type === T.sg && r.props.tags?.[TIER_TAG] === "data");
        for (const sg of dataSgs) {
            for (const rule of list<any>(sg.props.ingress))
                if (list(rule.cidrBlocks).length > 0 || list(rule.ipv6CidrBlocks).length > 0) out.push(finding(sg, "data tier admits a CIDR"));
            for (const r of referencing(resources, [T.sgIngress, T.sgRule], "securityGroupId", sg)) {
                if (r.type === T.sgRule && r.props.type !== "ingress") continue;
                if (r.props.cidrIpv4 || r.props.cidrIpv6 || list(r.props.cidrBlocks).length > 0 || r.props.prefixListId)
                    out.push(finding(r, "data tier admits a CIDR"));
            }
        }
        return out;
    },
};

export const vpcRequireFlowLogs: StackRule = {
    kind: "stack",
    name: "aws-ec2-vpc-require-flow-logs",
    description: "Every VPC must have flow logs for ALL traffic.",
    severity: "medium",
    category: "compliance",
    target: "aws",
    frameworks: { CIS: ["AWS 3.7"], "NIST-800-53": ["AU-12", "SI-4"], "PCI-DSS": ["10.2.1"] },
    remediation: "Add an aws.ec2.FlowLog with trafficType ALL.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.vpc)
            .flatMap((vpc) =>
                referencing(resources, [T.flowLog], "vpcId", vpc).some((f) => f.props.trafficType === "ALL")
                    ? []
                    : [finding(vpc, "VPC has no flow log for ALL traffic")],
            ),
};

export const vpcendpointRequireAccountPolicy: ResourceRule = {
    kind: "resource",
    name: "aws-ec2-vpcendpoint-require-account-policy",
    description: "VPC endpoints need a policy that admits only principals of the stack's account (the default policy admits anyone's credentials).",
    severity: "medium",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-4", "SC-7"], "ISO-27001": ["A.8.20"] },
    remediation:
        "Give the endpoint a policy whose Allow statements carry aws:PrincipalAccount (or aws:PrincipalOrgID); only s3:GetObject on AWS-owned buckets (ECR layers, OS packages) may go without.",
    params: {
        awsOwnedObjects: {
            type: "array",
            default: [
                "arn:aws:s3:::prod-*-starport-layer-bucket/*",
                "arn:aws:s3:::amazonlinux.*.amazonaws.com/*",
                "arn:aws:s3:::amazonlinux-2-repos-*/*",
                "arn:aws:s3:::al2023-repos-*/*",
                "arn:aws:s3:::amazoncloudwatch-agent-*/*",
                "arn:aws:s3:::amazoncloudwatch-agent/*",
            ],
            description:
                "Objects of AWS-owned buckets a statement may allow s3:GetObject on without a principal condition (ECR presigns its layers; package downloads are anonymous). '*' matches within one name.",
        },
    },
    types: ["aws:ec2/vpcEndpoint:VpcEndpoint"],
    check: (p, ctx) => {
        if (!p.policy) return "endpoint has the default (full access) policy";
        const owned = (ctx.config.awsOwnedObjects as string[]).map((g) => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`));
        const awsOwnedRead = (st: any) =>
            list<string>(st.Action).every((a) => a === "s3:GetObject") &&
            list<string>(st.Resource).length > 0 &&
            list<string>(st.Resource).every((r) => owned.some((re) => re.test(r)));
        const open = statements(p.policy).filter(
            (st) =>
                st.Effect === "Allow" &&
                !st.Condition?.StringEquals?.["aws:PrincipalAccount"] &&
                !st.Condition?.StringEquals?.["aws:PrincipalOrgID"] &&
                !awsOwnedRead(st),
        );
        return open.map((st) => `statement ${st.Sid ?? "(no Sid)"} admits principals of any account`);
    },
};

export const securitygroupRestrictInternetEgress: StackRule = {
    kind: "stack",
    name: "aws-ec2-securitygroup-restrict-internet-egress",
    description:
        "Production security groups must not allow egress to the whole internet (0.0.0.0/0, ::/0): tasks and hosts reach AWS through the VPC's endpoints, so a compromised one cannot send data anywhere.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["SC-7(5)", "AC-4"], "PCI-DSS": ["1.3.2"], CIS: ["AWS 5.4"] },
    remediation:
        "Keep awsInternetEgress false in production (HTTPS to the VPC CIDR and the S3 prefix list; images from ECR, models staged in S3) and name the services the stack calls in egressDestinations (they pass the stack's Network Firewall), or record an exception next to awsInternetEgress true.",
    check: (resources) => {
        const out: StackFinding[] = [];
        const open = (cidrs: unknown[]) => cidrs.some((c) => c === "0.0.0.0/0" || c === "::/0");
        for (const sg of resources.filter((r) => r.type === T.sg && isProduction(r.props))) {
            const filtered = firewallFiltersEgress(resources, sg);
            for (const rule of list<any>(sg.props.egress))
                if (open([...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)])) out.push(finding(sg, "an inline rule allows egress to the internet"));
            for (const r of referencing(resources, [T.sgEgress, T.sgRule], "securityGroupId", sg)) {
                if (r.type === T.sgRule && r.props.type !== "egress") continue;
                if (!open([r.props.cidrIpv4, r.props.cidrIpv6, ...list(r.props.cidrBlocks), ...list(r.props.ipv6CidrBlocks)])) continue;
                // One TCP port to any IPv4 address, in a VPC whose only way to the NAT gateways is
                // a Network Firewall that drops what it does not pass: the firewall names the hosts.
                const onePort =
                    r.type === T.sgEgress && r.props.ipProtocol === "tcp" && r.props.fromPort === r.props.toPort && r.props.cidrIpv4 === "0.0.0.0/0";
                if (onePort && filtered) continue;
                out.push(
                    finding(
                        r,
                        `egress to the internet on ${r.props.fromPort ?? "all"}-${r.props.toPort ?? "all"}${onePort ? ` (${filtered === false ? "no Network Firewall with a default drop filters the VPC's way out" : "unfiltered"})` : ""}`,
                    ),
                );
            }
        }
        return out;
    },
};

/** True when a firewall policy drops by default what no rule passed (strict order, drop, every packet to the stateful engine). */
export function policyDropsByDefault(fp: any): boolean {
    const p = fp?.firewallPolicy ?? {};
    const forwarded = (a: any) => list<string>(a).length > 0 && list<string>(a).every((x) => x === "aws:forward_to_sfe");
    return (
        p.statefulEngineOptions?.ruleOrder === "STRICT_ORDER" &&
        list<string>(p.statefulDefaultActions).some((a) => a === "aws:drop_established" || a === "aws:drop_strict") &&
        forwarded(p.statelessDefaultActions) &&
        forwarded(p.statelessFragmentDefaultActions)
    );
}

/**
 * Whether the security group's VPC reaches the internet through a Network Firewall only: a
 * firewall in the VPC whose policy drops by default, and every route to a NAT gateway in a route
 * table associated with the firewall's own subnets only (the private subnets route to the
 * firewall's endpoints, so their traffic to the internet crosses it).
 */
function firewallFiltersEgress(resources: StackResource[], sg: StackResource): boolean {
    const vpc = referenced(resources, sg, "vpcId", [T.vpc]);
    const inVpc = (r: StackResource) => (vpc ? referenced(resources, r, "vpcId", [T.vpc])?.urn === vpc.urn : r.props.vpcId === sg.props.vpcId);
    const firewalls = resources.filter((r) => r.type === T.firewall && inVpc(r));
    const dropping = firewalls.filter((fw) => policyDropsByDefault(referenced(resources, fw, "firewallPolicyArn", [T.firewallPolicy])?.props));
    if (dropping.length === 0) return false;
    // Subnets the firewall's endpoints stand in: the only ones whose tables may route to a NAT gateway.
    const firewallSubnetUrns = new Set(dropping.flatMap((fw) => (fw.propertyDependencies?.subnetMappings ?? []).map((d) => d.urn)));
    const firewallSubnetIds = new Set(dropping.flatMap((fw) => list<any>(fw.props.subnetMappings).map((m) => m.subnetId)));
    const isFirewallSubnet = (a: StackResource) =>
        (a.propertyDependencies?.subnetId ?? []).some((d) => firewallSubnetUrns.has(d.urn)) || firewallSubnetIds.has(a.props.subnetId);
    for (const route of resources.filter((r) => r.type === T.route && r.props.natGatewayId !== undefined)) {
        const table = referenced(resources, route, "routeTableId", [T.routeTable]);
        if (!table || !inVpc(table)) continue;
        const associations = referencing(resources, [T.routeAssoc], "routeTableId", table);
        if (associations.length === 0 || !associations.every(isFirewallSubnet)) return false;
    }
    return true;
}

export const firewallpolicyRequireDefaultDrop: ResourceRule = {
    kind: "resource",
    name: "aws-networkfirewall-firewallpolicy-require-default-drop",
    description:
        "A Network Firewall policy is an allow-list: strict rule order, every packet to the stateful engine, and what no rule passes dropped (aws:drop_established or aws:drop_strict).",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-7(5)", "AC-4"], "PCI-DSS": ["1.3.2"] },
    remediation:
        "statefulEngineOptions.ruleOrder STRICT_ORDER, statefulDefaultActions [aws:drop_established, aws:alert_established], statelessDefaultActions and statelessFragmentDefaultActions [aws:forward_to_sfe] (components/aws/egress-firewall.ts).",
    types: [T.firewallPolicy],
    check: (p) => (policyDropsByDefault(p) ? undefined : "the policy does not drop by default what its rules do not pass"),
};

export const firewallRequireLogging: StackRule = {
    kind: "stack",
    name: "aws-networkfirewall-firewall-require-logging",
    description: "A Network Firewall logs its alerts (what it dropped) and its flows to CloudWatch Logs, S3 or Firehose.",
    severity: "medium",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["AU-2", "AU-12"], "PCI-DSS": ["10.2.1"] },
    remediation: "Give the firewall a LoggingConfiguration with an ALERT and a FLOW destination (components/aws/egress-firewall.ts).",
    check: (resources) => {
        const out: StackFinding[] = [];
        for (const fw of resources.filter((r) => r.type === T.firewall)) {
            const types = new Set(
                referencing(resources, [T.firewallLogging], "firewallArn", fw).flatMap((l) =>
                    list<any>(l.props.loggingConfiguration?.logDestinationConfigs).map((c) => c.logType),
                ),
            );
            const missing = ["ALERT", "FLOW"].filter((t) => !types.has(t));
            if (missing.length > 0) out.push(finding(fw, `no ${missing.join(" and ")} log destination`));
        }
        return out;
    },
};
