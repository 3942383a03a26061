/**
 * The development environment (issue 26): the cheapest stack that is still encrypted and private.
 * Its AWS plan passes the development policy config at most $150 a month without GPU, by the
 * plan's own price table; no NAT gateway, interface endpoints in one AZ, no LLM endpoints without
 * the LLM; `--compare` shows all three environments.
 */
import * as assert from "assert";
import { presetFor } from "../components/settings";
import { ENVIRONMENTS } from "../components/core/types";
import { cli } from "./harness/cli";
import { resolveConfigValues } from "./harness/config";
import { runProgram } from "../testing/program";
import { BASE_INTERFACE_ENDPOINTS, DEFAULT_INTERFACE_ENDPOINTS } from "../components/aws/network";

describe("development environment", function () {
    this.timeout(300_000);

    it("is the first of the three environments and a preset like the others", () => {
        assert.deepStrictEqual([...ENVIRONMENTS], ["development", "staging", "production"]);
        const d = presetFor("development");
        assert.strictEqual(d.network.natStrategy, "none");
        assert.strictEqual(d.network.endpointAzCount, 1);
        assert.strictEqual(d.llm.enabled, false);
        assert.strictEqual(d.aws.internetEgress, false);
        // Unset in development: the staging default (here: the same edge posture).
        assert.deepStrictEqual(d.edge, presetFor("staging").edge);
    });

    it("npm run plan -- --stack development --target aws: PASS with the development config, at most $150 a month without GPU", async () => {
        const r = await cli("--stack", "development", "--target", "aws", "--json");
        assert.strictEqual(r.code, 0, r.stdout.slice(0, 2000) + r.stderr);
        const doc = JSON.parse(r.stdout);
        assert.match(doc.policy.configFile, /policies\/config\/development\.json$/);
        assert.ok(doc.cost.monthly.withoutGpu <= 150, `${doc.cost.monthly.withoutGpu}`);
        assert.ok(doc.cost.monthly.total <= 150, `${doc.cost.monthly.total}`);
        assert.strictEqual(doc.policy.mandatoryViolations, 0);
    });

    it("Kubernetes: the development stack plans and passes", async () => {
        const r = await cli("--stack", "development", "--target", "kubernetes", "--json");
        assert.strictEqual(r.code, 0, r.stdout.slice(0, 2000) + r.stderr);
    });

    it("AWS network: no NAT gateway or default route, the Fargate endpoints only, each in one AZ, still encrypted", async () => {
        const run = await runProgram("development", { target: "aws" });
        assert.strictEqual(run.resources.ofType("aws:ec2/natGateway:NatGateway").length, 0);
        assert.strictEqual(run.resources.ofType("aws:ec2/eip:Eip").length, 0);
        const routes = run.resources.ofType("aws:ec2/route:Route").map((r) => r.name);
        assert.deepStrictEqual(routes, ["rag-aws-network-public-default"]);
        const endpoints = run.resources.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => (e.inputs as any).vpcEndpointType === "Interface");
        assert.deepStrictEqual(
            endpoints
                .map((e) =>
                    String((e.inputs as any).serviceName)
                        .split(".")
                        .slice(3)
                        .join("."),
                )
                .sort(),
            [...BASE_INTERFACE_ENDPOINTS].sort(),
        );
        for (const e of endpoints) assert.strictEqual((e.inputs as any).subnetIds.length, 1, e.name);
        // The API has no path to the internet: its security group allows nothing to 0.0.0.0/0.
        const egress = run.resources.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => r.name.startsWith("rag-aws-api"));
        assert.ok(egress.length > 0);
        for (const r of egress) assert.notStrictEqual((r.inputs as any).cidrIpv4, "0.0.0.0/0", r.name);
        const db = run.resources.one("aws:rds/instance:Instance").inputs as any;
        assert.strictEqual(db.storageEncrypted, true);
        assert.strictEqual(db.instanceClass, "db.t4g.small");
    });

    it("staging without the LLM drops the GPU hosts' endpoints; with it, every endpoint in every AZ as before", async () => {
        const interfaces = (run: Awaited<ReturnType<typeof runProgram>>) =>
            run.resources.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => (e.inputs as any).vpcEndpointType === "Interface");
        const off = interfaces(await runProgram("staging", { target: "aws", llmEnabled: "false" }));
        assert.strictEqual(off.length, BASE_INTERFACE_ENDPOINTS.length);
        const on = interfaces(await runProgram("staging", { target: "aws" }));
        assert.strictEqual(on.length, DEFAULT_INTERFACE_ENDPOINTS.length);
        for (const e of on) assert.strictEqual((e.inputs as any).subnetIds.length, 2, e.name);
    });

    const base = {
        target: "aws",
        environment: "development",
        domain: "rag.example.gov",
        apiImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag-api:1.4.2",
        hostedZoneId: "Z0123456789DEVELOP",
    };
    it("natStrategy none with awsInternetEgress true is refused, naming both keys", () => {
        assert.throws(
            () => resolveConfigValues({ ...base, awsInternetEgress: "true" }),
            /rag-platform:awsInternetEgress \(aws\.internetEgress\): got true; allowed: false while network\.natStrategy is none/,
        );
        assert.doesNotThrow(() => resolveConfigValues({ ...base, awsInternetEgress: "true", natStrategy: "single" }));
    });

    it("endpointAzCount beyond azCount is refused", () => {
        assert.throws(
            () => resolveConfigValues({ ...base, endpointAzCount: "3" }),
            /rag-platform:endpointAzCount \(network\.endpointAzCount\): got 3; allowed: an integer from 1 to 2/,
        );
    });

    it("--compare development,staging,production shows the three environments, cheapest first", async () => {
        const r = await cli("--stack", "development", "--compare", "staging,production", "--json");
        assert.strictEqual(r.code, 0, r.stderr);
        const c = JSON.parse(r.stdout);
        assert.deepStrictEqual(c.stacks, ["development", "staging", "production"]);
        assert.deepStrictEqual(c.environments, ["development", "staging", "production"]);
        const [d, s, p, diff] = c.cost.total;
        assert.ok(d < s && s < p, `${d} < ${s} < ${p}`);
        assert.strictEqual(diff, Math.round((p - d) * 100) / 100);
        const text = await cli("--stack", "development", "--compare", "staging", "--compare", "production");
        assert.match(text.stdout, /development is \d+(\.\d)? % of production/);
        assert.match(text.stdout, /staging is \d+(\.\d)? % of production/);
        const twice = await cli("--stack", "development", "--compare", "staging,staging");
        assert.strictEqual(twice.code, 2);
        assert.match(twice.stderr, /--compare: got "staging"; allowed: a stack other than --stack, each once/);
    });
});
