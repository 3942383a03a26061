/**
 * Egress to named destinations (network.egressDestinations): on AWS through the stack's Network
 * Firewall (hosts by TLS server name and port, CIDRs by 5-tuple, default drop) and security group
 * rules per destination; on Kubernetes a NetworkPolicy per CIDR destination and a
 * CiliumNetworkPolicy (toFQDNs) per host. Each named destination is allowed, nothing else; bad
 * input is refused with the field; the pack passes production with destinations and still fails
 * it with the internet open; the firewall has its row in the cost.
 */
import * as assert from "assert";
import { estimateCost } from "../analysis/cost";
import { egressSubnetCidrs } from "../components/aws/network";
import { hostRules } from "../components/aws/egress-firewall";
import { COST_ASSUMPTIONS } from "../components/settings";
import { subnetCidr } from "../components/core/sizing";
import { productionConfig } from "../policies/lib";
import { RecordedResource } from "../testing/mocks";
import { evaluatePack } from "../testing/policy";
import { ProgramRun, runProgram } from "../testing/program";
import { resolveConfigValues } from "./harness/config";
import { judgeProperties } from "./judges/properties";

const inp = (r: RecordedResource) => r.inputs as any;
const DESTINATIONS = [
    { name: "openai", host: "api.openai.com", ports: [443] },
    { name: "idp", host: "*.login.example.gov", ports: [443, 8443] },
    { name: "ldap", cidr: "10.200.0.10/32", ports: [389, 636] },
    { name: "smtp", cidr: "192.0.2.0/28", ports: [587], from: ["api", "llm"] },
];
const SET = { egressDestinations: JSON.stringify(DESTINATIONS) };
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
/**
 * The firewall adds about $980 a month to production (three endpoints, docs/cost.md): over the
 * repository's $5,000 production budget. The budget is the owner's figure (policy config); the
 * pack is judged here with it raised, everything else as production's config.
 */
const egressConfig = () => ({
    ...productionConfig(),
    "aws-billing-stack-restrict-monthly-cost": { enforcementLevel: "mandatory" as const, monthlyBudget: 6000 },
});

describe("egress to named destinations", function () {
    this.timeout(300_000);

    describe("validation (before any resource)", () => {
        const base = {
            target: "aws",
            environment: "production",
            domain: "rag.example.gov",
            hostedZoneId: "Z0123456789ABC",
            apiImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag-api:1.4.2",
            llmImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ollama:0.12.6",
            awsAccountId: "123456789012",
        };
        const refuse = (d: unknown[], re: RegExp, extra: Record<string, string> = {}) =>
            assert.throws(() => resolveConfigValues({ ...base, ...extra, egressDestinations: JSON.stringify(d) }), re);

        it("a valid list passes; the fields are checked one by one and named", () => {
            assert.doesNotThrow(() => resolveConfigValues({ ...base, ...SET }));
            refuse([{ name: "x", ports: [443] }], /network\.egressDestinations\[0\]\)?: .*allowed: exactly one of host .* and cidr/);
            refuse([{ name: "x", host: "a.example.gov", cidr: "10.0.0.0/8", ports: [443] }], /exactly one of host/);
            refuse(
                [{ name: "x", host: "https://a.example.gov", ports: [443] }],
                /network\.egressDestinations\[0\]\.host\)?: got "https:\/\/a\.example\.gov"; allowed: a lower-case host name/,
            );
            refuse([{ name: "x", host: "a.*.gov", ports: [443] }], /\[0\]\.host\)?: .*\*\.<domain>/);
            refuse([{ name: "x", cidr: "10.1.2.3/8", ports: [443] }], /\[0\]\.cidr\)?: got "10\.1\.2\.3\/8"; allowed: an IPv4 CIDR/);
            refuse(
                [{ name: "x", cidr: "0.0.0.0/0", ports: [443] }],
                /\[0\]\.cidr\)?: got "0\.0\.0\.0\/0"; allowed: the destination's own addresses, narrower than \/0/,
            );
            refuse([{ name: "x", cidr: "10.0.0.0/8", ports: [0] }], /\[0\]\.ports\[0\]\)?: got 0; allowed: an integer from 1 to 65535/);
            refuse([{ name: "x", cidr: "10.0.0.0/8", ports: [65536] }], /\[0\]\.ports\[0\]\)?: got 65536/);
            refuse([{ name: "x", cidr: "10.0.0.0/8", ports: [] }], /\[0\]\.ports\)?: got \[\]; allowed: a non-empty list of ports/);
            refuse([{ name: "x", cidr: "10.0.0.0/8", ports: [443], protocol: "icmp" }], /\[0\]\.protocol\)?: got "icmp"; allowed: one of "tcp", "udp"/);
            refuse([{ name: "x", cidr: "10.0.0.0/8", ports: [443], from: ["db"] }], /\[0\]\.from\[0\]\)?: got "db"; allowed: one of "api", "llm"/);
            refuse([{ name: "X_1", cidr: "10.0.0.0/8", ports: [443] }], /\[0\]\.name\)?: got "X_1"; allowed: a DNS label/);
            refuse([{ name: "x", cidr: "10.0.0.0/8", ports: [443], port: 1 }], /\[0\]\.port\)?: got 1; allowed: one of the fields/);
            refuse(
                [
                    { name: "x", cidr: "10.0.0.0/8", ports: [443] },
                    { name: "x", cidr: "10.1.0.0/16", ports: [443] },
                ],
                /network\.egressDestinations names\[1\]\)?: got "x"; allowed: a value not already/,
            );
            refuse([{ name: "x", cidr: "10.0.0.0/8", ports: [443], from: ["llm"] }], /\[0\]\.from\)?: .*while llm\.enabled is false/, { llmEnabled: "false" });
        });

        it("AWS: refused with the internet open, with a VPC brought along, and for a UDP host", () => {
            refuse(
                DESTINATIONS,
                /rag-platform:awsInternetEgress \(aws\.internetEgress\)?: got true; allowed: false when network\.egressDestinations are named/,
                {
                    awsInternetEgress: "true",
                },
            );
            const subnets = (n: number) => JSON.stringify([`subnet-0${n}aaaaaaaaaaaaaaa`, `subnet-0${n}bbbbbbbbbbbbbbb`]);
            refuse(DESTINATIONS, /network\.egressDestinations\)?: got .*; allowed: none with aws\.existingVpc/, {
                existingVpcId: "vpc-0123456789abcdef0",
                existingVpcCidr: "10.60.0.0/16",
                existingPublicSubnetIds: subnets(1),
                existingPrivateSubnetIds: subnets(2),
                existingIsolatedSubnetIds: subnets(3),
            });
            refuse(
                [{ name: "dns", host: "dns.example.gov", ports: [853], protocol: "udp" }],
                /\[0\]\.protocol\)?: got "udp"; allowed: "tcp" for a host destination on AWS/,
            );
        });

        it("Kubernetes: a host needs k8sFqdnPolicy cilium; a CIDR needs nothing more", () => {
            const k8s = { ...base, target: "kubernetes", environment: "staging" } as Record<string, string>;
            delete k8s.hostedZoneId;
            delete k8s.awsAccountId;
            assert.throws(
                () => resolveConfigValues({ ...k8s, ...SET }, undefined),
                /network\.egressDestinations\[0\]\.host\)?: got "api\.openai\.com"; allowed: a cidr instead on Kubernetes with kubernetes\.fqdnPolicy none .* or kubernetes\.fqdnPolicy cilium/,
            );
            assert.doesNotThrow(() => resolveConfigValues({ ...k8s, ...SET, k8sFqdnPolicy: "cilium" }, undefined));
            assert.doesNotThrow(() => resolveConfigValues({ ...k8s, egressDestinations: JSON.stringify(DESTINATIONS.filter((d) => d.cidr)) }, undefined));
            assert.throws(
                () => resolveConfigValues({ ...k8s, k8sFqdnPolicy: "calico" }, undefined),
                /k8sFqdnPolicy \(kubernetes\.fqdnPolicy\)?: got "calico"; allowed: one of "none", "cilium"/,
            );
        });
    });

    describe("AWS: production with named destinations", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram("production", { target: "aws", ...SET });
        });
        const one = (type: string, suffix: string) => inp(run.resources.one(type, suffix));

        it("the firewall passes each host on each of its ports by TLS server name, each CIDR on each port, and drops the rest", () => {
            const hosts = one("aws:networkfirewall/ruleGroup:RuleGroup", "hosts");
            assert.strictEqual(hosts.type, "STATEFUL");
            assert.strictEqual(hosts.ruleGroup.statefulRuleOptions.ruleOrder, "STRICT_ORDER");
            assert.deepStrictEqual(hosts.ruleGroup.ruleVariables.ipSets, [{ key: "HOME_NET", ipSet: { definitions: ["10.30.0.0/16"] } }]);
            assert.deepStrictEqual(hosts.ruleGroup.rulesSource.rulesString.split("\n"), [
                'pass tls $HOME_NET any -> $EXTERNAL_NET 443 (tls.sni; content:"api.openai.com"; nocase; startswith; endswith; flow:to_server; msg:"egress openai"; sid:1; rev:1;)',
                'pass tls $HOME_NET any -> $EXTERNAL_NET 443 (tls.sni; content:".login.example.gov"; nocase; endswith; flow:to_server; msg:"egress idp"; sid:2; rev:1;)',
                'pass tls $HOME_NET any -> $EXTERNAL_NET 8443 (tls.sni; content:".login.example.gov"; nocase; endswith; flow:to_server; msg:"egress idp"; sid:3; rev:1;)',
            ]);
            const addresses = one("aws:networkfirewall/ruleGroup:RuleGroup", "addresses");
            assert.deepStrictEqual(
                addresses.ruleGroup.rulesSource.statefulRules.map((r: any) => [
                    r.action,
                    r.header.protocol,
                    r.header.source,
                    r.header.destination,
                    r.header.destinationPort,
                    r.header.direction,
                ]),
                [
                    ["PASS", "TCP", "$HOME_NET", "10.200.0.10/32", "389", "FORWARD"],
                    ["PASS", "TCP", "$HOME_NET", "10.200.0.10/32", "636", "FORWARD"],
                    ["PASS", "TCP", "$HOME_NET", "192.0.2.0/28", "587", "FORWARD"],
                ],
            );
            // sids are unique across the policy's groups
            const sids = addresses.ruleGroup.rulesSource.statefulRules.map((r: any) => r.ruleOptions.find((o: any) => o.keyword === "sid").settings[0]);
            assert.deepStrictEqual(sids, ["4", "5", "6"]);
            const policy = one("aws:networkfirewall/firewallPolicy:FirewallPolicy", "policy").firewallPolicy;
            assert.deepStrictEqual(policy.statefulDefaultActions, ["aws:drop_established", "aws:alert_established"]);
            assert.deepStrictEqual(policy.statelessDefaultActions, ["aws:forward_to_sfe"]);
            assert.deepStrictEqual(policy.statelessFragmentDefaultActions, ["aws:forward_to_sfe"]);
            assert.strictEqual(policy.statefulEngineOptions.ruleOrder, "STRICT_ORDER");
            assert.strictEqual(policy.statefulRuleGroupReferences.length, 2);
            for (const type of ["ruleGroup:RuleGroup", "firewallPolicy:FirewallPolicy", "firewall:Firewall"])
                for (const r of run.resources.ofType(`aws:networkfirewall/${type}`))
                    assert.strictEqual(inp(r).encryptionConfiguration.type, "CUSTOMER_KMS", r.name);
            const logging = one("aws:networkfirewall/loggingConfiguration:LoggingConfiguration", "logging");
            assert.deepStrictEqual(
                logging.loggingConfiguration.logDestinationConfigs.map((c: any) => [c.logType, c.logDestinationType]),
                [
                    ["ALERT", "CloudWatchLogs"],
                    ["FLOW", "CloudWatchLogs"],
                ],
            );
        });

        it("a wildcard matches the subdomains only; an exact host matches itself only (the rule's content anchors)", () => {
            const [exact, wildcard] = hostRules([
                { name: "a", host: "api.openai.com", ports: [443] },
                { name: "b", host: "*.example.gov", ports: [443] },
            ]);
            assert.match(exact, /content:"api\.openai\.com"; nocase; startswith; endswith;/);
            assert.match(wildcard, /content:"\.example\.gov"; nocase; endswith;/);
            assert.doesNotMatch(wildcard, /startswith/);
        });

        it("security groups: the API reaches each CIDR destination on its ports and the hosts' ports (through the firewall); the LLM only what names it", () => {
            const rules = (group: "api" | "llm") =>
                run.resources
                    .ofType(EGRESS)
                    .filter((r) => r.name.includes(`${group}-https-to-`))
                    .map((r) => [inp(r).ipProtocol, inp(r).fromPort, inp(r).toPort, inp(r).cidrIpv4])
                    .sort();
            assert.deepStrictEqual(rules("api"), [
                ["tcp", 389, 389, "10.200.0.10/32"],
                ["tcp", 443, 443, "0.0.0.0/0"],
                ["tcp", 587, 587, "192.0.2.0/28"],
                ["tcp", 636, 636, "10.200.0.10/32"],
                ["tcp", 8443, 8443, "0.0.0.0/0"],
            ]);
            assert.deepStrictEqual(rules("llm"), [["tcp", 587, 587, "192.0.2.0/28"]]);
            // nothing else of the two groups is open to the internet
            for (const r of run.resources.ofType(EGRESS).filter((x) => inp(x).cidrIpv4 === "0.0.0.0/0")) assert.match(r.name, /api-https-to-hosts-(443|8443)$/);
        });

        it("routes: private subnets -> the firewall endpoint of their AZ -> the NAT gateway (in its own subnet) -> the internet gateway, and back through the firewall", () => {
            const routes = run.resources.ofType("aws:ec2/route:Route");
            const route = (suffix: string) => inp(routes.find((r) => r.name.endsWith(`-${suffix}`))!);
            const mappings = inp(run.resources.one("aws:networkfirewall/firewall:Firewall")).subnetMappings;
            assert.strictEqual(mappings.length, 3, "one firewall endpoint per AZ");
            for (let a = 0; a < 3; a++) {
                const priv = route(`private-default-${a}`);
                assert.strictEqual(priv.natGatewayId, undefined, "no private route goes around the firewall");
                assert.match(priv.vpcEndpointId, /^vpce-/);
                assert.match(route(`firewall-default-${a}`).natGatewayId, /nat-/);
                assert.match(route(`nat-default-${a}`).gatewayId, /igw/);
                for (let b = 0; b < 3; b++) {
                    const back = route(`nat-return-${a}-${b}`);
                    assert.strictEqual(back.destinationCidrBlock, subnetCidr("10.30.0.0/16", 1, b));
                    assert.strictEqual(back.vpcEndpointId, route(`private-default-${b}`).vpcEndpointId, "back through the endpoint the subnet left by");
                }
                const nat = inp(run.resources.one("aws:ec2/natGateway:NatGateway", `nat-${a}`));
                const natSubnet = inp(run.resources.one("aws:ec2/subnet:Subnet", `nat-${a}`));
                assert.strictEqual(natSubnet.cidrBlock, egressSubnetCidrs("10.30.0.0/16", a).nat);
                assert.ok(String(nat.subnetId).includes(`nat-${a}`), "the NAT gateway stands in its NAT subnet, not the ALB's public subnet");
            }
            // the public (ALB) route table keeps its one route to the internet gateway
            assert.deepStrictEqual(
                routes.filter((r) => r.name.includes("public")).map((r) => r.name.replace(/^.*-network-/, "")),
                ["public-default"],
            );
        });

        it("with one NAT gateway: a firewall endpoint in every AZ, one NAT subnet, every endpoint to that gateway", async () => {
            const single = await runProgram("production", { target: "aws", ...SET, natStrategy: "single" });
            const names = (type: string) =>
                single.resources
                    .ofType(type)
                    .map((r) => r.name.replace(/^.*-network-/, ""))
                    .sort();
            assert.deepStrictEqual(
                names("aws:ec2/subnet:Subnet").filter((n) => /^(firewall|nat)-/.test(n)),
                ["firewall-0", "firewall-1", "firewall-2", "nat-0"],
            );
            const routes = single.resources.ofType("aws:ec2/route:Route");
            const nat = inp(single.resources.one("aws:ec2/natGateway:NatGateway", "nat-0"));
            for (let a = 0; a < 3; a++) {
                const fw = inp(routes.find((r) => r.name.endsWith(`-firewall-default-${a}`))!);
                assert.ok(String(fw.natGatewayId).includes("nat-0"), `firewall subnet ${a} -> the one NAT gateway`);
                assert.ok(routes.some((r) => r.name.endsWith(`-nat-return-0-${a}`)));
            }
            assert.ok(String(nat.subnetId).includes("nat-0"));
            assert.strictEqual(routes.filter((r) => r.name.includes("nat-return-1")).length, 0);
        });

        it("firewall and NAT subnets are /28s in the fourth tier's slot, apart from every other subnet", () => {
            assert.deepStrictEqual(egressSubnetCidrs("10.30.0.0/16", 0), { firewall: "10.30.192.0/28", nat: "10.30.192.16/28" });
            assert.deepStrictEqual(egressSubnetCidrs("10.30.0.0/16", 2), { firewall: "10.30.224.0/28", nat: "10.30.224.16/28" });
            assert.deepStrictEqual(egressSubnetCidrs("10.20.0.0/20", 1), { firewall: "10.20.13.0/28", nat: "10.20.13.16/28" });
        });

        it("the data key admits Network Firewall (kms:ViaService) only when there is a firewall", async () => {
            const policy = (r: ProgramRun) => JSON.parse(inp(r.resources.one("aws:kms/key:Key", "data")).policy);
            const via = (r: ProgramRun) =>
                policy(r).Statement.find((s: any) => s.Sid === "UseThroughAwsServicesOfThisAccount").Condition.StringLike["kms:ViaService"];
            assert.ok(via(run).includes("network-firewall.eu-west-1.amazonaws.com"));
            const plain = await runProgram("production", { target: "aws" });
            assert.ok(!via(plain).includes("network-firewall.eu-west-1.amazonaws.com"));
            assert.strictEqual(plain.resources.ofType("aws:networkfirewall/firewall:Firewall").length, 0, "no destinations: no firewall");
        });

        it("the firewall's resources as AWS's CloudFormation registry types them (property judge)", () => {
            const { findings } = judgeProperties(
                run.resources.all.filter((r) => r.type.startsWith("aws:networkfirewall/") || r.type === "aws:ec2/route:Route"),
            );
            assert.deepStrictEqual(findings, []);
        });

        it("the pack passes it (the budget raised for the firewall, see egressConfig)", async () => {
            const res = await evaluatePack(run.resources.all, egressConfig());
            assert.deepStrictEqual(res.mandatory, []);
            assert.deepStrictEqual(res.undecided, []);
        });

        it("with the firewall gone (the routes straight to NAT), the hosts' 0.0.0.0/0 rules fail the internet-egress rule", async () => {
            const rs: RecordedResource[] = JSON.parse(JSON.stringify(run.resources.all));
            const policy = rs.find((r) => r.type === "aws:networkfirewall/firewallPolicy:FirewallPolicy")!;
            (policy.inputs as any).firewallPolicy.statefulDefaultActions = ["aws:alert_established"];
            const res = await evaluatePack(rs, egressConfig());
            const hits = res.mandatory.filter((v) => v.policy === "aws-ec2-securitygroup-restrict-internet-egress");
            assert.strictEqual(hits.length, 2, JSON.stringify(res.mandatory.map((v) => v.policy)));
        });

        it("the firewall is priced: endpoint-hours per AZ and GB inspected", () => {
            const STACK = "urn:pulumi:t::p::ragstack:aws:Thing::c";
            const est = estimateCost(
                [
                    { urn: STACK, type: "ragstack:aws:Thing", name: "c", custom: false, inputs: {} },
                    {
                        urn: "urn:pulumi:t::p::fw::f",
                        type: "aws:networkfirewall/firewall:Firewall",
                        name: "f",
                        parent: STACK,
                        custom: true,
                        inputs: { subnetMappings: [{}, {}, {}] },
                    },
                ],
                "us-east-1",
                { ...COST_ASSUMPTIONS.production, hoursPerMonth: 730, natProcessedGbPerMonth: 100 },
            );
            const fw = est.resources.find((l) => l.type === "aws:networkfirewall/firewall:Firewall")!;
            // https://aws.amazon.com/network-firewall/pricing/ (us-east-1, 2026-06): $0.395 per endpoint-hour, $0.065 per GB
            assert.deepStrictEqual(
                fw.items.map((i) => [i.unitPrice, i.quantity, i.monthly]),
                [
                    [0.395, 2190, 865.05],
                    [0.065, 100, 6.5],
                ],
            );
        });
    });

    describe("Kubernetes: production with named destinations (Cilium)", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram("production", { target: "kubernetes", ...SET, k8sFqdnPolicy: "cilium" });
        });
        const named = (type: string, name: string) =>
            run.resources
                .ofType(type)
                .map(inp)
                .filter((i) => i.metadata?.name === name);

        it("a NetworkPolicy per CIDR destination: its pods, its CIDR, its ports, nothing else", () => {
            const ldap = named("kubernetes:networking.k8s.io/v1:NetworkPolicy", "egress-ldap");
            assert.strictEqual(ldap.length, 1);
            assert.deepStrictEqual(ldap[0].spec, {
                podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["api"] }] },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ ipBlock: { cidr: "10.200.0.10/32" } }],
                        ports: [
                            { protocol: "TCP", port: 389 },
                            { protocol: "TCP", port: 636 },
                        ],
                    },
                ],
            });
            const smtp = named("kubernetes:networking.k8s.io/v1:NetworkPolicy", "egress-smtp")[0];
            assert.deepStrictEqual(smtp.spec.podSelector.matchExpressions[0].values, ["api", "ollama"]);
            assert.deepStrictEqual(smtp.spec.egress, [{ to: [{ ipBlock: { cidr: "192.0.2.0/28" } }], ports: [{ protocol: "TCP", port: 587 }] }]);
            assert.strictEqual(named("kubernetes:networking.k8s.io/v1:NetworkPolicy", "egress-openai").length, 0, "a host gets no NetworkPolicy");
        });

        it("a CiliumNetworkPolicy per host: toFQDNs on its ports, DNS through Cilium's proxy", () => {
            const cnp = (n: string) => named("kubernetes:cilium.io/v2:CiliumNetworkPolicy", n);
            assert.strictEqual(cnp("egress-ldap").length, 0);
            const idp = cnp("egress-idp")[0];
            assert.deepStrictEqual(idp.spec.endpointSelector, { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["api"] }] });
            assert.deepStrictEqual(idp.spec.egress[1], {
                toFQDNs: [{ matchPattern: "*.login.example.gov" }],
                toPorts: [
                    {
                        ports: [
                            { port: "443", protocol: "TCP" },
                            { port: "8443", protocol: "TCP" },
                        ],
                    },
                ],
            });
            assert.deepStrictEqual(cnp("egress-openai")[0].spec.egress[1].toFQDNs, [{ matchName: "api.openai.com" }]);
            assert.deepStrictEqual(idp.spec.egress[0].toPorts, [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }]);
            assert.strictEqual(idp.spec.egress.length, 2, "nothing else");
        });

        it("the pack passes it", async () => {
            const res = await evaluatePack(run.resources.all, productionConfig());
            assert.deepStrictEqual(res.mandatory, []);
            assert.deepStrictEqual(res.undecided, []);
        });
    });
});
