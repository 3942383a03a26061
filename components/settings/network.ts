/** The network: address space, availability zones, NAT, who may reach the edge. */
import { NAT_STRATEGIES, NatStrategy } from "../core/types";
import { Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

/** The workloads a named egress destination is opened for. */
export const EGRESS_SOURCES = ["api", "llm"] as const;
export type EgressSource = (typeof EGRESS_SOURCES)[number];
export const EGRESS_PROTOCOLS = ["tcp", "udp"] as const;
export type EgressProtocol = (typeof EGRESS_PROTOCOLS)[number];

/**
 * A service outside the stack that the API (and the LLM, when named) may reach: a host name
 * (`api.openai.com`, or `*.example.gov` for its subdomains) or an IPv4 CIDR, on the given ports.
 */
export interface EgressDestination {
    /** Unique name (a DNS label): the names of the rules, policies and firewall rules built for it. */
    name: string;
    /** Host name, or `*.<domain>` for every subdomain of a domain. Exactly one of host and cidr. */
    host?: string;
    /** IPv4 CIDR of the destination's addresses (narrower than /0). Exactly one of host and cidr. */
    cidr?: string;
    /** Destination ports, 1-65535. */
    ports: number[];
    /** @default "tcp" */
    protocol?: EgressProtocol;
    /** Workloads that may reach it. @default ["api"] */
    from?: EgressSource[];
}

/** A host name (labels of letters, digits and hyphens, at least one dot), or `*.` and such a name. */
export const EGRESS_HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The protocol and sources of a destination with their defaults applied. */
export function egressDefaults(d: EgressDestination): Required<Pick<EgressDestination, "protocol" | "from">> & EgressDestination {
    return { ...d, protocol: d.protocol ?? "tcp", from: d.from ?? ["api"] };
}

/** The destinations opened for one workload. */
export function egressFor(destinations: readonly EgressDestination[], source: EgressSource): ReturnType<typeof egressDefaults>[] {
    return destinations.map(egressDefaults).filter((d) => d.from.includes(source));
}

/** Each destination's own fields (both targets); the targets' own limits are checked by their tiers. */
export function checkEgressDestinations(v: Validator, f: string, x: unknown, llmEnabled: boolean): void {
    if (!Array.isArray(x)) return v.fail(f, x, "a list of {name, host or cidr, ports, protocol?, from?}");
    x.forEach((d: Partial<EgressDestination>, i) => {
        const at = `${f}[${i}]`;
        if (typeof d !== "object" || d === null || Array.isArray(d)) return v.fail(at, d, "an object {name, host or cidr, ports, protocol?, from?}");
        const unknown = Object.keys(d).filter((k) => !["name", "host", "cidr", "ports", "protocol", "from"].includes(k));
        if (unknown.length > 0)
            v.fail(`${at}.${unknown[0]}`, (d as Record<string, unknown>)[unknown[0]], "one of the fields name, host, cidr, ports, protocol, from");
        v.matches(`${at}.name`, d.name, /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, "a DNS label of up to 32 characters (lower-case letters, digits, hyphens)");
        if ((d.host === undefined) === (d.cidr === undefined)) v.fail(at, d, "exactly one of host (a host name or *.domain) and cidr (an IPv4 CIDR)");
        if (d.host !== undefined)
            v.matches(`${at}.host`, d.host, EGRESS_HOST, "a lower-case host name such as api.openai.com, or *.<domain> for its subdomains");
        if (d.cidr !== undefined && v.cidr(`${at}.cidr`, d.cidr) && d.cidr.endsWith("/0"))
            v.fail(`${at}.cidr`, d.cidr, "the destination's own addresses, narrower than /0 (the whole internet is not a named destination)");
        if (!Array.isArray(d.ports) || d.ports.length === 0) v.fail(`${at}.ports`, d.ports, "a non-empty list of ports, each 1-65535");
        else {
            d.ports.forEach((p, j) => v.int(`${at}.ports[${j}]`, p, 1, 65535));
            v.unique(`${at}.ports`, d.ports);
        }
        if (d.protocol !== undefined) v.oneOf(`${at}.protocol`, d.protocol, EGRESS_PROTOCOLS);
        if (d.from !== undefined) {
            if (!Array.isArray(d.from) || d.from.length === 0) v.fail(`${at}.from`, d.from, 'a non-empty list of "api", "llm"');
            else {
                d.from.forEach((w, j) => v.oneOf(`${at}.from[${j}]`, w, EGRESS_SOURCES));
                v.unique(`${at}.from`, d.from);
                if (!llmEnabled && d.from.includes("llm")) v.fail(`${at}.from`, d.from, '["api"] while llm.enabled is false (there is no LLM to open it for)');
            }
        }
    });
    v.unique(
        `${f} names`,
        x.map((d: Partial<EgressDestination> | null) => d?.name),
    );
}

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
    /**
     * Services outside the stack the API (and the LLM, when named) may reach, by host name or
     * CIDR and ports. Nothing else leaves: on AWS through a Network Firewall allow-list (hosts by
     * TLS SNI, CIDRs by 5-tuple), on Kubernetes by NetworkPolicies (CIDRs) and the CNI's FQDN
     * policies (hosts, `k8sFqdnPolicy`). @default []
     */
    egressDestinations: EgressDestination[];
}

const CLUSTER_NETWORK = "the cluster's network is the cluster's own; the stack only adds NetworkPolicies";

export const networkTier = defineTier<NetworkSettings, StackIdentity & { network: NetworkSettings; llm: { enabled: boolean } }>({
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
        egressDestinations: {
            key: "egressDestinations",
            type: "objects",
            description:
                "Services the API (and the LLM, from: [llm]) may reach: [{name, host (or *.domain) or cidr, ports, protocol?: tcp|udp, from?: [api, llm]}]; nothing else leaves.",
            staging: [],
            check: (v, f, x, s) => checkEgressDestinations(v, f, x, s.llm.enabled),
        },
    },
});
