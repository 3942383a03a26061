/**
 * Blue/green with automatic rollback (issue 27). AWS: ECS's native blue/green strategy on the ALB
 * (green target group, production rule, test listener from the VPC only, an infrastructure role
 * limited to those), deployment alarms on the 5xx rate and the p95 latency with rollback, the
 * circuit breaker kept; rolling in staging. Kubernetes: the Deployment's progress deadline and
 * readiness on the real health path, and the failed-rollout alert. The CloudFormation registry's
 * facts the design rests on (a new strategy updates the service in place; a new deployment
 * controller replaces it) are read from `@aws-cdk/aws-service-spec`.
 */
import * as assert from "assert";
import { ValidationError } from "../components/core/validation";
import { RESOURCE_WILDCARD_ONLY_ACTIONS } from "../policies/lib/aws";
import { cfnResource, cfnTypeDef, iamService } from "./judges/aws-data";
import { resolveConfigValues } from "./harness/config";
import { ProgramRun, runProgram } from "../testing/program";

const inp = (r: { inputs: unknown }) => r.inputs as Record<string, any>;

describe("blue/green with automatic rollback", function () {
    this.timeout(300_000);
    const runs: Record<string, ProgramRun> = {};

    before(async () => {
        runs.production = await runProgram("production", { target: "aws" });
        runs.staging = await runProgram("staging", { target: "aws" });
        runs.productionRolling = await runProgram("production", { target: "aws", apiDeploymentStrategy: "rolling" });
        runs.k8s = await runProgram("production", { target: "kubernetes" });
        runs.k8sDeadline = await runProgram("staging", { target: "kubernetes", k8sApiProgressDeadlineSeconds: "120" });
    });

    describe("AWS", () => {
        const service = (run: ProgramRun) => inp(run.resources.one("aws:ecs/service:Service", "api-service"));
        const alarmName = (run: ProgramRun, key: string) => inp(run.resources.one("aws:cloudwatch/metricAlarm:MetricAlarm", key)).name;

        it("production: ECS's native BLUE_GREEN strategy (ECS controller, no CodeDeploy) with the bake time and the edge's green group, rules and role", () => {
            const r = runs.production.resources;
            const svc = service(runs.production);
            assert.deepStrictEqual(svc.deploymentConfiguration, { strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" });
            assert.strictEqual(svc.deploymentController, undefined, "the default ECS controller: CODE_DEPLOY would replace the service");
            const lb = svc.loadBalancers[0];
            const green = r.one("aws:lb/targetGroup:TargetGroup", "api-green");
            const blue = r.one("aws:lb/targetGroup:TargetGroup", "api");
            assert.strictEqual(lb.targetGroupArn, blue.state.arn);
            assert.strictEqual(lb.advancedConfiguration.alternateTargetGroupArn, green.state.arn);
            assert.strictEqual(lb.advancedConfiguration.productionListenerRule, r.one("aws:lb/listenerRule:ListenerRule", "https-production").state.arn);
            assert.strictEqual(lb.advancedConfiguration.testListenerRule, r.one("aws:lb/listenerRule:ListenerRule", "test").state.arn);
            assert.strictEqual(lb.advancedConfiguration.roleArn, r.one("aws:iam/role:Role", "ecs-infrastructure").state.arn);
            // The green group checks the same health path as the blue one.
            assert.deepStrictEqual(inp(green).healthCheck, inp(blue).healthCheck);
            assert.strictEqual(inp(green).healthCheck.path, "/health");
        });

        it("deployment alarms (5xx rate, p95 latency) fail and roll back a deployment; the circuit breaker stays on", () => {
            for (const run of [runs.production, runs.staging]) {
                const svc = service(run);
                assert.deepStrictEqual(svc.alarms, {
                    alarmNames: [alarmName(run, "alb-5xx-rate"), alarmName(run, "alb-p95-latency")],
                    enable: true,
                    rollback: true,
                });
                assert.deepStrictEqual(svc.deploymentCircuitBreaker, { enable: true, rollback: true });
            }
        });

        it("the listener rules forward to both groups by weight (blue 100, green 0), forward only, and leave the weights to ECS", () => {
            const r = runs.production.resources;
            const green = r.one("aws:lb/targetGroup:TargetGroup", "api-green").state.arn;
            const blue = r.one("aws:lb/targetGroup:TargetGroup", "api").state.arn;
            for (const name of ["https-production", "test"]) {
                const rule = r.one("aws:lb/listenerRule:ListenerRule", name);
                assert.deepStrictEqual(inp(rule).actions, [
                    {
                        type: "forward",
                        forward: {
                            targetGroups: [
                                { arn: blue, weight: 100 },
                                { arn: green, weight: 0 },
                            ],
                        },
                    },
                ]);
                assert.deepStrictEqual(inp(rule).conditions, [{ pathPattern: { values: ["/*"] } }]);
                assert.deepStrictEqual(rule.ignoreChanges, ["actions"], `${name}: ECS rewrites the weights`);
            }
            const https = r.one("aws:lb/listener:Listener", "https");
            assert.strictEqual(inp(r.one("aws:lb/listenerRule:ListenerRule", "https-production")).listenerArn, https.state.arn);
        });

        it("the test listener: HTTPS on 8443 with the HTTPS listener's TLS policy and certificate, open to the VPC's CIDR only", () => {
            const r = runs.production.resources;
            const test = inp(r.one("aws:lb/listener:Listener", "test"));
            const https = inp(r.one("aws:lb/listener:Listener", "https"));
            assert.strictEqual(test.port, 8443);
            assert.strictEqual(test.protocol, "HTTPS");
            assert.strictEqual(test.sslPolicy, https.sslPolicy);
            assert.strictEqual(test.certificateArn, https.certificateArn);
            const rules = r.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((x) => inp(x).fromPort === 8443);
            assert.strictEqual(rules.length, 1);
            const vpc = r.ofType("aws:ec2/vpc:Vpc")[0];
            assert.strictEqual(inp(rules[0]).cidrIpv4, inp(vpc).cidrBlock);
            assert.notStrictEqual(inp(rules[0]).cidrIpv4, "0.0.0.0/0");
        });

        it("ECS's infrastructure role: trusted by ecs.amazonaws.com, allowed on these two groups, two listeners and two rules only", () => {
            const r = runs.production.resources;
            const role = inp(r.one("aws:iam/role:Role", "ecs-infrastructure"));
            const trust = JSON.parse(role.assumeRolePolicy);
            assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "ecs.amazonaws.com" });
            const policy = JSON.parse(inp(r.one("aws:iam/rolePolicy:RolePolicy", "ecs-infrastructure")).policy);
            const by = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
            const arn = (type: string, name: string) => r.one(type, name).state.arn;
            assert.deepStrictEqual(by.Targets.Resource, [arn("aws:lb/targetGroup:TargetGroup", "api"), arn("aws:lb/targetGroup:TargetGroup", "api-green")]);
            assert.deepStrictEqual(by.Listeners.Resource, [arn("aws:lb/listener:Listener", "https"), arn("aws:lb/listener:Listener", "test")]);
            assert.deepStrictEqual(by.Rules.Resource, [
                arn("aws:lb/listenerRule:ListenerRule", "https-production"),
                arn("aws:lb/listenerRule:ListenerRule", "test"),
            ]);
            // Only the Describe calls (no resource-level permissions) are on "*".
            const star = policy.Statement.filter((s: any) => s.Resource === "*").flatMap((s: any) => s.Action);
            assert.ok(
                star.every((a: string) => a.startsWith("elasticloadbalancing:Describe")),
                star.join(", "),
            );
        });

        it("the pack's Resource-* allowance for the ELB Describe calls holds: AWS's Service Authorization Reference gives them no resource type", () => {
            const elb = iamService("elasticloadbalancing")!;
            const describe = RESOURCE_WILDCARD_ONLY_ACTIONS.filter((a) => a.startsWith("elasticloadbalancing:"));
            assert.strictEqual(describe.length, 4);
            for (const a of describe) assert.deepStrictEqual(elb.actions[a.split(":")[1].toLowerCase()].resourceTypes, [], a);
            // ...unlike the calls that change something, which the role names by ARN.
            assert.ok(elb.actions["modifyrule"].resourceTypes.length > 0 && elb.actions["registertargets"].resourceTypes.length > 0);
        });

        it("staging (and production with apiDeploymentStrategy rolling): a rolling deployment, one target group, no test listener", () => {
            for (const run of [runs.staging, runs.productionRolling]) {
                const r = run.resources;
                assert.strictEqual(service(run).deploymentConfiguration, undefined);
                assert.strictEqual(service(run).loadBalancers[0].advancedConfiguration, undefined);
                assert.strictEqual(r.ofType("aws:lb/targetGroup:TargetGroup").length, 1);
                assert.strictEqual(r.ofType("aws:lb/listenerRule:ListenerRule").length, 0);
                assert.ok(!r.ofType("aws:lb/listener:Listener").some((l) => inp(l).port === 8443));
                assert.ok(!r.all.some((x) => x.name.endsWith("ecs-infrastructure")));
            }
            // The same service, in place: only the strategy's resources differ.
            const names = (run: ProgramRun) => new Set(run.resources.all.map((x) => x.urn));
            const added = [...names(runs.production)].filter((u) => !names(runs.productionRolling).has(u));
            assert.deepStrictEqual(added.map((u) => u.split("::").pop()).sort(), [
                "rag-aws-api-ecs-infrastructure",
                "rag-aws-api-ecs-infrastructure",
                "rag-aws-edge-alb-8443-0",
                "rag-aws-edge-api-green",
                "rag-aws-edge-https-production",
                "rag-aws-edge-test",
                "rag-aws-edge-test",
            ]);
        });

        it("AWS's registry: a new strategy updates the service in place, a new deployment controller replaces it (why the controller stays ECS)", () => {
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html
            const service = cfnResource("AWS::ECS::Service")! as Record<string, any>;
            assert.strictEqual(service.DeploymentController.causesReplacement, "yes");
            assert.strictEqual(service.DeploymentConfiguration.causesReplacement, undefined);
            assert.strictEqual(service.LoadBalancers.causesReplacement, undefined);
            const config = cfnTypeDef(service.DeploymentConfiguration.type.reference.$ref)! as Record<string, any>;
            assert.ok(config.Strategy.type.allowedValues.includes("BLUE_GREEN"));
            assert.strictEqual(config.Strategy.causesReplacement, undefined);
            assert.ok(config.BakeTimeInMinutes && config.Alarms);
            const lb = cfnTypeDef(service.LoadBalancers.type.element.reference.$ref)! as Record<string, any>;
            const advanced = cfnTypeDef(lb.AdvancedConfiguration.type.reference.$ref)! as Record<string, any>;
            assert.deepStrictEqual(Object.keys(advanced).sort(), ["AlternateTargetGroupArn", "ProductionListenerRule", "RoleArn", "TestListenerRule"]);
        });

        it("bad strategy and bake time are refused, naming the key and the allowed values", () => {
            const aws = {
                target: "aws",
                environment: "production",
                domain: "rag.example.gov",
                apiImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag-api:1.4.2",
            };
            const refused = (values: Record<string, string>, field: RegExp, allowed: RegExp) =>
                assert.throws(
                    () => resolveConfigValues({ ...aws, ...values }),
                    (e: unknown) => e instanceof ValidationError && field.test(e.message) && allowed.test(e.message),
                );
            refused({ apiDeploymentStrategy: "canary" }, /apiDeploymentStrategy \(delivery\.apiStrategy\): got "canary"/, /"rolling", "blueGreen"/);
            refused({ apiBlueGreenBakeMinutes: "2000" }, /apiBlueGreenBakeMinutes \(delivery\.bakeMinutes\): got 2000/, /1440/);
            refused(
                { target: "kubernetes", environment: "staging", apiDeploymentStrategy: "blueGreen" },
                /apiDeploymentStrategy/,
                /progress deadline|rollback\.sh/,
            );
        });
    });

    describe("Kubernetes", () => {
        const deployment = (run: ProgramRun) =>
            run.resources.all.find((r) => inp(r).kind === "Deployment" && inp(r).metadata?.name === "api") as { inputs: unknown };

        it("the API's Deployment: a progress deadline (600 s, a setting), readiness on the real health path, no pod down before a new one is Ready", () => {
            const spec = inp(deployment(runs.k8s)).spec;
            assert.strictEqual(spec.progressDeadlineSeconds, 600);
            assert.strictEqual(inp(deployment(runs.k8sDeadline)).spec.progressDeadlineSeconds, 120);
            assert.deepStrictEqual(spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
            const api = spec.template.spec.containers[0];
            assert.deepStrictEqual(api.readinessProbe.httpGet, { path: "/health", port: "http" });
            assert.ok(spec.revisionHistoryLimit >= 1, "an old ReplicaSet to roll back to");
        });

        it("the failed-rollout alert: RagApiRolloutStuck on the Deployment's Progressing=false condition, linking its runbook", () => {
            const rule = runs.k8s.resources.all.find((r) => inp(r).kind === "PrometheusRule")!;
            const alert = inp(rule)
                .spec.groups.flatMap((g: any) => g.rules)
                .find((x: any) => x.alert === "RagApiRolloutStuck");
            assert.ok(alert, "RagApiRolloutStuck");
            assert.match(alert.expr, /^kube_deployment_status_condition\{namespace="[^"]+",deployment="api",condition="Progressing",status="false"\} == 1$/);
            assert.strictEqual(alert.labels.severity, "critical");
            assert.match(alert.annotations.description, /Runbook: docs\/runbooks\.md#ragapirolloutstuck$/);
        });

        it("a progress deadline out of range is refused, naming the key", () => {
            assert.throws(
                () =>
                    resolveConfigValues({
                        target: "kubernetes",
                        environment: "staging",
                        domain: "rag.example.gov",
                        apiImage: "ghcr.io/example-gov/rag-api:1.4.2",
                        k8sApiProgressDeadlineSeconds: "5",
                    }),
                (e: unknown) => e instanceof ValidationError && /progressDeadlineSeconds|k8sApiProgressDeadlineSeconds/.test(e.message) && /30/.test(e.message),
            );
        });
    });
});
