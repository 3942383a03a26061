/**
 * The cost estimate and the capacity stage of the plan: arithmetic on hand-checked fixtures
 * (the published price and its month next to each expected figure), what is free and what is
 * unpriced, the JSON shape, the presets' ratio, --compare, the assumptions' config key.
 */
import * as assert from "assert";
import { capacity, K8sObject } from "../analysis/capacity";
import { CostResource, estimateCost } from "../analysis/cost";
import { COST_ASSUMPTIONS, NodePool } from "../components/settings";
import { PRICES_AS_OF, PRICED_REGIONS } from "../analysis/prices";
import { regionOf } from "../policies/lib/aws/cost";
import { cli } from "./harness/cli";

const STACK = "urn:pulumi:t::p::ragstack:aws:Thing::c";
let n = 0;
const res = (type: string, inputs: Record<string, unknown>, parent = STACK): CostResource => ({
    urn: `urn:pulumi:t::p::${type}::r${++n}`,
    type,
    name: `r${n}`,
    parent,
    custom: true,
    inputs,
});
const round2 = (x: number) => Math.round(x * 100) / 100;
const component: CostResource = { urn: STACK, type: "ragstack:aws:Thing", name: "c", custom: false, inputs: {} };
const A = { ...COST_ASSUMPTIONS.staging, hoursPerMonth: 730 };
const line = (est: ReturnType<typeof estimateCost>, type: string) => est.resources.find((l) => l.type === type)!;

describe("cost estimate: arithmetic against published prices", () => {
    it(`uses a dated table (${PRICES_AS_OF}) with us-east-1, eu-west-1 and eu-central-1`, () => {
        assert.match(PRICES_AS_OF, /^\d{4}-\d{2}$/);
        for (const r of ["us-east-1", "eu-west-1", "eu-central-1"]) assert.ok(PRICED_REGIONS.includes(r), r);
    });

    it("Fargate: 1 vCPU / 2 GB around the clock in us-east-1 (2026-06: $0.04048 per vCPU-hour, $0.004445 per GB-hour)", () => {
        const est = estimateCost(
            [
                component,
                res("aws:ecs/taskDefinition:TaskDefinition", { family: "api", cpu: "1024", memory: "2048", requiresCompatibilities: ["FARGATE"] }),
                res("aws:ecs/service:Service", { name: "api", launchType: "FARGATE", desiredCount: 1 }),
            ],
            "us-east-1",
            A,
        );
        const items = line(est, "aws:ecs/service:Service").items;
        assert.deepStrictEqual(
            items.map((i) => [i.unitPrice, i.quantity, i.monthly]),
            [
                [0.04048, 730, 29.55], // 730 × 0.04048 = 29.5504
                [0.004445, 1460, 6.49], // 2 GB × 730 × 0.004445 = 6.4897
            ],
        );
        assert.strictEqual(est.monthly.total, 36.04);
        assert.match(items[0].assumption!, /autoscaler's minimum/);
    });

    it("NAT gateway in us-east-1 (2026-06: $0.045 an hour and $0.045 per GB processed)", () => {
        const est = estimateCost([component, res("aws:ec2/natGateway:NatGateway", {})], "us-east-1", { ...A, natProcessedGbPerMonth: 100 });
        assert.deepStrictEqual(
            line(est, "aws:ec2/natGateway:NatGateway").items.map((i) => i.monthly),
            [32.85, 4.5], // 730 × 0.045; 100 × 0.045
        );
    });

    it("RDS db.t4g.medium PostgreSQL single-AZ and Multi-AZ in us-east-1 (2026-06: $0.065 an hour, gp3 $0.115 per GB-month)", () => {
        const single = estimateCost([component, res("aws:rds/instance:Instance", { instanceClass: "db.t4g.medium", allocatedStorage: 20 })], "us-east-1", A);
        assert.deepStrictEqual(
            line(single, "aws:rds/instance:Instance").items.map((i) => [i.unitPrice, i.monthly]),
            [
                [0.065, 47.45], // 730 × 0.065
                [0.115, 2.3], // 20 GB × 0.115
            ],
        );
        const multi = estimateCost(
            [component, res("aws:rds/instance:Instance", { instanceClass: "db.t4g.medium", allocatedStorage: 20, multiAz: true })],
            "us-east-1",
            A,
        );
        assert.strictEqual(line(multi, "aws:rds/instance:Instance").monthly, 99.5, "Multi-AZ: twice the instance and the storage");
    });

    it("KMS key, Secrets Manager secret and WAF web ACL (2026-06: $1 a key, $0.03 per 10,000 requests; $0.40 a secret; $5 an ACL, $1 a rule, $0.60 per million requests)", () => {
        const est = estimateCost(
            [component, res("aws:kms/key:Key", {}), res("aws:secretsmanager/secret:Secret", {}), res("aws:wafv2/webAcl:WebAcl", { rules: [{}, {}, {}] })],
            "us-east-1",
            { ...A, kmsRequestsPerKey: 100_000, secretsCallsPerSecret: 0, requestsPerMonth: 1_000_000 },
        );
        assert.strictEqual(line(est, "aws:kms/key:Key").monthly, 1.3); // 1 + 10 × 0.03
        assert.strictEqual(line(est, "aws:secretsmanager/secret:Secret").monthly, 0.4);
        assert.strictEqual(line(est, "aws:wafv2/webAcl:WebAcl").monthly, 8.6); // 5 + 3 × 1 + 1 × 0.60
    });

    it("AWS Backup vaults in us-east-1 (2026-06: $0.095 per GB-month warm storage, $0.02 per GB between regions): the vault and its copy", () => {
        const plan = res("aws:backup/plan:Plan", {
            rules: [
                { targetVaultName: "main", lifecycle: { deleteAfter: 7 } },
                { targetVaultName: "main", lifecycle: { deleteAfter: 372 } },
            ],
        });
        const est = estimateCost(
            [component, plan, res("aws:backup/vault:Vault", { name: "main" }), res("aws:backup/vault:Vault", { name: "copy" })],
            "us-east-1",
            {
                ...A,
                databaseUsedGb: 100,
                databaseDailyChangePercent: 3,
                bucketStoredGb: { documents: 200 },
            },
        );
        const [main, copy] = est.resources.filter((l) => l.type === "aws:backup/vault:Vault");
        // 200 GB of documents once + 100 GB of database + 3 GB of changes a day over the longest tier (372 days) = 1,416 GB
        assert.strictEqual(main.items[0].quantity, 1416);
        assert.strictEqual(main.monthly, 134.52); // 1,416 × 0.095
        // the copy: the same storage plus the daily changes sent to the backup region (3 GB × 30.417 days × 0.02)
        assert.strictEqual(copy.monthly, round2(134.52 + 3 * (730 / 24) * 0.02));
    });

    it("a GPU group: g5.xlarge in us-east-1 (2026-06: $1.006 an hour), around the clock or scaled to zero; counted as GPU", () => {
        const lt = res("aws:ec2/launchTemplate:LaunchTemplate", { instanceType: "g5.xlarge", blockDeviceMappings: [{ ebs: { volumeSize: 100 } }] });
        const always = estimateCost([component, lt, res("aws:autoscaling/group:Group", { minSize: 1, desiredCapacity: 1 })], "us-east-1", A);
        const gpu = line(always, "aws:autoscaling/group:Group");
        assert.deepStrictEqual(
            gpu.items.map((i) => i.monthly),
            [734.38, 8], // 730 × 1.006; 100 GB × $0.08 gp3
        );
        assert.strictEqual(always.monthly.gpu, 742.38);
        assert.strictEqual(always.monthly.withoutGpu, 0);
        const zero = estimateCost([component, lt, res("aws:autoscaling/group:Group", { minSize: 0, desiredCapacity: 1 })], "us-east-1", {
            ...A,
            llmGpuHoursPerDay: 8,
        });
        assert.strictEqual(line(zero, "aws:autoscaling/group:Group").items[0].quantity, 243.333, "8 of 24 hours of 730");
    });

    it("Valkey nodes cost 80 % of Redis OSS nodes; figures a region does not publish are derived and marked", () => {
        const est = estimateCost(
            [component, res("aws:elasticache/replicationGroup:ReplicationGroup", { nodeType: "cache.t4g.medium", numCacheClusters: 2, engine: "valkey" })],
            "us-east-1",
            A,
        );
        assert.strictEqual(line(est, "aws:elasticache/replicationGroup:ReplicationGroup").monthly, 75.92); // 2 × 730 × 0.065 × 0.8
        const eu = estimateCost([component, res("aws:rds/instance:Instance", { instanceClass: "db.t4g.medium", allocatedStorage: 20 })], "eu-west-1", A);
        assert.match(line(eu, "aws:rds/instance:Instance").items[0].basis, /^derived \(us-east-1 × /);
        assert.strictEqual(line(eu, "aws:rds/instance:Instance").items[1].basis, "published");
    });
});

describe("cost estimate: nothing silently zero", () => {
    it("lists free resources with a reason, and resources without a price as unpriced (not in the total)", () => {
        const est = estimateCost(
            [
                component,
                res("aws:ec2/vpc:Vpc", {}),
                res("aws:rds/instance:Instance", { instanceClass: "db.x2g.large", allocatedStorage: 20 }),
                res("aws:sagemaker/endpoint:Endpoint", {}),
                res("aws:ecs/cluster:Cluster", { settings: [{ name: "containerInsights", value: "enhanced" }] }),
            ],
            "us-east-1",
            A,
        );
        assert.deepStrictEqual(
            est.free.map((f) => f.type),
            ["aws:ec2/vpc:Vpc"],
        );
        assert.deepStrictEqual(est.unpriced.map((u) => u.type).sort(), [
            "aws:ecs/cluster:Cluster",
            "aws:rds/instance:Instance",
            "aws:sagemaker/endpoint:Endpoint",
        ]);
        assert.match(est.unpriced.find((u) => u.type === "aws:rds/instance:Instance")!.reason, /no db\.x2g\.large/);
        assert.strictEqual(est.monthly.total, 0);
    });

    it("a region outside the table leaves everything region-priced unpriced, naming the region", () => {
        const est = estimateCost([component, res("aws:ec2/natGateway:NatGateway", {})], "ap-south-1", A);
        assert.strictEqual(est.resources.length, 0);
        assert.match(est.unpriced[0].reason, /ap-south-1/);
    });

    it("the budget policy reads the region from the subnets' zones or the endpoints' service names", () => {
        const r = (type: string, props: Record<string, unknown>) => ({ type, props, urn: "u", name: "n" }) as never;
        assert.strictEqual(regionOf([r("aws:ec2/subnet:Subnet", { availabilityZone: "eu-central-1b" })]), "eu-central-1");
        assert.strictEqual(regionOf([r("aws:ec2/vpcEndpoint:VpcEndpoint", { serviceName: "com.amazonaws.eu-west-1.s3" })]), "eu-west-1");
        assert.strictEqual(regionOf([]), "us-east-1");
    });
});

describe("cost and capacity in the plan", function () {
    this.timeout(120_000);
    const docs: Record<string, any> = {};
    before(async () => {
        for (const stack of ["staging", "production"]) {
            const r = await cli("--stack", stack, "--json");
            assert.strictEqual(r.code, 0, r.stderr);
            docs[stack] = JSON.parse(r.stdout);
        }
    });

    it("plan.json carries cost.currency, cost.monthly.{total,gpu}, cost.byComponent and per resource the items", () => {
        const c = docs.production.cost;
        assert.strictEqual(c.currency, "USD");
        assert.strictEqual(c.region, "eu-west-1");
        assert.ok(c.monthly.total > 0 && c.monthly.gpu > 0 && c.monthly.gpu < c.monthly.total);
        const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 100) / 100;
        assert.ok(Math.abs(sum(c.resources.map((l: any) => l.monthly)) - c.monthly.total) < 0.05, "lines add up to the total");
        assert.ok(Math.abs(sum(Object.values(c.byComponent) as number[]) - c.monthly.total) < 0.05, "components add up to the total");
        for (const l of c.resources)
            for (const i of l.items) for (const k of ["what", "quantity", "unit", "unitPrice", "monthly", "basis"]) assert.ok(k in i, `${l.urn}: ${k}`);
        assert.ok(
            c.resources.some((l: any) => l.items.some((i: any) => i.assumption)),
            "assumptions are named",
        );
        assert.deepStrictEqual(Object.keys(c.assumptions).sort(), Object.keys(COST_ASSUMPTIONS.production).sort());
        assert.strictEqual(docs.production.capacity, null, "no capacity on AWS");
    });

    it("the staging preset costs at most 35 % of production, GPU included and excluded", () => {
        const [s, p] = [docs.staging.cost.monthly, docs.production.cost.monthly];
        assert.ok(s.total <= 0.35 * p.total, `${s.total} vs ${p.total}`);
        assert.ok(s.withoutGpu <= 0.35 * p.withoutGpu, `${s.withoutGpu} vs ${p.withoutGpu}`);
    });

    it("--compare prints both stacks side by side with the difference", async () => {
        const r = await cli("--stack", "staging", "--compare", "production", "--json");
        assert.strictEqual(r.code, 0, r.stderr);
        const c = JSON.parse(r.stdout);
        assert.deepStrictEqual(c.stacks, ["staging", "production"]);
        assert.deepStrictEqual(c.cost.total.slice(0, 2), [docs.staging.cost.monthly.total, docs.production.cost.monthly.total]);
        assert.strictEqual(c.cost.total[2], Math.round((c.cost.total[1] - c.cost.total[0]) * 100) / 100);
        const text = await cli("--stack", "staging", "--compare", "production");
        assert.match(text.stdout, /staging is \d+(\.\d)? % of production/);
        const bad = await cli("--stack", "staging", "--compare", "staging");
        assert.strictEqual(bad.code, 2);
        assert.match(bad.stderr, /--compare: got "staging"; allowed: a stack other than --stack, each once/);
        const mixed = await cli("--stack", "staging", "--compare", "production", "--sarif", "x.sarif");
        assert.strictEqual(mixed.code, 2);
        assert.match(mixed.stderr, /--compare cannot be combined with --sarif/);
    });

    it("usage assumptions come from the costAssumptions config key; unknown names are refused with the key", async () => {
        const more = await cli("--stack", "staging", "--set", 'costAssumptions={"llmGpuHoursPerDay":24}', "--json");
        assert.strictEqual(more.code, 0, more.stderr);
        const gpu = JSON.parse(more.stdout).cost.monthly.gpu;
        assert.ok(Math.abs(gpu - 3 * docs.staging.cost.monthly.gpu) < 1, `${gpu} is three times ${docs.staging.cost.monthly.gpu}`);
        const bad = await cli("--stack", "staging", "--set", 'costAssumptions={"llmGpuHourPerDay":24}');
        assert.strictEqual(bad.code, 2);
        assert.match(bad.stderr, /costAssumptions\.llmGpuHourPerDay.*did you mean "llmGpuHoursPerDay"/s);
        const range = await cli("--stack", "staging", "--set", 'costAssumptions={"llmGpuHoursPerDay":25}');
        assert.strictEqual(range.code, 2);
        assert.match(range.stderr, /llmGpuHoursPerDay.*25/s);
    });

    it("on Kubernetes: capacity per namespace at the minimum and the maximum, the nodes needed, and no cost", async () => {
        const r = await cli("--stack", "production", "--target", "kubernetes", "--json");
        assert.strictEqual(r.code, 0, r.stderr);
        const d = JSON.parse(r.stdout);
        assert.strictEqual(d.cost, null);
        assert.strictEqual(d.capacity.passed, true);
        assert.deepStrictEqual(
            d.capacity.scenarios.map((s: any) => s.name),
            ["minimum", "maximum", "rolling update at maximum"],
        );
        const app = d.capacity.scenarios[1].byNamespace["rag-prod-app"];
        for (const k of ["cpu", "memory", "ephemeralStorage", "gpus"]) assert.strictEqual(typeof app.requests[k], "number");
        assert.ok(app.requests.gpus >= 1 && app.pvcStorage > 0);
        assert.ok(d.capacity.nodes.neededAtMaximum.gpu >= 2 && d.capacity.nodes.neededAtMaximum.cpu >= 1);
    });

    it("a GPU workload without a GPU node pool fails the plan (exit 1) with a clear message", async () => {
        const pools = JSON.stringify([{ name: "cpu", count: 6, cpu: 8, memoryGiB: 32, zones: ["a", "b", "c"] }]);
        const r = await cli("--stack", "production", "--target", "kubernetes", "--set", `k8sNodePools=${pools}`);
        assert.strictEqual(r.code, 1);
        assert.match(r.stdout, /no node pool has GPUs/);
        assert.match(r.stdout, /Result: FAIL \(.*capacity problems\)/);
    });
});

describe("capacity model: what fails the plan", () => {
    const pool: NodePool = { name: "cpu", count: 4, cpu: 8, memoryGiB: 32, zones: ["a", "b"] };
    const deployment = (cpu: string): K8sObject => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api", namespace: "app" },
        spec: {
            replicas: 2,
            template: {
                metadata: { labels: { app: "api" } },
                spec: { containers: [{ name: "api", resources: { requests: { cpu, memory: "1Gi" }, limits: { cpu, memory: "1Gi" } } }] },
            },
        },
    });
    const hpa: K8sObject = {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "api", namespace: "app" },
        spec: { scaleTargetRef: { kind: "Deployment", name: "api" }, minReplicas: 2, maxReplicas: 10 },
    };

    it("a ResourceQuota that cannot admit the autoscaler's maximum (the HPA could never reach maxReplicas)", () => {
        const quota: K8sObject = {
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: { name: "q", namespace: "app" },
            spec: { hard: { "requests.cpu": "5" } },
        };
        const r = capacity([deployment("1"), hpa, quota], [pool]);
        assert.ok(
            r.problems.some((p) => /ResourceQuota app\/q: requests\.cpu 5 cannot admit .* \(13 needed\)/.test(p)),
            r.problems.join("\n"),
        );
        const ok = capacity([deployment("1"), hpa, { ...quota, spec: { hard: { "requests.cpu": "13" } } }], [pool]);
        assert.deepStrictEqual(ok.problems, []);
    });

    it("a LimitRange whose maximum is below a container's limit", () => {
        const lr: K8sObject = {
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: { name: "l", namespace: "app" },
            spec: { limits: [{ type: "Container", max: { cpu: "500m" } }] },
        };
        const r = capacity([deployment("1"), lr], [pool]);
        assert.ok(
            r.problems.some((p) => /LimitRange: Deployment\/app\/api\/api cpu limit above the LimitRange maximum/.test(p)),
            r.problems.join("\n"),
        );
    });

    it("pods that no node can take at the maximum, with the scheduler's reason; the nodes needed counted", () => {
        const r = capacity([deployment("3"), hpa], [pool]);
        assert.ok(
            r.problems.some((p) => /maximum: \d+ pod\(s\) of Deployment\/app\/api cannot be scheduled .*insufficient cpu/.test(p)),
            r.problems.join("\n"),
        );
        assert.deepStrictEqual(r.nodes.neededAtMaximum, { cpu: 7 }, "10 pods of 3 CPU and 3 surge pods (25 %): two per 8-CPU node");
    });
});
