import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { checkLogRetention, checkEgressDestinations, EgressDestination, egressDefaults } from "../settings";
import { AwsCommonArgs, AwsContext } from "./common";

/**
 * The firewall policy's default for traffic no rule passed: drop the packets of established
 * connections (the TCP handshake goes through, so that the TLS server name can be read and
 * matched) and log them as alerts. With strict rule order, AWS's recommended default for an
 * allow-list. https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html
 */
export const FIREWALL_DEFAULT_ACTIONS = ["aws:drop_established", "aws:alert_established"];

export interface EgressFirewallArgs extends AwsCommonArgs {
    /** The VPC the firewall filters. */
    vpcId: pulumi.Input<string>;
    /** The VPC's CIDR: `$HOME_NET`, the only source the rules pass. */
    vpcCidr: pulumi.Input<string>;
    /** One firewall subnet per AZ (the firewall's endpoints), in AZ order. */
    subnetIds: pulumi.Input<string>[];
    /** The named destinations (network.egressDestinations); at least one. */
    destinations: EgressDestination[];
    /** Customer-managed key of the rule groups, the policy and the firewall. */
    kmsKeyArn: pulumi.Input<string>;
    /** Key of the alert and flow log groups. */
    logsKeyArn: pulumi.Input<string>;
    /** Days the firewall's logs are kept. @default 90 */
    logRetentionDays?: number;
}

/** A destination's Suricata rules: TLS to the host's server name (SNI), one per port. */
export function hostRules(destinations: EgressDestination[], firstSid = 1): string[] {
    const out: string[] = [];
    let sid = firstSid;
    for (const d of destinations.map(egressDefaults).filter((x) => x.host !== undefined)) {
        // `*.example.gov`: every subdomain (the server name ends with `.example.gov`), not the
        // domain itself; otherwise exactly the host (starts and ends with it).
        const wildcard = d.host!.startsWith("*.");
        const match = wildcard ? `content:"${d.host!.slice(1)}"; nocase; endswith;` : `content:"${d.host}"; nocase; startswith; endswith;`;
        for (const port of d.ports)
            out.push(`pass tls $HOME_NET any -> $EXTERNAL_NET ${port} (tls.sni; ${match} flow:to_server; msg:"egress ${d.name}"; sid:${sid++}; rev:1;)`);
    }
    return out;
}

/**
 * The stack's egress allow-list as an AWS Network Firewall (routed firewall, one endpoint per
 * AZ): host destinations by the TLS server name (a stateful rule group of Suricata rules), CIDR
 * destinations by 5-tuple (protocol, CIDR, port), in strict order with a default of drop for
 * anything else (`FIREWALL_DEFAULT_ACTIONS`); alert and flow logs to encrypted log groups.
 *
 * Why Network Firewall and not an egress proxy: it is managed (no fleet to patch and scale), the
 * applications need no proxy settings, and one policy covers names (SNI) and addresses (LDAP 636,
 * SMTP 587, which no HTTP proxy carries). Why Suricata rules and not a domain-list rule group: a
 * domain list matches the name on any port; these rules bind each name to the destination's ports.
 * https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html
 * https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-ips.html
 */
export class EgressFirewall extends pulumi.ComponentResource {
    /** ARN of the firewall. */
    readonly firewallArn: pulumi.Output<string>;
    /** The firewall endpoint of each firewall subnet, in the order of `subnetIds`. */
    readonly endpointIds: pulumi.Output<string>[];

    constructor(name: string, args: EgressFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`EgressFirewall ${name}`);
        checkEgressDestinations(v, "destinations", args.destinations, true);
        if (Array.isArray(args.destinations) && args.destinations.length === 0) v.fail("destinations", args.destinations, "at least one destination");
        if (!Array.isArray(args.subnetIds) || args.subnetIds.length === 0) v.fail("subnetIds", args.subnetIds, "one firewall subnet per AZ");
        checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 90);
        v.throwIfAny();
        super(typeToken("aws", "EgressFirewall"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const encryptionConfiguration = { type: "CUSTOMER_KMS", keyId: args.kmsKeyArn };
        const destinations = args.destinations.map(egressDefaults);
        const homeNet = { ruleVariables: { ipSets: [{ key: "HOME_NET", ipSet: { definitions: [args.vpcCidr] } }] } };
        const strict = { statefulRuleOptions: { ruleOrder: "STRICT_ORDER" } };

        const groups: aws.networkfirewall.RuleGroup[] = [];
        const hosts = hostRules(destinations);
        if (hosts.length > 0)
            groups.push(
                new aws.networkfirewall.RuleGroup(
                    ctx.childName("hosts"),
                    {
                        name: ctx.physical("egress-hosts", 128),
                        description: "Named egress destinations by TLS server name (network.egressDestinations)",
                        type: "STATEFUL",
                        capacity: Math.max(10, hosts.length * 2),
                        ruleGroup: { ...homeNet, rulesSource: { rulesString: hosts.join("\n") }, ...strict },
                        encryptionConfiguration,
                        tags: ctx.tags("egress-hosts"),
                    },
                    ctx.opts(),
                ),
            );
        let sid = hosts.length + 1;
        const tuples = destinations
            .filter((d) => d.cidr !== undefined)
            .flatMap((d) =>
                d.ports.map((port) => ({
                    action: "PASS",
                    header: {
                        protocol: d.protocol.toUpperCase(),
                        source: "$HOME_NET",
                        sourcePort: "ANY",
                        direction: "FORWARD",
                        destination: d.cidr!,
                        destinationPort: String(port),
                    },
                    ruleOptions: [
                        { keyword: "msg", settings: [`"egress ${d.name}"`] },
                        { keyword: "sid", settings: [String(sid++)] },
                    ],
                })),
            );
        if (tuples.length > 0)
            groups.push(
                new aws.networkfirewall.RuleGroup(
                    ctx.childName("addresses"),
                    {
                        name: ctx.physical("egress-addresses", 128),
                        description: "Named egress destinations by address and port (network.egressDestinations)",
                        type: "STATEFUL",
                        capacity: Math.max(10, tuples.length * 2),
                        ruleGroup: { ...homeNet, rulesSource: { statefulRules: tuples }, ...strict },
                        encryptionConfiguration,
                        tags: ctx.tags("egress-addresses"),
                    },
                    ctx.opts(),
                ),
            );

        const policy = new aws.networkfirewall.FirewallPolicy(
            ctx.childName("policy"),
            {
                name: ctx.physical("egress", 128),
                description: "Egress allow-list: the named destinations, nothing else",
                firewallPolicy: {
                    // Every packet goes to the stateful engine: no stateless rule passes or drops on its own.
                    statelessDefaultActions: ["aws:forward_to_sfe"],
                    statelessFragmentDefaultActions: ["aws:forward_to_sfe"],
                    statefulEngineOptions: { ruleOrder: "STRICT_ORDER", streamExceptionPolicy: "DROP" },
                    statefulDefaultActions: FIREWALL_DEFAULT_ACTIONS,
                    statefulRuleGroupReferences: groups.map((g, i) => ({ resourceArn: g.arn, priority: (i + 1) * 10 })),
                },
                encryptionConfiguration,
                tags: ctx.tags("egress-policy"),
            },
            ctx.opts(),
        );
        const firewall = new aws.networkfirewall.Firewall(
            ctx.childName("firewall"),
            {
                name: ctx.physical("egress", 128),
                description: "Egress of the private subnets to the internet: the named destinations only",
                vpcId: args.vpcId,
                firewallPolicyArn: policy.arn,
                subnetMappings: args.subnetIds.map((subnetId) => ({ subnetId })),
                deleteProtection: ctx.protectData,
                firewallPolicyChangeProtection: false,
                subnetChangeProtection: ctx.protectData,
                encryptionConfiguration,
                tags: ctx.tags("egress-firewall"),
            },
            ctx.opts(),
        );
        const logGroup = (kind: string) =>
            new aws.cloudwatch.LogGroup(
                ctx.childName(`${kind}-logs`),
                {
                    name: `/${ctx.prefix}/network-firewall/${kind}`,
                    retentionInDays: args.logRetentionDays ?? 90,
                    kmsKeyId: args.logsKeyArn,
                    tags: ctx.tags(`firewall-${kind}`),
                },
                ctx.opts(),
            );
        const alertLogs = logGroup("alert");
        const flowLogs = logGroup("flow");
        new aws.networkfirewall.LoggingConfiguration(
            ctx.childName("logging"),
            {
                firewallArn: firewall.arn,
                loggingConfiguration: {
                    logDestinationConfigs: [
                        { logType: "ALERT", logDestinationType: "CloudWatchLogs", logDestination: { logGroup: alertLogs.name } },
                        { logType: "FLOW", logDestinationType: "CloudWatchLogs", logDestination: { logGroup: flowLogs.name } },
                    ],
                },
            },
            ctx.opts(),
        );

        this.firewallArn = firewall.arn;
        // Each subnet's endpoint, from the firewall's status (the id routes name as vpcEndpointId).
        this.endpointIds = args.subnetIds.map((subnetId) =>
            pulumi.all([firewall.firewallStatuses, subnetId]).apply(([statuses, id]) => {
                for (const state of statuses?.[0]?.syncStates ?? []) for (const a of state.attachments ?? []) if (a.subnetId === id) return a.endpointId;
                throw new Error(`EgressFirewall ${name}: no firewall endpoint in subnet ${id}`);
            }),
        );
        this.registerOutputs({ firewallArn: this.firewallArn });
    }
}
