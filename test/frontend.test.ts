/**
 * The web front end (frontendEnabled), on the real inputs of both targets. AWS: the private bucket
 * behind CloudFront with OAC, the key and bucket policy naming this distribution only, the us-east-1
 * certificate, WAF and logs, TLSv1.2_2021, the headers policy, the SPA function on the app's
 * behaviour only, `/api/*` to an ALB that only CloudFront reaches. Kubernetes: the restricted static
 * server, its NetworkPolicy, HPA and PDB in production, `/` and `/api` at the edge. Off by
 * default, and the refusals name the key.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import { MANAGED_CLOUDFRONT_POLICIES, SPA_FUNCTION_CODE } from "../components/aws/frontend";
import { ORIGIN_VERIFY_HEADER } from "../components/aws/edge";
import { NGINX_CONF } from "../components/kubernetes/frontend";
import { DEFAULT_FRONTEND_CSP } from "../components/settings";
import { resolveStackSettings } from "../environments/resolve";
import { MOCK_CLOUDFRONT_PREFIX_LIST, RecordedResource } from "../testing/mocks";
import { ProgramRun, runProgram } from "../testing/program";

const inp = (r: RecordedResource) => r.inputs as any;
const CDN = "aws:cloudfront/distribution:Distribution";
const AWS_ON = { target: "aws", frontendEnabled: "true", frontendSource: "examples/frontend/dist" };
const K8S_ON = { target: "kubernetes", frontendEnabled: "true", frontendImage: "ghcr.io/example-gov/rag-frontend:1.0.0" };
const k8s = (run: ProgramRun, kind: string, name: string) =>
    run.resources.all.find((r) => r.custom && inp(r).kind === kind && inp(r).metadata?.name === name) ??
    run.resources.all.find((r) => r.type.endsWith(`:${kind}`) && inp(r).metadata?.name === name);
const statementsOf = (policy: string) => JSON.parse(policy).Statement as any[];

describe("web front end", function () {
    this.timeout(300_000);

    describe("AWS: a private bucket behind CloudFront, /api to an ALB only CloudFront reaches", () => {
        let run: ProgramRun;
        let cdn: RecordedResource;
        let distributionArn: string;
        before(async () => {
            run = await runProgram("production", AWS_ON);
            cdn = run.resources.one(CDN);
            distributionArn = String(cdn.state.arn);
        });

        it("the distribution: the stack's names, TLSv1.2_2021 with an SNI certificate, its CLOUDFRONT WAF, HTTP/2 and 3", () => {
            const i = inp(cdn);
            const cert = run.resources.ofType("aws:acm/certificate:Certificate").find((r) => r.name.includes("frontend"))!;
            assert.deepStrictEqual(i.aliases, [inp(cert).domainName]);
            assert.strictEqual(i.viewerCertificate.minimumProtocolVersion, "TLSv1.2_2021");
            assert.strictEqual(i.viewerCertificate.sslSupportMethod, "sni-only");
            assert.ok(i.viewerCertificate.acmCertificateArn);
            const acl = run.resources.ofType("aws:wafv2/webAcl:WebAcl").find((r) => inp(r).scope === "CLOUDFRONT")!;
            assert.ok(acl, "a CLOUDFRONT-scope web ACL");
            assert.deepStrictEqual(cdn.propertyDependencies.webAclId, [acl.urn]);
            assert.strictEqual(i.httpVersion, "http2and3");
        });

        it("the us-east-1 provider creates the certificate, the WAF and its logs, and the access logs", () => {
            const provider = run.resources.all.find((r) => r.type === "pulumi:providers:aws" && inp(r).region === "us-east-1")!;
            assert.ok(provider, "a provider in us-east-1");
            const east = (r: RecordedResource) => (r.provider ?? "").startsWith(provider.urn);
            const cert = run.resources.ofType("aws:acm/certificate:Certificate").filter((r) => r.name.includes("frontend"));
            assert.strictEqual(cert.length, 1);
            assert.ok(east(cert[0]), "the CloudFront certificate is in us-east-1");
            const acl = run.resources.ofType("aws:wafv2/webAcl:WebAcl").find((r) => inp(r).scope === "CLOUDFRONT")!;
            assert.ok(east(acl), "the CLOUDFRONT web ACL is created in us-east-1");
            for (const type of [
                "aws:cloudwatch/logDeliverySource:LogDeliverySource",
                "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
                "aws:cloudwatch/logDelivery:LogDelivery",
            ])
                assert.ok(east(run.resources.one(type)), `${type} in us-east-1`);
            const groups = run.resources.ofType("aws:cloudwatch/logGroup:LogGroup").filter((r) => r.name.includes("frontend"));
            assert.ok(groups.length === 2 && groups.every(east), "the WAF and access log groups are in us-east-1");
            assert.ok(
                groups.every((g) => inp(g).kmsKeyId),
                "encrypted with the us-east-1 key",
            );
        });

        it("the app origin: Origin Access Control, SigV4 always; the bucket and its key admit this distribution only", () => {
            const oac = inp(run.resources.one("aws:cloudfront/originAccessControl:OriginAccessControl"));
            assert.deepStrictEqual([oac.originAccessControlOriginType, oac.signingBehavior, oac.signingProtocol], ["s3", "always", "sigv4"]);
            const app = inp(cdn).origins.find((o: any) => o.originId === "app");
            assert.ok(app.originAccessControlId && !app.s3OriginConfig, "OAC, no origin access identity");
            assert.match(app.domainName, /\.s3\.eu-west-1\.amazonaws\.com$/);
            const policy = run.resources.ofType("aws:s3/bucketPolicy:BucketPolicy").find((r) => r.name.includes("frontend-app"))!;
            const grant = statementsOf(inp(policy).policy).find((s) => s.Principal?.Service === "cloudfront.amazonaws.com");
            assert.deepStrictEqual(grant.Action, "s3:GetObject");
            assert.deepStrictEqual(grant.Condition, { StringEquals: { "AWS:SourceArn": distributionArn } });
            assert.ok(!statementsOf(inp(policy).policy).some((s) => s.Effect === "Allow" && s.Principal === "*"), "no public statement");
            const key = run.resources.ofType("aws:kms/key:Key").find((r) => r.name.endsWith("frontend-app"))!;
            const cf = statementsOf(inp(key).policy).find((s) => s.Principal?.Service === "cloudfront.amazonaws.com");
            assert.deepStrictEqual([cf.Action, cf.Condition], ["kms:Decrypt", { StringEquals: { "AWS:SourceArn": distributionArn } }]);
            const sse = run.resources
                .ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
                .find((r) => r.name.includes("frontend-app"))!;
            assert.strictEqual(inp(sse).rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, key.state.arn);
        });

        it("the app's behaviour: compressed, cached, security headers, the SPA function; the API's: nothing cached, every viewer header, https only", () => {
            const i = inp(cdn);
            const d = i.defaultCacheBehavior;
            assert.deepStrictEqual(
                [d.targetOriginId, d.viewerProtocolPolicy, d.compress, d.cachePolicyId],
                ["app", "redirect-to-https", true, MANAGED_CLOUDFRONT_POLICIES.cachingOptimized],
            );
            assert.strictEqual(d.functionAssociations[0].eventType, "viewer-request");
            const [api] = i.orderedCacheBehaviors;
            assert.deepStrictEqual(
                [api.pathPattern, api.targetOriginId, api.viewerProtocolPolicy, api.cachePolicyId, api.originRequestPolicyId],
                ["/api/*", "api", "https-only", MANAGED_CLOUDFRONT_POLICIES.cachingDisabled, MANAGED_CLOUDFRONT_POLICIES.allViewer],
            );
            assert.deepStrictEqual(api.allowedMethods.slice().sort(), ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
            assert.ok(!i.customErrorResponses, "no distribution-wide error rewrite (it would turn the API's 404s into index.html)");
            const h = inp(run.resources.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")).securityHeadersConfig;
            assert.strictEqual(h.strictTransportSecurity.accessControlMaxAgeSec, 63072000);
            assert.deepStrictEqual(h.contentSecurityPolicy, { contentSecurityPolicy: DEFAULT_FRONTEND_CSP, override: false });
            assert.strictEqual(h.frameOptions.frameOption, "DENY");
            assert.strictEqual(inp(run.resources.one("aws:cloudfront/function:Function")).code, SPA_FUNCTION_CODE);
        });

        it("the SPA function serves index.html for app routes and leaves files alone", () => {
            const handler = vm.runInNewContext(`${SPA_FUNCTION_CODE}; handler`) as (e: unknown) => { uri: string };
            const uri = (u: string) => handler({ request: { uri: u } }).uri;
            assert.deepStrictEqual(["/", "/chat/42", "/settings/", "/assets/app.js", "/favicon.ico"].map(uri), [
                "/index.html",
                "/index.html",
                "/index.html",
                "/assets/app.js",
                "/favicon.ico",
            ]);
        });

        it("the ALB admits CloudFront only: 443 from its origin-facing prefix list, 403 without the secret origin header, no DNS alias", () => {
            const ingress = run.resources.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.includes("-alb-"));
            assert.deepStrictEqual(
                ingress.map((r) => [inp(r).fromPort, inp(r).prefixListId, inp(r).cidrIpv4]),
                // and blue/green's test listener (production) from the VPC only
                [
                    [443, MOCK_CLOUDFRONT_PREFIX_LIST, undefined],
                    [8443, undefined, "10.30.0.0/16"],
                ],
            );
            const https = run.resources.ofType("aws:lb/listener:Listener").find((r) => inp(r).port === 443)!;
            assert.strictEqual(inp(https).defaultActions[0].fixedResponse.statusCode, "403");
            // Production deploys blue/green: ECS's production rule carries the header (no rule of its own that would bypass the shift).
            const guarded = run.resources.ofType("aws:lb/listenerRule:ListenerRule").filter((r) => inp(r).conditions.some((c: any) => c.httpHeader));
            assert.deepStrictEqual(
                guarded.map((r) => r.name),
                ["rag-aws-edge-https-production"],
            );
            const rule = { conditions: inp(guarded[0]).conditions.filter((c: any) => c.httpHeader) };
            const api = inp(cdn).origins.find((o: any) => o.originId === "api");
            assert.strictEqual(rule.conditions[0].httpHeader.httpHeaderName, ORIGIN_VERIFY_HEADER);
            assert.deepStrictEqual(api.customHeaders, [{ name: ORIGIN_VERIFY_HEADER, value: rule.conditions[0].httpHeader.values[0] }]);
            assert.ok(String(rule.conditions[0].httpHeader.values[0]).length >= 32);
            assert.deepStrictEqual([api.customOriginConfig.originProtocolPolicy, api.customOriginConfig.originSslProtocols], ["https-only", ["TLSv1.2"]]);
            const aliases = run.resources.ofType("aws:route53/record:Record").filter((r) => inp(r).aliases);
            assert.ok(aliases.length === 2 && aliases.every((r) => r.name.includes("frontend")), "A and AAAA to CloudFront, none to the ALB");
            assert.deepStrictEqual(aliases.map((r) => inp(r).type).sort(), ["A", "AAAA"]);
        });

        it("the ALB's WAF limits the client CloudFront forwards (X-Forwarded-For), not CloudFront's edge servers; the distribution's limits the source", () => {
            const acls = run.resources.ofType("aws:wafv2/webAcl:WebAcl");
            const rate = (scope: string) =>
                inp(acls.find((r) => inp(r).scope === scope)!).rules.find((r: any) => r.name === "rate-limit-per-ip").statement.rateBasedStatement;
            assert.deepStrictEqual(
                [rate("REGIONAL").aggregateKeyType, rate("REGIONAL").forwardedIpConfig],
                ["FORWARDED_IP", { headerName: "X-Forwarded-For", fallbackBehavior: "MATCH" }],
            );
            assert.deepStrictEqual([rate("CLOUDFRONT").aggregateKeyType, rate("CLOUDFRONT").forwardedIpConfig], ["IP", undefined]);
        });

        it("every file of the build is uploaded with its content type; index.html is revalidated", () => {
            const files = run.resources.ofType("aws:s3/bucketObjectv2:BucketObjectv2").map((r) => [inp(r).key, inp(r).contentType, inp(r).cacheControl]);
            assert.deepStrictEqual(files, [
                ["assets/app.css", "text/css; charset=utf-8", undefined],
                ["assets/app.js", "text/javascript; charset=utf-8", undefined],
                ["index.html", "text/html; charset=utf-8", "no-cache"],
            ]);
        });

        it("ECS's production rule with the origin header fits ALB's condition limits (one path-pattern, up to 3 values per condition, 5 per rule)", () => {
            // "Each rule can optionally include up to one of each of the following conditions: host-header,
            // http-request-method, path-pattern, and source-ip ... one or more of each of ... http-header and
            // query-string"; "up to three match evaluations per condition", "up to five match evaluations per rule":
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
            const rule = run.resources.ofType("aws:lb/listenerRule:ListenerRule").find((r) => r.name === "rag-aws-edge-https-production")!;
            const conditions: any[] = inp(rule).conditions;
            const values = (c: any): number => (c.httpHeader ? c.httpHeader.values : (Object.values(c).find((v: any) => v?.values) as any).values).length;
            for (const single of ["hostHeader", "httpRequestMethod", "pathPattern", "sourceIp"])
                assert.ok(conditions.filter((c) => c[single]).length <= 1, `at most one ${single}`);
            assert.ok(
                conditions.every((c) => values(c) <= 3),
                "up to three values per condition",
            );
            assert.ok(conditions.reduce((n, c) => n + values(c), 0) <= 5, "up to five per rule");
            assert.deepStrictEqual(
                conditions.map((c) => Object.keys(c).filter((k) => c[k] !== undefined)[0]),
                ["pathPattern", "httpHeader"],
            );
        });

        it("rolling deployments: a rule of its own forwards the distribution's requests, and the API service waits for it", async () => {
            const rolling = await runProgram("production", { ...AWS_ON, apiDeploymentStrategy: "rolling" });
            const rule = rolling.resources.one("aws:lb/listenerRule:ListenerRule");
            assert.deepStrictEqual(
                [rule.name, inp(rule).priority, inp(rule).conditions[0].httpHeader.httpHeaderName],
                ["rag-aws-edge-from-cloudfront", 1, ORIGIN_VERIFY_HEADER],
            );
            const svc = rolling.resources.ofType("aws:ecs/service:Service").find((r) => r.name.includes("api"))!;
            assert.ok([...svc.dependencies, ...Object.values(svc.propertyDependencies ?? {}).flat()].includes(rule.urn), "the service depends on the rule");
        });

        it("off by default: no CloudFront, the ALB open to the allowed CIDRs on 443 and 80 with its alias", async () => {
            const off = await runProgram("production", { target: "aws" });
            assert.strictEqual(off.resources.ofType(CDN).length, 0);
            const rules = off.resources.ofType("aws:lb/listenerRule:ListenerRule");
            assert.ok(
                rules.every((r) => !inp(r).conditions.some((c: any) => c.httpHeader)),
                "no origin header required",
            );
            const ingress = off.resources.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.includes("-alb-"));
            assert.deepStrictEqual(ingress.map((r) => inp(r).fromPort).sort(), [443, 80, 8443]); // 8443: blue/green's test listener, from the VPC
        });

        it("refusals name the key: no folder, a folder without index.html, a certificate outside us-east-1, a bad API path", async () => {
            await assert.rejects(runProgram("production", { target: "aws", frontendEnabled: "true" }), /frontend\.source/);
            const empty = fs.mkdtempSync(path.join(os.tmpdir(), "frontend-"));
            try {
                await assert.rejects(runProgram("production", { ...AWS_ON, frontendSource: empty }), /source.*index\.html/s);
            } finally {
                fs.rmSync(empty, { recursive: true, force: true });
            }
            await assert.rejects(
                runProgram("production", { ...AWS_ON, frontendCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abcd" }),
                /frontend\.certificateArn.*us-east-1/s,
            );
            await assert.rejects(runProgram("production", { ...AWS_ON, frontendApiPath: "/api/" }), /frontend\.apiPath/);
            await assert.rejects(runProgram("production", { ...AWS_ON, frontendPriceClass: "PriceClass_50" }), /frontend\.priceClass/);
            // The Kubernetes image on an AWS-only stack file: refused, naming the key and what AWS uses instead.
            assert.throws(
                () =>
                    resolveStackSettings({
                        domain: "rag.example.gov",
                        target: "aws",
                        environment: "staging",
                        overrides: {
                            api: { image: "ghcr.io/example-gov/rag-api:1.4.2" },
                            aws: { hostedZoneId: "Z0123456789ABC" },
                            frontend: { image: "x/y:1" },
                        },
                    }),
                /frontend\.image.*frontendSource/s,
            );
        });
    });

    describe("Kubernetes: a restricted static server behind the same edge", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram("production", K8S_ON);
        });

        it("the pods: non-root, read-only root with an emptyDir /tmp, drop ALL, port 8080, probes, the SPA configuration", () => {
            const d = inp(k8s(run, "Deployment", "frontend")!);
            const pod = d.spec.template.spec;
            const [c] = pod.containers;
            assert.strictEqual(pod.securityContext.runAsNonRoot, true);
            assert.deepStrictEqual(
                [c.securityContext.readOnlyRootFilesystem, c.securityContext.allowPrivilegeEscalation, c.securityContext.capabilities.drop],
                [true, false, ["ALL"]],
            );
            assert.deepStrictEqual(c.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
            assert.ok(pod.volumes.some((v: any) => v.name === "tmp" && v.emptyDir) && c.volumeMounts.some((m: any) => m.mountPath === "/tmp"));
            assert.ok(c.readinessProbe && c.livenessProbe);
            assert.match(c.image, /ghcr\.io\/example-gov\/rag-frontend:1\.0\.0$/);
            assert.strictEqual(inp(k8s(run, "ConfigMap", "frontend-nginx")!).data["default.conf"], NGINX_CONF);
            assert.match(NGINX_CONF, /listen 8080;/);
            assert.match(NGINX_CONF, /try_files \$uri \$uri\/ \/index\.html;/);
        });

        it("production: an HPA from 2 and a PodDisruptionBudget; staging: one replica, neither", async () => {
            assert.strictEqual(inp(k8s(run, "HorizontalPodAutoscaler", "frontend")!).spec.minReplicas, 2);
            assert.strictEqual(inp(k8s(run, "PodDisruptionBudget", "frontend")!).spec.minAvailable, 1);
            const staging = await runProgram("staging", K8S_ON);
            assert.strictEqual(k8s(staging, "HorizontalPodAutoscaler", "frontend"), undefined);
            assert.strictEqual(k8s(staging, "PodDisruptionBudget", "frontend"), undefined);
            assert.strictEqual(inp(k8s(staging, "Deployment", "frontend")!).spec.replicas, 1);
        });

        it("only the edge controller reaches it, on 8080", () => {
            const np = inp(k8s(run, "NetworkPolicy", "frontend-ingress")!);
            assert.deepStrictEqual(np.spec.policyTypes, ["Ingress"]);
            assert.strictEqual(np.spec.ingress.length, 1);
            assert.deepStrictEqual(np.spec.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
            assert.ok(np.spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]);
        });

        it("gateway: /api to the API with the API's headers, / to the front end with its CSP; the ReferenceGrant admits both", () => {
            const route = inp(k8s(run, "HTTPRoute", "api")!);
            const [api, app] = route.spec.rules;
            assert.strictEqual(api.matches[0].path.value, "/api");
            assert.strictEqual(api.backendRefs[0].port, 8000);
            assert.strictEqual(app.matches[0].path.value, "/");
            assert.strictEqual(app.backendRefs[0].port, 8080);
            const csp = (rule: any) => rule.filters[0].responseHeaderModifier.set.find((h: any) => h.name === "Content-Security-Policy")?.value;
            assert.strictEqual(csp(app), DEFAULT_FRONTEND_CSP);
            assert.notStrictEqual(csp(api), DEFAULT_FRONTEND_CSP);
            const grant = inp(k8s(run, "ReferenceGrant", "edge-routes-to-api")!);
            assert.strictEqual(grant.spec.to.length, 2);
        });

        it("ingress: one Ingress per backend (each with its own headers), /api and /", async () => {
            const ingress = await runProgram("production", { ...K8S_ON, k8sEdgeMode: "ingress" });
            const paths = (name: string) => inp(k8s(ingress, "Ingress", name)!).spec.rules[0].http.paths[0];
            assert.deepStrictEqual([paths("api").path, paths("api").backend.service.port.number], ["/api", 8000]);
            assert.deepStrictEqual([paths("frontend").path, paths("frontend").backend.service.port.number], ["/", 8080]);
            assert.match(
                inp(k8s(ingress, "Ingress", "frontend")!).metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"],
                /script-src 'self'/,
            );
        });

        it("off by default; the image is required when on, and the AWS folder is refused here", async () => {
            const off = await runProgram("production", { target: "kubernetes" });
            assert.strictEqual(k8s(off, "Deployment", "frontend"), undefined);
            assert.strictEqual(inp(k8s(off, "HTTPRoute", "api")!).spec.rules.length, 1);
            await assert.rejects(runProgram("production", { target: "kubernetes", frontendEnabled: "true" }), /frontend\.image/);
            await assert.rejects(runProgram("production", { ...K8S_ON, frontendImage: "nginx:latest" }), /frontend\.image/);
            assert.throws(
                () =>
                    resolveStackSettings({
                        domain: "rag.example.gov",
                        target: "kubernetes",
                        environment: "staging",
                        overrides: { api: { image: "ghcr.io/example-gov/rag-api:1.4.2" }, frontend: { source: "dist" } },
                    }),
                /frontend\.source.*frontendImage/s,
            );
        });
    });
});
