/**
 * WAF extension points: a country allow-list, a stricter rate limit on login paths, and a team's
 * own rules after the library's, checked on the web ACL's real inputs; refusals name the key.
 */
import * as assert from "assert";
import { Waf } from "../components/aws/waf";
import { installMocks, RecordedResource, settle } from "../testing/mocks";
import { runProgram } from "../testing/program";
import { resolveConfigValues } from "./harness/config";

const inp = (r: RecordedResource) => r.inputs as any;

describe("WAF: geography, login paths and your own rules", function () {
    this.timeout(60_000);

    it("by default: the rate limit first, the body size limit (edgeMaxRequestBodyMiB), then the five managed groups, nothing else", async () => {
        const run = await runProgram("staging", { target: "aws" });
        const rules = inp(run.resources.one("aws:wafv2/webAcl:WebAcl")).rules;
        assert.deepStrictEqual(
            rules.map((r: any) => [r.priority, r.name]),
            [
                [0, "rate-limit-per-ip"],
                [3, "request-body-size-limit"],
                [10, "AWSManagedRulesAmazonIpReputationList"],
                [11, "AWSManagedRulesAnonymousIpList"],
                [12, "AWSManagedRulesCommonRuleSet"],
                [13, "AWSManagedRulesKnownBadInputsRuleSet"],
                [14, "AWSManagedRulesSQLiRuleSet"],
            ],
        );
    });

    it("wafAllowedCountries blocks every other country before the managed groups; edgeLoginPaths get their own limit", async () => {
        const run = await runProgram("staging", {
            target: "aws",
            wafAllowedCountries: JSON.stringify(["DE", "AT"]),
            edgeLoginPaths: JSON.stringify(["/auth/login", "/auth/token"]),
            edgeLoginRateLimitPer5Min: "50",
        });
        const rules = inp(run.resources.one("aws:wafv2/webAcl:WebAcl")).rules;
        const geo = rules.find((r: any) => r.name === "geo-allow-list");
        assert.strictEqual(geo.priority, 1);
        assert.deepStrictEqual(geo.action, { block: {} });
        assert.deepStrictEqual(geo.statement, { notStatement: { statement: { geoMatchStatement: { countryCodes: ["DE", "AT"] } } } });
        const login = rules.find((r: any) => r.name === "login-rate-limit-per-ip");
        assert.strictEqual(login.priority, 2);
        const rate = login.statement.rateBasedStatement;
        assert.deepStrictEqual([rate.limit, rate.aggregateKeyType, rate.evaluationWindowSec], [50, "IP", 300]);
        assert.deepStrictEqual(
            rate.scopeDownStatement.orStatement.statements.map((s: any) => [
                s.byteMatchStatement.searchString,
                s.byteMatchStatement.positionalConstraint,
                Object.keys(s.byteMatchStatement.fieldToMatch),
            ]),
            [
                ["/auth/login", "STARTS_WITH", ["uriPath"]],
                ["/auth/token", "STARTS_WITH", ["uriPath"]],
            ],
        );
        assert.ok(login.visibilityConfig.cloudwatchMetricsEnabled);
    });

    it("extraRules come after the library's, with priorities and metrics assigned; a reused name is refused", () => {
        const base = {
            environment: "staging" as const,
            loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1",
            logsKeyArn: "k",
        };
        const waf = () =>
            new Waf("w", {
                ...base,
                extraRules: [{ name: "AWSManagedRulesSQLiRuleSet", action: { block: {} }, statement: { geoMatchStatement: { countryCodes: ["KP"] } } }],
            });
        assert.throws(waf, /Waf w: invalid input[\s\S]*extraRules\[0\]\.name: got "AWSManagedRulesSQLiRuleSet"; allowed: a name not used by another rule/);
        assert.throws(
            () => new Waf("w", { ...base, loginPaths: ["auth/login"] }),
            /loginPaths\[0\]: got "auth\/login"; allowed: a path prefix starting with '\/'/,
        );
        assert.throws(() => new Waf("w", { ...base, allowedCountryCodes: ["Germany"] }), /allowedCountryCodes\[0\]: got "Germany"/);
        assert.throws(() => new Waf("w", { ...base, loginPaths: ["/login"], loginRateLimitPer5Min: 5000 }), /loginRateLimitPer5Min: got 5000/);
    });

    it("an extra rule is in the web ACL after the managed groups, with its priority and metrics", async () => {
        const log = installMocks();
        new Waf("w", {
            environment: "staging",
            loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1",
            logsKeyArn: "k",
            extraRules: [
                {
                    name: "block-admin",
                    action: { block: {} },
                    statement: {
                        byteMatchStatement: {
                            searchString: "/admin",
                            positionalConstraint: "STARTS_WITH",
                            fieldToMatch: { uriPath: {} },
                            textTransformations: [{ priority: 0, type: "NONE" }],
                        },
                    },
                },
            ],
        });
        await settle(log);
        const rules = inp(log.one("aws:wafv2/webAcl:WebAcl")).rules;
        const last = rules[rules.length - 1];
        assert.deepStrictEqual([last.name, last.priority, last.visibilityConfig.metricName], ["block-admin", 100, "wwafExtrablockadmin"]);
        assert.ok(rules.slice(0, -1).every((r: any) => r.priority < 100));
    });

    it("Kubernetes refuses the WAF-only keys by name, and login paths where no gateway policy enforces them", () => {
        const base = { environment: "staging", domain: "rag.example.gov", apiImage: "ghcr.io/example-gov/rag-api:1.4.2", target: "kubernetes" };
        assert.throws(
            () => resolveConfigValues({ ...base, wafAllowedCountries: JSON.stringify(["DE"]) }),
            /rag-platform:wafAllowedCountries \([a-zA-Z.]+\): got .*allowed: unset on the kubernetes target \(the Kubernetes edge has no WAF/,
        );
        assert.throws(
            () => resolveConfigValues({ ...base, edgeLoginPaths: JSON.stringify(["/login"]) }),
            /rag-platform:edgeLoginPaths \([a-zA-Z.]+\): got .*allowed: its default with kubernetes.edgeMode gateway and kubernetes.gatewayRateLimit none/,
        );
    });
});
