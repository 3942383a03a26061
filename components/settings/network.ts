/** The network: address space, availability zones, NAT, who may reach the edge. */
import { NAT_STRATEGIES, NatStrategy } from "../core/types";
import { defineTier, StackIdentity } from "./tier";

/** Network. */
export interface NetworkSettings {
    /** VPC CIDR, a /16 to /20 (AWS). @default "10.10.0.0/16" development, "10.20.0.0/16" staging, "10.30.0.0/16" production */
    cidr: string;
    /** Availability zones used (2 or 3), AWS. @default 2 staging, 3 production */
    azCount: number;
    /**
     * One NAT gateway for the VPC, one per AZ, or none: the private subnets then have no route to
     * the internet and reach AWS only through the endpoints (needs awsInternetEgress false) (AWS).
     * @default "none" development, "single" staging, "perAz" production
     */
    natStrategy: NatStrategy;
    /**
     * Availability zones the interface endpoints are placed in (AWS): every AZ (unset), or fewer to
     * save their hourly charge; tasks in other AZs reach them across zones, and losing that zone
     * cuts the stack off AWS's APIs. @default 1 development, every AZ staging and production
     */
    endpointAzCount?: number;
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
            development: "10.10.0.0/16",
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
            description: "single, perAz or none (no route to the internet: endpoints only) NAT gateways.",
            development: "none",
            staging: "single",
            production: "perAz",
            targets: ["aws"],
            unused: CLUSTER_NETWORK,
            check: (v, f, x) => v.oneOf(f, x, NAT_STRATEGIES),
        },
        endpointAzCount: {
            key: "endpointAzCount",
            type: "integer",
            description: "AZs the interface endpoints are placed in (unset: every AZ; 1 saves their hourly charge, one zone's loss cuts off AWS's APIs).",
            development: 1,
            staging: undefined,
            targets: ["aws"],
            unused: CLUSTER_NETWORK,
            check: (v, f, x, s) => {
                if (x !== undefined) v.int(f, x, 1, s.network.azCount);
            },
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
