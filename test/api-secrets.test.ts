/**
 * The application's own secrets at the stack level (`apiSecrets`): references only, injected by
 * the platform (ECS `valueFrom`, Kubernetes `secretKeyRef`), readable by exactly the role that
 * injects them; never a value in the program, its state or the plan.
 */
import * as assert from "assert";
import { RecordedResource } from "../testing/mocks";
import { runProgram } from "../testing/program";
import { resolveConfigValues } from "./harness/config";

const inp = (r: RecordedResource) => r.inputs as any;
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rag/oidc-client-AbCdEf";

describe("api.secrets: the application's own secrets by reference", function () {
    this.timeout(60_000);

    it("AWS: each reference becomes an ECS secret (a JSON key as ECS spells it), and the execution role may read exactly those", async () => {
        const run = await runProgram("staging", {
            target: "aws",
            apiSecrets: JSON.stringify({ OIDC_CLIENT_SECRET: `${ARN}:client_secret`, LICENSE_KEY: ARN }),
        });
        const api = JSON.parse(inp(run.resources.one("aws:ecs/taskDefinition:TaskDefinition", "api-task")).containerDefinitions)[0];
        const secrets = Object.fromEntries(api.secrets.map((s: any) => [s.name, s.valueFrom]));
        assert.strictEqual(secrets.OIDC_CLIENT_SECRET, `${ARN}:client_secret::`);
        assert.strictEqual(secrets.LICENSE_KEY, ARN);
        assert.ok(!api.environment.some((e: any) => e.name === "OIDC_CLIENT_SECRET" || e.name === "LICENSE_KEY"), "never a plain variable");
        const execution = JSON.parse(inp(run.resources.one("aws:iam/rolePolicy:RolePolicy", "api-execution")).policy).Statement.find(
            (s: any) => s.Sid === "Secrets",
        );
        assert.ok(execution.Resource.includes(ARN), "the execution role reads the secret");
        assert.strictEqual(execution.Resource.filter((r: string) => r === ARN).length, 2, "once per variable, the ARN without its key");
        const task = JSON.parse(inp(run.resources.one("aws:iam/rolePolicy:RolePolicy", "api-task")).policy);
        assert.doesNotMatch(JSON.stringify(task), /secretsmanager/, "the application's role cannot read any secret");
    });

    it("Kubernetes: each reference becomes a secretKeyRef of a Secret in the app namespace", async () => {
        const run = await runProgram("staging", { target: "kubernetes", apiSecrets: JSON.stringify({ OIDC_CLIENT_SECRET: "oidc-client/client_secret" }) });
        const deployment = run.resources.all.find((r) => inp(r).kind === "Deployment" && inp(r).metadata.name === "api")!;
        const env = inp(deployment).spec.template.spec.containers[0].env;
        assert.deepStrictEqual(
            env.find((e: any) => e.name === "OIDC_CLIENT_SECRET"),
            { name: "OIDC_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: "oidc-client", key: "client_secret" } } },
        );
    });

    it("a reference of the other target's form, a name the stack injects, or a bad name is refused by key", () => {
        const base = { environment: "staging", domain: "rag.example.gov", apiImage: "ghcr.io/example-gov/rag-api:1.4.2", hostedZoneId: "Z0123456789STAGING" };
        assert.throws(
            () => resolveConfigValues({ ...base, target: "aws", apiSecrets: JSON.stringify({ OIDC: "oidc-client/secret" }) }),
            /rag-platform:apiSecrets \(api\.secrets\.OIDC\): got "oidc-client\/secret"; allowed: a Secrets Manager secret ARN/,
        );
        assert.throws(
            () => resolveConfigValues({ ...base, target: "kubernetes", apiSecrets: JSON.stringify({ OIDC: ARN }) }),
            /api\.secrets\.OIDC\): got "arn:aws:secretsmanager.*"; allowed: <Secret>\/<key> of a Secret in the app namespace/,
        );
        assert.throws(
            () => resolveConfigValues({ ...base, target: "aws", apiSecrets: JSON.stringify({ DATABASE_PASSWORD: ARN }) }),
            /api\.secrets\.DATABASE_PASSWORD\): got "DATABASE_PASSWORD"; allowed: a name the stack does not inject itself/,
        );
        assert.throws(
            () => resolveConfigValues({ ...base, target: "aws", apiSecrets: JSON.stringify({ "oidc-secret": ARN }) }),
            /allowed: an environment variable name/,
        );
    });
});
