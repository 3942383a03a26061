/**
 * Rate limits, the request body cap and WebSocket paths at every edge: the AWS WAF's rules, the
 * Kubernetes gateway's Envoy Gateway BackendTrafficPolicy and WebSocket route, the ingress-nginx
 * annotations, each on the resources' real inputs; the refusals name the key and what is allowed.
 */
import * as assert from "assert";
import { Edge } from "../components/kubernetes/edge";
import { greaterThanRegex, Waf } from "../components/aws/waf";
import { MAX_REQUEST_BODY_MIB } from "../components/settings";
import * as k8s from "@pulumi/kubernetes";
import { installMocks, RecordedResource } from "../testing/mocks";
import { ProgramRun, runProgram } from "../testing/program";
import { resolveConfigValues } from "./harness/config";

const inp = (r: RecordedResource) => r.inputs as any;
const custom = (run: ProgramRun, kind: string) => run.resources.all.filter((r) => inp(r).kind === kind).map(inp);
const named = (run: ProgramRun, kind: string, name: string) => custom(run, kind).find((r) => r.metadata.name === name);
const ingresses = (run: ProgramRun) => run.resources.ofType("kubernetes:networking.k8s.io/v1:Ingress").map(inp);
const MIB = 1024 * 1024;

/** Stack config as a Kubernetes-only stack file holds it (no other target served). */
function resolveK8s(values: Record<string, string>) {
    return resolveConfigValues({
        environment: "staging",
        domain: "rag.example.gov",
        apiImage: "ghcr.io/example-gov/rag-api:1.4.2",
        target: "kubernetes",
        ...values,
    });
}

describe("edge limits: rate limits, body size and WebSocket paths on both targets", function () {
    this.timeout(120_000);

    describe("AWS: the WAF", () => {
        it("blocks a declared body over edgeMaxRequestBodyMiB (10 MiB by default) by the Content-Length header, before the managed groups", async () => {
            const run = await runProgram("staging", { target: "aws" });
            const rule = inp(run.resources.one("aws:wafv2/webAcl:WebAcl")).rules.find((r: any) => r.name === "request-body-size-limit");
            assert.strictEqual(rule.priority, 3);
            assert.deepStrictEqual(rule.action, { block: {} });
            const m = rule.statement.regexMatchStatement;
            assert.deepStrictEqual(m.fieldToMatch, { singleHeader: { name: "content-length" } });
            assert.strictEqual(m.regexString, greaterThanRegex(10 * MIB));
            assert.ok(rule.visibilityConfig.cloudwatchMetricsEnabled);
            const small = await runProgram("staging", { target: "aws", edgeMaxRequestBodyMiB: "1" });
            const r1 = inp(small.resources.one("aws:wafv2/webAcl:WebAcl")).rules.find((r: any) => r.name === "request-body-size-limit");
            assert.strictEqual(r1.statement.regexMatchStatement.regexString, greaterThanRegex(MIB));
        });

        it("the Content-Length regex matches exactly the numbers over the limit (leading zeros too), and fits a RegexString", () => {
            const limits = [1, 9, 10, 99, 100, 1000, 1999, 10 * MIB, 10 * MIB + 9, MIB, MAX_REQUEST_BODY_MIB * MIB, 12345678];
            let seed = 7;
            const rand = () => (seed = (seed * 48271) % 2147483647);
            for (const limit of limits) {
                const re = new RegExp(greaterThanRegex(limit));
                const probes = [
                    0,
                    1,
                    limit - 1,
                    limit,
                    limit + 1,
                    limit * 10,
                    Math.floor(limit / 10),
                    limit + 10,
                    ...Array.from({ length: 300 }, () => rand() % (limit * 3 + 3)),
                ];
                for (const n of probes.filter((x) => x >= 0)) {
                    assert.strictEqual(re.test(String(n)), n > limit, `limit ${limit}, Content-Length ${n}`);
                    assert.strictEqual(re.test(`000${n}`), n > limit, `limit ${limit}, Content-Length 000${n}`);
                }
                for (const bad of ["", "-1", "1e9", " 5", "abc"]) assert.strictEqual(re.test(bad), false, `limit ${limit}: "${bad}"`);
            }
            // RegexString: 1..512 characters (https://docs.aws.amazon.com/waf/latest/APIReference/API_RegexMatchStatement.html).
            assert.ok(greaterThanRegex(MAX_REQUEST_BODY_MIB * MIB).length <= 512);
            assert.ok(greaterThanRegex(MAX_REQUEST_BODY_MIB * MIB - 1).length <= 512);
        });

        it("a bad body limit is refused by the Waf and by the setting", () => {
            const base = {
                environment: "staging" as const,
                loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1",
                logsKeyArn: "k",
            };
            assert.throws(() => new Waf("w", { ...base, maxRequestBodyMiB: 0 }), /maxRequestBodyMiB: got 0; allowed: an integer from 1 to 4096/);
            assert.throws(
                () =>
                    resolveConfigValues({
                        environment: "staging",
                        domain: "rag.example.gov",
                        apiImage: "ghcr.io/x/api:1",
                        target: "aws",
                        edgeMaxRequestBodyMiB: "5000",
                    }),
                /rag-platform:edgeMaxRequestBodyMiB \(edge\.maxRequestBodyMiB\): got 5000; allowed: an integer from 1 to 4096/,
            );
        });

        it("edgeWebSocketPaths is refused on AWS: the ALB upgrades WebSockets on every path", () => {
            assert.throws(
                () =>
                    resolveConfigValues({
                        environment: "staging",
                        domain: "rag.example.gov",
                        apiImage: "ghcr.io/x/api:1",
                        target: "aws",
                        hostedZoneId: "Z0123456789STAGING",
                        edgeWebSocketPaths: '["/ws"]',
                    }),
                /rag-platform:edgeWebSocketPaths \(edge\.webSocketPaths\): got \["\/ws"\]; allowed: unset on the aws target \(the ALB upgrades WebSocket connections on every path natively/,
            );
        });
    });

    describe("Kubernetes, gateway mode", () => {
        it("k8sGatewayRateLimit envoy-gateway: a BackendTrafficPolicy on the API route with per-IP limits, the login paths' stricter limit and the body cap", async () => {
            const run = await runProgram("staging", {
                target: "kubernetes",
                k8sGatewayRateLimit: "envoy-gateway",
                wafRateLimitPer5Min: "1500",
                edgeLoginPaths: '["/auth/login","/auth/token"]',
                edgeLoginRateLimitPer5Min: "25",
                edgeMaxRequestBodyMiB: "20",
            });
            const policy = named(run, "BackendTrafficPolicy", "api-limits");
            assert.strictEqual(policy.apiVersion, "gateway.envoyproxy.io/v1alpha1");
            assert.strictEqual(policy.metadata.namespace, named(run, "HTTPRoute", "api").metadata.namespace);
            assert.deepStrictEqual(policy.spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "api" }]);
            assert.deepStrictEqual(policy.spec.requestBuffer, { limit: "20Mi" });
            const rules = policy.spec.rateLimit.local.rules.map((r: any) => [
                r.clientSelectors[0].sourceCIDR.type,
                r.clientSelectors[0].sourceCIDR.value,
                r.clientSelectors[0].path?.value ?? "*",
                r.limit.requests,
                r.limit.unit,
            ]);
            assert.deepStrictEqual(rules, [
                ["Distinct", "0.0.0.0/0", "*", 300, "Minute"],
                ["Distinct", "::/0", "*", 300, "Minute"],
                ["Distinct", "0.0.0.0/0", "/auth/login", 5, "Minute"],
                ["Distinct", "::/0", "/auth/login", 5, "Minute"],
                ["Distinct", "0.0.0.0/0", "/auth/token", 5, "Minute"],
                ["Distinct", "::/0", "/auth/token", 5, "Minute"],
            ]);
            assert.ok(
                policy.spec.rateLimit.local.rules
                    .filter((r: any) => r.clientSelectors[0].path)
                    .every((r: any) => r.clientSelectors[0].path.type === "PathPrefix"),
            );
        });

        it("edgeWebSocketPaths: a route of their own with the request timeout off; its policy limits but does not buffer", async () => {
            const run = await runProgram("staging", {
                target: "kubernetes",
                k8sGatewayRateLimit: "envoy-gateway",
                edgeWebSocketPaths: '["/ws","/chat/stream"]',
            });
            const api = named(run, "HTTPRoute", "api");
            const ws = named(run, "HTTPRoute", "api-websocket");
            assert.deepStrictEqual(ws.spec.parentRefs, api.spec.parentRefs);
            assert.deepStrictEqual(ws.spec.hostnames, api.spec.hostnames);
            assert.strictEqual(ws.spec.rules.length, 1);
            assert.deepStrictEqual(ws.spec.rules[0].matches, [
                { path: { type: "PathPrefix", value: "/ws" } },
                { path: { type: "PathPrefix", value: "/chat/stream" } },
            ]);
            assert.deepStrictEqual(ws.spec.rules[0].timeouts, { request: "0s" });
            assert.deepStrictEqual(ws.spec.rules[0].backendRefs, api.spec.rules[0].backendRefs);
            assert.deepStrictEqual(ws.spec.rules[0].filters, api.spec.rules[0].filters);
            assert.strictEqual(api.spec.rules[0].timeouts, undefined);
            const policy = named(run, "BackendTrafficPolicy", "api-websocket-limits");
            assert.deepStrictEqual(policy.spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "api-websocket" }]);
            assert.strictEqual(policy.spec.requestBuffer, undefined);
            assert.strictEqual(policy.spec.rateLimit.local.rules.length, 2);
            // Without a rate-limit policy the WebSocket route stands alone.
            const none = await runProgram("staging", { target: "kubernetes", edgeWebSocketPaths: '["/ws"]' });
            assert.ok(named(none, "HTTPRoute", "api-websocket"));
            assert.deepStrictEqual(custom(none, "BackendTrafficPolicy"), []);
        });

        it("k8sGatewayRateLimit none (the default): no policy; on a Kubernetes-only stack file the limits it cannot enforce are refused by name", async () => {
            const run = await runProgram("staging", { target: "kubernetes" });
            assert.deepStrictEqual(custom(run, "BackendTrafficPolicy"), []);
            for (const [key, value, shown] of [
                ["edgeLoginPaths", '["/auth/login"]', '\\["\\/auth\\/login"\\]'],
                ["wafRateLimitPer5Min", "900", "900"],
                ["edgeLoginRateLimitPer5Min", "50", "50"],
                ["edgeMaxRequestBodyMiB", "50", "50"],
            ])
                assert.throws(
                    () => resolveK8s({ [key]: value }),
                    new RegExp(
                        `rag-platform:${key} \\(edge\\.[a-zA-Z0-9]+\\): got ${shown}; allowed: its default with kubernetes.edgeMode gateway and kubernetes.gatewayRateLimit none \\(no gateway policy enforces it\\): set kubernetes.gatewayRateLimit to envoy-gateway`,
                    ),
                    key,
                );
            // The same values are fine with a policy, in ingress mode, or in a file that also serves AWS (its WAF enforces them).
            assert.ok(resolveK8s({ edgeLoginPaths: '["/auth/login"]', k8sGatewayRateLimit: "envoy-gateway" }));
            assert.ok(resolveK8s({ edgeLoginPaths: '["/auth/login"]', k8sEdgeMode: "ingress" }));
            assert.ok(resolveK8s({ edgeLoginPaths: '["/auth/login"]', otherTargets: '["aws"]' }));
        });

        it("refusals: an unknown policy, a policy in ingress mode, more login paths than Envoy Gateway's 16 rules hold, a bad path", () => {
            assert.throws(
                () => resolveK8s({ k8sGatewayRateLimit: "istio" }),
                /rag-platform:k8sGatewayRateLimit \(kubernetes\.gatewayRateLimit\): got "istio"; allowed: one of "none", "envoy-gateway"/,
            );
            assert.throws(
                () => resolveK8s({ k8sGatewayRateLimit: "envoy-gateway", k8sEdgeMode: "ingress" }),
                /kubernetes\.gatewayRateLimit\): got "envoy-gateway"; allowed: "none" with kubernetes\.edgeMode ingress/,
            );
            const eight = JSON.stringify(Array.from({ length: 8 }, (_, i) => `/login${i}`));
            assert.throws(
                () => resolveK8s({ k8sGatewayRateLimit: "envoy-gateway", edgeLoginPaths: eight }),
                /edge\.loginPaths\): got .*; allowed: at most 7 paths with kubernetes\.gatewayRateLimit envoy-gateway/,
            );
            assert.throws(
                () => resolveK8s({ edgeWebSocketPaths: '["ws"]' }),
                /edge\.webSocketPaths\[0\]\): got "ws"; allowed: a path prefix starting with '\/'/,
            );
            assert.throws(() => resolveK8s({ edgeWebSocketPaths: '["/ws","/ws"]' }), /edge\.webSocketPaths/);
        });

        it("the Edge component refuses limits a gateway without policy cannot enforce", () => {
            installMocks();
            const base = {
                provider: new k8s.Provider("p", {}),
                environment: "staging" as const,
                mode: "gateway" as const,
                domain: "rag.example.gov",
                edgeNamespace: "e",
                appNamespace: "a",
                apiServiceName: "api",
                apiPort: 8000,
                clusterIssuer: "ca",
                gatewayClassName: "eg",
            };
            assert.throws(
                () => new Edge("e", { ...base, loginPaths: ["/auth/login"] }),
                /loginPaths: got \["\/auth\/login"\]; allowed: \[\] in gateway mode without a rate-limit policy/,
            );
            assert.throws(
                () => new Edge("e", { ...base, maxRequestBodyMiB: 5 }),
                /maxRequestBodyMiB: got 5; allowed: unset in gateway mode without a rate-limit policy/,
            );
            assert.throws(
                () => new Edge("e", { ...base, mode: "ingress", ingressClassName: "nginx", gatewayRateLimit: "envoy-gateway" }),
                /gatewayRateLimit: got "envoy-gateway"; allowed: "none" in ingress mode/,
            );
        });
    });

    describe("Kubernetes, ingress mode", () => {
        it("every Ingress caps the body (proxy-body-size) and limits per IP; login paths get limit-rpm, WebSocket paths long proxy timeouts; one certificate request", async () => {
            const run = await runProgram("staging", {
                target: "kubernetes",
                k8sEdgeMode: "ingress",
                wafRateLimitPer5Min: "3000",
                edgeLoginPaths: '["/auth/login"]',
                edgeLoginRateLimitPer5Min: "50",
                edgeMaxRequestBodyMiB: "25",
                edgeWebSocketPaths: '["/ws"]',
            });
            const all = ingresses(run);
            const by = (name: string) => all.find((i) => i.metadata.name === name);
            assert.deepStrictEqual(all.map((i) => i.metadata.name).sort(), ["api", "api-login", "api-websocket"]);
            for (const i of all) {
                const a = i.metadata.annotations;
                assert.strictEqual(a["nginx.ingress.kubernetes.io/proxy-body-size"], "25m", i.metadata.name);
                assert.strictEqual(a["nginx.ingress.kubernetes.io/limit-rps"], "10", i.metadata.name);
                assert.strictEqual(a["nginx.ingress.kubernetes.io/force-ssl-redirect"], "true");
                assert.deepStrictEqual(i.spec.tls, by("api").spec.tls);
            }
            assert.strictEqual(by("api").metadata.annotations["cert-manager.io/cluster-issuer"], "internal-ca");
            assert.strictEqual(by("api-login").metadata.annotations["cert-manager.io/cluster-issuer"], undefined);
            assert.strictEqual(by("api-websocket").metadata.annotations["cert-manager.io/cluster-issuer"], undefined);
            assert.strictEqual(by("api-login").metadata.annotations["nginx.ingress.kubernetes.io/limit-rpm"], "10");
            assert.deepStrictEqual(
                by("api-login").spec.rules[0].http.paths.map((p: any) => [p.path, p.pathType]),
                [["/auth/login", "Prefix"]],
            );
            const ws = by("api-websocket");
            assert.strictEqual(ws.metadata.annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"], "3600");
            assert.strictEqual(ws.metadata.annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"], "3600");
            assert.deepStrictEqual(
                ws.spec.rules[0].http.paths.map((p: any) => p.path),
                ["/ws"],
            );
            assert.strictEqual(by("api").metadata.annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"], undefined);
        });

        it("by default one Ingress with the 10 MiB cap", async () => {
            const run = await runProgram("staging", { target: "kubernetes", k8sEdgeMode: "ingress" });
            const all = ingresses(run);
            assert.strictEqual(all.length, 1);
            assert.strictEqual(all[0].metadata.annotations["nginx.ingress.kubernetes.io/proxy-body-size"], "10m");
        });
    });
});
