/**
 * The edge's security headers and connection settings, on both targets: what each edge can set,
 * set on the real inputs; what it cannot, refused by name.
 */
import * as assert from "assert";
import { resolveConfigValues } from "./harness/config";
import { ProgramRun, runProgram } from "../testing/program";

const CSP = "default-src 'none'; frame-ancestors 'none'";

function resolve(values: Record<string, string>) {
    const all: Record<string, string> = {
        environment: "staging",
        domain: "rag.example.gov",
        apiImage: "ghcr.io/example-gov/rag-api:1.4.2",
        hostedZoneId: "Z0123456789STAGING",
        ...values,
    };
    return resolveConfigValues(all);
}

describe("edge: security headers and idle timeout", function () {
    this.timeout(60_000);
    const listener = (run: ProgramRun) => run.resources.ofType("aws:lb/listener:Listener").find((l) => (l.inputs as any).port === 443)!.inputs as any;
    const alb = (run: ProgramRun) => run.resources.one("aws:lb/loadBalancer:LoadBalancer").inputs as any;

    it("AWS: the ALB sets CSP, HSTS, nosniff and DENY by default and keeps idle connections 120 s", async () => {
        const run = await runProgram("staging", { target: "aws" });
        const l = listener(run);
        assert.strictEqual(l.routingHttpResponseContentSecurityPolicyHeaderValue, CSP);
        assert.match(l.routingHttpResponseStrictTransportSecurityHeaderValue, /^max-age=63072000/);
        assert.deepStrictEqual([l.routingHttpResponseXContentTypeOptionsHeaderValue, l.routingHttpResponseXFrameOptionsHeaderValue], ["nosniff", "DENY"]);
        assert.strictEqual(alb(run).idleTimeout, 120);
    });

    it("AWS: edgeIdleTimeoutSeconds and edgeContentSecurityPolicy reach the ALB; none sends no CSP", async () => {
        const run = await runProgram("staging", { target: "aws", edgeIdleTimeoutSeconds: "900", edgeContentSecurityPolicy: "default-src 'self'" });
        assert.strictEqual(alb(run).idleTimeout, 900);
        assert.strictEqual(listener(run).routingHttpResponseContentSecurityPolicyHeaderValue, "default-src 'self'");
        const none = await runProgram("staging", { target: "aws", edgeContentSecurityPolicy: "none" });
        assert.strictEqual(listener(none).routingHttpResponseContentSecurityPolicyHeaderValue, undefined);
    });

    it("Kubernetes: the gateway route and the ingress set CSP and Referrer-Policy besides HSTS", async () => {
        const gateway = await runProgram("staging", { target: "kubernetes", edgeReferrerPolicy: "same-origin" });
        const route = gateway.resources.all.find((r) => (r.inputs as any).kind === "HTTPRoute" && (r.inputs as any).metadata.name === "api")!.inputs as any;
        const set = Object.fromEntries(route.spec.rules[0].filters[0].responseHeaderModifier.set.map((h: any) => [h.name, h.value]));
        assert.strictEqual(set["Content-Security-Policy"], CSP);
        assert.strictEqual(set["Referrer-Policy"], "same-origin");
        assert.ok(set["Strict-Transport-Security"] && set["X-Content-Type-Options"] === "nosniff");
        const ingress = await runProgram("staging", { target: "kubernetes", k8sEdgeMode: "ingress", edgeContentSecurityPolicy: "none" });
        const snippet = (ingress.resources.one("kubernetes:networking.k8s.io/v1:Ingress").inputs as any).metadata.annotations[
            "nginx.ingress.kubernetes.io/configuration-snippet"
        ];
        assert.match(snippet, /more_set_headers "Referrer-Policy: no-referrer";/);
        assert.doesNotMatch(snippet, /Content-Security-Policy/);
    });

    it("what an edge cannot set is refused by name; bad values name the field and what is allowed", () => {
        assert.throws(
            () => resolve({ target: "aws", edgeReferrerPolicy: "same-origin" }),
            /rag-platform:edgeReferrerPolicy \([a-zA-Z.]+\): got "same-origin"; allowed: unset on the aws target \(the ALB cannot set Referrer-Policy/,
        );
        assert.throws(
            () => resolve({ target: "kubernetes", edgeIdleTimeoutSeconds: "600" }),
            /rag-platform:edgeIdleTimeoutSeconds \([a-zA-Z.]+\): got 600; allowed: unset on the kubernetes target/,
        );
        assert.throws(
            () => resolve({ target: "kubernetes", edgeReferrerPolicy: "everywhere" }),
            /edge\.referrerPolicy\): got "everywhere"; allowed: one of "no-referrer"/,
        );
        assert.throws(
            () => resolve({ target: "aws", edgeContentSecurityPolicy: 'default-src "self"' }),
            /edge\.contentSecurityPolicy\).*without double quotes/,
        );
        assert.throws(() => resolve({ target: "aws", edgeIdleTimeoutSeconds: "5000" }), /edge\.idleTimeoutSeconds\): got 5000/);
    });
});
