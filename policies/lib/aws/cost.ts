import { CostResource, estimateCost } from "../../../analysis/cost";
import { COST_ASSUMPTIONS, CostAssumptions } from "../../../components/settings";
import { ENVIRONMENT_TAG } from "../../../components/core/facts";
import { StackFinding, StackResource, StackRule } from "../framework";

/** The region of the stack: its subnets' zones, else its endpoints' service names; us-east-1 when neither says. */
export function regionOf(resources: StackResource[]): string {
    for (const r of resources) {
        if (r.type === "aws:ec2/subnet:Subnet" && typeof r.props.availabilityZone === "string") return r.props.availabilityZone.replace(/[a-z]$/, "");
        const m = r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" ? /^com\.amazonaws\.([a-z0-9-]+)\./.exec(String(r.props.serviceName ?? "")) : null;
        if (m) return m[1];
    }
    return "us-east-1";
}

export const billingStackRestrictMonthlyCost: StackRule = {
    kind: "stack",
    name: "aws-billing-stack-restrict-monthly-cost",
    description:
        "The stack's estimated monthly cost (list prices of the offline plan's table, usage assumptions of the environment preset or this policy's config) stays within a budget.",
    severity: "medium",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["SA-2"] },
    remediation: "Size down (instance classes, GPU hours, NAT strategy, interface endpoints), or raise the budget with the owner of the cost centre.",
    params: {
        monthlyBudget: { type: "integer", default: 0, description: "Budget in USD a month; 0: no budget (the policy reports nothing)." },
        region: { type: "string", default: "", description: "Region of the prices; empty: read from the stack's subnets or endpoints." },
        assumptions: {
            type: "object",
            default: {},
            description: "Usage assumptions overriding the environment preset's (the same names as the costAssumptions stack config key).",
        },
    },
    check: (resources, config) => {
        const budget = Number(config.monthlyBudget ?? 0);
        if (!(budget > 0)) return [];
        const environment = resources.map((r) => r.props?.tags?.[ENVIRONMENT_TAG]).find((e) => e in COST_ASSUMPTIONS) ?? "staging";
        const base = COST_ASSUMPTIONS[environment as keyof typeof COST_ASSUMPTIONS];
        const given = (config.assumptions ?? {}) as Partial<CostAssumptions>;
        const assumptions: CostAssumptions = { ...base, ...given, bucketStoredGb: { ...base.bucketStoredGb, ...(given.bucketStoredGb ?? {}) } };
        const input: CostResource[] = resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent?.urn ?? null,
            // Stack policies see components too; the estimate prices AWS resources only.
            custom: r.type.startsWith("aws:"),
            inputs: (r.props ?? {}) as Record<string, unknown>,
        }));
        const estimate = estimateCost(input, config.region || regionOf(resources), assumptions);
        if (estimate.monthly.total <= budget) return [];
        const top = estimate.resources.reduce((a, b) => (b.monthly > a.monthly ? b : a));
        const biggest = Object.entries(estimate.byComponent)
            .slice(0, 3)
            .map(([c, usd]) => `${c} $${usd.toFixed(2)}`)
            .join(", ");
        const finding: StackFinding = {
            urn: top.urn,
            name: top.name,
            message: `estimated $${estimate.monthly.total.toFixed(2)} a month (GPU $${estimate.monthly.gpu.toFixed(2)}) in ${estimate.region} is over the budget of $${budget}; largest: ${biggest}`,
        };
        return [finding];
    },
};
