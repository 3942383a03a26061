/**
 * Deprecations, not breaks (components/settings/deprecations.ts): a renamed config key keeps
 * working, its value used for the new key, with a warning naming the new key in the plan and in
 * `pulumi preview` (the program's pulumi.log.warn); setting both is refused; Pulumi.yaml and the
 * component's inputs keep declaring the old name until its removal.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { DEPRECATED_KEYS } from "../components/settings";
import { ValidationError } from "../components/core/validation";
import { pulumiYamlConfig } from "../environments/config";
import { plan } from "../testing/plan";
import { repoRoot } from "../testing/paths";
import { inputsFromStackConfig, programFromArgs } from "../provider/rag-platform";
import { resolveConfigValues } from "./harness/config";

/** Production on AWS (without internet egress: images from ECR). */
const REQUIRED = {
    target: "aws",
    environment: "production",
    domain: "rag.example.gov",
    apiImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/rag-api:1.4.2",
    llmImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ollama:0.12.6",
    hostedZoneId: "Z0123456789ABC",
};
const LOGIN = { wafLoginPaths: '["/auth/login","/auth/token"]', wafLoginRateLimitPer5Min: "50" };
const renamed = (values: Record<string, string>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [DEPRECATED_KEYS.find((d) => d.key === k)?.replacedBy ?? k, v]));

describe("deprecated config keys", () => {
    it("each names an existing key of the same meaning, warns from `since` and is removed a minor release later at the earliest", () => {
        const declared = pulumiYamlConfig();
        for (const d of DEPRECATED_KEYS) {
            assert.ok(declared[d.replacedBy], `${d.replacedBy} is a config key`);
            const [sMajor, sMinor] = d.since.split(".").map(Number);
            const [rMajor, rMinor] = d.removal.split(".").map(Number);
            assert.ok(rMajor > sMajor || rMinor > sMinor, `${d.key}: removal ${d.removal} after ${d.since}`);
        }
        assert.deepStrictEqual(
            DEPRECATED_KEYS.map((d) => [d.key, d.replacedBy]),
            [
                ["wafLoginPaths", "edgeLoginPaths"],
                ["wafLoginRateLimitPer5Min", "edgeLoginRateLimitPer5Min"],
            ],
        );
    });

    it("the old keys resolve to the same settings as the new ones, with a warning naming the new key", () => {
        const old = resolveConfigValues({ ...REQUIRED, ...LOGIN });
        const now = resolveConfigValues({ ...REQUIRED, ...renamed(LOGIN) });
        assert.deepStrictEqual(old.settings, now.settings);
        assert.deepStrictEqual(old.settings.edge.loginPaths, ["/auth/login", "/auth/token"]);
        assert.strictEqual(old.settings.edge.loginRateLimitPer5Min, 50);
        assert.deepStrictEqual(now.program.warnings, []);
        assert.strictEqual(old.program.warnings.length, 2);
        assert.match(
            old.program.warnings[0],
            /^rag-platform:wafLoginPaths is deprecated since 0\.2\.0 and will be removed in 0\.3\.0: set rag-platform:edgeLoginPaths instead/,
        );
        assert.match(old.program.warnings[1], /rag-platform:wafLoginRateLimitPer5Min .*set rag-platform:edgeLoginRateLimitPer5Min instead/);
    });

    it('the declared defaults ([] and "") of an old key are not a use of it', () => {
        const r = resolveConfigValues({ ...REQUIRED, wafLoginPaths: "[]", wafLoginRateLimitPer5Min: "", edgeLoginPaths: '["/login"]' });
        assert.deepStrictEqual(r.program.warnings, []);
        assert.deepStrictEqual(r.settings.edge.loginPaths, ["/login"]);
    });

    it("setting both the old and the new key is refused, naming both", () => {
        assert.throws(
            () => resolveConfigValues({ ...REQUIRED, wafLoginPaths: '["/a"]', edgeLoginPaths: '["/b"]' }),
            (e: Error) =>
                e instanceof ValidationError &&
                /rag-platform:wafLoginPaths: got .*allowed: unset when rag-platform:edgeLoginPaths is set \(wafLoginPaths is its deprecated name\)/.test(
                    e.message,
                ),
        );
    });

    it("an old key's bad value is reported under the new key's checks", () => {
        assert.throws(
            () => resolveConfigValues({ ...REQUIRED, wafLoginRateLimitPer5Min: "five" }),
            /rag-platform:edgeLoginRateLimitPer5Min: got "five"; allowed: an integer/,
        );
    });

    it("the plan with the old keys is the plan with the new ones; its JSON and the program (pulumi preview) carry the warnings", async function () {
        this.timeout(300000);
        const set = (values: Record<string, string>) => ({ stack: "production", target: "aws" as const, set: values });
        // the program's pulumi.log.warn (what `pulumi preview` shows; without an engine the SDK writes it with console.warn)
        const logged: string[] = [];
        const warn = console.warn;
        console.warn = (...a: unknown[]) => void logged.push(a.join(" "));
        let old;
        try {
            old = (await plan(set(LOGIN))).document;
        } finally {
            console.warn = warn;
        }
        assert.deepStrictEqual(
            logged.filter((l) => l.includes("deprecated")).map((l) => l.replace(/^warning: \[runtime\] /, "")),
            old.warnings,
        );
        const now = (await plan(set(renamed(LOGIN)))).document;
        assert.deepStrictEqual(old.resources, now.resources);
        assert.ok(
            old.resources.some((r) => r.type === "aws:wafv2/webAcl:WebAcl" && JSON.stringify(r.inputs).includes("/auth/token")),
            "the login paths reach the WAF",
        );
        assert.deepStrictEqual(now.warnings, []);
        assert.strictEqual(old.warnings.length, 2);
        assert.ok(old.warnings.every((w) => /set rag-platform:edgeLogin(Paths|RateLimitPer5Min) instead/.test(w)));
    });

    it("Pulumi.yaml keeps declaring the old keys, typed as the new ones, so that pulumi accepts stack files using them", () => {
        const config = YAML.parse(fs.readFileSync(path.join(repoRoot(), "Pulumi.yaml"), "utf8")).config;
        for (const d of DEPRECATED_KEYS) {
            assert.strictEqual(config[d.key].type, config[d.replacedBy].type, d.key);
            assert.match(config[d.key].description, new RegExp(`^Deprecated since ${d.since.replace(/\./g, "\\.")} .*use ${d.replacedBy}\\.$`));
        }
    });

    it("the component's old input works, warns without a namespace, and is typed @deprecated", () => {
        const base = { target: "kubernetes", environment: "staging", domain: "rag.example.gov", apiImage: "ghcr.io/example/api:1.0.0", k8sEdgeMode: "ingress" };
        const old = programFromArgs("rag", { ...base, wafLoginPaths: ["/auth/login"] }, undefined);
        const now = programFromArgs("rag", { ...base, edgeLoginPaths: ["/auth/login"] }, undefined);
        assert.deepStrictEqual(old.input, now.input);
        assert.deepStrictEqual(old.warnings, [
            "wafLoginPaths is deprecated since 0.2.0 and will be removed in 0.3.0: set edgeLoginPaths instead, same value (renamed because the login limits apply at every edge (AWS WAF, ingress-nginx, Envoy Gateway), not only the WAF)",
        ]);
        // a stack file moved to the component: the old key becomes the old input, typed
        assert.deepStrictEqual(inputsFromStackConfig({ "rag-platform:wafLoginPaths": '["/a"]', "rag-platform:wafLoginRateLimitPer5Min": "50" }), {
            wafLoginPaths: ["/a"],
            wafLoginRateLimitPer5Min: 50,
        });
        const args = fs.readFileSync(path.join(repoRoot(), "provider", "args.ts"), "utf8");
        assert.match(
            args,
            /\/\*\* Deprecated since 0\.2\.0 \(removed in 0\.3\.0\): use `edgeLoginPaths` .*@deprecated use `edgeLoginPaths` \*\/\n {4}wafLoginPaths\?: string\[\];/,
        );
    });

    it("docs/settings.md lists the deprecated keys with their replacements", () => {
        const doc = fs.readFileSync(path.join(repoRoot(), "docs", "settings.md"), "utf8");
        for (const d of DEPRECATED_KEYS)
            assert.ok(doc.includes(`| \`rag-platform:${d.key}\` | \`rag-platform:${d.replacedBy}\` | ${d.since} | ${d.removal} |`), d.key);
    });
});
