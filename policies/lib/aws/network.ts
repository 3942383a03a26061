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
        "Keep awsInternetEgress false in production (HTTPS to the VPC CIDR and the S3 prefix list; images from ECR, models staged in S3), or record an exception next to awsInternetEgress true.",
    check: (resources) => {
        const out: StackFinding[] = [];
        const open = (cidrs: unknown[]) => cidrs.some((c) => c === "0.0.0.0/0" || c === "::/0");
        for (const sg of resources.filter((r) => r.type === T.sg && isProduction(r.props))) {
            for (const rule of list<any>(sg.props.egress))
                if (open([...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)])) out.push(finding(sg, "an inline rule allows egress to the internet"));
            for (const r of referencing(resources, [T.sgEgress, T.sgRule], "securityGroupId", sg)) {
                if (r.type === T.sgRule && r.props.type !== "egress") continue;
                if (open([r.props.cidrIpv4, r.props.cidrIpv6, ...list(r.props.cidrBlocks), ...list(r.props.ipv6CidrBlocks)]))
                    out.push(finding(r, `egress to the internet on ${r.props.fromPort ?? "all"}-${r.props.toPort ?? "all"}`));
            }
        }
        return out;
    },
};
