/**
 * Generates docs/policies.md from the rules (names, severity, category, frameworks, remediation,
 * parameters). `npm run docs` writes it; a test fails when it is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { allRules, defaultEnforcement, EXCEPTIONS_REPORT_POLICY, developmentConfig, productionConfig } from "../policies/lib";
import * as YAML from "yaml";
import { CONFIG_KEYS, DEPRECATED_KEYS, pulumiYamlConfig, settingsTable } from "../environments/config";
import { developmentPreset, productionPreset, stagingPreset } from "../environments/presets";
import { AwsAlarmSpec, AWS_ALARMS, K8sAlertSpec, K8S_ALERTS, SETTINGS, TIERS } from "../components/settings";
import { componentPages } from "./component-docs";
import { packageArgsSource } from "./package-args";

export function policiesMarkdown(): string {
    const lines: string[] = [];
    lines.push("# Policy reference");
    lines.push("");
    lines.push("Generated from `policies/lib` by `npm run docs`; do not edit by hand.");
    lines.push("");
    lines.push(`${allRules.length} rules plus \`${EXCEPTIONS_REPORT_POLICY}\` (advisory: lists every exception used in a run).`);
    lines.push("Default level: encryption and least-privilege rules are `mandatory`, compliance and resilience rules `advisory`;");
    lines.push("`policies/config/production.json` makes every rule mandatory but `kubernetes-edge-route-require-rate-limit` (advisory: the");
    lines.push("rate limit is the gateway implementation's own policy, and the default GatewayClass, Cilium, has none; the plan reports it)");
    lines.push("and the two `*-require-default-image-digests` rules (advisory: they find only library defaults whose digest `images.lock.json`");
    lines.push("does not hold yet, which `tools/pin-images.sh` fills, as a release does; every other production image without a digest,");
    lines.push("the stack's own above all, fails the mandatory `*-require-image-digests` rules).");
    lines.push("Rules marked *production only* check only resources");
    lines.push("tagged `Environment=production` (AWS) or labelled `ragstack.io/environment=production` (Kubernetes).");
    lines.push("");
    for (const target of ["aws", "kubernetes"] as const) {
        lines.push(`## ${target === "aws" ? "AWS" : "Kubernetes"}`);
        lines.push("");
        lines.push("| rule | severity | category | default | frameworks | what it requires | remediation | parameters |");
        lines.push("|---|---|---|---|---|---|---|---|");
        for (const r of allRules.filter((x) => x.target === target)) {
            const fw = Object.entries(r.frameworks)
                .map(([k, v]) => `${k} ${(v ?? []).join(", ")}`)
                .join("; ");
            const params = Object.entries(r.params ?? {})
                .map(([k, p]) => `\`${k}\` (default \`${JSON.stringify(p.default)}\`)`)
                .join(", ");
            const kind = r.kind === "stack" ? " (stack policy)" : "";
            lines.push(
                `| \`${r.name}\` | ${r.severity} | ${r.category} | ${defaultEnforcement(r)} | ${fw} | ${r.description}${kind}${r.productionOnly ? " *Production only.*" : ""} | ${r.remediation} | ${params || "-"} |`,
            );
        }
        lines.push("");
    }
    return lines.join("\n");
}

/** docs/settings.md: every setting by tier, the config key that overrides it, both presets' values and the targets that use it. */
export function settingsMarkdown(): string {
    const cell = (v: unknown) => (v === undefined ? "-" : `\`${JSON.stringify(v).replace(/\|/g, "\\|")}\``);
    const lines = [
        "# Settings: tiers, presets and the config keys that override them",
        "",
        "Generated from the tier files in `components/settings/` by `npm run docs`; do not edit by hand.",
        "Each tier (`components/settings/<tier>.ts`) states, once per setting, its type, its config key and description, its",
        "default in each environment, the targets that use it and its check. The presets, this page, Pulumi.yaml's config",
        "schema, the component provider's args and the validation are all assembled from those files.",
        "",
        "Every value of the `development`, `staging` and `production` presets can be overridden by the stack config key in the second",
        "column (`pulumi config set <key> <value>`; lists and objects as JSON), or by `overrides` of `RagStack` in a",
        "program. Object values (`apiEnv`, `tagsExtra`, `k8sGpuNodeSelector`, `costAssumptions`) are merged over the",
        "preset's; lists replace it. `test/settings.test.ts` fails when a setting has no key.",
        "",
        "## Nothing silently ignored: settings a target does not use",
        "",
        "The last column names the targets that use a setting. On the other target the setting is refused when it is set",
        "away from its default (exit 2, naming the key, the value and why that target does not use it), so that nobody",
        "believes in a setting that does nothing there: `llmSpot: true` on Kubernetes, `edgeReferrerPolicy` on AWS.",
        "",
        "One stack file may serve both targets (planned with `--target`, or switched with `target`): list the other",
        "target in `otherTargets` and its own settings are kept for it instead of refused. The repository's",
        "`Pulumi.staging.yaml` and `Pulumi.production.yaml` are such files (`target: aws`, `otherTargets: [kubernetes]`,",
        "with the `k8s*` keys); the plan's `--target` adds the file's own target to `otherTargets` by itself. A setting",
        "both targets use is never refused; one only the other target uses is checked when that target is planned.",
        "",
    ];
    const rows = settingsTable({ development: developmentPreset(), staging: stagingPreset(), production: productionPreset() });
    const byPath = new Map(rows.map((r) => [r.path, r]));
    for (const tier of TIERS) {
        const own = SETTINGS.filter((e) => e.tier === tier);
        lines.push(
            `## ${tier.title} (\`components/settings/${tierFile(tier.path || own[0].key)}\`)`,
            "",
            "| setting | config key | development | staging | production | targets | what |",
            "|---|---|---|---|---|---|---|",
        );
        for (const e of own) {
            const r = byPath.get(e.path);
            const key = e.provider ? e.key : `rag-platform:${e.key}`;
            lines.push(
                `| \`${e.path}\` | \`${key}\` | ${cell(r?.development)} | ${cell(r?.staging)} | ${cell(r?.production)} | ${e.targets.join(", ")} | ${e.description.replace(/\|/g, "\\|")} |`,
            );
        }
        lines.push("");
    }
    lines.push(...alertsMarkdown());
    const listed = new Set(SETTINGS.map((e) => e.key));
    const others = CONFIG_KEYS.filter((k) => !listed.has(k.key));
    lines.push(
        "## The program's own keys",
        "",
        "The stack's identity and the keys that steer the program rather than a setting (`components/settings/program.ts`).",
        "",
        "| config key | type | required | what |",
        "|---|---|---|---|",
        ...others.map((k) => `| \`rag-platform:${k.key}\` | ${k.type} | ${k.required ? "yes" : "no"} | ${k.description.replace(/\|/g, "\\|")} |`),
        "",
        "## Deprecated keys",
        "",
        "Renamed keys (`components/settings/deprecations.ts`) keep working for at least one minor release: the old key's value is used for the new key, and the offline plan (its `warnings`) and `pulumi preview` print a warning naming the new key. Setting both is refused. The `RagPlatform` component's inputs of the same names behave the same.",
        "",
        "| deprecated key | use instead | deprecated since | removed in | why |",
        "|---|---|---|---|---|",
        ...DEPRECATED_KEYS.map((d) => `| \`rag-platform:${d.key}\` | \`rag-platform:${d.replacedBy}\` | ${d.since} | ${d.removal} | ${d.reason} |`),
    );
    return lines.join("\n") + "\n";
}

/** The alert catalogue: every alarm and alert a stack may override, with its defaults. */
function alertsMarkdown(): string[] {
    const threshold = (t: AwsAlarmSpec["threshold"]) => (t ? `${t.value} ${t.unit} (${t.min}..${t.max})` : "fixed");
    return [
        "## Alerts (`components/settings/alerts.ts`)",
        "",
        "Each alert's threshold and duration (and on Kubernetes its severity) is a default a stack may override, per alert:",
        "`alarms` on AWS (`{threshold, periods, datapoints}`: the alarm fires when `datapoints` of the last `periods`",
        "periods breach), `k8sAlerts` on Kubernetes (`{threshold, forMinutes, severity}`; severity `critical` pages at once,",
        "`warning` is grouped). A field not given keeps its default; an unknown alert or field, a value out of range or an",
        "override of an alert the cluster cannot evaluate is refused. AWS alarms go to one SNS topic and have no severity.",
        'Thresholds are in the unit shown; "fixed" ones follow from what the alarm means. Each alert has a runbook entry',
        "(docs/runbooks.md).",
        "",
        "On Kubernetes an alert is raised only when the cluster's Prometheus scrapes the metrics it reads",
        "(`k8sMetricsSources`, all four by default); otherwise it is left out and the PrometheusRule's",
        "`ragstack.io/alerts-left-out` annotation and the plan's key settings name it and the missing source.",
        "",
        "| AWS alarm (`alarms`) | what | threshold | period | periods | datapoints |",
        "|---|---|---|---|---|---|",
        ...Object.entries(AWS_ALARMS as Record<string, AwsAlarmSpec>).map(
            ([name, a]) => `| \`${name}\` | ${a.what} | ${threshold(a.threshold)} | ${a.period} s | ${a.periods} | ${a.datapoints ?? a.periods} |`,
        ),
        "",
        "| Kubernetes alert (`k8sAlerts`) | what | threshold | forMinutes | severity | metrics sources |",
        "|---|---|---|---|---|---|",
        ...Object.entries(K8S_ALERTS as Record<string, K8sAlertSpec>).map(
            ([name, a]) =>
                `| \`${name}\` | ${a.what} | ${threshold(a.threshold)} | ${a.forMinutes} | ${a.severity} | ${a.sources.length ? a.sources.join(", ") : "the stack's own"} |`,
        ),
        "",
    ];
}

/** The file of a tier, by its path (root settings: the file named after their tier). */
function tierFile(pathOrKey: string): string {
    const files: Record<string, string> = { protectData: "root.ts", costAssumptions: "cost.ts" };
    return files[pathOrKey] ?? `${pathOrKey}.ts`;
}
export const SETTINGS_DOC = path.join(__dirname, "..", "..", "docs", "settings.md");

export const POLICIES_DOC = path.join(__dirname, "..", "..", "docs", "policies.md");

/** Pulumi.yaml, its config section generated from CONFIG_KEYS. */
export function pulumiYaml(): string {
    const header = [
        "# Generated by `npm run docs` from the tier files in components/settings/ (CONFIG_KEYS); edit there.",
        "name: rag-platform",
        "runtime:",
        "  name: nodejs",
        "  options:",
        "    packagemanager: npm",
        "    # tools/entry/program.js runs the compiled program (dist/, built by `npm ci`) and rebuilds it",
        "    # when a source changed: no type-checking ts-node on every preview (see the file).",
        "    typescript: false",
        "description: RAG application stack (API, Ollama on GPU, PostgreSQL + pgvector, Valkey, object storage, TLS + WAF) on AWS or on-prem Kubernetes.",
        "main: tools/entry/program.js",
    ].join("\n");
    return `${header}\n${YAML.stringify({ config: pulumiYamlConfig() }, { lineWidth: 0 })}`;
}
export const PULUMI_YAML = path.join(__dirname, "..", "..", "Pulumi.yaml");

export const PRODUCTION_POLICY_CONFIG = path.join(__dirname, "..", "..", "policies", "config", "production.json");

export const DEVELOPMENT_POLICY_CONFIG = path.join(__dirname, "..", "..", "policies", "config", "development.json");

export const PACKAGE_ARGS = path.join(__dirname, "..", "..", "provider", "args.ts");

export const COMPONENTS_DIR = path.join(__dirname, "..", "..", "docs", "components");

if (require.main === module) {
    fs.writeFileSync(POLICIES_DOC, policiesMarkdown());
    console.log(`wrote ${POLICIES_DOC}`);
    fs.writeFileSync(SETTINGS_DOC, settingsMarkdown());
    console.log(`wrote ${SETTINGS_DOC}`);
    fs.writeFileSync(PULUMI_YAML, pulumiYaml());
    console.log(`wrote ${PULUMI_YAML}`);
    fs.writeFileSync(PRODUCTION_POLICY_CONFIG, JSON.stringify(productionConfig(), null, 2) + "\n");
    console.log(`wrote ${PRODUCTION_POLICY_CONFIG}`);
    fs.writeFileSync(DEVELOPMENT_POLICY_CONFIG, JSON.stringify(developmentConfig(), null, 2) + "\n");
    console.log(`wrote ${DEVELOPMENT_POLICY_CONFIG}`);
    fs.writeFileSync(PACKAGE_ARGS, packageArgsSource());
    console.log(`wrote ${PACKAGE_ARGS}`);
    fs.rmSync(COMPONENTS_DIR, { recursive: true, force: true });
    fs.mkdirSync(COMPONENTS_DIR, { recursive: true });
    const pages = componentPages(path.join(__dirname, "..", ".."));
    for (const [file, text] of pages) fs.writeFileSync(path.join(COMPONENTS_DIR, file), text);
    console.log(`wrote ${pages.size} pages to ${COMPONENTS_DIR}`);
}
