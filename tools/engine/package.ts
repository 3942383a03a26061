/**
 * The component package (`provider/`) under the real engine, as a team on another language would
 * use it:
 *
 *  - `pulumi package get-schema provider` lists `RagPlatform` with every input (the program's
 *    stack config keys, typed and documented, the required ones required) and every output;
 *  - a Pulumi YAML program (the YAML language host built from `github.com/pulumi/pulumi-yaml`)
 *    deploys `RagPlatform` with the staging stack's settings and render-to-directory, and the
 *    manifests equal the TypeScript program's for the same settings, object for object (generated
 *    Secret data aside: its passwords are generated per stack), with the same stack outputs, under
 *    the policy pack as the TypeScript stack;
 *  - the Python and Go SDKs generated from that schema (`ragstack-gen-sdk`: the generators the
 *    Python and Go language hosts run for `pulumi package add`) are valid: the Python compiles
 *    and its `RagPlatformArgs` has every input, the Go SDK and a Go program using it build;
 *  - `pulumi package add provider` in a Node.js program generates and links the package's SDK (the
 *    path every SDK language takes), and a program using that SDK renders the same manifests;
 *  - a bad input fails the YAML preview with the component's message, naming the input;
 *  - the committed YAML example (examples/yaml-onprem) previews with the production pack config
 *    and no cluster (kubeconfig pointing nowhere), and the pack refuses it with one API replica
 *    (the analyzer sees what the component registers).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { RAG_STACK_OUTPUTS } from "../../components/core/outputs";
import { CONFIG_KEYS, DEPRECATED_KEYS } from "../../environments/config";
import { inputsFromStackConfig, RAG_PLATFORM_TYPE } from "../../provider/rag-platform";
import { repoRoot } from "../../testing/paths";
import { firstDifference, keyOf, renderedObjects, withoutSecretData } from "./manifests";
import { Workspace } from "./workspace";

/** The Go SDK's import path (the schema's default for a package without a repository). */
const GO_SDK_IMPORT = "example.com/pulumi-ragstack/sdk/go/ragstack";
/** The Go SDK the generated code builds against: the CLI's version (tools/engine/versions.sh). */
const PULUMI_SDK_GO_VERSION = "3.259.0";

/** A Go program as a Go team writes it against the generated SDK (built, not run: no Go language host here). */
const GO_PROGRAM = `package main

import (
	"${GO_SDK_IMPORT}"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cpu := 2.0
		multiAz := true
		rag, err := ragstack.NewRagPlatform(ctx, "rag", &ragstack.RagPlatformArgs{
			Target:      "kubernetes",
			Environment: "production",
			Domain:      "rag.internal.example.gov",
			ApiImage:    "harbor.internal.example.gov/rag-api:1.4.2@sha256:063b9b75d7a45ad31f060b4a4a31b827120ce9694a96fc2b54a48f5ef6389958",
			ApiCpu:      &cpu,
			DbMultiAz:   &multiAz,
			LlmModels:   []string{"llama3.1:8b"},
			ApiEnv:      map[string]string{"LOG_LEVEL": "info"},
		})
		if err != nil {
			return err
		}
		ctx.Export("url", rag.Url)
		ctx.Export("databaseEndpoint", rag.DatabaseEndpoint)
		return nil
	})
}
`;

/**
 * Compiles every file of the generated Python SDK and prints RagPlatformArgs's properties (the
 * schema name of each \`@pulumi.getter\`) and the \`__init__\` arguments without a default.
 */
const PYTHON_ARGS_SCRIPT = `
import ast, json, pathlib, py_compile, sys
root = pathlib.Path(sys.argv[1])
for f in root.rglob("*.py"):
    py_compile.compile(str(f), doraise=True)
tree = ast.parse((root / "pulumi_ragstack" / "rag_platform.py").read_text())
cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "RagPlatformArgs")
props, required = [], []
for fn in cls.body:
    if not isinstance(fn, ast.FunctionDef):
        continue
    if fn.name == "__init__":
        args = fn.args
        n_required = len(args.args) - 1 - len(args.defaults)
        required = [a.arg for a in args.args[1:1 + n_required]] + [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None]
        continue
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and ast.unparse(d.func) == "pulumi.getter":
            name = next((k.value.value for k in d.keywords if k.arg == "name"), fn.name)
            props.append(name)
        elif ast.unparse(d) == "pulumi.getter":
            props.append(fn.name)
camel = lambda s: s.split("_")[0] + "".join(p[:1].upper() + p[1:] for p in s.split("_")[1:])
print(json.dumps({"properties": props, "required": [camel(r) for r in required]}))
`;

type Step = (name: string, f: () => Promise<string | void> | string | void) => Promise<boolean>;

const providerDir = () => path.join(repoRoot(), "provider");

/** What the schema must say about RagPlatform; returns the problems (empty when it says it all). */
export function schemaProblems(schema: any): string[] {
    const problems: string[] = [];
    const resources = Object.keys(schema.resources ?? {});
    if (JSON.stringify(resources) !== JSON.stringify([RAG_PLATFORM_TYPE]))
        problems.push(`resources ${JSON.stringify(resources)}, expected [${RAG_PLATFORM_TYPE}]`);
    const r = schema.resources?.[RAG_PLATFORM_TYPE];
    if (!r) return problems;
    if (!r.isComponent) problems.push("RagPlatform is not marked a component");
    const inputs = r.inputProperties ?? {};
    const keys = CONFIG_KEYS.map((k) => k.key);
    const missing = keys.filter((k) => !(k in inputs));
    const extra = Object.keys(inputs).filter((k) => !keys.includes(k) && !DEPRECATED_KEYS.some((d) => d.key === k));
    if (missing.length > 0) problems.push(`inputs missing: ${missing.join(", ")}`);
    if (extra.length > 0) problems.push(`inputs not stack config keys: ${extra.join(", ")}`);
    // renamed inputs stay, typed as their new name, and say which it is
    for (const d of DEPRECATED_KEYS) {
        const p = inputs[d.key];
        if (!p) problems.push(`deprecated input ${d.key} missing (it stays until ${d.removal})`);
        else if (!JSON.stringify(p).includes(d.replacedBy)) problems.push(`deprecated input ${d.key} does not name ${d.replacedBy}`);
        else if (
            JSON.stringify({ ...p, description: undefined, deprecationMessage: undefined }) !==
            JSON.stringify({ ...inputs[d.replacedBy], description: undefined, deprecationMessage: undefined })
        )
            problems.push(`deprecated input ${d.key} is not typed as ${d.replacedBy}`);
    }
    for (const k of CONFIG_KEYS) {
        const p = inputs[k.key];
        if (p && !String(p.description ?? "").startsWith(k.description.replace(/\*\//g, "* /")))
            problems.push(`input ${k.key}: description ${JSON.stringify(p.description)} is not the key's`);
        if (p && !k.required && !/ Default: /.test(String(p.description))) problems.push(`input ${k.key}: no documented default`);
    }
    const required = [...(r.requiredInputs ?? [])].sort();
    const expectedRequired = CONFIG_KEYS.filter((k) => k.required)
        .map((k) => k.key)
        .sort();
    if (JSON.stringify(required) !== JSON.stringify(expectedRequired))
        problems.push(`required inputs ${required.join(", ")}, expected ${expectedRequired.join(", ")}`);
    const outputs = r.properties ?? {};
    const expectedOutputs = ["target", "environment", ...RAG_STACK_OUTPUTS];
    const outMissing = expectedOutputs.filter((k) => !(k in outputs));
    if (outMissing.length > 0) problems.push(`outputs missing: ${outMissing.join(", ")}`);
    for (const [k, p] of Object.entries<any>(outputs)) if (!p.description) problems.push(`output ${k}: no description`);
    return problems;
}

/** The YAML program: one RagPlatform with `inputs`, its outputs exported. */
export function yamlProgram(inputs: Record<string, unknown>, packageDir: string): string {
    return YAML.stringify(
        {
            name: "rag-platform-yaml",
            runtime: "yaml",
            description: "The RAG stack from a Pulumi YAML program, through the component package.",
            packages: { ragstack: packageDir },
            resources: { rag: { type: RAG_PLATFORM_TYPE, properties: inputs } },
            outputs: Object.fromEntries(["url", "databaseEndpoint", "databaseReaderEndpoint", "cacheEndpoint", "llmEndpoint"].map((o) => [o, `\${rag.${o}}`])),
        },
        { lineWidth: 0 },
    );
}

export async function checkPackage(ws: Workspace, step: Step, tsStack: string, tsRenderDir: string): Promise<void> {
    const must = (dir: string, args: string[]) => ws.must(args, { cwd: dir });

    await step("package: pulumi package get-schema lists RagPlatform with every input and output, documented", () => {
        const r = must(ws.root, ["package", "get-schema", providerDir()]);
        const schema = JSON.parse(r.stdout);
        assert.deepStrictEqual(schemaProblems(schema), [], "the schema");
        const res = schema.resources[RAG_PLATFORM_TYPE];
        return `${schema.name} ${schema.version}: ${RAG_PLATFORM_TYPE}, ${Object.keys(res.inputProperties).length} inputs (${res.requiredInputs.length} required), ${Object.keys(res.properties).length} outputs`;
    });

    await step(
        "package: Python and Go SDKs generated from the schema are valid (Python compiles with every input; a Go program using RagPlatform builds)",
        () => {
            const schemaFile = path.join(ws.root, "schema.json");
            fs.writeFileSync(schemaFile, must(ws.root, ["package", "get-schema", providerDir()]).stdout);
            const out = path.join(ws.root, "sdks");
            const sh = (cmd: string, args: string[], cwd: string) => {
                const r = spawnSync(cmd, args, {
                    cwd,
                    env: { ...ws.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" },
                    encoding: "utf8",
                    maxBuffer: 64 * 1024 * 1024,
                });
                if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
                return r.stdout;
            };
            sh("ragstack-gen-sdk", [schemaFile, out], ws.root);
            // Python: every file compiles; RagPlatformArgs's properties are the inputs (by their schema names).
            const py = sh("python3", ["-c", PYTHON_ARGS_SCRIPT, path.join(out, "python")], ws.root);
            const { properties, required } = JSON.parse(py) as { properties: string[]; required: string[] };
            // and the deprecated names, kept as inputs until their removal (docs/releases.md)
            assert.deepStrictEqual(
                properties.sort(),
                [...CONFIG_KEYS.map((k) => k.key), ...DEPRECATED_KEYS.map((d) => d.key)].sort(),
                "RagPlatformArgs's properties",
            );
            assert.deepStrictEqual(
                required.sort(),
                CONFIG_KEYS.filter((k) => k.required)
                    .map((k) => k.key)
                    .sort(),
                "its required arguments",
            );
            // Go: the SDK's module, and a program that uses it as a Go team would.
            const goDir = path.join(out, "go");
            const sdkModule = GO_SDK_IMPORT.replace(/\/ragstack$/, "");
            fs.writeFileSync(
                path.join(goDir, "go.mod"),
                `module ${sdkModule}\n\ngo 1.24\n\nrequire github.com/pulumi/pulumi/sdk/v3 v${PULUMI_SDK_GO_VERSION}\n`,
            );
            fs.mkdirSync(path.join(goDir, "example"), { recursive: true });
            fs.writeFileSync(path.join(goDir, "example", "main.go"), GO_PROGRAM);
            sh("go", ["mod", "tidy"], goDir);
            sh("go", ["vet", "./..."], goDir);
            sh("go", ["build", "-o", path.join(ws.root, "go-program"), "./example"], goDir);
            return `Python: ${properties.length} inputs, ${required.length} required; Go: the SDK and a program using it build`;
        },
    );

    const dir = path.join(ws.root, "yaml-project");
    const render = path.join(ws.root, "render-yaml");
    // The TypeScript stack's config, as its stack file holds it after the check set it.
    const tsConfig = (YAML.parse(fs.readFileSync(ws.stackFile(tsStack), "utf8"))?.config ?? {}) as Record<string, unknown>;
    const inputs = { ...inputsFromStackConfig(tsConfig), k8sRenderYamlDir: render };

    await step(`package: a Pulumi YAML program deploys RagPlatform with the ${tsStack} settings: the TypeScript program's manifests and outputs`, () => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yamlProgram(inputs, providerDir()));
        must(dir, ["stack", "init", tsStack]);
        for (const [k, v] of Object.entries(tsConfig)) if (!k.startsWith("rag-platform:")) must(dir, ["config", "set", "--stack", tsStack, k, String(v)]);
        // With the pack and the stack's pack config, as the TypeScript stack ran: the analyzer sees
        // the resources the component provider registers.
        const pack = path.join(repoRoot(), "policies");
        const up = must(dir, [
            "up",
            "--yes",
            "--skip-preview",
            "--stack",
            tsStack,
            "--policy-pack",
            pack,
            "--policy-pack-config",
            path.join(pack, "config", `${tsStack}.json`),
        ]);
        const created = /\+ (\d+) created/.exec(up.stdout)?.[1] ?? "?";
        const fromYaml = renderedObjects(render);
        const fromTs = renderedObjects(tsRenderDir);
        const missing = [...fromTs.keys()].filter((k) => !fromYaml.has(k));
        const extra = [...fromYaml.keys()].filter((k) => !fromTs.has(k));
        assert.deepStrictEqual({ missing, extra }, { missing: [], extra: [] }, "the same set of objects");
        const different = [...fromTs.keys()]
            .map((k) => [k, firstDifference(withoutSecretData(fromYaml.get(k)), withoutSecretData(fromTs.get(k)))] as const)
            .filter(([, d]) => d)
            .map(([k, d]) => `${k} ${d}`);
        assert.deepStrictEqual(different, [], "the same content");
        const yamlOutputs = JSON.parse(must(dir, ["stack", "output", "--stack", tsStack, "--json"]).stdout);
        const tsOutputs = JSON.parse(ws.must(["stack", "output", "--stack", tsStack, "--json"]).stdout);
        for (const [k, v] of Object.entries(yamlOutputs)) assert.deepStrictEqual(v, tsOutputs[k], `output ${k}`);
        const secrets = [...fromTs.values()].filter((o) => o.kind === "Secret").map(keyOf);
        return `${created} resources, ${fromTs.size} objects equal (${secrets.length} Secrets without their generated data), ${Object.keys(yamlOutputs).length} outputs equal`;
    });

    await step("package: pulumi package add in a Node.js program generates and links the SDK; a program using it renders the same manifests", () => {
        const node = path.join(ws.root, "node-sdk-project");
        const nodeRender = path.join(ws.root, "render-node-sdk");
        fs.mkdirSync(node, { recursive: true });
        fs.writeFileSync(
            path.join(node, "Pulumi.yaml"),
            "name: rag-platform-node-sdk\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
        );
        const sdkVersion = JSON.parse(fs.readFileSync(path.join(repoRoot(), "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).version;
        fs.writeFileSync(
            path.join(node, "package.json"),
            JSON.stringify({ name: "rag-platform-node-sdk", private: true, dependencies: { "@pulumi/pulumi": sdkVersion } }),
        );
        fs.writeFileSync(path.join(node, "inputs.json"), JSON.stringify({ ...inputs, k8sRenderYamlDir: nodeRender }));
        fs.writeFileSync(
            path.join(node, "index.js"),
            `"use strict";
// The package's generated SDK, as \`pulumi package add\` linked it: RagPlatform is constructed by the package.
const ragstack = require("@pulumi/ragstack");
const rag = new ragstack.RagPlatform("rag", require("./inputs.json"));
exports.url = rag.url;
exports.databaseEndpoint = rag.databaseEndpoint;
`,
        );
        must(node, ["package", "add", providerDir()]);
        const project = YAML.parse(fs.readFileSync(path.join(node, "Pulumi.yaml"), "utf8"));
        assert.deepStrictEqual(project.packages, { ragstack: providerDir() }, "package add records the package in Pulumi.yaml");
        must(node, ["stack", "init", tsStack]);
        must(node, ["up", "--yes", "--skip-preview", "--stack", tsStack]);
        const fromSdk = renderedObjects(nodeRender);
        const fromTs = renderedObjects(tsRenderDir);
        assert.deepStrictEqual([...fromSdk.keys()].sort(), [...fromTs.keys()].sort(), "the same set of objects");
        const different = [...fromTs.keys()].filter((k) => firstDifference(withoutSecretData(fromSdk.get(k)), withoutSecretData(fromTs.get(k))));
        assert.deepStrictEqual(different, [], "the same content");
        return `SDK generated and linked (@pulumi/ragstack), ${fromTs.size} objects equal`;
    });

    await step("package: examples/yaml-onprem previews under the production pack config; one API replica is refused by the pack", () => {
        const example = path.join(ws.root, "yaml-example");
        fs.mkdirSync(example, { recursive: true });
        const text = fs.readFileSync(path.join(repoRoot(), "examples", "yaml-onprem", "Pulumi.yaml"), "utf8");
        // The example names the package by its path in the repository; the copy by the absolute one.
        assert.ok(text.includes("ragstack: ../../provider"), "the example uses the package by its relative path");
        const program = text.replace("ragstack: ../../provider", `ragstack: ${providerDir()}`);
        fs.writeFileSync(path.join(example, "Pulumi.yaml"), program);
        fs.copyFileSync(path.join(repoRoot(), "examples", "yaml-onprem", "Pulumi.example.yaml"), path.join(example, "Pulumi.example.yaml"));
        must(example, ["stack", "init", "example"]);
        const pack = path.join(repoRoot(), "policies");
        const preview = () =>
            ws.pulumi(["preview", "--stack", "example", "--policy-pack", pack, "--policy-pack-config", path.join(pack, "config", "production.json")], {
                cwd: example,
                env: { ...ws.env, KUBECONFIG: path.join(ws.root, "no-kubeconfig") },
            });
        const r = preview();
        assert.strictEqual(r.code, 0, `preview failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
        const toCreate = /\+ (\d+) to create/.exec(r.stdout)?.[1];
        assert.ok(Number(toCreate) > 50, `${toCreate} to create`);
        // The pack judges what the component registers: a production API with one replica is refused.
        const doc = YAML.parse(program);
        doc.resources.rag.properties.apiMinReplicas = 1;
        fs.writeFileSync(path.join(example, "Pulumi.yaml"), YAML.stringify(doc, { lineWidth: 0 }));
        const refused = preview();
        const out = `${refused.stdout}${refused.stderr}`;
        assert.notStrictEqual(refused.code, 0, "the preview with one API replica fails");
        assert.ok(out.includes("kubernetes-apps-deployment-require-replicas"), `the refusal names the rule:\n${out.slice(-2500)}`);
        return `${toCreate} to create, the pack passed; apiMinReplicas 1 refused by kubernetes-apps-deployment-require-replicas`;
    });

    await step("package: a bad input fails the YAML preview with the component's message, naming the input", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yamlProgram({ ...inputs, apiCpu: 99, k8sEdgeMode: "loadbalancer" }, providerDir()));
        const r = ws.pulumi(["preview", "--stack", tsStack], { cwd: dir });
        const text = `${r.stdout}${r.stderr}`;
        assert.notStrictEqual(r.code, 0, "the preview fails");
        for (const expected of ["RagPlatform rag: invalid input", "apiCpu (api.cpu): got 99", "k8sEdgeMode"])
            assert.ok(text.includes(expected), `the message names ${expected}:\n${text.slice(-2500)}`);
        return "refused, naming apiCpu and k8sEdgeMode";
    });
}
