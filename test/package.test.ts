/**
 * The component package (`provider/`): what Python, Go, C#, Java and YAML programs get through
 * `pulumi package add`. The engine check (`npm run engine:check`, tools/engine/package.ts) runs
 * it for real (the schema from `pulumi package get-schema`, a YAML program rendering the
 * TypeScript program's manifests); here, the same schema check on the SDK's own analysis, and
 * `RagPlatform` under the mocks against the program with the same settings.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { CONFIG_KEYS, DEPRECATED_KEYS } from "../environments/config";
import { inputsFromStackConfig, programFromArgs, RAG_PLATFORM_TYPE, RagPlatform } from "../provider/rag-platform";
import { installMocks, RecordedResource, settle, valueOf } from "../testing/mocks";
import { evaluatePack } from "../testing/policy";
import { readStackConfig, runProgram } from "../testing/program";
import { repoRoot } from "../testing/paths";
import { packageArgsSource } from "../tools/package-args";
import { schemaProblems, yamlProgram } from "../tools/engine/package";
import { PACKAGE_ARGS } from "../tools/gen-docs";
import { retargetConfig } from "../environments/config";
import { IMAGE_LOCK } from "../components/core/images";

/** "@<digest>" of a default image once images.lock.json has it (the release fills it), "" before. */
const pin = (name: string) => (IMAGE_LOCK.images[name].digest ? `@${IMAGE_LOCK.images[name].digest}` : "");

const providerDir = path.join(repoRoot(), "provider");

let cachedSchema: Promise<string> | undefined;
/** The schema as the package serves it (the SDK's analysis of provider/*.ts; a few seconds, done once). */
async function schema(): Promise<any> {
    cachedSchema ??= new ComponentProvider({ components: [RagPlatform], name: "ragstack", dirname: providerDir }).getSchema();
    return JSON.parse(await cachedSchema);
}

/** Custom resources by type and name, with inputs (providers aside: their names differ by design). */
function byName(resources: RecordedResource[]): Map<string, string> {
    return new Map(resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.inputs)]));
}

describe("component package (provider/): RagPlatform for every Pulumi language", function () {
    this.timeout(120_000);

    it("provider/args.ts is generated from the stack config keys and is fresh (npm run docs)", () => {
        assert.strictEqual(fs.readFileSync(PACKAGE_ARGS, "utf8"), packageArgsSource(), "provider/args.ts is stale: run npm run docs");
    });

    it("the plugin folder: PulumiPlugin.yaml (nodejs), package name ragstack at the library's version, main the compiled entry", () => {
        const plugin = YAML.parse(fs.readFileSync(path.join(providerDir, "PulumiPlugin.yaml"), "utf8"));
        assert.strictEqual(plugin.runtime, "nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(providerDir, "package.json"), "utf8"));
        const root = JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8"));
        assert.strictEqual(pkg.name, "ragstack", "the package name is the type tokens' first part");
        assert.strictEqual(pkg.version, root.version, "the package's version is the library's");
        assert.deepStrictEqual(pkg.dependencies ?? {}, {}, "it resolves the repository's node_modules (npm ci at the root)");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const entry = require(path.resolve(providerDir, pkg.main));
        assert.strictEqual(entry.RagPlatform, RagPlatform, "main exports RagPlatform (run-plugin serves the exported components)");
    });

    it("the schema lists RagPlatform with every stack config key as a typed, documented input and every output", async () => {
        const s = await schema();
        assert.deepStrictEqual(schemaProblems(s), []);
        const inputs = s.resources[RAG_PLATFORM_TYPE].inputProperties;
        assert.deepStrictEqual(inputs.apiCpu, {
            type: "number",
            optional: true,
            plain: true,
            description:
                "vCPU per API task/pod (AWS: a Fargate size, 0.25..16; Kubernetes: 0.1..64). Default: development `0.5`, staging `1`, production `2` (the environment preset).",
        });
        assert.strictEqual(inputs.llmModels.type, "array");
        assert.strictEqual(inputs.dbMultiAz.type, "boolean");
        assert.strictEqual(inputs.apiEnv.type, "object");
        assert.strictEqual(inputs.apiEnv.additionalProperties.type, "string");
        assert.strictEqual(Object.keys(inputs).length, CONFIG_KEYS.length + DEPRECATED_KEYS.length, "every key, and the deprecated ones until their removal");
        assert.match(inputs.wafLoginPaths.description, /use `edgeLoginPaths`/);
    });

    it("the schema check fails on a missing input, an undocumented output and a wrong required set (mutations)", async () => {
        const s = await schema();
        const r = s.resources[RAG_PLATFORM_TYPE];
        const mutate = (f: (x: any) => void) => {
            const c = JSON.parse(JSON.stringify(s));
            f(c.resources[RAG_PLATFORM_TYPE]);
            return schemaProblems(c);
        };
        assert.ok(r.inputProperties.dbMultiAz);
        assert.match(mutate((x) => delete x.inputProperties.dbMultiAz).join(), /inputs missing: dbMultiAz/);
        assert.match(mutate((x) => delete x.properties.url.description).join(), /output url: no description/);
        assert.match(mutate((x) => (x.requiredInputs = ["target"])).join(), /required inputs target/);
        assert.match(mutate((x) => (x.inputProperties.apiCpu.description = "cpu")).join(), /input apiCpu: description/);
    });

    it("RagPlatform with a stack's settings registers the program's resources, input for input (Kubernetes, staging)", async () => {
        const program = await runProgram("staging", { target: "kubernetes" });
        const config: Record<string, string> = retargetConfig(readStackConfig("staging"), "rag-platform", "kubernetes");
        const log = installMocks({ project: "rag-yaml", stack: "staging", config: { "aws:region": config["aws:region"] } });
        const platform = new RagPlatform("rag", inputsFromStackConfig(config) as any);
        const url = await valueOf(platform.url);
        await settle(log);
        assert.strictEqual(url, program.outputs.url);
        const fromProgram = byName(program.resources.all);
        const fromPackage = byName(log.all);
        assert.ok(fromProgram.size > 50, `${fromProgram.size} resources`);
        assert.deepStrictEqual([...fromPackage.keys()].sort(), [...fromProgram.keys()].sort(), "the same resources");
        const different = [...fromProgram].filter(([k, v]) => fromPackage.get(k) !== v).map(([k]) => k);
        assert.deepStrictEqual(different, [], "the same inputs");
        assert.strictEqual(log.all.find((r) => r.type === RAG_PLATFORM_TYPE)?.name, "rag");
    });

    it("AWS too: the same resources and inputs as the program (production)", async () => {
        const program = await runProgram("production", {});
        const config = readStackConfig("production");
        const log = installMocks({ project: "rag-yaml", stack: "production", config: { "aws:region": config["aws:region"] } });
        const platform = new RagPlatform("rag", inputsFromStackConfig(config) as any);
        await valueOf(platform.url);
        await settle(log);
        const fromProgram = byName(program.resources.all);
        const fromPackage = byName(log.all);
        assert.deepStrictEqual([...fromPackage.keys()].sort(), [...fromProgram.keys()].sort(), "the same resources");
        const different = [...fromProgram].filter(([k, v]) => fromPackage.get(k) !== v).map(([k]) => k);
        assert.deepStrictEqual(different, [], "the same inputs");
    });

    it("bad inputs are refused before anything is registered, each named by its input", () => {
        const log = installMocks({ project: "rag-yaml", stack: "staging" });
        const base = { target: "kubernetes", environment: "staging", domain: "rag.example.gov", apiImage: "ghcr.io/example/api:1.0.0" };
        assert.throws(
            () => new RagPlatform("rag", { ...base, apiCpu: 99, environment: "prod", apiCPU: 2 } as any),
            (e: Error) => {
                assert.match(e.message, /^RagPlatform rag: invalid input/);
                assert.match(e.message, /apiCPU: got 2; allowed: an input of RagPlatform \(docs\/settings\.md\); did you mean "apiCpu"\?/);
                return true;
            },
        );
        assert.throws(
            () => new RagPlatform("rag", { ...base, apiCpu: 99, environment: "prod" } as any),
            (e: Error) => /- environment \(environment\): got "prod"/.test(e.message) && !/input:/.test(e.message),
        );
        assert.throws(() => new RagPlatform("rag", { ...base, apiCpu: 99 } as any), /- apiCpu \(api\.cpu\): got 99/);
        assert.throws(
            () => new RagPlatform("rag", { ...base, k8sEdgeMode: "loadbalancer" } as any),
            /- k8sEdgeMode \(kubernetes\.edgeMode\): got "loadbalancer"/,
        );
        assert.throws(() => new RagPlatform("rag", { ...base, dbMultiAz: "yes" } as any), /- dbMultiAz: got "yes"; allowed: true or false/);
        assert.throws(
            () => new RagPlatform("rag", { ...base, apiImage: pulumi.secret("ghcr.io/example/api:1.0.0") } as any),
            /- apiImage: got "\(an output or a secret\)"; allowed: a plain value/,
        );
        assert.throws(() => new RagPlatform("rag", { environment: "staging" } as any), /- target: got nothing/);
        assert.strictEqual(log.all.length, 0, "nothing registered");
    });

    it("two platforms in one program: the resource name is the default prefix, so they do not collide", () => {
        const base = { target: "kubernetes", environment: "staging", domain: "rag.example.gov", apiImage: "ghcr.io/example/api:1.0.0" };
        assert.strictEqual(programFromArgs("team-a", base, undefined).input.name, "team-a");
        assert.strictEqual(programFromArgs("team-a", { ...base, name: "rag" }, undefined).input.name, "rag");
    });

    it("inputsFromStackConfig types each key as the schema does; other namespaces stay stack config", () => {
        const inputs = inputsFromStackConfig({
            "aws:region": "eu-west-1",
            "rag-platform:apiCpu": "2",
            "rag-platform:dbMultiAz": "true",
            "rag-platform:llmModels": ["llama3.1:8b"],
            "rag-platform:apiEnv": '{"LOG_LEVEL":"info"}',
            "rag-platform:apiImage": "ghcr.io/example/api:1.0.0",
        });
        assert.deepStrictEqual(inputs, {
            apiCpu: 2,
            dbMultiAz: true,
            llmModels: ["llama3.1:8b"],
            apiEnv: { LOG_LEVEL: "info" },
            apiImage: "ghcr.io/example/api:1.0.0",
        });
    });

    it("examples/yaml-onprem: known inputs only, the production pack passes under the mocks (the engine check previews it for real)", async () => {
        const dir = path.join(repoRoot(), "examples", "yaml-onprem");
        const doc = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
        const stackConfig = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.example.yaml"), "utf8")).config;
        assert.strictEqual(doc.packages.ragstack, "../../provider");
        assert.strictEqual(doc.resources.rag.type, RAG_PLATFORM_TYPE);
        // The one interpolation: the stack's kubeContext.
        const props = JSON.parse(JSON.stringify(doc.resources.rag.properties).replace("${kubeContext}", stackConfig["rag-example-yaml-onprem:kubeContext"]));
        const known = CONFIG_KEYS.map((k) => k.key);
        assert.deepStrictEqual(
            Object.keys(props).filter((k) => !known.includes(k)),
            [],
        );
        const log = installMocks({ project: "rag-example-yaml-onprem", stack: "example" });
        const platform = new RagPlatform("rag", props);
        assert.strictEqual(await valueOf(platform.environment), "production");
        await settle(log);
        const config = JSON.parse(fs.readFileSync(path.join(repoRoot(), "policies", "config", "production.json"), "utf8"));
        const result = await evaluatePack(log.all, config);
        assert.deepStrictEqual(
            result.mandatory.map((v) => `${v.policy} ${v.message}`),
            [],
        );
        const ollama = log.all.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && String((r.inputs as any).metadata.name).startsWith("ollama-"))!;
        assert.strictEqual(
            (ollama.inputs as any).spec.template.spec.containers[0].image,
            `harbor.internal.example.gov/mirror/docker.io/ollama/ollama:0.12.6${pin("ollama")}`,
        );
    });

    it("the YAML program of the engine check uses the package by path and exports the outputs", () => {
        const doc = YAML.parse(yamlProgram({ target: "kubernetes" }, "/repo/provider"));
        assert.deepStrictEqual(doc.packages, { ragstack: "/repo/provider" });
        assert.deepStrictEqual(doc.resources.rag, { type: RAG_PLATFORM_TYPE, properties: { target: "kubernetes" } });
        assert.strictEqual(doc.outputs.url, "${rag.url}");
    });
});
