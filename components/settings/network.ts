/** The network: address space, availability zones, NAT, who may reach the edge. */
import { NAT_STRATEGIES, NatStrategy } from "../core/types";
import { defineTier, StackIdentity } from "./tier";

/** Network. */
export interface NetworkSettings {
    /** VPC CIDR, a /16 to /20 (AWS). @default "10.20.0.0/16" staging, "10.30.0.0/16" production */
    cidr: string;
    /** Availability zones used (2 or 3), AWS. @default 2 staging, 3 production */
    azCount: number;
    /** One NAT gateway for the VPC, or one per AZ (AWS). @default "single" staging, "perAz" production */
    natStrategy: NatStrategy;
    /** CIDRs allowed to reach the public edge on 80/443. @default ["0.0.0.0/0"] */
    allowedIngressCidrs: string[];
}

const CLUSTER_NETWORK = "the cluster's network is the cluster's own; the stack only adds NetworkPolicies";

export const networkTier = defineTier<NetworkSettings, StackIdentity & { network: NetworkSettings }>({
    path: "network",
    title: "Network",
    settings: {
        cidr: {
            key: "vpcCidr",
            type: "string",
            description: "VPC CIDR (/16../20).",
            staging: "10.20.0.0/16",
            production: "10.30.0.0/16",
            targets: ["aws"],
            unused: CLUSTER_NETWORK,
            check: (v, f, x) => v.cidr(f, x, 16, 20),
        },
        azCount: {
            key: "azCount",
            type: "integer",
            description: "Availability zones (2 or 3).",
            staging: 2,
            production: 3,
            targets: ["aws"],
            unused: "the cluster's zones are its node pools' (k8sNodePools zones)",
            check: (v, f, x) => v.int(f, x, 2, 3),
        },
        natStrategy: {
            key: "natStrategy",
            type: "string",
            description: "single or perAz NAT gateways.",
            staging: "single",
            production: "perAz",
            targets: ["aws"],
            unused: CLUSTER_NETWORK,
            check: (v, f, x) => v.oneOf(f, x, NAT_STRATEGIES),
        },
        allowedIngressCidrs: {
            key: "allowedIngressCidrs",
            type: "array",
            description: "CIDRs allowed on 80/443 at the edge.",
            staging: ["0.0.0.0/0"],
            check: (v, f, x) => {
                if (!Array.isArray(x) || x.length === 0) return v.fail(f, x, "at least one IPv4 CIDR");
                x.forEach((cidr, i) => v.cidr(`${f}[${i}]`, cidr));
                v.unique(f, x);
            },
        },
    },
});
