import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS, DEPRECATED_KEYS, parseConfig } from "../environments/config";
import { pulumiYaml } from "../tools/gen-docs";
import { presetFor } from "../environments/presets";
import { resolveStackSettings } from "../environments/resolve";
import { subnetCidr } from "../components/core/sizing";
import { withRegistry } from "../components/core/naming";
import { installMocks, settle } from "../testing/mocks";
import { readStackConfig, repoRoot, runProgram } from "../testing/program";
import { allRules } from "../policies/lib/rules";

describe("foundation", () => {
    it("Pulumi.yaml declares exactly the config keys the program reads, with types and descriptions (npm run docs)", () => {
        const text = fs.readFileSync(path.join(repoRoot(), "Pulumi.yaml"), "utf8");
        assert.strictEqual(text, pulumiYaml(), "Pulumi.yaml is stale: run npm run docs");
        const project = YAML.parse(text);
        assert.strictEqual(project.runtime.name, "nodejs");
        assert.strictEqual(project.main, "tools/entry/program.js");
        assert.strictEqual(project.runtime.options.typescript, false);
        // and, until their removal, the deprecated names (components/settings/deprecations.ts), so that `pulumi` accepts them
        assert.deepStrictEqual(Object.keys(project.config).sort(), [...CONFIG_KEYS.map((k) => k.key), ...DEPRECATED_KEYS.map((d) => d.key)].sort());
        for (const k of CONFIG_KEYS) {
            const d = project.config[k.key];
            assert.ok(d.type && d.description.length > 5, k.key);
            // The Pulumi CLI requires every declared key without a default.
            assert.strictEqual("default" in d, !k.required, `${k.key}: required keys have no default, optional keys have one`);
        }
    });

    it("the declared defaults of optional keys leave the preset in charge", () => {
        const raw: Record<string, string> = {
            target: "aws",
            environment: "production",
            domain: "a.example.gov",
            apiImage: "a/b:1",
            dbMultiAz: "",
            llmModels: "[]",
            apiMinReplicas: "",
        };
        const parsed = parseConfig((k) => raw[k]);
        assert.deepStrictEqual(parsed.input.overrides, { api: { image: "a/b:1" } });
    });

    it("stack files only set declared keys", () => {
        const declared = new Set(CONFIG_KEYS.map((k) => `rag-platform:${k.key}`));
        for (const stack of ["staging", "production"]) {
            for (const key of Object.keys(readStackConfig(stack))) {
                if (key.startsWith("rag-platform:")) assert.ok(declared.has(key), `${stack}: ${key} is not declared in Pulumi.yaml`);
            }
        }
    });

    it("stack files commit no encryption salt or secret, so anyone can `pulumi stack init` them with their own secrets provider", () => {
        const files = fs.readdirSync(repoRoot()).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
        assert.deepStrictEqual(files.sort(), ["Pulumi.development.yaml", "Pulumi.production.yaml", "Pulumi.staging.yaml"]);
        for (const f of files) {
            const doc = YAML.parse(fs.readFileSync(path.join(repoRoot(), f), "utf8")) ?? {};
            for (const key of ["encryptionsalt", "secretsprovider", "encryptedkey"]) assert.ok(!(key in doc), `${f} commits ${key}`);
            for (const [k, v] of Object.entries((doc.config ?? {}) as Record<string, unknown>))
                assert.ok(!(v && typeof v === "object" && "secure" in (v as object)), `${f}: ${k} is an encrypted value tied to one passphrase`);
        }
    });

    it("presets carry the numbers real deployments use", () => {
        const s = presetFor("staging");
        const p = presetFor("production");
        assert.deepStrictEqual([s.api.minReplicas, s.api.maxReplicas, p.api.minReplicas, p.api.maxReplicas], [1, 3, 2, 10]);
        assert.deepStrictEqual([s.network.natStrategy, p.network.natStrategy], ["single", "perAz"]);
        assert.deepStrictEqual([s.database.backupRetentionDays, p.database.backupRetentionDays], [7, 30]);
        assert.deepStrictEqual([s.database.multiAz, p.database.multiAz, p.database.readReplicas], [false, true, 1]);
        assert.deepStrictEqual([s.database.deletionProtection, p.database.deletionProtection], [false, true]);
        assert.deepStrictEqual([s.database.crossRegionBackup, p.database.crossRegionBackup], [false, true]);
        assert.deepStrictEqual([s.cache.automaticFailover, p.cache.automaticFailover], [false, true]);
        assert.deepStrictEqual([s.llm.minNodes, p.llm.desiredNodes], [0, 2]);
    });

    it("every preset value can be overridden, and overrides do not leak between calls", () => {
        const a = resolveStackSettings({
            target: "aws",
            environment: "production",
            domain: "a.example.gov",
            overrides: { api: { image: "x/y:1", maxReplicas: 20 }, aws: { hostedZoneId: "Z0123456789ABC", internetEgress: true } },
        });
        assert.strictEqual(a.api.maxReplicas, 20);
        assert.strictEqual(a.api.minReplicas, 2, "siblings keep the preset value");
        assert.strictEqual(presetFor("production").api.maxReplicas, 10);
    });

    it("subnet layout is stable: adding an AZ never moves an existing subnet", () => {
        assert.strictEqual(subnetCidr("10.20.0.0/16", 0, 0), "10.20.0.0/20");
        assert.strictEqual(subnetCidr("10.20.0.0/16", 1, 1), "10.20.80.0/20");
        assert.strictEqual(subnetCidr("10.20.0.0/16", 2, 2), "10.20.160.0/20");
        assert.strictEqual(subnetCidr("10.20.0.0/20", 1, 0), "10.20.4.0/24");
    });

    it("registry mirrors rewrite every image host", () => {
        assert.strictEqual(withRegistry("ollama/ollama:0.12.6", "mirror.local"), "mirror.local/docker.io/ollama/ollama:0.12.6");
        assert.strictEqual(withRegistry("postgres:16", "mirror.local/"), "mirror.local/docker.io/library/postgres:16");
        assert.strictEqual(withRegistry("ghcr.io/a/b:1", "mirror.local"), "mirror.local/ghcr.io/a/b:1");
        assert.strictEqual(withRegistry("mirror.local/x/y:1", "mirror.local"), "mirror.local/x/y:1");
        assert.strictEqual(withRegistry("ghcr.io/a/b:1", ""), "ghcr.io/a/b:1");
    });

    it("importing the library registers no resources", async () => {
        const log = installMocks();
        for (const id of Object.keys(require.cache)) if (/[\\/]dist[\\/](components|facade|environments)[\\/]/.test(id)) delete require.cache[id];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const lib = require(path.join(repoRoot(), "dist", "facade", "index.js"));
        await settle();
        assert.ok(lib.RagStack && lib.aws.Database && lib.kubernetes.Database && lib.environments.presetFor);
        assert.strictEqual(log.all.length, 0);
    });

    for (const stack of ["staging", "production"]) {
        for (const target of ["aws", "kubernetes"]) {
            it(`the program plans ${stack} on ${target} and exports references only`, async () => {
                const run = await runProgram(stack, { target });
                assert.strictEqual(run.outputs.target, target);
                assert.strictEqual(run.outputs.environment, stack);
                assert.match(String(run.outputs.url), /^https:\/\/[a-z.]+$/);
                for (const k of [
                    "databaseEndpoint",
                    "databaseReaderEndpoint",
                    "cacheEndpoint",
                    "documentsBucket",
                    "backupsBucket",
                    "secretRefs",
                    "llmEndpoint",
                ])
                    assert.ok(run.outputs[k], k);
                assert.ok(run.resources.all.length > (target === "aws" ? 150 : 60), `only ${run.resources.all.length} resources`);
                assert.ok(run.resources.all.some((r) => r.type === "ragstack:index:RagStack"));
            });
        }
    }
});

describe("README figures", () => {
    it("the rule count the README states is the pack's", () => {
        const readme = fs.readFileSync(path.join(repoRoot(), "README.md"), "utf8");
        const stated = Number(/\((\d+) rules\)/.exec(readme)?.[1]);
        assert.strictEqual(stated, allRules.length, `README says ${stated} rules; the pack has ${allRules.length}`);
    });
});

describe("generated component docs", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { componentPages } = require("../tools/component-docs") as typeof import("../tools/component-docs");
    const pages = componentPages(repoRoot());
    it("one page per component, each current (npm run docs)", () => {
        const dir = path.join(repoRoot(), "docs", "components");
        assert.deepStrictEqual(fs.readdirSync(dir).sort(), [...pages.keys()].sort());
        for (const [file, text] of pages) assert.strictEqual(fs.readFileSync(path.join(dir, file), "utf8"), text, `${file} is stale: run npm run docs`);
        assert.ok(pages.size >= 24);
    });
    it("every argument and output of every component is documented", () => {
        for (const [file, text] of pages) {
            if (file === "README.md") continue;
            const undocumentedArgs = text.split("\n").filter((l) => l.startsWith("| `") && l.endsWith("|  |"));
            assert.deepStrictEqual(undocumentedArgs, [], file);
            const undocumentedOutputs = text.split("\n").filter((l) => /^- `[A-Za-z]+`: `[^`]*`$/.test(l));
            assert.deepStrictEqual(undocumentedOutputs, [], file);
        }
    });
});
